"""Grade one notebook: read it, run its code in a limited process, compare with PyTorch.

The grader never runs student code itself. It draws fresh inputs and asks PyTorch for the
answers, then starts :mod:`grader.worker` in a fresh scratch directory (isolated as
:mod:`grader.isolation` describes: its own uid and namespaces when it runs as root) with
memory, CPU-time and file-size limits, and wall-clock timeouts per run and per case. The
worker reports which cell, question and case it is in; if the process dies or hangs there,
the grader starts it again without that cell (or scores that question 0, naming the case), so
a notebook still gets the points for what it got right.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import json
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import core, isolation, messages, wire

# Feedback in the submission's language (grader/messages); `_` is this module's throwaway name.
_t = messages._

#: A notebook file larger than this is not read (a student notebook is well under 1 MB).
MAX_NOTEBOOK_BYTES = 20 * 2**20
#: The worker may send at most this much (results, progress) before it is stopped.
MAX_RESULT_BYTES = 64 * 2**20
#: How much of the notebook's printed output is kept for the report.
KEEP_OUTPUT_BYTES = 4096
#: Runs of one notebook: the first, then one more per cell or question that killed it.
MAX_ATTEMPTS = 4


class SetupError(RuntimeError):
    """The grading set-up itself is broken (not any notebook): grading cannot go on."""


@dataclass
class Limits:
    """Per-notebook limits: wall-clock seconds (for a whole run, and for one question's case),
    memory (address space) and file size in MB; how student code is isolated; and the
    directories it must not read (besides the course's ``solutions/``, always hidden)."""

    timeout: float = 60.0
    memory_mb: int = 4096
    file_mb: int = 16
    drop_privileges: bool = True
    case_timeout: float = 20.0
    hide: tuple[str, ...] = ()


@dataclass
class Result:
    """A graded submission: per-question points and reasons, notes on what went wrong."""

    file: str
    exercise: str | None
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        """Points scored over all questions."""
        return sum(self.scores.values())

    @property
    def max_total(self) -> float:
        """Points available over all questions."""
        return sum(self.max_scores.values())


_CHECKER_CALL = re.compile(r"""checker\(\s*["'](\w+)["']""")


def identify(notebook: Any, path: Path) -> tuple[str | None, str]:
    """The exercise a notebook answers: its ``metadata.minigrad.exercise``; else the exercise
    its own ``checker("...")`` cell names (a copy made by Colab or "Save as" may have lost the
    metadata); else an exercise id in its file name ("Copy of 03_value_autograd_....ipynb").

    Returns ``(exercise_id or None, note)``; the note says how it was identified when that
    was not from the metadata.
    """
    claimed = _metadata(notebook).get("exercise")
    if isinstance(claimed, str) and claimed in core.EXERCISE_MODULES:
        return claimed, ""
    why = "has no minigrad exercise metadata" if claimed is None else "names an unknown exercise"
    try:
        named = [m for cell in code_cells(notebook) for m in _CHECKER_CALL.findall(cell)]
    except ValueError:
        named = []
    known = [e for e in named if e in core.EXERCISE_MODULES]
    if known:
        return known[0], f"the notebook {why}; graded as {known[0]}, the exercise it checks"
    by_name = [e for e in core.EXERCISE_MODULES if e in path.name]
    if by_name:
        return by_name[0], f"the notebook {why}; graded as {by_name[0]} from its file name"
    return None, (
        "cannot tell which exercise this is: it has no metadata.minigrad.exercise, no "
        '`check = checker("NN_topic", globals())` cell and no exercise id in its file name; '
        "start again from the exercise notebook (exercises/NN_topic_exercises.ipynb) and copy "
        "your answers into it"
    )


def _metadata(notebook: Any) -> dict:
    """The notebook's ``metadata.minigrad`` (an empty dict if absent or malformed)."""
    meta = notebook.get("metadata") if isinstance(notebook, dict) else None
    mg = meta.get("minigrad") if isinstance(meta, dict) else None
    return mg if isinstance(mg, dict) else {}


def code_cells(notebook: Any) -> list[str]:
    """The source of each code cell (nbformat 4 stores it as a string or a list of lines)."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError("it has no list of cells (not a Jupyter notebook)")
    sources = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise ValueError("a code cell's source is neither text nor a list of lines")
        sources.append(source)
    return sources


def grade_notebook(
    path: str | os.PathLike,
    limits: Limits | None = None,
    rng: np.random.Generator | None = None,
    assignment: str | None = None,
) -> Result:
    """Grade one notebook file; never raises for anything the notebook contains.

    With ``assignment`` (an exercise id: a Gradescope assignment is one exercise), a notebook
    for another
    exercise scores 0 on this one's questions, with the reason; one whose exercise cannot be
    told is graded as this one.
    """
    started = time.monotonic()
    limits = limits or Limits()
    rng = rng if rng is not None else np.random.default_rng()
    path = Path(path)
    limits = dataclasses.replace(limits, hide=(*limits.hide, str(path.resolve().parent)))
    notebook, load_error = load_notebook(path)
    result = _identified(notebook, path, assignment)
    if assignment is not None and result.exercise != assignment:
        return wrong_exercise(result, assignment, f"{path.name} is exercise {result.exercise}")
    if result.exercise is None:
        if load_error:
            result.notes.append(f"could not read the notebook: {load_error}")
        return result
    exercise_id = result.exercise
    exercise = core.get_exercise(exercise_id)
    version = _metadata(notebook).get("version")
    if isinstance(version, int) and version != exercise.version:
        result.notes.append(
            f"the notebook is version {version} of {exercise_id}, the grader checks version "
            f"{exercise.version}: questions may differ from the ones it answers"
        )
    for q in exercise.questions:
        result.max_scores[q.name] = q.points
        result.scores[q.name] = 0.0
    cells: list[str] = []
    if load_error is None:
        try:
            cells = code_cells(notebook)
        except ValueError as exc:
            load_error = str(exc)
    if load_error is not None:
        reason = f"the notebook could not be read: {load_error}"
        result.reasons = {q.name: reason for q in exercise.questions}
        result.notes.append(reason)
        return result
    try:
        with messages.speaking(messages.language_of(notebook)):  # feedback in its language
            _grade_cells(exercise, cells, limits, rng, result)
    except SetupError:
        raise
    except Exception as exc:  # a grader bug must cost this notebook, not the whole batch
        result.notes.append(f"the grader failed on this notebook ({type(exc).__name__}: {exc})")
        for q in exercise.questions:
            result.reasons.setdefault(q.name, "not graded: the grader failed (see the note)")
    result.seconds = time.monotonic() - started
    return result


def _identified(notebook: Any, path: Path, assignment: str | None) -> Result:
    """An empty result for the exercise the notebook answers (or the assignment's, when the
    notebook does not say), with a note on how that was found."""
    exercise_id, note = identify(notebook, path)
    if assignment is not None and exercise_id is None:
        exercise_id, note = assignment, f"graded as {assignment}, this assignment's exercise"
    result = Result(file=str(path), exercise=exercise_id)
    if note:
        result.notes.append(note)
    return result


def wrong_exercise(result: Result, assignment: str, why: str) -> Result:
    """``result`` as 0 on every question of ``assignment``, each with the reason ``why``."""
    exercise = core.get_exercise(assignment)
    reason = (
        f"not graded: this assignment is exercise {assignment} ({exercise.title}), but {why}; "
        f"upload your {assignment}_exercises.ipynb"
    )
    result.exercise = assignment
    result.max_scores = {q.name: q.points for q in exercise.questions}
    result.scores = {q.name: 0.0 for q in exercise.questions}
    result.reasons = {q.name: reason for q in exercise.questions}
    result.notes.append(reason)
    return result


def load_notebook(path: Path) -> tuple[Any, str | None]:
    """The notebook's JSON, or None and why it could not be read (never raises)."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, f"it is {size} bytes, more than the {MAX_NOTEBOOK_BYTES} allowed"
        return json.loads(path.read_bytes()), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except json.JSONDecodeError as exc:
        return None, f"it is not valid JSON ({exc})"
    except RecursionError:
        return None, "it is not valid JSON (nested too deeply)"


def _grade_cells(
    exercise: core.Exercise,
    cells: list[str],
    limits: Limits,
    rng: np.random.Generator,
    result: Result,
) -> None:
    pending = core.cases_and_expected(exercise, rng)
    questions = {q.name: q for q in exercise.questions}
    skip: dict[int, str] = {}
    cell_errors: dict[int, str] = {}
    for _attempt in range(MAX_ATTEMPTS):
        if not pending:
            break
        run = _run_worker(exercise.id, cells, sorted(skip), pending, limits)
        result.output = result.output or run.output
        cell_errors.update(run.cell_errors)
        for name, results in run.results.items():
            cases, expected = pending.pop(name)
            points, reason = core.judge(questions[name], cases, expected, results)
            result.scores[name], result.reasons[name] = points, reason
        if run.finished or not pending:
            break
        why = run.failure or _t("the grading process stopped")
        if run.current_question is not None:
            cases, _ = pending.pop(run.current_question)
            question = questions[run.current_question]
            where = _t("while running your code for it")
            if run.current_case is not None and 0 <= run.current_case < len(cases):
                case = cases[run.current_case]
                where = _t(
                    "on case {number} of {count}, {case}",
                    number=run.current_case + 1,
                    count=len(cases),
                    case=question.show(case),
                )
            result.reasons[run.current_question] = f"{why} {where}"
        elif run.current_cell is not None and not run.cells_done:
            skip[run.current_cell] = why
        else:  # died before running any student code: nothing to skip
            tail = run.output[-300:].strip()
            result.notes.append(
                _t("the grading process failed to start ({why}): {tail}", why=why, tail=tail)
            )
            break
    for index, why in sorted(skip.items()):
        result.notes.append(
            _t("{cell} was skipped: {why} while it ran", cell=_cell_name(cells, index), why=why)
        )
    for index, error in sorted(cell_errors.items()):
        result.notes.append(_t("{cell} raised {error}", cell=_cell_name(cells, index), error=error))
    for name in pending:
        last = _t("the grading process stopped before it reached this question")
        result.reasons.setdefault(name, last)


def _cell_name(cells: list[str], index: int) -> str:
    """ "code cell 3 (`while True:`)": its number among code cells, and its first line."""
    lines = [line.strip() for line in cells[index].splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = first if len(first) <= 40 else first[:37] + "..."
    return _t("code cell {number} (`{first}`)", number=index + 1, first=first)


@dataclass
class _Run:
    results: dict[str, Any] = field(default_factory=dict)
    cell_errors: dict[int, str] = field(default_factory=dict)
    current_cell: int | None = None
    current_question: str | None = None
    current_case: int | None = None
    case_started: float | None = None
    cells_done: bool = False
    finished: bool = False
    failure: str = ""
    output: str = ""


def hidden_paths(limits: Limits) -> list[str]:
    """What student code must not read: the course's solutions and ``limits.hide``."""
    paths = [str(Path(p).resolve()) for p in limits.hide]
    solutions = Path(core.__file__).resolve().parents[1] / "solutions"
    if solutions.is_dir():
        paths.append(str(solutions))
    return list(dict.fromkeys(paths))


def _run_worker(
    exercise_id: str,
    cells: list[str],
    skip: list[int],
    pending: dict[str, tuple[list, list]],
    limits: Limits,
) -> _Run:
    with _identity(limits) as uid:
        return _run_worker_as(uid, exercise_id, cells, skip, pending, limits)


def _identity(limits: Limits) -> contextlib.AbstractContextManager[int]:
    """The uid a run's student code gets (its own, from the pool, when root), else -1."""
    if limits.drop_privileges and isolation.probe().own_uid:
        return _POOL.uid()
    return contextlib.nullcontext(-1)


_POOL = isolation.UidPool()


def _run_worker_as(
    uid: int,
    exercise_id: str,
    cells: list[str],
    skip: list[int],
    pending: dict[str, tuple[list, list]],
    limits: Limits,
) -> _Run:
    request = {
        "exercise": exercise_id,
        "cells": cells,
        "skip_cells": skip,
        "hide": hidden_paths(limits),
        "questions": {
            name: [wire.encode(c) for c in cases] for name, (cases, _) in pending.items()
        },
    }
    payload = json.dumps(request).encode()
    scratch = Path(tempfile.mkdtemp(prefix="minigrad-grade-"))
    run = _Run()
    read_fd, write_fd = os.pipe()
    proc = None
    try:
        proc = _start(scratch, write_fd, limits, uid)
        os.close(write_fd)
        write_fd = -1
        output = _Drain(proc.stdout)
        threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True).start()
        _read_events(read_fd, proc, limits, run)
        _stop(proc)
        output.join(timeout=5)  # a process that escaped the session may hold the pipe open
        run.output = output.text()
        if not run.finished and not run.failure:
            run.failure = _death(proc.returncode)
    finally:
        if write_fd >= 0:
            os.close(write_fd)
        os.close(read_fd)
        if proc is not None:
            _stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)
    return run


def _start(scratch: Path, result_fd: int, limits: Limits, uid: int) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
        core.GRADING_ENV: "1",
    }
    # As root, the worker switches to the submission's own uid (with private mounts) before
    # any student code runs: it cannot then read, write or delete the grader's files or
    # another submission's, or signal either. In its own PID namespace it cannot see them.
    python = unprivileged_python() if uid >= 0 else [sys.executable, "-I"]
    support = isolation.probe()
    prefix = support.prefix() if limits.drop_privileges else []
    user_namespace = int(bool(prefix) and support.user_namespace)
    cpu = int(limits.timeout) + 5
    command = [*prefix, *python, "-c", _bootstrap(), str(result_fd), str(limits.memory_mb)]
    command += [str(cpu), str(limits.file_mb), str(uid), str(user_namespace)]
    return subprocess.Popen(
        command,
        cwd=scratch,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(result_fd,),
        start_new_session=True,
    )


def course_paths() -> list[str]:
    """The directories that hold this grader and this minigrad, for the worker's ``sys.path``.

    The same directory in a checkout of the course (``grader/`` beside ``minigrad/``) or an
    installed copy (both in site-packages); two when they come from different places.
    minigrad is located without importing it.
    """
    paths = [str(Path(core.__file__).resolve().parents[1])]
    spec = importlib.util.find_spec("minigrad")
    if spec is not None and spec.origin:
        paths.append(str(Path(spec.origin).resolve().parents[1]))
    return list(dict.fromkeys(paths))


def _bootstrap() -> str:
    """The worker's ``-c`` program: this grader and this minigrad first on the path, then the
    worker.

    The worker module is loaded from its file, not imported as ``grader.worker``: that would
    import the grader (and numpy) while still root, from paths that the student's uid may not
    be able to read; the worker makes them readable in its own mount namespace first.
    """
    roots = course_paths()
    worker = str(Path(__file__).with_name("worker.py").resolve())
    paths = [p for p in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")} if p]
    return (
        f"import importlib.util as u, site, sys; [site.addsitedir(p) for p in {sorted(paths)!r}]; "
        f"sys.path[:0] = {roots!r}; "
        f"s = u.spec_from_file_location('_grade_worker', {worker!r}); "
        "m = u.module_from_spec(s); s.loader.exec_module(m); m.main()"
    )


def world_readable(path: str) -> bool:
    """Whether any user can reach ``path`` (every parent searchable, the file readable)."""
    real = Path(path).resolve()
    try:
        if not real.stat().st_mode & 0o004:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in real.parents)
    except OSError:
        return False


@functools.cache
def unprivileged_python() -> list[str]:
    """A Python of this version that any user can run, as a command prefix.

    This interpreter when its files are readable by all; else (e.g. a pyenv Python under
    /root) the same version elsewhere on the system, started without its own site-packages
    (the bootstrap adds this environment's site-packages, which must be readable by all).
    """
    here = sysconfig.get_path("stdlib")
    if world_readable(sys.executable) and world_readable(here):
        return [sys.executable, "-I"]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [f"/usr/bin/{version}", f"/usr/local/bin/{version}", shutil.which(version)]
    for candidate in filter(None, candidates):
        if not world_readable(candidate):
            continue
        probe = "import sys, sysconfig; print(sys.version_info[:2], sysconfig.get_path('stdlib'))"
        try:
            out = subprocess.run(
                [candidate, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=20
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        if out and " ".join(out[:2]) == str(sys.version_info[:2]) and world_readable(out[-1]):
            return [candidate, "-I", "-S"]
    raise SetupError(
        f"cannot grade as an unprivileged user: no {version} that every user can run was "
        f"found (this one is {sys.executable}); install one system-wide or pass "
        "--no-drop-privileges (then student code runs as root: only inside a throwaway container)"
    )


def _feed(stdin: Any, payload: bytes) -> None:
    try:
        stdin.write(payload)
        stdin.close()
    except OSError:
        pass  # the worker died before reading its request; its exit status says why


class _Drain(threading.Thread):
    """Reads the notebook's printed output as fast as it comes, keeping only the start."""

    def __init__(self, stream: Any) -> None:
        super().__init__(daemon=True)
        self.stream, self.kept, self.total = stream, bytearray(), 0
        self.start()

    def run(self) -> None:
        while chunk := self.stream.read1(65536):
            self.total += len(chunk)
            if len(self.kept) < KEEP_OUTPUT_BYTES:
                self.kept += chunk[: KEEP_OUTPUT_BYTES - len(self.kept)]

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.total > len(self.kept):
            text += f"\n[... {self.total - len(self.kept)} more bytes of output not kept]"
        return text


def _read_events(fd: int, proc: subprocess.Popen, limits: Limits, run: _Run) -> None:
    deadline = time.monotonic() + limits.timeout
    buffer, received = b"", 0
    while True:
        now = time.monotonic()
        left = deadline - now
        if left <= 0:
            run.failure = _t("it ran longer than the {s} s time limit", s=f"{limits.timeout:g}")
            return
        if run.case_started is not None:
            case_left = run.case_started + limits.case_timeout - now
            if case_left <= 0:
                run.failure = _t(
                    "it ran longer than the {s} s limit per case", s=f"{limits.case_timeout:g}"
                )
                return
            left = min(left, case_left)
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return  # the worker closed its end: finished or died
        received += len(chunk)
        if received > MAX_RESULT_BYTES:
            run.failure = _t("it sent more than {mb} MB of results", mb=MAX_RESULT_BYTES >> 20)
            return
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            _event(line, run)
            if run.finished:
                return


def _event(line: bytes, run: _Run) -> None:
    """Apply one progress or result line; anything malformed is ignored."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return
    if not isinstance(message, dict):
        return
    kind = message.get("event")
    if kind == "cell" and isinstance(message.get("index"), int):
        run.current_cell = message["index"]
    elif kind == "cell_error" and isinstance(message.get("index"), int):
        run.cell_errors[message["index"]] = str(message.get("error", ""))[:300]
    elif kind == "cells_done":
        run.cells_done, run.current_cell = True, None
    elif kind == "question" and isinstance(message.get("name"), str):
        run.current_question = message["name"]
    elif kind == "case" and isinstance(message.get("index"), int):
        run.current_case, run.case_started = message["index"], time.monotonic()
    elif kind == "result" and message.get("name") == run.current_question:
        run.results[run.current_question] = message.get("results")
        run.current_question = run.current_case = run.case_started = None
    elif kind == "done":
        run.finished = True


def _stop(proc: subprocess.Popen) -> None:
    """Kill the worker and anything it started, then reap it.

    Under ``unshare`` the worker is the child of ``proc`` and PID 1 of its namespace: killing
    it by its pid makes the kernel kill everything in the namespace, wherever it moved
    (``setsid``). Then the session, for anything started without namespaces.
    """
    if proc.returncode is None:
        for child in _children(proc.pid):
            try:
                os.kill(child, 9)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(proc.pid, 9)  # the whole session: also processes the notebook forked
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


def _death(returncode: int | None) -> str:
    if returncode is None:
        return _t("the grading process stopped")
    if returncode < 0:
        import signal

        name = signal.Signals(-returncode).name
        hints = {"SIGXCPU": _t("it used too much CPU time"), "SIGKILL": _t("it was killed")}
        if name in hints:
            return f"{hints[name]} ({name})"
        return _t("the process was killed by {name}", name=name)
    return _t(
        "it ended the grading process (exit status {status}, e.g. os._exit)", status=returncode
    )
