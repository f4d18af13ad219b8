"""The grader: solutions score full marks, stubs score 0, and known-wrong answers lose points.

Every notebook here is graded once, in one batch (two at a time), by the real sandboxed
grader; the tests then read the batch's results. A variant is a solution notebook with one
line replaced by a classic mistake; each must lose exactly the points of its question.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader import Limits, checker, core, get_exercise, wire
from grader.__main__ import grade_all
from grader.sandbox import identify

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def _solution(exercise: str) -> Path:
    return ROOT / "solutions" / f"{exercise}_exercises.ipynb"


#: (name, exercise, questions that must lose their points, [(solution text, wrong text)]).
WRONG = [
    (
        "01 hard-coded result",
        "01_chain_rule",
        "q1",
        [
            (
                "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x",
                "return np.array([0.0, 5.0, 16.0, 8.0, 1.0])",
            )
        ],
    ),
    (
        "01 the direct path u -> f forgotten",
        "01_chain_rule",
        "q1",
        [
            (
                "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x",
                "return (np.sin(u) + u * np.cos(u)) * 2 * x",
            )
        ],
    ),
    (
        "01 a constant step",
        "01_chain_rule",
        "q2",
        [("h = (3 * eps * f_size / f3_size) ** (1 / 3)", "h = 1e-5")],
    ),
    (
        "01 quotient rule with the wrong sign",
        "01_chain_rule",
        "q3",
        [
            (
                "(self.deriv - q * other.deriv) / other.value)",
                "(self.deriv + q * other.deriv) / other.value)",
            )
        ],
    ),
    (
        "01 debug: only one bug fixed",
        "01_chain_rule",
        "q4",
        [("d_u = d_w * v + d_w", "d_u = d_w * v")],
    ),
    (
        "01 predict: forward and reverse swapped",
        "01_chain_rule",
        "q5",
        [('"a": [200, 1]', '"a": [1, 200]')],
    ),
    (
        "02 a leaf used twice returned twice",
        "02_computation_graphs",
        "q1",
        [("        if fn in seen:\n            continue\n", "")],
    ),
    (
        "02 an edge counted once per first discovery",
        "02_computation_graphs",
        "q2",
        [
            (
                "            waiting[inp] = waiting.get(inp, 0) + 1\n            if inp "
                "not in seen:\n",
                "            if inp not in seen:\n                waiting[inp] = 1\n",
            )
        ],
    ),
    (
        "02 debug: .grad never reset",
        "02_computation_graphs",
        "q3",
        [("        x.grad = None  # .grad accumulates: each row starts from nothing\n", "")],
    ),
    (
        "02 predict: one backward counted",
        "02_computation_graphs",
        "q4",
        [('"c": [36.0, 216.0]', '"c": [18.0, 108.0]')],
    ),
    (
        "03 softplus: = instead of +=",
        "03_value_autograd",
        "q1",
        [("out._a.grad += sigmoid * out.grad", "out._a.grad = sigmoid * out.grad")],
    ),
    (
        "03 maximum: a tie all to the first operand",
        "03_value_autograd",
        "q2",
        [("    if a.data > b.data:\n", "    if a.data >= b.data:\n")],
    ),
    (
        "03 grad: nothing put back",
        "03_value_autograd",
        "q4",
        [("    for node, g in saved:\n        node.grad = g\n", "")],
    ),
    (
        "03 grad: recursive topological order (deep graph)",
        "03_value_autograd",
        "q4",
        [
            (
                "    order = topological_order(root)\n",
                "    order, visited = [], set()\n\n"
                "    def visit(node):\n"
                "        if id(node) not in visited:\n"
                "            visited.add(id(node))\n"
                "            for child in node._prev:\n"
                "                visit(child)\n"
                "            order.append(node)\n\n"
                "    visit(root)\n",
            )
        ],
    ),
    (
        "04 un-reduced broadcast gradient",
        "04_tensors_and_functions",
        "q1 q2",  # q2's solution calls unbroadcast: it loses too
        [("grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))", "return grad")],
    ),
    (
        "04 manual gradients left in the broadcast shape",
        "04_tensors_and_functions",
        "q2",
        [
            (
                "return dx, dy, dz",
                "return ones * y, ones * x, ones",
            )
        ],
    ),
    (
        "04 weight gradient transposed",
        "04_tensors_and_functions",
        "q3",
        [("grad_weight = grad_output.t() @ x", "grad_weight = x.t() @ grad_output")],
    ),
    (
        "04 hard-coded bias gradient",
        "04_tensors_and_functions",
        "q3",
        [("grad_bias = grad_output.sum(0)", "grad_bias = grad_output.sum(0) * 0 + 1")],
    ),
    (
        "05 exp2 backward without log(2)",
        "05_framework_kernels",
        "q1",
        [("return dy * np.exp2(x) * x.dtype.type(math.log(2))", "return dy * np.exp2(x)")],
    ),
    (
        "05 exp2 backward with a float64 constant",
        "05_framework_kernels",
        "q1",
        [
            (
                "return dy * np.exp2(x) * x.dtype.type(math.log(2))",
                "return dy * np.exp2(x) * np.log(2)",
            )
        ],
    ),
    (
        "05 hard-coded exp2 gradient",
        "05_framework_kernels",
        "q1",
        [
            (
                "return dy * np.exp2(x) * x.dtype.type(math.log(2))",
                "return np.full_like(x, 0.6931)",
            )
        ],
    ),
    (
        "05 tanh backward from y as if it were x",
        "05_framework_kernels",
        "q2",
        [("return dy * (1 - y * y)", "return dy * (1 - np.tanh(y) ** 2)")],
    ),
    (
        "05 div backward with the wrong sign",
        "05_framework_kernels",
        "q3",
        [("db = -dy * y / b", "db = dy * y / b")],
    ),
    (
        "06 cross-entropy without the max shift (overflows)",
        "06_training",
        "q1",
        [
            (
                "shifted = logits - logits.max(axis=1, keepdims=True)\n    log_probs",
                "shifted = logits\n    log_probs",
            )
        ],
    ),
    (
        "06 hard-coded loss",
        "06_training",
        "q1",
        [("return -log_probs[np.arange(len(targets)), targets].mean()", "return 1.0986")],
    ),
    (
        "06 cross-entropy gradient not divided by the batch size",
        "06_training",
        "q2",
        [("return probs / len(targets)", "return probs")],
    ),
    (
        "06 Adam without bias correction",
        "06_training",
        "q3",
        [("m_hat = m / (1 - beta1**t)", "m_hat = m"), ("v_hat = v / (1 - beta2**t)", "v_hat = v")],
    ),
    (
        "05 logaddexp forward written literally (overflows)",
        "05_framework_kernels",
        "q5",
        [
            (
                "    return np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))",
                "    return np.log(np.exp(a) + np.exp(b))",
            )
        ],
    ),
    (
        "06 LayerNorm with the unbiased variance",
        "06_training",
        "q4",
        [
            (
                "        variance = (centred * centred).mean(dim=dims, keepdim=True)",
                "        variance = x.var(dim=dims, keepdim=True)",
            )
        ],
    ),
    (
        "06 RMSprop with eps inside the square root",
        "06_training",
        "q5",
        [('np.sqrt(square_avg) + group["eps"]', 'np.sqrt(square_avg + group["eps"])')],
    ),
    (
        "06 capstone with a learning rate far too small",
        "06_training",
        "q8",
        [("lr=0.002", "lr=1e-6")],
    ),
    (
        "07 a Laplacian from the gradient of g.sum() and a jvp from functional",
        "07_higher_order",
        "q1 q2",
        [
            (
                "(row,) = minigrad.autograd.grad(g[i], x, retain_graph=True)",
                "(row,) = minigrad.autograd.grad(g.sum(), x, retain_graph=True)",
            ),
            ("    return jv\n", "    return minigrad.autograd.functional.jvp(func, x, v)[1]\n"),
        ],
    ),
    (
        "07 a LogCosh backward through numpy, the hvp bug left in",
        "07_higher_order",
        "q3 q5",
        [
            (
                "        return grad_output * x.tanh()  # minigrad ops",
                "        dy, xs = grad_output.detach().numpy(), x.detach().numpy()\n"
                "        return minigrad.tensor(dy * np.tanh(xs))  # minigrad ops",
            ),
            ("    w.grad = None  # backward() adds", "    # w.grad = None  # backward() adds"),
        ],
    ),
]


def make_variant(source: Path, replacements: list[tuple[str, str]], target: Path) -> Path:
    """Copy a solution notebook with some of its text replaced (each must occur)."""
    nb = nbformat.read(source, as_version=4)
    for old, new in replacements:
        hits = [cell for cell in nb.cells if old in cell.source]
        assert hits, f"{old!r} is not in {source.name}: update the variant"
        for cell in hits:
            cell.source = cell.source.replace(old, new)
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade solutions, exercises and every wrong variant in one batch; name -> Result."""
    tmp = tmp_path_factory.mktemp("variants")
    paths = {f"solution {p.name}": p for p in SOLUTIONS}
    paths |= {f"exercise {p.name}": p for p in EXERCISES}
    for i, (name, exercise, _, replacements) in enumerate(WRONG):
        if _solution(exercise).exists():
            target = tmp / f"{exercise}_variant{i}.ipynb"
            paths[name] = make_variant(_solution(exercise), replacements, target)
    # Metadata, not the file name, says which exercise a notebook answers.
    misnamed = tmp / "01_chain_rule_exercises.ipynb"
    misnamed.write_bytes(_solution("03_value_autograd").read_bytes())
    paths["misnamed"] = misnamed
    # An older version of the exercise: graded, with a note.
    old = nbformat.read(_solution("01_chain_rule"), 4)
    old.metadata["minigrad"]["version"] = 0
    nbformat.write(old, tmp / "old_version.ipynb")
    paths["old version"] = tmp / "old_version.ipynb"
    results = grade_all(list(paths.values()), Limits(timeout=60), jobs=2, progress=False)
    return dict(zip(paths, results, strict=True))


def test_there_is_an_exercise_notebook_per_solution():
    assert SOLUTIONS, "no solution notebooks"
    assert [p.name for p in EXERCISES] == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_scores_full_marks(graded, path):
    result = graded[f"solution {path.name}"]
    assert result.exercise == nbformat.read(path, 4).metadata["minigrad"]["exercise"]
    assert result.max_total >= 3
    assert result.total == result.max_total, result.reasons
    assert all(reason.startswith("passed") for reason in result.reasons.values())


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_untouched_exercise_scores_zero_with_a_reason_per_question(graded, path):
    result = graded[f"exercise {path.name}"]
    assert result.max_total >= 3
    assert result.total == 0
    assert set(result.reasons) == set(result.max_scores)
    exercise = get_exercise(result.exercise)
    for name, reason in result.reasons.items():
        if exercise.question(name).kind == "debug":  # the planted bug is still there
            assert reason and not reason.startswith("passed"), (name, reason)
        else:
            assert "not answered yet" in reason and "NotImplementedError" in reason, (name, reason)


@pytest.mark.parametrize("case", WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_answer_loses_its_question(graded, case):
    name, exercise, questions, _ = case
    if name not in graded:
        pytest.skip(f"no solution notebook for {exercise} yet")
    result = graded[name]
    for question in questions.split():
        assert result.scores[question] == 0, result.reasons[question]
        assert result.reasons[question] and not result.reasons[question].startswith("passed")
    others = {q: s for q, s in result.scores.items() if q not in questions.split()}
    assert all(s == result.max_scores[q] for q, s in others.items()), result.reasons


def test_exercise_comes_from_metadata_not_file_name(graded):
    result = graded["misnamed"]
    assert result.exercise == "03_value_autograd"
    assert result.total == result.max_total


def test_an_older_exercise_version_is_graded_with_a_note(graded):
    result = graded["old version"]
    assert result.total == result.max_total
    assert any("version 0 of 01_chain_rule" in note for note in result.notes)


def test_identify_prefers_metadata_then_the_file_name():
    meta = {"metadata": {"minigrad": {"exercise": "05_framework_kernels"}}}
    assert identify(meta, Path("01_chain_rule_exercises.ipynb")) == ("05_framework_kernels", "")
    exercise, note = identify({"cells": []}, Path("06_training_exercises (3).ipynb"))
    assert exercise == "06_training" and "from its file name" in note
    exercise, note = identify({"metadata": {"minigrad": 7}}, Path("homework.ipynb"))
    assert exercise is None and "cannot tell which exercise" in note


def test_feedback_names_the_input_torch_and_the_answer(capsys):
    namespace = {"d_shared": lambda x: 2 * x * (np.sin(x**2) + x**2 * np.cos(x**2))}  # a path
    checker("01_chain_rule", namespace)("q1")
    out = capsys.readouterr().out
    assert "q1" in out and "FAILED" in out
    assert "input x=" in out and "PyTorch gives" in out and "yours is" in out


def test_check_reports_a_missing_definition_and_a_stub(capsys):
    check = checker("01_chain_rule", {})
    check("q1")
    assert "does not define `d_shared`" in capsys.readouterr().out

    def stub(x):
        raise NotImplementedError()

    checker("01_chain_rule", {"d_shared": stub})("q1")
    assert "not answered yet" in capsys.readouterr().out


def _d_shared(x):
    return 2 * x * (np.sin(x**2) + x**2 * np.cos(x**2) + 1)


def test_check_passes_a_correct_answer_and_rejects_an_unknown_question(capsys):
    check = checker("01_chain_rule", {"d_shared": _d_shared})
    check("q1")
    assert "passed" in capsys.readouterr().out
    with pytest.raises(KeyError, match="q1, q2"):
        check("q9")


def test_cases_are_fresh_each_time():
    exercise = get_exercise("01_chain_rule")
    rng = np.random.default_rng()
    first, second = (exercise.questions[0].make_cases(rng) for _ in range(2))
    assert not all(np.array_equal(a["x"], b["x"]) for a, b in zip(first, second, strict=False))


def test_dtype_is_checked_where_the_question_demands_it():
    q = core.Question("q", "t", ("f",), lambda r: [], lambda n, c: None, lambda c: None)
    strict = core.Question(
        "q", "t", ("f",), lambda r: [], lambda n, c: None, lambda c: None, check_dtype=True
    )
    want = np.ones(3, dtype=np.float32)
    assert core.compare(np.ones(3), want, q) == ""
    assert "dtype float64, expected float32" in core.compare(np.ones(3), want, strict)
    assert "shape (2,)" in core.compare(np.ones(2), want, q)
    assert "numpy array" in core.compare([1.0, 1.0, 1.0], want, q)


def test_wire_round_trip_and_refusals():
    data = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": [1.5, float("nan"), None]}
    back = wire.decode(json.loads(json.dumps(wire.encode(data))))
    np.testing.assert_array_equal(back["a"], data["a"])
    assert back["a"].dtype == np.float32 and np.isnan(back["b"][1])
    with pytest.raises(TypeError, match="object"):
        wire.encode(np.array([object()]))
    bad = wire.encode(np.zeros(4))
    with pytest.raises(wire.WireError):
        wire.decode(bad | {"dtype": "object"})
    with pytest.raises(wire.WireError):
        wire.decode(bad | {"shape": [5]})
    with pytest.raises(wire.WireError):
        wire.decode(bad | {"shape": [10**9, 10**9]})


def test_cli_table_csv_gradescope_and_exit_status(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for path in SOLUTIONS[:1] + EXERCISES[:1]:
        (subs / f"{path.parent.name}_{path.name}").write_bytes(path.read_bytes())
    out_csv, out_json = tmp_path / "grades.csv", tmp_path / "results.json"
    command = [sys.executable, "-m", "grader", str(subs), "--jobs", "2", "--timeout"]
    command += ["60", "--csv", str(out_csv), "--gradescope", str(out_json), "--no-progress"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "total" in run.stdout and "not answered yet" in run.stdout
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 2 and {"file", "exercise", "q1", "q2", "q3", "total"} <= set(rows[0])
    totals = sorted(float(row["total"]) for row in rows)
    assert totals[0] == 0 and totals[1] == float(rows[0]["max_total"])
    results = json.loads(out_json.read_text())
    assert results["score"] == totals[1]
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")


@pytest.mark.parametrize("module", ["grader", "minigrad.grade"])
def test_cli_usage_errors_exit_2(tmp_path, module):
    # minigrad.grade is the old name, kept as a shim that runs grader's command line.
    run = subprocess.run(
        [sys.executable, "-m", module, str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 2 and "no notebooks" in run.stderr
