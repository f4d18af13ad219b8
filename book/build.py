"""Build the course website: ``./course.sh book`` runs this (see README.md, "Publish it").

    python book/build.py [--out DIR]

Stages what the site shows into a temporary folder (the notebooks and exercise stubs as stored,
the exercises' README, the landing page, the README the landing page quotes), laid out as the
repository is, then runs Sphinx with ``book/conf.py`` into ``build/book/html`` (or DIR), from
scratch each time (about 15 s). Nothing from ``solutions/`` is ever copied, so no solution can
reach the site. Nothing is executed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
DEFAULT_OUT = ROOT / "build" / "book" / "html"
# Folders whose notebooks become pages (subfolders too, e.g. a future notebooks/zh/).
NOTEBOOK_FOLDERS = ("notebooks", "exercises")


def _visible(path: Path, base: Path) -> bool:
    """Not hidden, not inside a hidden folder (.ipynb_checkpoints)."""
    return not any(part.startswith(".") for part in path.relative_to(base).parts)


def stage(staging: Path) -> list[Path]:
    """Copy the site's sources into a fresh staging folder; returns the copied notebooks."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    copied = []
    for folder in NOTEBOOK_FOLDERS:
        for notebook in sorted((ROOT / folder).glob("**/*.ipynb")):
            if not _visible(notebook, ROOT):
                continue
            target = staging / notebook.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(notebook, target)
            copied.append(target)
    for readme in sorted((ROOT / "exercises").glob("**/README.md")):
        if _visible(readme, ROOT):
            target = staging / readme.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(readme, target)
    shutil.copy2(BOOK / "index.md", staging / "index.md")
    shutil.copy2(ROOT / "README.md", staging / "_README.md")
    return copied


def main(argv: list[str]) -> int:
    """Stage and build; prints where the site is. Exit status: Sphinx's."""
    parser = argparse.ArgumentParser(description="Build the course website (no execution).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    # Sphinx leaves .buildinfo in every site it builds: only such a folder is replaced.
    if out.exists() and any(out.iterdir()) and not (out / ".buildinfo").exists():
        print(
            f"error: {out} is not empty and is not a site built before (no .buildinfo): "
            "choose an empty or new folder for --out.",
            file=sys.stderr,
        )
        return 2

    from sphinx.cmd.build import build_main

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="minigrad-book-") as scratch:
        staging = Path(scratch) / "src"
        notebooks = stage(staging)
        if not notebooks:
            print("error: no notebooks found in notebooks/ or exercises/", file=sys.stderr)
            return 1
        # Built in the scratch folder too (myst-nb writes a jupyter_execute/ beside the output),
        # then moved into place: a failed build leaves the previous site as it was.
        html = Path(scratch) / "html"
        doctrees = Path(scratch) / "doctrees"
        status = build_main(
            ["-b", "html", "-q", "-c", str(BOOK), "-d", str(doctrees), str(staging), str(html)]
        )
        if status == 0:
            if out.exists():
                shutil.rmtree(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(html, out)
    if status == 0:
        seconds = time.monotonic() - start
        print(f"The site ({len(notebooks)} notebooks) is in {out} ({seconds:.0f} s).")
        print(f"Open {out / 'index.html'} in a browser, or publish the folder (README.md).")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
