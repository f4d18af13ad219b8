"""Kept so that ``python -m minigrad.grade`` still works: the auto-grader lives in ``grader/``.

The grader is its own top-level package beside ``minigrad`` (it imports PyTorch; minigrad
needs only numpy), run as ``python -m grader --help``. ``import minigrad`` does not import this
module; importing it explicitly imports the grader and re-exports its main names.
"""

from grader import (
    EXERCISE_MODULES,
    Exercise,
    Limits,
    Question,
    Result,
    checker,
    get_exercise,
    grade_notebook,
)

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
