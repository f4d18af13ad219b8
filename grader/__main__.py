"""Command line: ``python -m grader SUBMISSION... [--csv P] [--gradescope P] [--jobs N]``.

Grades notebooks (or folders of them), prints one table per exercise with every question's
points and the reasons for lost points, and optionally writes a CSV (one row per submission)
and a Gradescope ``results.json``. The exit status is 0 whenever grading ran, whatever the
scores; 2 for a usage error (e.g. no notebooks found). ``python -m minigrad.grade`` runs the
same :func:`main`.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from grader import core, gradescope, isolation
from grader.sandbox import (
    Limits,
    Result,
    SetupError,
    grade_notebook,
    identify,
    load_notebook,
    world_readable,
    wrong_exercise,
)


def find_notebooks(paths: Iterable[str]) -> list[Path]:
    """The .ipynb files named or inside the folders named (checkpoints skipped), sorted."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    return found


def grade_all(
    notebooks: list[Path], limits: Limits, jobs: int = 1, progress: bool = True
) -> list[Result]:
    """Grade every notebook (``jobs`` at a time), in the order given."""
    from tqdm import tqdm

    # Every submission's folder is hidden from student code, so no notebook reads another.
    folders = dict.fromkeys(str(nb.resolve().parent) for nb in notebooks)
    limits = dataclasses.replace(limits, hide=(*limits.hide, *folders))
    results: dict[int, Result] = {}
    bar = tqdm(total=len(notebooks), unit="notebook", disable=not progress, file=sys.stderr)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_notebook, nb, limits): i for i, nb in enumerate(notebooks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            bar.update()
    bar.close()
    return [results[i] for i in range(len(notebooks))]


def table(results: list[Result]) -> str:
    """One text table per exercise: a row per submission, a column per question."""
    lines: list[str] = []
    groups: dict[str | None, list[Result]] = {}
    for r in results:
        groups.setdefault(r.exercise, []).append(r)
    for exercise, group in groups.items():
        questions = list(group[0].max_scores)
        width = max(len("submission"), *(len(r.file) for r in group))
        header = ["submission".ljust(width)] + [q.rjust(5) for q in questions] + ["total".rjust(9)]
        lines += ["", f"exercise {exercise or '(unknown)'}", "  ".join(header)]
        for r in group:
            cells = [r.file.ljust(width)]
            cells += [f"{r.scores.get(q, 0):g}/{r.max_scores[q]:g}".rjust(5) for q in questions]
            cells.append(f"{r.total:g}/{r.max_total:g}".rjust(9))
            lines.append("  ".join(cells))
        for r in group:
            lost = [q for q in questions if r.scores.get(q, 0) < r.max_scores[q]]
            if lost or r.notes:
                lines.append(f"  {r.file}:")
            lines += [f"    {q}: {r.reasons.get(q, '')}" for q in lost]
            lines += [f"    note: {note}" for note in r.notes]
    return "\n".join(lines).lstrip("\n")


def write_csv(results: list[Result], path: Path) -> None:
    """One row per submission: file, exercise, a column per question name, total, max."""
    questions: list[str] = []
    for r in results:
        questions += [q for q in r.max_scores if q not in questions]
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["file", "exercise", *questions, "total", "max_total"])
        for r in results:
            scores = [f"{r.scores[q]:g}" if q in r.scores else "" for q in questions]
            out.writerow([r.file, r.exercise or "", *scores, f"{r.total:g}", f"{r.max_total:g}"])


def _warn_if_readable(notebooks: list[Path], dropping: bool) -> None:
    """Without mount namespaces the submissions' folders cannot be hidden from student code,
    which then reads what every user can: say so if that includes the submissions."""
    if not (dropping and os.geteuid() == 0) or isolation.probe().namespaces:
        return
    readable = [nb for nb in notebooks if world_readable(str(nb))]
    if readable:
        print(
            f"warning: {len(readable)} submission(s), e.g. {readable[0]}, can be read by any "
            "user, so a notebook being graded could read the others: make their folder "
            "private first (chmod -R go-rwx FOLDER)",
            file=sys.stderr,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grader",
        description="Grade minigrad exercise notebooks against PyTorch in limited processes.",
    )
    parser.add_argument("submissions", nargs="*", help="notebooks, or folders of notebooks")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="wall-clock seconds per run of a notebook (60); a notebook whose cell or answer "
        "hangs is stopped and run again without it (at most 4 runs)",
    )
    parser.add_argument("--memory", type=int, default=4096, help="MB of memory per notebook")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded in parallel (1)")
    parser.add_argument("--csv", type=Path, help="write one row per submission to this CSV")
    parser.add_argument("--gradescope", type=Path, help="write Gradescope's results.json here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--no-drop-privileges",
        action="store_true",
        help="as root, run student code as root too (only inside a throwaway container)",
    )
    parser.add_argument(
        "--build-gradescope", type=Path, metavar="DIR", help="write a Gradescope autograder zip"
    )
    parser.add_argument("--list", action="store_true", help="list the exercises and questions")
    parser.add_argument(
        "--case-timeout",
        type=float,
        default=20.0,
        help="wall-clock seconds for one case of a question (20): a hang names the case",
    )
    parser.add_argument(
        "--exercise",
        choices=list(core.EXERCISE_MODULES),
        help="grade one notebook for this exercise (a Gradescope assignment): others uploaded "
        "beside it are ignored, one for another exercise scores 0 with the reason",
    )
    parser.add_argument(
        "--isolation", action="store_true", help="say how student code is isolated here"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, grade, report; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.build_gradescope:
        if args.exercise is None:
            parser.error("--build-gradescope needs --exercise ID: one bundle per assignment")
        zip_path = gradescope.build_bundle(
            args.build_gradescope, exercise=args.exercise, timeout=args.timeout
        )
        print(
            f"wrote {zip_path}: upload it as the autograder of the Gradescope programming "
            f"assignment for exercise {args.exercise}"
        )
        return 0
    if args.list or args.isolation:
        print(_questions() if args.list else isolation.describe())
        return 0
    if args.timeout <= 0 or args.case_timeout <= 0 or args.memory < 256 or args.jobs < 1:
        parser.error(
            "--timeout and --case-timeout must be > 0, --memory at least 256 (MB), --jobs at "
            "least 1"
        )
    if args.gradescope:
        return _gradescope_run(args)
    try:
        notebooks = find_notebooks(args.submissions)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if not notebooks:
        parser.error("no notebooks to grade: name .ipynb files or folders that contain them")
    try:
        results = _grade(args, notebooks)
    except SetupError as exc:  # the grading set-up itself is broken, not a notebook
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table(results))
    if args.csv:
        write_csv(results, args.csv)
        print(f"wrote {args.csv}")
    return 0


def _questions() -> str:
    lines = []
    for exercise_id in core.EXERCISE_MODULES:
        exercise = core.get_exercise(exercise_id)
        lines.append(f"{exercise.id}: {exercise.title}")
        lines += [f"  {q.name} ({q.label}): {q.title}" for q in exercise.questions]
    return "\n".join(lines)


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(
        timeout=args.timeout,
        memory_mb=args.memory,
        drop_privileges=not args.no_drop_privileges,
        case_timeout=args.case_timeout,
    )


def _grade(args: argparse.Namespace, notebooks: list[Path]) -> list[Result]:
    """Grade the notebooks (with --exercise: only the one chosen for that exercise)."""
    _warn_if_readable(notebooks, dropping=not args.no_drop_privileges)
    limits = _limits(args)
    if args.exercise is None:
        return grade_all(notebooks, limits, args.jobs, progress=not args.no_progress)
    if not notebooks:
        empty = Result(file="(no notebook)", exercise=args.exercise)
        return [wrong_exercise(empty, args.exercise, "no notebook (.ipynb) was uploaded")]
    chosen, notes = choose_notebook(notebooks, args.exercise)
    result = grade_notebook(chosen, limits, assignment=args.exercise)
    result.notes[:0] = notes
    return [result]


def choose_notebook(notebooks: list[Path], exercise: str) -> tuple[Path, list[str]]:
    """The one notebook graded for ``exercise``, and notes on the others (ignored).

    First a notebook for that exercise (by metadata, check cell or name; its own file name
    first), then one whose exercise cannot be told, then any (it will score 0, with why).
    """

    def rank(path: Path) -> tuple[int, int, str]:
        notebook, _ = load_notebook(path)
        found, _ = identify(notebook, path)
        kind = 0 if found == exercise else 1 if found is None else 2
        return kind, 0 if path.name == f"{exercise}_exercises.ipynb" else 1, str(path)

    ranked = sorted(notebooks, key=rank)
    chosen, others = ranked[0], ranked[1:]
    notes = []
    if others:
        names = ", ".join(p.name for p in others[:5]) + (", ..." if len(others) > 5 else "")
        notes.append(f"graded {chosen.name} only (one notebook per assignment); ignored: {names}")
    return chosen, notes


def _gradescope_run(args: argparse.Namespace) -> int:
    """Grade for Gradescope: results.json is written whatever happens (a clear 0 and why)."""
    try:
        notebooks = find_notebooks(args.submissions)
        if not notebooks and args.exercise is None:
            results: list[Result] = []
        else:
            results = _grade(args, notebooks)
        data = gradescope.results_json(results)
        print(table(results))
        if args.csv:
            write_csv(results, args.csv)
            print(f"wrote {args.csv}")
    except Exception as exc:  # the grader itself failed: the student must still hear why
        data = gradescope.failure_json(f"the autograder failed ({type(exc).__name__}: {exc})")
        print(data["output"], file=sys.stderr)
    args.gradescope.parent.mkdir(parents=True, exist_ok=True)
    args.gradescope.write_text(json.dumps(data, indent=2))
    print(f"wrote {args.gradescope}: score {data['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
