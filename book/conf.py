"""Sphinx configuration of the course website (built by ``./course.sh book``, see README.md).

``book/build.py`` copies the notebooks and the exercise stubs into a staging folder laid out as
the repository is (``notebooks/``, ``exercises/``, never ``solutions/``) and runs Sphinx there
with this configuration. The notebooks are rendered as stored: myst-nb never executes them.

Everything is served from the site itself, so the site works with no internet: the theme's
assets come with sphinx-book-theme, search is Sphinx's own (a prebuilt index read in the
browser), and MathJax 2.7 is copied from the ``jupyter-server-mathjax`` package (the Jupyter
project's bundle of it) instead of being loaded from a CDN.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any

import jupyter_server_mathjax
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset

BOOK = Path(__file__).resolve().parent
sys.path.insert(0, str(BOOK))

import course_map  # noqa: E402  (book/course_map.py, beside this file)

# ---------------------------------------------------------------------------------------------
# The course's parts, in reading order: (caption in the navigation, folder of notebooks, folder
# of their exercises). Each notebook `NN_topic.ipynb` in a part's folder becomes a chapter and
# links to `NN_topic_exercises.ipynb` in the exercise folder (or the English one, if the part has
# none of its own). The Chinese edition (notebooks/zh/, built by scripts/translate.py) is one
# more line.
PARTS = [
    ("Notebooks", "notebooks", "exercises"),
    ("中文版", "notebooks/zh", "exercises/zh"),
]
# Where the course lives, for the "open in Binder / Colab" links and the repository button.
REPOSITORY = "minigrad-course/minigrad"
BRANCH = "main"
# The local JupyterLab of `./course.sh lab --port 8888` (the link asks for the printed token).
LOCAL_LAB = "http://127.0.0.1:8888/lab/tree/"
# ---------------------------------------------------------------------------------------------

project = "minigrad: how backpropagation really works"
author = "the minigrad course"
copyright = "the minigrad course authors"
language = "en"

# githubpages writes .nojekyll, without which GitHub Pages drops _static/ and _images/.
extensions = ["myst_nb", "sphinx.ext.githubpages"]
root_doc = "index"
# The staging folder holds only what the site shows; `_*.md` are pieces included by index.md.
exclude_patterns = ["_*.md", "**/.ipynb_checkpoints"]

# Notebooks are shown with their stored outputs and never run here (nbval runs them in tests).
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# MathJax 2 only typesets what Sphinx wraps in \( \) and \[ \] (myst's MathJax 3/4 override off).
myst_update_mathjax = False

MATHJAX_DIR = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": False,
        "processEnvironments": True,
    },
    # The bundled fonts are STIX-Web only: use them, never ask a font server.
    # MathJax 2 measures web-font loading against a blank font at about:blank, which Chromium
    # reports as a blocked request; a local() font that does not exist measures the same.
    "HTML-CSS": {
        "availableFonts": [],
        "imageFont": None,
        "preferredFont": None,
        "webFont": "STIX-Web",
        "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax_Blank')"}},
    },
    "messageStyle": "none",  # no "Loading..." / "Typesetting..." box in the corner
}

html_theme = "sphinx_book_theme"
html_title = "minigrad"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": f"https://github.com/{REPOSITORY}",
    "repository_branch": BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # The search field sits in the sidebar; pydata-sphinx-theme would repeat it in a header.
    "navbar_persistent": [],
}


def _pages(srcdir: Path, folder: str) -> list[str]:
    """The docnames of a folder's notebooks, in file-name order."""
    notebooks = sorted((srcdir / folder).glob("*.ipynb"))
    return [notebook.relative_to(srcdir).with_suffix("").as_posix() for notebook in notebooks]


def _number(docname: str) -> str:
    """A page's chapter number: the file name's prefix before the first underscore."""
    return docname.rsplit("/", 1)[-1].split("_", 1)[0]


def pair_chapters_and_exercises(srcdir: Path) -> dict[str, str]:
    """Chapter docname -> its exercise docname and back, matched by number within a part.

    A chapter of a translation whose exercise is not translated yet uses the first part's.
    """
    pairs: dict[str, str] = {}
    for _, notebook_folder, exercise_folder in PARTS:
        exercises = _pages(srcdir, PARTS[0][2]) + _pages(srcdir, exercise_folder)
        by_number = {_number(ex): ex for ex in exercises if ex.endswith("_exercises")}
        for chapter in _pages(srcdir, notebook_folder):
            exercise = by_number.get(_number(chapter))
            if exercise is not None:
                pairs[chapter] = exercise
                pairs.setdefault(exercise, chapter)
    return pairs


def _toctree(caption: str, entries: list[str]) -> str:
    lines = "\n".join(entries)
    return f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n{lines}\n```\n"


def _write_generated_pages(app: Sphinx) -> None:
    """Write the pieces index.md includes: the README's intro and course map, the contents."""
    srcdir = Path(app.srcdir)
    staged = {p.relative_to(srcdir).as_posix() for p in srcdir.glob("**/*") if p.is_file()}
    readme = (srcdir / "_README.md").read_text(encoding="utf-8")
    intro, section = course_map.from_readme(readme, staged, REPOSITORY, BRANCH)
    (srcdir / "_intro.md").write_text(intro + "\n", encoding="utf-8")
    (srcdir / "_course_map.md").write_text(section + "\n", encoding="utf-8")
    blocks, listed = [], set()
    for caption, notebook_folder, exercise_folder in PARTS:
        chapters = _pages(srcdir, notebook_folder)
        if chapters:
            blocks.append(_toctree(caption, chapters))
        exercises = _pages(srcdir, exercise_folder)
        if exercises and exercise_folder not in listed:
            listed.add(exercise_folder)
            if (srcdir / exercise_folder / "README.md").exists():
                exercises.insert(0, f"{exercise_folder}/README")
            title = "Exercises" if caption == PARTS[0][0] else f"{caption}: exercises"
            blocks.append(_toctree(title, exercises))
    (srcdir / "_toc.md").write_text("\n".join(blocks), encoding="utf-8")
    app.env.course_pairs = pair_chapters_and_exercises(srcdir)  # type: ignore[attr-defined]


def open_links(docname: str, pairs: dict[str, str], titles: dict[str, str]) -> str:
    """The box under a notebook page's title: open it locally / on Binder / on Colab, and the
    page it pairs with (a chapter's exercises, an exercise's chapter). HTML."""
    path = f"{docname}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/{path}"
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{path}"
    up = "../" * docname.count("/")
    where = (
        f'<a class="course-open-lab" href="{LOCAL_LAB}{path}">JupyterLab</a> on your machine '
        f"(started with <code>./course.sh lab --port 8888</code>, "
        f'<a href="{up}index.html#start">how</a>) · '
        f'<a class="course-open-binder" href="{binder}">Binder</a> · '
        f'<a class="course-open-colab" href="{colab}">Colab</a>'
    )
    lines = [f"Open this notebook in {where}"]
    other = pairs.get(docname)
    if other is not None:
        if docname.endswith("_exercises"):
            kind, label = "chapter", "The chapter these exercises follow"
        else:
            kind, label = "exercise", "Exercises for this chapter"
        title = html.escape(titles.get(other, other))
        lines.append(f'{label}: <a class="course-{kind}" href="{up}{other}.html">{title}</a>')
    body = "".join(f"<p>{line}</p>" for line in lines)
    return f'<div class="course-open admonition tip">{body}</div>'


def _add_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the "open this notebook" box under the title of every notebook page."""
    if not (Path(app.srcdir) / f"{docname}.ipynb").exists():
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    titles = {name: title.astext() for name, title in app.env.titles.items()}
    box = open_links(docname, getattr(app.env, "course_pairs", {}), titles)
    title = section.next_node(nodes.title)
    index = section.index(title) + 1 if title is not None else 0
    section.insert(index, nodes.raw("", box, format="html"))


def _fill_placeholders(app: Sphinx, docname: str, source: list[str]) -> None:
    """index.md writes {{ repository }}, {{ branch }}, {{ folder }} (of a clone) and
    {{ first_notebook }} where they are needed, in code and URLs too."""
    if docname != root_doc:
        return
    chapters = _pages(Path(app.srcdir), PARTS[0][1])
    values = {
        "repository": REPOSITORY,
        "branch": BRANCH,
        "folder": REPOSITORY.rsplit("/", 1)[-1],
        "first_notebook": f"{chapters[0]}.ipynb" if chapters else "",
    }
    for name, value in values.items():
        source[0] = source[0].replace("{{ " + name + " }}", value)


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Serve MathJax from the site itself (no CDN): copy the bundle into _static/mathjax."""
    if exception is not None or app.builder.format != "html":
        return
    copy_asset(MATHJAX_DIR, Path(app.outdir) / "_static" / "mathjax")


def setup(app: Sphinx) -> dict[str, Any]:
    """This site's hooks: generated index pieces, the per-page links, offline MathJax."""
    app.connect("builder-inited", _write_generated_pages)
    app.connect("source-read", _fill_placeholders)
    app.connect("doctree-resolved", _add_links)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": False}
