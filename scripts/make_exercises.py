"""Generate exercises/ from solutions/: each marked solution becomes a stub, outputs are cleared.

    python scripts/make_exercises.py            # write exercises/*.ipynb
    python scripts/make_exercises.py --check    # exit 1 if exercises/ is out of date

In a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (the markers
nbgrader and otter-grader use) become ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
at the marker's indentation; in a Markdown cell they become ``YOUR ANSWER HERE``. A debug task
puts ``### BUGGY`` inside the block, then the planted bug as comments: the exercise shows
those lines uncommented (the bug to find) instead of a stub.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
BUGGY = re.compile(r"^[ \t]*### BUGGY[ \t]*$")
COMMENTED = re.compile(r"^(?P<indent>[ \t]*)# ?(?P<code>.*)$")


def strip_solutions(source: str, code: bool, where: str) -> str:
    """Replace every marked solution in one cell's source by a stub (or, for a debug task,
    by the planted bug written after ``### BUGGY`` as comments, uncommented)."""
    out: list[str] = []
    block: list[str] | None = None  # the buggy lines of the current block, once ### BUGGY
    indent, inside = "", False
    for number, line in enumerate(source.split("\n"), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}, line {number}: BEGIN SOLUTION inside another one")
            inside, indent, block = True, begin["indent"], None
        elif BUGGY.match(line):
            if not inside or not code or block is not None:
                raise ValueError(f"{where}, line {number}: ### BUGGY outside a code solution")
            block = []
        elif END.match(line):
            if not inside:
                raise ValueError(f"{where}, line {number}: END SOLUTION without a BEGIN")
            inside = False
            out += _stub(block, code, indent)
            block = None
        elif block is not None:
            commented = COMMENTED.match(line)
            if not commented:
                raise ValueError(f"{where}, line {number}: a buggy line must be a comment (# ...)")
            block.append((commented["indent"] + commented["code"]).rstrip())
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: BEGIN SOLUTION is never closed by ### END SOLUTION")
    return "\n".join(out)


def _stub(buggy: list[str] | None, code: bool, indent: str) -> list[str]:
    """What replaces one solution block: the planted bug, a code stub, or a Markdown one."""
    if buggy is not None:
        return buggy
    if code:
        return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
    return ["YOUR ANSWER HERE"]


def make_exercise(solution: Path) -> str:
    """The exercise notebook (as the text nbformat writes) for one solution notebook."""
    nb = nbformat.read(solution, as_version=4)
    markers = 0
    for index, cell in enumerate(nb.cells, start=1):
        where = f"{solution.name}, cell {index}"
        markers += cell.source.count("### BEGIN SOLUTION")
        cell.source = strip_solutions(cell.source, cell.cell_type == "code", where)
        # Keep only the tags (e.g. raises-exception); execution metadata is the solver's.
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.NotebookNode({"tags": tags} if tags else {})
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if markers == 0:
        raise ValueError(f"{solution.name} has no ### BEGIN SOLUTION marker: nothing to exercise")
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) exercises/ from solutions/."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises")
    args = parser.parse_args(argv)
    wanted = {p.name: make_exercise(p) for p in sorted(args.solutions.glob("*.ipynb"))}
    existing = {p.name for p in args.exercises.glob("*.ipynb")}
    stale = [n for n, text in wanted.items() if _read(args.exercises / n) != text]
    extra = sorted(existing - set(wanted))
    if args.check:
        if stale or extra:
            for name in stale:
                print(f"exercises/{name} is out of date with solutions/{name}", file=sys.stderr)
            for name in extra:
                print(f"exercises/{name} has no solutions/{name}", file=sys.stderr)
            print("run: python scripts/make_exercises.py", file=sys.stderr)
            return 1
        print(f"exercises/ is up to date ({len(wanted)} notebooks)")
        return 0
    args.exercises.mkdir(exist_ok=True)
    for name in stale:
        (args.exercises / name).write_text(wanted[name], encoding="utf-8")
        print(f"wrote exercises/{name}")
    for name in extra:
        (args.exercises / name).unlink()
        print(f"removed exercises/{name} (no solution for it)")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
