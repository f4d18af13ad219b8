"""The auto-grader for the exercise notebooks (``python -m grader --help``).

- :func:`checker` gives an exercise notebook its ``check("q1")`` (feedback in the kernel);
- :func:`grade_notebook` grades one submission in a limited, separate process;
- ``python -m grader SUBMISSION...`` grades many, prints a per-question table and can
  write a CSV, a Gradescope ``results.json`` or build a Gradescope autograder bundle.

Questions live in one module per exercise (``ex01_chain_rule`` ...); see :mod:`.core`.
A package beside ``minigrad`` (it imports PyTorch); ``python -m minigrad.grade`` still works.
"""

from grader.core import EXERCISE_MODULES, Exercise, Question, checker, get_exercise
from grader.sandbox import Limits, Result, grade_notebook

__all__ = [
    "EXERCISE_MODULES",
    "Exercise",
    "Limits",
    "Question",
    "Result",
    "checker",
    "get_exercise",
    "grade_notebook",
]
