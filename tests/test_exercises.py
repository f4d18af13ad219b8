"""exercises/ is generated from solutions/ and up to date; both are well-formed notebooks."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grader import EXERCISE_MODULES, get_exercise

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
BOOTSTRAP = (
    "# On Google Colab or another fresh machine, install minigrad from the course repository "
    'first.\nimport importlib.util\n\nif importlib.util.find_spec("minigrad") is None:\n'
    '    %pip install -q "git+https://github.com/minigrad-course/minigrad"'
)


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "make_exercises", ROOT / "scripts/make_exercises.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_exercises = _load_script()


def test_exercises_are_up_to_date_with_solutions(capsys):
    status = make_exercises.main(["--check"])
    assert status == 0, capsys.readouterr().err


def test_check_mode_notices_a_changed_solution(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    shutil.copy(SOLUTIONS[0], solutions)
    dirs = ["--solutions", str(solutions), "--exercises", str(exercises)]
    assert make_exercises.main(dirs) == 0
    assert make_exercises.main([*dirs, "--check"]) == 0
    nb = nbformat.read(solutions / SOLUTIONS[0].name, 4)
    nb.cells[0].source += "\nOne more sentence."
    nbformat.write(nb, solutions / SOLUTIONS[0].name)
    capsys.readouterr()
    assert make_exercises.main([*dirs, "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


def test_stubs_keep_the_indentation_and_markdown_gets_a_placeholder():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\ny = 1"
    stub = make_exercises.strip_solutions(source, code=True, where="cell")
    assert stub == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\ny = 1"
    text = "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert (
        make_exercises.strip_solutions(text, code=False, where="cell") == "Why?\nYOUR ANSWER HERE"
    )


def test_a_debug_task_shows_the_planted_bug_instead_of_a_stub():
    source = (
        "def f(x):\n    ### BEGIN SOLUTION\n    return x * 2\n    ### BUGGY\n"
        "    # return x * 3  # the bug\n    ### END SOLUTION\n"
    )
    stub = make_exercises.strip_solutions(source, code=True, where="cell")
    assert stub == "def f(x):\n    return x * 3  # the bug\n"
    with pytest.raises(ValueError, match="must be a comment"):
        make_exercises.strip_solutions(source.replace("# return x * 3", "return x * 3"), True, "c")


@pytest.mark.parametrize(
    "exercise",
    [
        "01_chain_rule",
        "02_computation_graphs",
        "03_value_autograd",
        "04_tensors_and_functions",
        "05_framework_kernels",
        "06_training",
        "07_higher_order",
    ],
)
def test_predictions_are_shown_in_the_notebook_as_the_grader_runs_them(exercise):
    predictions = importlib.import_module(EXERCISE_MODULES[exercise]).PREDICTIONS
    nb = nbformat.read(ROOT / "solutions" / f"{exercise}_exercises.ipynb", 4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for key, code in predictions.items():
        assert f"({key})\n\n```python\n{code}\n```" in text, key


@pytest.mark.parametrize("exercise", ["05_framework_kernels", "06_training", "07_higher_order"])
def test_every_question_heading_states_its_kind_points_and_difficulty(exercise):
    nb = nbformat.read(ROOT / "solutions" / f"{exercise}_exercises.ipynb", 4)
    headings = [c.source.split("\n", 1)[0] for c in nb.cells if c.cell_type == "markdown"]
    for q in get_exercise(exercise).questions:
        kind = "capstone" if q.name == "q8" and exercise == "06_training" else q.kind
        points = f"{q.points:g} point" + ("" if q.points == 1 else "s")
        label = f"## {q.name} ({kind}, {points}, {'*' * q.difficulty})"
        assert any(h.startswith(label) for h in headings), label


def test_the_capstone_states_the_accuracy_the_grader_asks_for():
    from grader.ex06_training import ACCURACY, TEST_SIZE, TRAIN_SIZE

    nb = nbformat.read(ROOT / "solutions" / "06_training_exercises.ipynb", 4)
    text = " ".join(" ".join(c.source for c in nb.cells if c.cell_type == "markdown").split())
    assert f"at least **{ACCURACY:.0%}**" in text
    assert f"on {TRAIN_SIZE} training digits" in text and f"predicts {TEST_SIZE} digits" in text


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_broken_markers_are_reported_with_their_place(source, message):
    with pytest.raises(ValueError, match=message):
        make_exercises.strip_solutions(source, code=True, where="nb.ipynb, cell 3")


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_notebook_is_a_clean_stubbed_copy(solution):
    exercise_path = ROOT / "exercises" / solution.name
    sol, ex = nbformat.read(solution, 4), nbformat.read(exercise_path, 4)
    nbformat.validate(ex)
    assert ex.metadata["minigrad"] == sol.metadata["minigrad"]
    assert ex.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in ex.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    text = "\n".join(c.source for c in ex.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "### BUGGY" not in text
    stubs = "\n".join(c.source for c in code).count("raise NotImplementedError()")
    solution_text = "\n".join(c.source for c in sol.cells)
    blocks, buggy = solution_text.count("### BEGIN SOLUTION"), solution_text.count("### BUGGY")
    assert stubs == blocks - buggy and stubs >= 3


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_is_a_known_exercise_with_a_check_per_question(solution):
    nb = nbformat.read(solution, 4)
    meta = nb.metadata["minigrad"]
    assert meta["exercise"] in EXERCISE_MODULES and isinstance(meta["version"], int)
    assert solution.name == f"{meta['exercise']}_exercises.ipynb"
    exercise = get_exercise(meta["exercise"])
    assert len(exercise.questions) >= 3
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == BOOTSTRAP
    checks = re.findall(r'check\("(q\d+)"\)', "\n".join(c.source for c in code))
    assert checks == [q.name for q in exercise.questions]
    # Stored executed (nbval re-runs them), every check printed that it passed.
    assert all(c.execution_count is not None for c in code)
    outputs = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert outputs.count(": passed") == len(exercise.questions)
    assert "FAILED" not in outputs
