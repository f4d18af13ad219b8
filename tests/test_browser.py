"""The course in a real browser: every notebook run through JupyterLab's UI in headless Chromium.

The server is started exactly as the README's first command does (``./course.sh lab --port P
--no-browser``); the URL it prints is parsed and opened in Debian's Chromium, driven by Playwright
(no browser download). For each notebook in ``notebooks/`` the test opens it, clears and re-runs
every cell through the menus (Edit > Clear Outputs of All Cells, Run > Run All Cells), waits until
the kernel is idle, saves a full-page screenshot to ``test-artifacts/screenshots/`` and asserts:
no cell raised (except cells tagged ``raises-exception``), every code cell ran, and every image
the notebook stores (matplotlib PNG, graphviz SVG) is rendered again in the page.

Three settings are added in the server's environment, none of which changes what a student sees:
fresh JupyterLab user-settings and workspaces folders (so a developer's own settings and open tabs
do not leak in), autosave off in those user settings (so running a notebook in the test never
rewrites the committed .ipynb), and ``LabApp.expose_app_in_browser`` (so the test can read each
cell's outputs from JupyterLab's notebook model: an error and a warning look alike in the page).

Without Chromium or Playwright the tests skip locally and fail in CI (``CI=true``).
``MINIGRAD_BROWSER_NOTEBOOKS`` (a glob relative to the repository) overrides which notebooks run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SELFTEST_DIR = ROOT / "test-artifacts" / "browser-selftest"
NOTEBOOK_GLOB = os.environ.get("MINIGRAD_BROWSER_NOTEBOOKS", "notebooks/*.ipynb")
NOTEBOOKS = sorted(ROOT.glob(NOTEBOOK_GLOB))
IN_CI = os.environ.get("CI", "").lower() == "true"
IMAGE_MIME_TYPES = ("image/png", "image/svg+xml")
VIEWPORT = {"width": 1400, "height": 900}
# Guards against a hang, not performance checks: a healthy run takes a fraction of each.
SERVER_START_TIMEOUT_S = 300
NOTEBOOK_RUN_TIMEOUT_S = 300
UI_TIMEOUT_MS = 60_000

# Finds the open notebook panel for a path in JupyterLab's shell (exposed as window.jupyterapp).
JS_FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const widget of app.shell.widgets("main")) {
    if (widget.context && widget.context.path === path) return widget;
  }
  return null;
};
"""

JS_PANEL_READY = (
    "(path) => {"
    + JS_FIND_PANEL
    + """
  const panel = findPanel(path);
  if (!panel || !panel.context.isReady || !panel.sessionContext.isReady) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== "idle") return false;
  // Every cell must be attached to the page (windowingMode "none" in overrides.json).
  return panel.content.widgets.length === panel.content.model.cells.length
    && panel.content.widgets.every((cell) => cell.node.isConnected);
}"""
)

# Prompt texts of the code cells: "[ ]:" never run, "[*]:" queued or running, "[3]:" done.
JS_RUN_STATE = (
    "(path) => {"
    + JS_FIND_PANEL
    + """
  const panel = findPanel(path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const prompts = panel.content.widgets
    .filter((cell) => cell.model.type === "code")
    .map((cell) => (cell.node.querySelector(".jp-InputPrompt") || {}).textContent || "");
  const indicator = panel.node.querySelector(".jp-Notebook-ExecutionIndicator");
  return {
    kernel: kernel ? kernel.status : "none",
    indicator: indicator ? indicator.dataset.status : "none",
    prompts: prompts,
  };
}"""
)

# Per cell: its outputs from the notebook model, its prompt, and every image rendered in its
# output area (an <img> counts when it has decoded to a non-empty picture on screen).
JS_CELL_REPORT = (
    "(path) => {"
    + JS_FIND_PANEL
    + """
  const panel = findPanel(path);
  const model = panel.content.model.toJSON();
  return model.cells.map((cell, index) => {
    const node = panel.content.widgets[index].node;
    const prompt = node.querySelector(".jp-InputPrompt");
    const images = Array.from(
      node.querySelectorAll('.jp-OutputArea-output[data-mime-type^="image/"]')
    ).map((output) => {
      const picture = output.querySelector("img, svg");
      const box = picture ? picture.getBoundingClientRect() : { width: 0, height: 0 };
      const decoded = !picture || picture.tagName.toLowerCase() !== "img"
        || (picture.complete && picture.naturalWidth > 0);
      return {
        mime: output.dataset.mimeType,
        rendered: Boolean(picture) && decoded && box.width > 0 && box.height > 0,
      };
    });
    return {
      type: cell.cell_type,
      prompt: prompt ? prompt.textContent : "",
      outputs: (cell.outputs || []).map((out) => ({
        type: out.output_type,
        ename: out.ename || "",
        evalue: out.evalue || "",
      })),
      images: images,
    };
  });
}"""
)

# The notebook's scrolling area, scrolled back to the top: how tall its cells are (without the
# blank "scroll past the end" space) and how tall the visible part is.
JS_SCROLL_TO_TOP = (
    "(path) => {"
    + JS_FIND_PANEL
    + """
  const panel = findPanel(path);
  const scroller = panel.node.querySelector(".jp-WindowedPanel-outer");
  scroller.scrollTop = 0;
  const cells = panel.content.widgets;
  const top = scroller.getBoundingClientRect().top;
  const bottom = cells.length ? cells[cells.length - 1].node.getBoundingClientRect().bottom : top;
  return { content: bottom - top + 40, client: scroller.clientHeight };
}"""
)


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine, fail in CI, where the browser test must run."""
    if IN_CI:
        pytest.fail(f"{reason} This fails in CI (CI=true), where the browser tests must run.")
    pytest.skip(reason)


def _require_browser() -> None:
    """Skip or fail (see _unavailable) unless Chromium and Playwright are both installed."""
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} is missing: install Debian's chromium ('sudo apt-get install chromium'; "
            "'./course.sh test' does it when it can) to run the browser tests."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable(
            "Playwright for Python is missing from .venv: run './course.sh setup' "
            "(it installs requirements.txt)."
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running ``./course.sh lab`` server: the URL it printed and its output so far."""

    url: str
    base: str
    token: str
    log: list[str] = field(default_factory=list)

    def api(self, method: str, path: str) -> Any:
        """Call the Jupyter server's REST API with the token; the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 30) -> str:
        """The server's last output lines, for failure messages."""
        return "".join(self.log[-lines:])

    def shutdown_kernel_of(self, notebook_path: str) -> None:
        """End the session (and kernel) the browser opened for a notebook, to free its memory."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path") == notebook_path:
                self.api("DELETE", f"/api/sessions/{session['id']}")


def _stop_process_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM the server's process group (JupyterLab then shuts its kernels down), then KILL."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _server_environment(tmp: Path) -> dict[str, str]:
    """The caller's environment plus the test-only isolation described in the module docstring."""
    settings = tmp / "user-settings"
    docmanager = settings / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    config = tmp / "config"
    config.mkdir()
    (config / "jupyter_lab_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )
    env = dict(os.environ)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp / "workspaces")
    extra = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(config) + (os.pathsep + extra if extra else "")
    return env


@contextlib.contextmanager
def running_lab(settings_dir: Path, *options: str) -> Iterator[Lab]:
    """``./course.sh lab [options]`` started as the README says, its printed URL parsed, the
    server checked to answer with autosave off; always stopped after (test_browser_zh.py
    starts ``--lang zh`` through it too)."""
    _require_browser()
    env = _server_environment(settings_dir)
    command = [str(ROOT / "course.sh"), "lab", *options, "--port", str(_free_port())]
    command.append("--no-browser")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so that one signal stops it all
    )
    log: list[str] = []
    url_seen = threading.Event()
    found: list[str] = []

    def read_output() -> None:
        # Keep reading so the server never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            match = re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=\w+", line)
            if match and not found:
                found.append(match.group(0))
                url_seen.set()

    threading.Thread(target=read_output, daemon=True).start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not url_seen.wait(0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"'{' '.join(command[1:])}' printed no URL with a token "
                    f"(exit code {process.poll()}). Its output:\n{''.join(log)}"
                )
        url = found[0]
        base = re.match(r"http://[^/]+", url).group(0)
        token = url.rsplit("token=", 1)[1]
        server = Lab(url=url, base=base, token=token, log=log)
        while True:
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer at {base}. Its output:\n{''.join(log)}")
                time.sleep(0.5)
        # Running a notebook in the test must never rewrite the committed .ipynb.
        docmanager = server.api("GET", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
        assert docmanager["settings"].get("autosave") is False, (
            f"autosave is not off in the test's JupyterLab settings: {docmanager['settings']}"
        )
        yield server
    finally:
        _stop_process_group(process)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The course started as the README says, for the whole module."""
    with running_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole module, always closed after.

    Playwright starts it with a fresh temporary profile; the tests share one browsing context
    (one window's cookies and HTTP cache, so JupyterLab's scripts load once) and open a new
    page (tab) per notebook.
    """
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = chromium.new_context(viewport=VIEWPORT)
            context.set_default_timeout(UI_TIMEOUT_MS)  # a loaded machine loads JupyterLab slowly
            yield context
        finally:
            chromium.close()


def _relative(notebook: Path) -> str:
    return notebook.resolve().relative_to(ROOT).as_posix()


def _first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    return lines[0].strip() if lines else "(empty)"


def _wait_until(page: Any, predicate: str, arg: Any, what: str, timeout_ms: int) -> None:
    """Wait for a JS predicate; on timeout fail with `what` (playwright's error is not helpful)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(predicate, arg=arg, timeout=timeout_ms, polling=250)
    except PlaywrightTimeout:
        pytest.fail(f"timed out after {timeout_ms / 1000:.0f} s waiting until {what}")


def _click_menu(page: Any, menu: str, item: str) -> None:
    """Click a top menu, then one of its items, as a student would."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def _visible_popups(page: Any) -> list[str]:
    """Texts of the dialogs and notification toasts on screen (a student would have to act)."""
    texts = []
    for selector in (".jp-Dialog", ".Toastify__toast"):
        locator = page.locator(selector)
        for index in range(locator.count()):
            if locator.nth(index).is_visible():
                texts.append(" ".join(locator.nth(index).inner_text().split()))
    return texts


def _open_notebook(page: Any, lab: Lab, path: str, workspace: str) -> None:
    """Open a notebook in a fresh JupyterLab workspace and wait until its kernel is idle."""
    page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{quote(path)}?token={lab.token}")
    _wait_for_panel(page, path)


def _wait_for_panel(page: Any, path: str) -> None:
    """Wait until JupyterLab shows the notebook with an idle kernel, or shows a dialog.

    A dialog (e.g. "Select Kernel") ends the wait too: the caller reports what it says.
    """
    _wait_until(page, "() => Boolean(window.jupyterapp)", None, "JupyterLab loaded", UI_TIMEOUT_MS)
    _wait_until(
        page,
        f"(path) => Boolean(document.querySelector('.jp-Dialog')) || ({JS_PANEL_READY})(path)",
        path,
        f"{path} was open with an idle kernel",
        UI_TIMEOUT_MS,
    )


def _run_all_cells(page: Any, path: str) -> None:
    """Clear every output, then Run > Run All Cells, and wait until the run is over.

    Clearing first makes every prompt "[ ]:", so "no prompt is [*] and some cell has a number"
    means the run finished (or stopped at an error, which un-queues the cells after it).
    """
    _click_menu(page, "Edit", "Clear Outputs of All Cells")
    _wait_until(
        page,
        "(path) => {"
        + JS_FIND_PANEL
        + "return findPanel(path).content.model.toJSON().cells"
        + '.every((c) => c.cell_type !== "code" || c.execution_count === null); }',
        path,
        f"the outputs of {path} were cleared",
        UI_TIMEOUT_MS,
    )
    _click_menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + NOTEBOOK_RUN_TIMEOUT_S
    settled = 0
    while settled < 2:  # the same "finished" state seen twice, half a second apart
        state = page.evaluate(JS_RUN_STATE, path)
        running = any("*" in prompt for prompt in state["prompts"])
        started = any(re.search(r"\[\d+\]", prompt) for prompt in state["prompts"])
        done = state["kernel"] == "idle" and not running and (started or not state["prompts"])
        settled = settled + 1 if done else 0
        if time.monotonic() > deadline:
            pytest.fail(
                f"{path}: Run All Cells did not finish within {NOTEBOOK_RUN_TIMEOUT_S} s "
                f"(kernel {state['kernel']}, prompts {state['prompts']})"
            )
        time.sleep(0.5)


def _wait_for_images(page: Any, path: str) -> list[dict[str, Any]]:
    """The cell report, once every rendered image has decoded (or after a grace period)."""
    deadline = time.monotonic() + 30
    while True:
        report = page.evaluate(JS_CELL_REPORT, path)
        pending = any(not image["rendered"] for cell in report for image in cell["images"])
        if not pending or time.monotonic() > deadline:
            return report
        time.sleep(0.5)


def _full_page_screenshot(page: Any, path: str, target: Path) -> None:
    """Grow the window to the notebook's full height, so one picture shows every cell."""
    size = page.evaluate(JS_SCROLL_TO_TOP, path)
    height = VIEWPORT["height"] + max(0, round(size["content"] - size["client"]))
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, 30_000)})
    page.wait_for_timeout(1000)  # let JupyterLab lay the taller window out
    page.evaluate(JS_SCROLL_TO_TOP, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)


def _problems(stored: Any, report: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with one run, each naming the cell (0-based index) and its first line."""
    if len(stored.cells) != len(report):
        return [f"the page shows {len(report)} cells, the file has {len(stored.cells)}"]
    problems, not_run = [], []
    for index, (cell, seen) in enumerate(zip(stored.cells, report, strict=True)):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        where = f"cell {index} ({_first_line(cell.source)!r})"
        if not re.search(r"\[\d+\]", seen["prompt"]):
            not_run.append(where)  # its images are missing too, but that is a consequence
            continue
        allowed_to_raise = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for output in seen["outputs"]:
            if output["type"] == "error" and not allowed_to_raise:
                problems.append(f"{where} raised {output['ename']}: {output['evalue']}")
        expected = sum(
            1
            for output in cell.get("outputs", [])
            if any(mime in output.get("data", {}) for mime in IMAGE_MIME_TYPES)
        )
        rendered = sum(1 for image in seen["images"] if image["rendered"])
        if rendered != expected:
            hint = " (stale stored outputs? run ./course.sh execute)" if rendered > expected else ""
            problems.append(
                f"{where} stores {expected} image output(s) (matplotlib PNG / graphviz SVG) "
                f"but {rendered} rendered in the page{hint}"
            )
    if not_run:
        problems.append(
            f"{len(not_run)} code cell(s) did not run (Run All stops at an error), "
            f"the first: {not_run[0]}"
        )
    return problems


def check_notebook_in_browser(browser: Any, lab: Lab, notebook: Path) -> Path:
    """Open, run all and check one notebook in JupyterLab; returns the screenshot's path.

    Raises AssertionError naming the notebook and each failing cell.
    """
    path = _relative(notebook)
    stored = nbformat.read(notebook, as_version=4)
    screenshot = SCREENSHOTS / f"{notebook.stem}.png"
    page = browser.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        _open_notebook(page, lab, path, workspace=f"test-{notebook.stem}")
        popups = _visible_popups(page)
        if popups:
            raise AssertionError(f"{path}: opening it showed a dialog or pop-up: {popups}")
        _run_all_cells(page, path)
        report = _wait_for_images(page, path)
        _full_page_screenshot(page, path, screenshot)
        print(f"screenshot of {path}: {screenshot}")
        problems = _problems(stored, report)
        popups = _visible_popups(page)
        if popups:
            problems.append(f"a dialog or pop-up is on screen: {popups}")
        if problems:
            raise AssertionError(
                f"{path} failed in JupyterLab (screenshot: {screenshot}):\n  - "
                + "\n  - ".join(problems)
                + (f"\nJavaScript errors in the page: {page_errors}" if page_errors else "")
            )
    except pytest.fail.Exception as stuck:  # a wait timed out: show where it stood
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        pytest.fail(
            f"{stuck} (screenshot: {screenshot})\n"
            f"JavaScript errors in the page: {page_errors}\n"
            f"The server's last output lines:\n{lab.log_tail()}"
        )
    finally:
        page.close()
        try:
            lab.shutdown_kernel_of(path)
        except (urllib.error.URLError, ConnectionError):
            pass  # the server is gone; the lab fixture reports that
    return screenshot


def test_launch_opens_first_notebook_without_popups(browser: Any, lab: Lab) -> None:
    """The printed URL opens the first notebook, its kernel idle, with nothing to dismiss."""
    match = re.search(r"/lab/tree/(\S+?\.ipynb)\?", lab.url)
    assert match, f"the printed URL does not open a notebook: {lab.url}"
    first = match.group(1)
    page = browser.new_page()
    try:
        page.goto(lab.url)
        _wait_for_panel(page, first)
        page.wait_for_timeout(3000)  # news and update notices would arrive by now
        screenshot = SCREENSHOTS / "00_launch.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        print(f"screenshot of the launch: {screenshot}")
        assert not _visible_popups(page), (
            f"a student would have to dismiss: {_visible_popups(page)} (screenshot: {screenshot})"
        )
        kernel = page.locator(".jp-KernelName").first.inner_text()
        assert "Python 3" in kernel, f"the notebook's kernel is {kernel!r}, not Python 3"
        status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        assert status == "idle", f"the kernel indicator says {status!r}, not idle"
    finally:
        page.close()
        lab.shutdown_kernel_of(first)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(browser: Any, lab: Lab, notebook: Path) -> None:
    """Run All Cells in JupyterLab: no error, every cell ran, every stored figure rendered."""
    check_notebook_in_browser(browser, lab, notebook)


def _selftest_notebook() -> Any:
    """A small notebook with three faults the check must report, and one it must not."""
    cells = [
        nbformat.v4.new_markdown_cell("# Self-test of the browser check"),
        # Stores a plot, but no longer draws one: must be reported as a missing image.
        nbformat.v4.new_code_cell(
            'print("no plot any more")',
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
                )
            ],
        ),
        # Meant to raise: must NOT be reported.
        nbformat.v4.new_code_cell(
            'raise ValueError("this one is expected")', metadata={"tags": ["raises-exception"]}
        ),
        # A real bug: must be reported with its index and first line.
        nbformat.v4.new_code_cell("ratio = 1 / 0"),
        # Never reached, because Run All stops at the error: must be reported as not run.
        nbformat.v4.new_code_cell('print("unreachable")'),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    return notebook


def test_failing_cell_is_reported_with_notebook_and_cell(browser: Any, lab: Lab) -> None:
    """The check itself: a broken notebook fails, naming the notebook and each bad cell."""
    notebook = SELFTEST_DIR / "selftest_failing_cell.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_selftest_notebook(), notebook)
    try:
        with pytest.raises(AssertionError) as failure:
            check_notebook_in_browser(browser, lab, notebook)
    finally:
        notebook.unlink(missing_ok=True)
    message = str(failure.value)
    assert "test-artifacts/browser-selftest/selftest_failing_cell.ipynb" in message, message
    assert "cell 3 ('ratio = 1 / 0') raised ZeroDivisionError: division by zero" in message
    assert "1 code cell(s) did not run" in message, message
    assert "the first: cell 4 ('print(\"unreachable\")')" in message, message
    assert "cell 1 ('print(\"no plot any more\")') stores 1 image output(s)" in message, message
    assert "ValueError" not in message, f"a raises-exception cell was reported:\n{message}"
