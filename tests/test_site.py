"""The course website: built by ``./course.sh book`` and read in headless Chromium, offline.

The module builds the site once, as the README says (``./course.sh book``, into
``test-artifacts/site/``), serves it from a local HTTP server on 127.0.0.1 and opens it in
Debian's Chromium through Playwright, as tests/test_browser.py does. Every request that leaves
that server is blocked and reported: the site must work with no internet (math and search too).

Starting from the landing page it visits every page reachable by a link (and the search page),
waits until MathJax has typeset the page, and checks: no console error, no failed request, every
internal link (and #fragment) resolves, every formula is typeset without a TeX error, every image
(plots, graph drawings) decodes to a picture on screen, and each notebook page shows as many
figures as its stored outputs hold. It searches for a term of notebook 05 and expects that page
among the results. Screenshots (landing page, a notebook page with a graph drawing and math, the
search results) go to ``test-artifacts/screenshots/``, beside test_browser.py's.

Without a browser the static checks (no solution on the site, the landing page, the links of each
page) still run; the browser checks skip locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import functools
import html
import html.parser
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import nbformat
import pytest

# One headless Chromium set-up for every browser test: the same binary, flags and checks.
from test_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, _require_browser

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "test-artifacts" / "site"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _stored(folder: str) -> list[Path]:
    """The notebooks of a folder and its subfolders (a translation's), hidden ones left out."""
    found = (ROOT / folder).glob("**/*.ipynb")
    return sorted(p for p in found if not any(part.startswith(".") for part in p.parts))


NOTEBOOKS = _stored("notebooks")
EXERCISES = _stored("exercises")
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
# Search must find this term of notebook 05 (the notebook's subject, in its title and text).
SEARCH_TERM = "OneFlow"
SEARCH_NOTEBOOK = ROOT / "notebooks" / "05_framework_kernels.ipynb"
REPOSITORY = "minigrad-course/minigrad"  # as book/conf.py's REPOSITORY
IMAGE_MIME_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
# Guards against a hang, not performance checks.
BUILD_TIMEOUT_S = 900
UI_TIMEOUT_MS = 60_000

# Once MathJax 2 has loaded, resolves when its queue (typesetting the page) has drained.
JS_MATH_DONE = """
() => new Promise((resolve) => {
  const start = Date.now();
  const wait = () => {
    if (window.MathJax && window.MathJax.Hub && window.MathJax.isReady) {
      window.MathJax.Hub.Queue(() => resolve(true));
    } else if (Date.now() - start > 30000) {
      resolve(false);
    } else {
      setTimeout(wait, 100);
    }
  };
  wait();
})
"""

# What one page shows: its links and ids, its formulas (Sphinx marks each "math notranslate";
# MathJax renders it in .MathJax / .MathJax_Display, a TeX error as .noError or <merror>), and
# its images (decoded, with a size on screen), those in notebook outputs counted apart.
JS_PAGE_REPORT = """
() => {
  const rendered = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const formulas = Array.from(document.querySelectorAll(".math.notranslate"));
  const math = formulas.map((el) => {
    const out = el.querySelector(".MathJax, .MathJax_Display, .MathJax_SVG");
    const mml = out ? (out.getAttribute("data-mathml") || "") : "";
    return {
      source: el.querySelector("script") ? el.querySelector("script").textContent : el.textContent,
      // A formula in a collapsed part of the page (a sub-heading in the contents) has no box.
      rendered: Boolean(out) && (el.getClientRects().length === 0 || rendered(out)),
      error: Boolean(el.querySelector(".noError, .MathJax_Error")) || mml.includes("<merror"),
    };
  });
  const pictures = document.querySelectorAll("article img, .bd-article img");
  const images = Array.from(pictures).map((img) => ({
    src: img.getAttribute("src"),
    output: Boolean(img.closest(".cell_output")),
    ok: img.complete && img.naturalWidth > 0 && rendered(img),
  }));
  return {
    title: document.title,
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
    ids: Array.from(document.querySelectorAll("[id], a[name]")).map((el) => el.id || el.name),
    math: math,
    images: images,
  };
}
"""


@pytest.fixture(scope="module")
def site() -> Path:
    """The site, built by the README's command into test-artifacts/site/."""
    command = [str(ROOT / "course.sh"), "book", "--out", str(SITE)]
    start = time.monotonic()
    result = subprocess.run(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"'./course.sh book --out {SITE}' failed (exit {result.returncode}):\n{output[-4000:]}"
    )
    print(f"site built in {time.monotonic() - start:.0f} s:\n{output[-1500:]}")
    assert (SITE / "index.html").is_file(), f"the build wrote no index.html:\n{output[-2000:]}"
    return SITE


# ----- no solution on the site ----------------------------------------------------------------


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML page (what a reader can select), scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _squeeze(text: str) -> str:
    """Text without any whitespace: code matches however it was spaced or highlighted."""
    return re.sub(r"\s+", "", text)


def _file_text(path: Path) -> str:
    """What a file of the site can show: an HTML page's text and its raw markup (attributes and
    inline scripts included), a notebook's cells, any other text file as it is."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ""  # images and fonts
    if path.suffix == ".html":
        parser = _TextOf()
        parser.feed(text)
        return "".join(parser.parts) + "\n" + html.unescape(text)
    if path.suffix == ".ipynb" or path.name.endswith(".ipynb.txt"):
        try:
            notebook = json.loads(text)
        except json.JSONDecodeError:
            return text
        return "\n".join("".join(cell.get("source", "")) for cell in notebook.get("cells", []))
    return text


def _notebook_text(path: Path) -> list[str]:
    """A notebook's cell sources and the text of its outputs (printed code counts as shown)."""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        texts.append(cell.source)
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            data = out.get("data", {})
            texts += [data.get(mime, "") for mime in ("text/plain", "text/markdown", "text/html")]
    return ["".join(t) if isinstance(t, list) else t for t in texts]


def _solution_sources(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells]


def solution_only_lines(solutions: list[Path], shown: list[Path], min_chars: int = 12) -> list[str]:
    """The lines between ### BEGIN SOLUTION and ### END SOLUTION that no shown notebook (course
    notebook or exercise stub, outputs included) contains anyway, without whitespace, comments
    left out. (A course notebook may print minigrad's own code, which a solution can equal.)"""
    shown_text = _squeeze("\n".join(text for nb in shown for text in _notebook_text(nb)))
    lines = []
    for notebook in solutions:
        for source in _solution_sources(notebook):
            inside = False
            for line in source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside:
                    code = _squeeze(line.split("#", 1)[0])
                    if len(code) >= min_chars and code not in shown_text:
                        lines.append(code)
    return sorted(set(lines))


def solution_leaks(site_dir: Path, solution_lines: list[str]) -> list[str]:
    """Every place a solution shows on the site: a file under a solutions folder, the marker
    "BEGIN SOLUTION" (except in a README's page, which explains the markers), or a
    solution-only line; each as "file: what"."""
    leaks = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(site_dir).as_posix()
        if "solution" in rel.lower():
            leaks.append(f"{rel}: a file named after solutions")
        text = _file_text(path)
        if "BEGIN SOLUTION" in text and not path.name.startswith("README."):
            leaks.append(f"{rel}: contains the marker 'BEGIN SOLUTION'")
        squeezed = _squeeze(text)
        leaks += [
            f"{rel}: shows the solution line {line!r}"
            for line in solution_lines
            if line in squeezed
        ]
    return leaks


def test_no_solution_appears_on_the_site(site: Path) -> None:
    """No page, source copy, search index or asset shows code from solutions/."""
    lines = solution_only_lines(SOLUTIONS, NOTEBOOKS + EXERCISES)
    assert len(lines) >= len(SOLUTIONS), (
        f"only {len(lines)} solution-only lines found in {len(SOLUTIONS)} solution notebooks: "
        "the check would prove little (are the ### BEGIN SOLUTION markers still there?)"
    )
    leaks = solution_leaks(site, lines)
    assert not leaks, "solutions appear on the site:\n  - " + "\n  - ".join(leaks[:30])


def test_solution_check_finds_a_leak(tmp_path: Path) -> None:
    """The check itself: a highlighted solution line in a page, and a copied solution, are found."""
    lines = solution_only_lines(SOLUTIONS, NOTEBOOKS + EXERCISES)
    assert lines, "no solution-only line to test the check with"
    leaked = lines[0]
    spans = "".join(f'<span class="n">{html.escape(char)}</span> ' for char in leaked)
    (tmp_path / "page.html").write_text(f"<html><body><pre>{spans}</pre></body></html>")
    (tmp_path / "clean.html").write_text("<html><body><p>No answers here.</p></body></html>")
    copied = tmp_path / "_sources" / "solutions"
    copied.mkdir(parents=True)
    (copied / "x.ipynb").write_text(SOLUTIONS[0].read_text())
    leaks = solution_leaks(tmp_path, lines)
    assert any(leak.startswith("page.html: shows the solution line") for leak in leaks), leaks
    assert any("_sources/solutions/x.ipynb: a file named after solutions" in leak for leak in leaks)
    assert any("_sources/solutions/x.ipynb: contains the marker" in leak for leak in leaks)
    assert not any(leak.startswith("clean.html") for leak in leaks), leaks


# ----- pages, links, landing page (static) -----------------------------------------------------


def _page_of(notebook: Path) -> str:
    return notebook.relative_to(ROOT).with_suffix(".html").as_posix()


def test_site_is_ready_for_a_static_host(site: Path) -> None:
    """GitHub Pages runs Jekyll, which drops _static/ and _images/ unless .nojekyll is there."""
    assert (site / ".nojekyll").is_file(), "no .nojekyll: GitHub Pages would drop _static/"
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file(), "MathJax is not in the site"


def test_every_notebook_and_exercise_has_a_page(site: Path) -> None:
    """One page per stored notebook and exercise stub, and the exercises' README."""
    missing = [_page_of(nb) for nb in NOTEBOOKS + EXERCISES if not (site / _page_of(nb)).is_file()]
    assert not missing, f"pages missing from the site: {missing}"
    assert (site / "exercises" / "README.html").is_file(), "the exercises' README has no page"


def _hrefs(page: Path) -> list[str]:
    return re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8"))


def test_each_notebook_page_opens_it_in_jupyterlab_binder_colab_and_links_its_pair(
    site: Path,
) -> None:
    """Each notebook page links JupyterLab, Binder, Colab and its pair (exercises / chapter)."""
    problems = []
    for notebook in NOTEBOOKS + EXERCISES:
        rel = notebook.relative_to(ROOT).as_posix()
        page = site / _page_of(notebook)
        hrefs = [html.unescape(h) for h in _hrefs(page)]
        expected = {
            "JupyterLab": f"http://127.0.0.1:8888/lab/tree/{rel}",
            "Binder": f"https://mybinder.org/v2/gh/{REPOSITORY}/main?urlpath=lab/tree/{rel}",
            "Colab": f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/{rel}",
        }
        for name, url in expected.items():
            if url not in hrefs:
                problems.append(f"{page.name}: no {name} link {url}")
        number = notebook.name.split("_", 1)[0]
        kind, *sub = notebook.relative_to(ROOT).parent.parts
        if kind == "notebooks":  # a translation without exercises of its own uses the English
            pair = sorted(ROOT.joinpath("exercises", *sub).glob(f"{number}_*_exercises.ipynb"))
            pair = pair or sorted((ROOT / "exercises").glob(f"{number}_*_exercises.ipynb"))
        else:
            pair = sorted(ROOT.joinpath("notebooks", *sub).glob(f"{number}_*.ipynb"))
        if pair:
            target = "../" * rel.count("/") + _page_of(pair[0])
            if target not in hrefs:
                problems.append(f"{page.name}: no link to {target}")
    assert not problems, "\n".join(problems)


def _readme_parts() -> tuple[str, str]:
    """The README's introduction (under the title) and the section that links the notebooks:
    the landing page shows both."""
    sections = re.split(r"(?m)^## ", (ROOT / "README.md").read_text(encoding="utf-8"))
    found = [s for s in sections[1:] if re.search(r"\]\(notebooks/[^)]+\.ipynb", s)]
    assert found, "README.md has no section linking the notebooks"
    intro = sections[0].split("\n", 1)[1] if "\n" in sections[0] else ""
    return intro, found[0]


def _words(markdown: str) -> str:
    """Markdown's visible words: no link targets, no emphasis or code marks, single spaces, and
    Sphinx's typographic quotes and dashes made plain again."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--"))
    text = text.replace("---", "-").replace("--", "-")
    text = re.sub(r"[*_`\[\]$]", "", text).replace("|", " ")
    return " ".join(text.split())


def test_landing_page_has_the_course_map_with_times_and_how_to_start(site: Path) -> None:
    """What, for whom, every chapter linked, the README's times, and local / Binder / Colab."""
    landing = site / "index.html"
    parser = _TextOf()
    parser.feed(landing.read_text(encoding="utf-8"))
    text = " ".join("".join(parser.parts).split())
    hrefs = _hrefs(landing)
    missing = [_page_of(nb) for nb in NOTEBOOKS if _page_of(nb) not in hrefs]
    assert not missing, f"the landing page does not link {missing}"
    assert "exercises/README.html" in hrefs, "the landing page does not link the exercises"
    intro, course_map = _readme_parts()
    flat = _words(text)
    for paragraph in filter(None, (p.strip() for p in intro.split("\n\n"))):
        assert _words(paragraph) in flat, (
            f"the README's introduction (what the course teaches, for whom) is not on the "
            f"landing page: {paragraph[:100]!r}..."
        )
    times = re.findall(
        r"\b\d+(?:\s*[-\u2013]\s*\d+)?\s*(?:min(?:utes?)?|h(?:ours?)?)\b", course_map
    )
    absent = [t for t in times if _words(t) not in flat]
    assert not absent, f"times of the README's course map missing on the landing page: {absent}"
    for step in ("./course.sh lab", "git clone https://github.com/" + REPOSITORY):
        assert step in text, f"the landing page does not show {step!r}"
    first = NOTEBOOKS[0].relative_to(ROOT).as_posix()
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/main?urlpath=lab/tree/{first}"
    assert binder in [html.unescape(h) for h in hrefs], f"the landing page has no link {binder}"
    assert "{{" not in text, "a {{ placeholder }} of book/index.md was left unfilled"
    assert "Colab" in text, "the landing page does not explain Colab"


def _course_map_module() -> Any:
    """book/course_map.py (the site's README reader), imported from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_map", ROOT / "book" / "course_map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE_README = """# A course

What it teaches. **For whom:** everyone.

## Install

See [the notebooks](notebooks/).

## Course map (about 4 h)

| # | notebook | time |
|---|---|---|
| 1 | [`01_a`](notebooks/01_a.ipynb) | 45 min |
| 2 | [`02_b`](notebooks/02_b.ipynb#part-2) | 1 h 10 min |

Exercises: [README](exercises/README.md), answers in [solutions](solutions/01_a_exercises.ipynb),
the [grader](grader/core.py), the [site](https://example.org/x).

```bash
## not a heading
```

## Later
"""


def test_course_map_is_the_readme_section_that_links_the_notebooks() -> None:
    """Whatever its heading and columns (times too); links fixed for the site, none to solutions."""
    course_map = _course_map_module()
    staged = {"notebooks/01_a.ipynb", "notebooks/02_b.ipynb", "exercises/README.md"}
    intro, section = course_map.from_readme(SAMPLE_README, staged, "o/r", "main")
    assert intro == "What it teaches. **For whom:** everyone."
    assert "| 1 | [`01_a`](notebooks/01_a.ipynb) | 45 min |" in section
    assert "[`02_b`](notebooks/02_b.ipynb#part-2) | 1 h 10 min |" in section
    assert "[README](exercises/README.md)" in section
    assert "answers in solutions," in section, "a link into solutions/ must keep only its text"
    assert "[grader](https://github.com/o/r/blob/main/grader/core.py)" in section
    assert "[site](https://example.org/x)" in section
    assert "## not a heading" in section, "a fenced block was cut as a heading"
    assert "Later" not in section and "Install" not in section


def test_course_map_errors_name_what_the_readme_lacks() -> None:
    course_map = _course_map_module()
    with pytest.raises(course_map.ReadmeError, match="no '## ' section that links the notebooks"):
        course_map.from_readme("# T\n\nIntro.\n\n## Map\n\nno links\n", set(), "o/r", "main")
    with pytest.raises(course_map.ReadmeError, match="no text between its title"):
        course_map.from_readme("# T\n\n## Map\n\n[a](notebooks/a.ipynb)\n", set(), "o/r", "main")


# ----- in the browser ---------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    """A static server that stays silent when the browser drops a connection mid-file
    (navigating away while an image loads): a static host does not report that either."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The built site on a local HTTP server (as on a static host); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Browser:
    """A Chromium context that can reach only the site; what it was refused is kept."""

    context: Any
    external: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = chromium.new_context(viewport=VIEWPORT)
            context.set_default_timeout(UI_TIMEOUT_MS)
            state = Browser(context=context)

            def refuse(route: Any) -> None:  # the site must not need the internet
                state.external.append(route.request.url)
                route.abort()

            # Only requests that leave the site are intercepted (the site's own load unslowed).
            context.route(lambda url: not url.startswith((server, "data:")), refuse)
            yield state
        finally:
            chromium.close()


@dataclass
class Page:
    """What one page of the site showed in the browser."""

    url: str
    errors: list[str]
    report: dict[str, Any]


def _open(browser: Browser, url: str, screenshot: Path | None = None) -> tuple[Any, list[str]]:
    """Open a page, wait for its scripts, math and images; the open page and its errors."""
    page = browser.context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status} for {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => document.querySelector('.math.notranslate') !== null"):
        if not page.evaluate(JS_MATH_DONE):
            errors.append("MathJax did not load within 30 s")
    page.wait_for_function(
        "() => Array.from(document.images).every((img) => img.complete)", timeout=UI_TIMEOUT_MS
    )
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        print(f"screenshot: {screenshot}")
    return page, errors


def _internal(url: str, base: str) -> bool:
    return url.startswith(base)


def _page_key(url: str) -> str:
    """A page's URL without fragment and query; a folder means its index.html."""
    path = urlsplit(urldefrag(url)[0]).path
    return path + "index.html" if path.endswith("/") else path


def _graph_and_math_notebook() -> Path:
    """The first notebook that stores a graph drawing (SVG) and has math in its text."""
    for notebook in NOTEBOOKS:
        cells = nbformat.read(notebook, as_version=4).cells
        svg = any(
            "image/svg+xml" in out.get("data", {}) for c in cells for out in c.get("outputs", [])
        )
        math = any(c.cell_type == "markdown" and "$" in c.source for c in cells)
        if svg and math:
            return notebook
    pytest.fail("no notebook stores an SVG graph drawing and has math: which page to show?")


def _screenshot_graph_and_math(page: Any, target: Path) -> None:
    """One screen of a notebook page: its first graph drawing and the text (and math) above."""
    top = page.evaluate(
        "() => { const img = Array.from(document.images).find((i) => i.src.endsWith('.svg'));"
        " return img ? img.getBoundingClientRect().top + window.scrollY : null; }"
    )
    if top is None:
        return  # reported by test_images_render_and_every_stored_figure_is_shown
    page.evaluate("(y) => window.scrollTo(0, y)", max(0, top - VIEWPORT["height"] // 2))
    page.wait_for_timeout(300)
    page.screenshot(path=str(target))
    print(f"screenshot: {target}")


@pytest.fixture(scope="module")
def crawl(browser: Browser, server: str) -> dict[str, Page]:
    """Every page reachable from the landing page (and search.html), by URL path."""
    graph_page = _graph_and_math_notebook()
    graph_key = "/" + _page_of(graph_page)
    shots = {
        "/index.html": SCREENSHOTS / "site_landing.png",
        graph_key: SCREENSHOTS / f"site_{graph_page.stem}.png",
    }
    queue = [server + "index.html", server + "search.html"]
    pages: dict[str, Page] = {}
    while queue:
        url = queue.pop(0)
        key = _page_key(url)
        if key in pages:
            continue
        page, errors = _open(browser, urldefrag(url)[0], shots.get(key))
        try:
            report = page.evaluate(JS_PAGE_REPORT)
            if key == graph_key:
                target = SCREENSHOTS / f"site_{graph_page.stem}_graph_and_math.png"
                _screenshot_graph_and_math(page, target)
        finally:
            page.close()
        pages[key] = Page(url=url, errors=errors, report=report)
        for link in report["links"]:
            if _internal(link, server) and _page_key(link).endswith(".html"):
                queue.append(link)
    return pages


def test_every_page_loads_without_errors_or_internet(
    crawl: dict[str, Page], browser: Browser
) -> None:
    """No console error, failed request or JavaScript error on any page; nothing from outside."""
    problems = [f"{key}: {error}" for key, page in crawl.items() for error in page.errors]
    assert not problems, "pages with errors:\n  - " + "\n  - ".join(problems)
    assert not browser.external, f"the site asked the internet for: {sorted(set(browser.external))}"


def test_the_offline_check_sees_a_request_to_the_internet(browser: Browser, server: str) -> None:
    """The check itself: a page that asks another host for an image is caught, not served."""
    before = len(browser.external)
    page = browser.context.new_page()
    try:
        page.goto(server + "index.html")
        page.evaluate(
            "() => new Promise((done) => { const img = new Image(); img.onload = img.onerror ="
            " () => done(); img.src = 'https://cdn.example.org/mathjax.png'; })"
        )
    finally:
        page.close()
    caught = browser.external[before:]
    del browser.external[before:]  # not the site's doing
    assert caught == ["https://cdn.example.org/mathjax.png"], caught


def test_every_page_of_the_site_is_reachable(crawl: dict[str, Page], site: Path) -> None:
    """Every notebook and exercise page (every HTML page but the index of terms) is linked."""
    built = {"/" + p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    built = {page for page in built if not page.startswith("/_static/")}  # the theme's macros
    built -= {"/genindex.html"}  # Sphinx's index of terms: empty for this course
    unreached = sorted(built - set(crawl))
    assert not unreached, f"pages no link leads to: {unreached}"


def _resource_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except urllib.error.URLError:
        return False


def test_every_internal_link_resolves(crawl: dict[str, Page], server: str) -> None:
    """Each link within the site leads to a page or file, and each #fragment to an element."""
    ids = {key: set(page.report["ids"]) for key, page in crawl.items()}
    broken, checked = [], {}
    for key, page in crawl.items():
        for link in page.report["links"]:
            if not _internal(link, server):
                continue
            target, fragment = urldefrag(link)
            target_key = _page_key(target)
            if target_key.endswith(".html"):
                if target_key not in ids:
                    broken.append(f"{key} -> {link} (no such page)")
                elif fragment and unquote(fragment) not in ids[target_key]:
                    broken.append(f"{key} -> {link} (no element with id {fragment!r})")
            else:
                if target not in checked:
                    checked[target] = _resource_ok(target)
                if not checked[target]:
                    broken.append(f"{key} -> {link} (not found)")
    assert not broken, "broken internal links:\n  - " + "\n  - ".join(sorted(set(broken)))


def test_math_is_typeset_on_every_page(crawl: dict[str, Page]) -> None:
    """Every formula is rendered by MathJax (no raw TeX, no TeX error); the course has math."""
    problems, total = [], 0
    for key, page in crawl.items():
        for formula in page.report["math"]:
            total += 1
            if not formula["rendered"]:
                problems.append(f"{key}: not rendered: {formula['source'][:80]!r}")
            elif formula["error"]:
                problems.append(f"{key}: TeX error in {formula['source'][:80]!r}")
    assert total > 0, "no formula on the whole site: is math still marked up?"
    assert not problems, f"{len(problems)} formulas not typeset:\n  - " + "\n  - ".join(
        problems[:30]
    )


def _stored_figures(notebook: Path) -> int:
    cells = nbformat.read(notebook, as_version=4).cells
    return sum(
        1
        for cell in cells
        for out in cell.get("outputs", [])
        if any(mime in out.get("data", {}) for mime in IMAGE_MIME_TYPES)
    )


def test_images_render_and_every_stored_figure_is_shown(crawl: dict[str, Page]) -> None:
    """Every image decodes on screen; each notebook page shows all its stored plots and graphs."""
    problems = []
    for key, page in crawl.items():
        problems += [
            f"{key}: image not shown: {img['src']}"
            for img in page.report["images"]
            if not img["ok"]
        ]
    for notebook in NOTEBOOKS + EXERCISES:
        page = crawl.get("/" + _page_of(notebook))
        if page is None:
            continue  # reported by test_every_page_of_the_site_is_reachable
        shown = sum(1 for img in page.report["images"] if img["output"] and img["ok"])
        stored = _stored_figures(notebook)
        if shown != stored:
            problems.append(f"{_page_of(notebook)}: {stored} stored figures, {shown} shown")
    graph_page = crawl["/" + _page_of(_graph_and_math_notebook())]
    svgs = [img for img in graph_page.report["images"] if img["src"].endswith(".svg") and img["ok"]]
    if not svgs:
        problems.append(f"{_page_of(_graph_and_math_notebook())}: no SVG graph drawing shown")
    assert not problems, "\n  - ".join(["images:", *problems])


def test_search_finds_a_term_of_notebook_05(browser: Browser, server: str) -> None:
    """Searching the site for a term of notebook 05 lists that notebook's page (offline)."""
    sources = " ".join(cell.source for cell in nbformat.read(SEARCH_NOTEBOOK, as_version=4).cells)
    assert SEARCH_TERM in sources, (
        f"{SEARCH_NOTEBOOK.name} no longer mentions {SEARCH_TERM!r}: pick another of its terms "
        "for SEARCH_TERM in tests/test_site.py"
    )
    page, errors = _open(browser, f"{server}search.html?q={SEARCH_TERM}")
    try:
        page.wait_for_function(
            "() => /Search finished|found/i.test("
            "(document.querySelector('#search-results') || {}).textContent || '')",
            timeout=UI_TIMEOUT_MS,
        )
        shot = SCREENSHOTS / "site_search.png"
        page.screenshot(path=str(shot))
        print(f"screenshot: {shot}")
        results = page.evaluate(
            "() => Array.from(document.querySelectorAll('#search-results li a')).map((a) => a.href)"
        )
    finally:
        page.close()
    assert not errors, f"the search page had errors: {errors}"
    wanted = server + _page_of(SEARCH_NOTEBOOK)
    assert any(urldefrag(r)[0].split("?")[0] == wanted for r in results), (
        f"searching {SEARCH_TERM!r} did not list {wanted}; results: {results} (screenshot: {shot})"
    )
