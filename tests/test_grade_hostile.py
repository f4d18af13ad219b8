"""Hostile notebooks: each gets the points it earned, a reason for the rest, and no way out.

Each notebook is the solution of exercise 01 with one hostile code cell added (after the
checker cell, before the answers) or one answer made hostile. All are graded in one batch.
Protection of the grader's files and process relies on running student code as its own uid,
which the grader does when it runs as root (as on Gradescope); those tests need root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader import Limits, get_exercise
from grader.__main__ import grade_all

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "01_chain_rule_exercises.ipynb"
#: The last line of q1's answer (d_shared), which the hostile answers replace.
Q1 = "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x"
#: Notebooks that hang get a short time limit; the others a generous one (torch imports are
#: slow on a loaded machine, and a false timeout would make these tests flaky).
HANGING = ("infinite loop", "loop in an answer", "hangs on one case")
SHORT, LONG, PER_CASE = 10.0, 60.0, 4.0
AS_ROOT = os.geteuid() == 0


def _notebook(target: Path, cell: str | None = None, replace: tuple[str, str] | None = None):
    nb = nbformat.read(SOLUTION, as_version=4)
    if cell is not None:
        index = next(i for i, c in enumerate(nb.cells) if "checker(" in c.source) + 1
        nb.cells.insert(index, new_code_cell(cell))
    if replace is not None:
        old, new = replace
        hits = [c for c in nb.cells if old in c.source]
        assert hits, old
        for c in hits:
            c.source = c.source.replace(old, new)
    nbformat.write(nb, target)
    return target


def _secret_cell(secret: Path, sentinel: Path, outside: Path, leftover: str) -> str:
    # d_shared comes out right only if every attack failed, so the score shows what happened.
    return f"""
import os, shutil, signal
for tmp in ("/tmp", "/dev/shm"):
    try:  # world-writable directories: allowed, but private to the grading process
        open(os.path.join(tmp, {leftover!r}), "w").write("left behind")
    except OSError:
        pass
attacks_failed = True

def _no_parent():
    raise ProcessLookupError("PID 1 of its namespace: the parent is not visible")

for attack in (
    lambda: open({str(secret)!r}).read(),
    lambda: os.remove({str(sentinel)!r}),
    lambda: open({str(outside)!r}, "w").write("pwned"),
    lambda: shutil.rmtree({str(sentinel.parent)!r}),
    # The grader (this test's process) by its pid, and the worker's parent (0, and then no
    # attack at all, when the worker is PID 1 of its own namespace).
    lambda: open("/proc/{os.getpid()}/environ").read(),
    lambda: os.kill({os.getpid()}, signal.SIGKILL),
    lambda: open("/proc/%d/environ" % os.getppid()).read(),
    lambda: os.kill(os.getppid() or _no_parent(), signal.SIGKILL),
):
    try:
        attack()
        attacks_failed = False
    except Exception:
        pass
"""


HOSTILE = {
    "raises": "raise RuntimeError('boom')",
    "memory hog": "hog = bytearray(100 * 2**30)",
    "infinite loop": "while True:\n    pass",
    "100 MB print": "print('x' * 100_000_000)",
    "sys.exit": "import sys\nsys.exit(3)",
    "os._exit": "import os\nos._exit(0)",
    "input()": "name = input('your name? ')",
    "monkeypatching": """
import numpy as np
import torch

import grader.core as core
import grader.sandbox as sandbox

core.compare = lambda *args, **kwargs: ""
core.judge = lambda question, *args: (question.points, "passed")
sandbox.Result.total = 99
np.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
torch.autograd.grad = lambda *args, **kwargs: None
""",
}

#: Answers made hostile: (solution text, hostile text), the question that must lose.
HOSTILE_ANSWERS = {
    "loop in an answer": (Q1, "while True:\n        pass", "q1"),
    "exit in an answer": (Q1, "import os\n\n    os._exit(1)", "q1"),
    "sys.exit in an answer": (Q1, "raise SystemExit(0)", "q1"),
    "hard-coded after monkeypatching": (
        Q1,
        "import grader.core as core\n\n"
        "    core.compare = lambda *args, **kwargs: ''\n"
        "    return np.zeros_like(x)",
        "q1",
    ),
    "returns a string": (Q1, "return 'the answer'", "q1"),
    "hangs on one case": (
        Q1,
        "global calls\n    calls = globals().get('calls', 0) + 1\n"
        "    while calls == 2:\n        pass\n    " + Q1,
        "q1",
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every hostile notebook in one batch; name -> Result (and the trap files)."""
    tmp = tmp_path_factory.mktemp("hostile")
    paths = {
        name: _notebook(tmp / f"{i}.ipynb", cell) for i, (name, cell) in enumerate(HOSTILE.items())
    }
    for i, (name, (old, new, _)) in enumerate(HOSTILE_ANSWERS.items()):
        paths[name] = _notebook(tmp / f"answer{i}.ipynb", replace=(old, new))
    trap = tmp / "grader_files"
    trap.mkdir()
    secret, sentinel, outside = trap / "secret.txt", trap / "keep.txt", tmp / "written.txt"
    secret.write_text("the grader's secret")
    secret.chmod(0o600)
    sentinel.write_text("keep me")
    leftover = f"minigrad-hostile-{os.getpid()}-{tmp.name}"
    trap_cell = _secret_cell(secret, sentinel, outside, leftover)
    trap_cell += (
        "\n\ndef d_shared(x):\n    u = x**2\n    " + Q1 + " * (1 if attacks_failed else 2)\n"
    )
    paths["reads and writes outside"] = _notebook(
        tmp / "trap.ipynb", replace=("def d_shared(x):\n", "def _unused(x):\n")
    )
    nb = nbformat.read(paths["reads and writes outside"], 4)
    nb.cells.append(new_code_cell(trap_cell))
    nbformat.write(nb, paths["reads and writes outside"])
    (tmp / "invalid.ipynb").write_text('{"cells": [')
    (tmp / "01_chain_rule_exercises_invalid.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (tmp / "01_chain_rule_exercises_list.ipynb").write_text("[1, 2, 3]")
    paths["invalid json, unknown exercise"] = tmp / "invalid.ipynb"
    paths["binary file"] = tmp / "01_chain_rule_exercises_invalid.ipynb"
    paths["json, not a notebook"] = tmp / "01_chain_rule_exercises_list.ipynb"
    results = {}
    for names, timeout in ((HANGING, SHORT), ([n for n in paths if n not in HANGING], LONG)):
        limits = Limits(timeout=timeout, case_timeout=PER_CASE if timeout == SHORT else LONG)
        graded = grade_all([paths[n] for n in names], limits, 2, progress=False)
        results |= dict(zip(names, graded, strict=True))
    return results | {"_files": (secret, sentinel, outside, leftover)}


def _namespaces_work() -> bool:
    probe = "import sys; from grader.worker import _private_tmp; sys.exit(not _private_tmp())"
    return subprocess.run([sys.executable, "-c", probe]).returncode == 0


def _full(result) -> bool:
    return result.total == result.max_total > 0


@pytest.mark.parametrize("name", ["raises", "memory hog", "100 MB print", "sys.exit", "input()"])
def test_a_failing_cell_costs_nothing_else(graded, name):
    result = graded[name]
    assert _full(result), result.reasons
    if name != "100 MB print":
        assert any("code cell" in note and "raised" in note for note in result.notes)


@pytest.mark.parametrize("name", ["infinite loop", "os._exit"])
def test_a_cell_that_hangs_or_ends_the_process_is_skipped(graded, name):
    result = graded[name]
    assert _full(result), result.reasons
    assert any("was skipped" in note for note in result.notes), result.notes


def test_big_output_is_truncated(graded):
    output = graded["100 MB print"].output
    assert len(output) < 10_000 and "more bytes of output not kept" in output


def test_monkeypatching_in_the_notebook_does_not_reach_the_grader(graded):
    result = graded["monkeypatching"]
    # Patching torch, numpy and the grader inside the student's process changes nothing:
    # the answers are right, so full marks, and the total is the real one.
    assert _full(result), result.reasons
    assert result.total == get_exercise("01_chain_rule").max_score
    assert not any("raised" in note for note in result.notes), "the patches did not all run"


@pytest.mark.parametrize("name", list(HOSTILE_ANSWERS))
def test_a_hostile_answer_loses_only_its_question(graded, name):
    result = graded[name]
    question = HOSTILE_ANSWERS[name][2]
    assert result.scores[question] == 0, result.reasons
    assert result.reasons[question]
    assert all(s == result.max_scores[q] for q, s in result.scores.items() if q != question)


def test_reasons_for_hangs_and_exits_are_clear(graded):
    assert "limit per case" in graded["loop in an answer"].reasons["q1"]
    # The case that hung is named, small, with its number; the other questions still count.
    reason = graded["hangs on one case"].reasons["q1"]
    assert "limit per case on case 2 of 4, input x=[" in reason, reason
    assert "ended the grading process" in graded["exit in an answer"].reasons["q1"]
    assert "SystemExit" in graded["sys.exit in an answer"].reasons["q1"]
    assert "ValueError" in graded["returns a string"].reasons["q1"]


@pytest.mark.skipif(not AS_ROOT, reason="only a root grader can run student code as another user")
def test_student_code_cannot_read_write_delete_or_signal_outside(graded):
    secret, sentinel, outside, leftover = graded["_files"]
    result = graded["reads and writes outside"]
    assert result.scores["q1"] == 1, "an attack succeeded: " + result.reasons["q1"]
    assert sentinel.read_text() == "keep me" and secret.exists()
    assert not outside.exists()
    if _namespaces_work():  # then /tmp and /dev/shm were private to the notebook
        assert not (Path("/tmp") / leftover).exists()
        assert not (Path("/dev/shm") / leftover).exists()


def test_invalid_notebooks_get_zero_with_a_reason(graded):
    unknown = graded["invalid json, unknown exercise"]
    assert unknown.exercise is None and unknown.total == 0
    assert any("not valid JSON" in note for note in unknown.notes)
    for name in ("binary file", "json, not a notebook"):
        result = graded[name]
        assert result.exercise == "01_chain_rule" and result.total == 0
        assert all("could not be read" in r for r in result.reasons.values()), result.reasons
