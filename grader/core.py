"""Questions, exercises and the comparison with PyTorch, shared by ``check()`` and the grader.

A :class:`Question` has three parts that run in different places:

- ``make_cases(rng)`` draws fresh random inputs (in the grader, so a hard-coded answer fails);
- ``run(namespace, case)`` calls the student's code on one input and returns plain numbers or
  arrays (in the student's process: nothing it returns is trusted);
- ``expected(case)`` asks PyTorch for the right answer (in the grader, never in the student's
  process, so patching torch or this module there changes nothing).

:func:`judge` compares the two and writes the feedback: which input, what PyTorch gave, what
came back. In a notebook, ``check = checker("03_value_autograd", globals())`` then
``check("q1")`` runs one question in the notebook's own kernel.
"""

from __future__ import annotations

import copy
import importlib
import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import wire
from grader.messages import N_, _, localize, notebook_language, speaking

#: Exercise id (the ``metadata.minigrad.exercise`` of a notebook) -> module that defines it.
EXERCISE_MODULES: dict[str, str] = {
    "01_chain_rule": "grader.ex01_chain_rule",
    "02_computation_graphs": "grader.ex02_computation_graphs",
    "03_value_autograd": "grader.ex03_value_autograd",
    "04_tensors_and_functions": "grader.ex04_tensors_and_functions",
    "05_framework_kernels": "grader.ex05_framework_kernels",
    "06_training": "grader.ex06_training",
    "07_higher_order": "grader.ex07_higher_order",
}

#: Set in the student's process while grading: ``check()`` then does nothing (the grader checks).
GRADING_ENV = "MINIGRAD_GRADING"


class MissingDefinition(LookupError):
    """The notebook does not define a name a question needs."""


@dataclass(frozen=True)
class Question:
    """One graded question: fresh inputs, the student's answer, PyTorch's answer."""

    name: str
    title: str
    needs: tuple[str, ...]
    make_cases: Callable[[np.random.Generator], list[dict[str, Any]]]
    run: Callable[[dict[str, Any], dict[str, Any]], Any]
    expected: Callable[[dict[str, Any]], Any]
    points: float = 1.0
    rtol: float = 1e-7
    atol: float = 1e-9
    check_dtype: bool = False
    forbid_warnings: bool = False  # a warning (e.g. numpy's RuntimeWarning) fails the case
    kind: str = "implement"  # "warm-up", "implement", "debug" (fix planted code), "predict"
    difficulty: int = 1  # 1 to 3 stars
    reveal: bool = True  # False: feedback says what is wrong, not what the right answer is
    hint: str = ""  # shown when a result has the wrong shape
    layout: str = ""  # shown when values differ: what the result's entries are
    describe: Callable[[dict[str, Any]], str] | None = None  # a case as text, for feedback
    # Where many answers are right (any valid order, any good step h) or the comparison depends
    # on the case (a dtype-dependent tolerance, an accuracy threshold): judges one decoded
    # result in the grader's process, ``accept(case, expected, got)`` -> "" or what is wrong.
    accept: Callable[[dict[str, Any], Any, Any], str] | None = None
    passed: str = ""  # what a pass means, where "agrees with PyTorch on N inputs" does not fit

    def show(self, case: dict[str, Any]) -> str:
        """One case as text for feedback ("input x=[...]")."""
        return self.describe(case) if self.describe else describe(case)

    @property
    def label(self) -> str:
        """The kind of question, its points and its difficulty, e.g. "debug, 2 points, **"."""
        points = _("{n} point" if self.points == 1 else "{n} points", n=f"{self.points:g}")
        kind = _(KINDS.get(self.kind, self.kind))
        return _("{kind}, {points}, {stars}", kind=kind, points=points, stars="*" * self.difficulty)


#: The kinds of question, as feedback names them.
KINDS = {
    "warm-up": N_("warm-up"),
    "implement": N_("implement"),
    "debug": N_("debug"),
    "predict": N_("predict"),
}


@dataclass(frozen=True)
class Exercise:
    """An exercise notebook's questions, identified by ``metadata.minigrad.exercise``."""

    id: str
    title: str
    questions: tuple[Question, ...]
    version: int = 1
    notes: list[str] = field(default_factory=list)

    def question(self, name: str) -> Question:
        """The question called ``name`` (e.g. "q1"); a KeyError lists the valid names."""
        for q in self.questions:
            if q.name == name:
                return q
        names = ", ".join(q.name for q in self.questions)
        raise KeyError(
            _(
                "exercise {id} has no question {name}: use one of {names}",
                id=self.id,
                name=repr(name),
                names=names,
            )
        )

    @property
    def max_score(self) -> float:
        """The sum of the questions' points."""
        return sum(q.points for q in self.questions)


def get_exercise(exercise_id: str) -> Exercise:
    """Load the exercise with this id; a KeyError lists the known ids."""
    if exercise_id not in EXERCISE_MODULES:
        known = ", ".join(EXERCISE_MODULES)
        raise KeyError(
            _(
                "unknown exercise {id}: known exercises are {known}",
                id=repr(exercise_id),
                known=known,
            )
        )
    return importlib.import_module(EXERCISE_MODULES[exercise_id]).EXERCISE


def need(namespace: dict[str, Any], name: str) -> Any:
    """The student's definition of ``name``, or MissingDefinition with a helpful message."""
    if name not in namespace:
        raise MissingDefinition(
            _(
                "the notebook does not define `{name}` (did its cell run without an error?)",
                name=name,
            )
        )
    return namespace[name]


# --- predict questions: a dict of answers, checked against the same programs run here ------


def prediction_cases(programs: dict[str, str]) -> Callable[[np.random.Generator], list[dict]]:
    """The one case of a predict question: the keys of its programs (``"a"``, ``"b"``, ...)."""
    return lambda rng: [{"keys": list(programs)}]


def as_numbers(value: Any) -> np.ndarray:
    """A prediction, or a program's answer, as a float array: True is 1 and False 0; a tensor,
    an array or a list of them (nested lists stay nested) as its numbers."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        value = [v.item() if hasattr(v, "item") else v for v in value]
    return np.asarray(value, dtype=np.float64)


def run_predictions(ns: dict[str, Any], case: dict[str, Any]) -> dict:
    """The student's ``predictions()``: one answer for every key of the case."""
    answers = need(ns, "predictions")()
    if not isinstance(answers, dict):
        raise ValueError(_("predictions() must return a dict: {'a': ..., 'b': ..., ...}"))
    missing = [k for k in case["keys"] if answers.get(k) is None]
    if missing:
        raise ValueError(_("predictions() has no answer for {keys}", keys=", ".join(missing)))
    return {k: as_numbers(answers[k]) for k in case["keys"]}


def predicted_by(
    programs: dict[str, str],
    scope: Callable[[], dict[str, Any]] | None = None,
    torch: bool = True,
) -> Callable[[dict[str, Any]], dict]:
    """The expected answers: each program run in a fresh namespace (``torch``, seeded with 0,
    unless ``torch=False``; then what ``scope()`` gives), warnings silenced (a program may
    read a non-leaf's ``.grad``), its ``answer`` as numbers."""

    def expected(case: dict[str, Any]) -> dict:
        out = {}
        for key in case["keys"]:
            namespace = {"torch": importlib.import_module("torch")} if torch else {}
            namespace.update(scope() if scope else {})
            if torch:
                namespace["torch"].manual_seed(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(programs[key], namespace)
            out[key] = as_numbers(namespace["answer"])
        return out

    return expected


def predict_question(
    name: str,
    title: str,
    programs: dict[str, str],
    scope: Callable[[], dict[str, Any]] | None = None,
    torch: bool = True,
    **options: Any,
) -> Question:
    """A predict question: the student's ``predictions()`` answer what each of ``programs``
    leaves in ``answer`` (run as :func:`predicted_by` says). Its feedback never reveals the
    right answers. ``options``: the rest of the Question (``points``, ``difficulty``, ...)."""
    return Question(
        name=name,
        title=title,
        needs=("predictions",),
        make_cases=prediction_cases(programs),
        run=run_predictions,
        expected=predicted_by(programs, scope, torch),
        kind="predict",
        reveal=False,
        describe=lambda case: _("your predictions"),
        **options,
    )


def run_case(question: Question, namespace: dict[str, Any], case: dict[str, Any]) -> dict:
    """Run the student's code on one case; return ``{"ok": wire data}`` or ``{"error": ...}``.

    The code gets a copy of the case, which is compared with the original afterwards: an
    answer that overwrites its inputs fails. Where the question forbids warnings, they are
    errors. Catches everything a student's code can raise (SystemExit and KeyboardInterrupt
    too), so one bad case never stops the others.
    """
    work = copy.deepcopy(case)
    try:
        with warnings.catch_warnings():
            if question.forbid_warnings:
                warnings.simplefilter("error")
            result = question.run(namespace, work)
        changed = _changed_input(case, work)
        if changed:
            raise InPlaceChange(
                _(
                    "your code changed its input {changed} in place: compute a new array (or "
                    "copy the input first) instead of writing into the one you were given",
                    changed=changed,
                )
            )
    except BaseException as exc:  # any failure is the student's answer
        return {"error": {"type": type(exc).__name__, "message": _short(str(exc), 300)}}
    try:
        return {"ok": wire.encode(result)}
    except BaseException as exc:  # a result that is not numbers (or breaks while encoded)
        message = _short(_("it returned {what}", what=exc), 300)
        return {"error": {"type": "BadResult", "message": message}}


class InPlaceChange(RuntimeError):
    """The student's code wrote into an input it was given."""


def _changed_input(before: Any, after: Any, where: str = "") -> str:
    """The first input (e.g. "`dy`", "`dag['v3']`") that differs after the call, or ""."""
    if isinstance(before, np.ndarray):
        same = (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
        )
        return "" if same else f"`{where}`"
    if isinstance(before, dict):
        if not isinstance(after, dict) or after.keys() != before.keys():
            return f"`{where or 'the input'}`"
        for key, value in before.items():
            inner = f"{where}[{key!r}]" if where else str(key)
            if isinstance(key, str) and key.startswith("_"):
                continue  # the grader's own notes on a case, not the student's input
            found = _changed_input(value, after[key], inner)
            if found:
                return found
        return ""
    if isinstance(before, list | tuple):
        if not isinstance(after, list | tuple) or len(after) != len(before):
            return f"`{where}`"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            found = _changed_input(b, a, f"{where}[{i}]")
            if found:
                return found
        return ""
    same = before == after or (before != before and after != after)  # nan stays nan
    return "" if same else f"`{where}`"


def judge(
    question: Question, cases: Sequence[dict[str, Any]], expected: Sequence[Any], results: Any
) -> tuple[float, str]:
    """Score one question from the student's (untrusted, wire-format) per-case results.

    Returns ``(points, reason)``: full points only if every case agrees with PyTorch; the
    reason explains the first failure (or says what passed).
    """
    unreadable = _("the grader got no readable answer for this question")
    if not isinstance(results, list) or len(results) != len(cases):
        return 0.0, unreadable
    for case, want, result in zip(cases, expected, results, strict=True):
        if not isinstance(result, dict) or not ("ok" in result or "error" in result):
            return 0.0, unreadable
        if "error" in result:
            return 0.0, _error_reason(question, case, result["error"])
        try:
            got = wire.decode(result["ok"])
        except (wire.WireError, ValueError) as exc:
            return 0.0, _("the answer could not be read ({error})", error=exc)
        if question.accept is not None:
            problem = question.accept(case, want, got)
        else:
            problem = compare(got, want, question)
        if problem:
            return 0.0, _("for {case}: {problem}", case=question.show(case), problem=problem)
    if question.passed:
        return question.points, _(PASSED) + _(question.passed)
    if question.kind == "predict":
        return question.points, _(PASSED) + _("every prediction is what PyTorch does")
    return question.points, _(PASSED) + _(
        "agrees with PyTorch on {n} fresh random inputs", n=len(cases)
    )


PASSED = N_("passed: ")
NOT_ANSWERED = N_("not answered yet: ")


def _error_reason(question: Question, case: dict[str, Any], error: Any) -> str:
    if not isinstance(error, dict):
        return _("your code failed")
    kind = _short(str(error.get("type", "Exception")), 60)
    # Made in the notebook's process, in English where that process did not know the language.
    message = localize(_short(str(error.get("message", "")), 300))
    shown = question.show(case)
    if kind == "NotImplementedError":
        names = ", ".join(f"`{n}`" for n in question.needs)
        return _(NOT_ANSWERED) + _(
            "{names} still raises NotImplementedError (replace the stub)", names=names
        )
    if kind == "MissingDefinition":
        return message
    if kind in ("BadResult", "InPlaceChange"):
        return _("for {case}: {problem}", case=shown, problem=message)
    if question.forbid_warnings and kind.endswith("Warning"):
        return _(
            "for {case}: your code gave a {kind} ({message}); this question asks for none "
            "(avoid the operation that warns, e.g. a division by 0 inside np.where: np.where "
            "evaluates both branches)",
            case=shown,
            kind=kind,
            message=message,
        )
    if kind == "RecursionError":
        return _(
            "for {case}: RecursionError ({message}); a graph this deep needs an iterative "
            "algorithm, not recursion",
            case=shown,
            message=message,
        )
    return _(
        "for {case}: your code raised {kind}: {message}", case=shown, kind=kind, message=message
    )


def compare(got: Any, want: Any, question: Question, where: str = "") -> str:
    """Compare a decoded answer with PyTorch's; return "" if they agree, else what differs."""
    where = where or _("the result")
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return _("{where} should have the entries {keys}", where=where, keys=sorted(want))
        for key, value in want.items():
            problem = compare(got[key], value, question, f"{where}[{key!r}]")
            if problem:
                return problem
        return ""
    if isinstance(want, tuple | list):
        return _compare_sequence(got, want, question, where)
    if not question.reveal:
        return _compare_hidden(got, np.asarray(want), question, where)
    if isinstance(want, float | int):
        return _compare_number(got, want, question, where)
    return _compare_array(got, np.asarray(want), question, where)


def _compare_hidden(got: Any, want: np.ndarray, question: Question, where: str) -> str:
    """Right or wrong, without showing the right answer (a prediction)."""
    right = (
        isinstance(got, np.ndarray)
        and got.shape == want.shape
        and bool(np.all(_close(got.astype(np.float64), want.astype(np.float64), question)))
    )
    shown = _fmt(got) if isinstance(got, np.ndarray) else _kind(got)
    return (
        ""
        if right
        else _("{where} is not what PyTorch does (yours is {yours})", where=where, yours=shown)
    )


def _compare_sequence(
    got: Any, want: tuple[Any, ...] | list[Any], question: Question, where: str
) -> str:
    if not isinstance(got, list) or len(got) != len(want):
        kind = (
            _("{n} values", n=len(got)) if isinstance(got, list) else _("a {kind}", kind=_kind(got))
        )
        return _("{where} should be {n} values, got {kind}", where=where, n=len(want), kind=kind)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        problem = compare(g, w, question, f"{where}[{i}]")
        if problem:
            return problem
    return ""


def _compare_number(got: Any, want: float, question: Question, where: str) -> str:
    if isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "fiu":
        got = float(got.reshape(()))
    if not isinstance(got, float | int) or isinstance(got, bool):
        return _("{where} should be a number, got a {kind}", where=where, kind=_kind(got))
    if not _close(np.float64(got), np.float64(want), question):
        return _(
            "{where}: PyTorch gives {want}, yours is {got}{off}",
            where=where,
            want=repr(want),
            got=repr(float(got)),
            off=_off(got, want, question),
        )
    return ""


def _off(got: Any, want: Any, question: Question) -> str:
    """How far off a number is, against what the question allows (finite only)."""
    got, want = float(got), float(want)
    if not (math.isfinite(got) and math.isfinite(want)):
        return ""
    allowed = question.atol + question.rtol * abs(want)
    text = _(
        " (off by {off}; allowed {allowed})", off=f"{abs(got - want):.3g}", allowed=f"{allowed:.3g}"
    )
    if question.rtol <= 1e-10 and abs(got - want) < 1e-3 * max(1.0, abs(want)):
        text += _("; an exact answer is asked, not an estimate such as a finite difference")
    return text


def _compare_array(got: Any, want: np.ndarray, question: Question, where: str) -> str:
    if not isinstance(got, np.ndarray):
        return _(
            "{where} should be a numpy array of shape {shape}, got a {kind}",
            where=where,
            shape=want.shape,
            kind=_kind(got),
        )
    if got.shape != want.shape:
        hint = f" ({_(question.hint)})" if question.hint else ""
        return (
            _(
                "{where} has shape {got}, PyTorch's has shape {want}",
                where=where,
                got=got.shape,
                want=want.shape,
            )
            + hint
        )
    if question.check_dtype and got.dtype != want.dtype:
        return _(
            "{where} has dtype {got}, expected {want} (compute in the input's dtype: a numpy "
            "float64 constant such as np.log(2) turns float32 into float64)",
            where=where,
            got=got.dtype,
            want=want.dtype,
        )
    if got.dtype.kind not in "fiub":
        return _("{where} has dtype {got}, expected numbers", where=where, got=got.dtype)
    ok = _close(got.astype(np.float64), want.astype(np.float64), question)
    if not np.all(ok):
        index = tuple(int(i) for i in np.argwhere(~np.broadcast_to(ok, want.shape))[0])
        layout = f" ({_(question.layout)})" if question.layout else ""
        first_want, first_got = want[index], got[index]
        off = _off(first_got, first_want, question) if want.dtype.kind in "fiu" else ""
        return _(
            "{where} differs from PyTorch at index {index}: PyTorch gives {want}, yours is "
            "{got}{off}; PyTorch's whole answer is {whole_want}, yours is {whole_got}{layout}",
            where=where,
            index=index,
            want=repr(first_want.item()),
            got=repr(first_got.item()),
            off=off,
            whole_want=_fmt(want),
            whole_got=_fmt(got),
            layout=layout,
        )
    return ""


def _close(got: np.ndarray, want: np.ndarray, question: Question) -> np.ndarray:
    both_nan = np.isnan(got) & np.isnan(want)
    same_inf = np.isinf(want) & (got == want)
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(got - want) <= question.atol + question.rtol * np.abs(want)
    return both_nan | same_inf | near


def describe(case: dict[str, Any]) -> str:
    """A short text of one input, for feedback (long arrays are abbreviated)."""
    parts = []
    for key, value in case.items():
        if key.startswith("_"):
            continue
        parts.append(f"{key}={_fmt(value)}")
    return _("input {values}", values=", ".join(parts)) if parts else _("the input")


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=12, edgeitems=3)
        text = " ".join(text.split())
        if value.ndim and value.dtype != np.float64:
            text += f" ({value.dtype})"
        return text
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 8:
        return "[" + ", ".join(_fmt(v) for v in value[:6]) + f", ... ({len(value)} items)]"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return _short(repr(value), 200)


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return _("array of shape {shape}", shape=value.shape)
    return type(value).__name__


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def cases_and_expected(
    exercise: Exercise, rng: np.random.Generator
) -> dict[str, tuple[list[dict[str, Any]], list[Any]]]:
    """Fresh cases for every question of an exercise, with PyTorch's answers."""
    out = {}
    for q in exercise.questions:
        cases = q.make_cases(rng)
        out[q.name] = (cases, [q.expected(copy.deepcopy(case)) for case in cases])
    return out


def checker(exercise_id: str, namespace: dict[str, Any]) -> Callable[[str], None]:
    """Return ``check(question)`` for an exercise notebook whose globals are ``namespace``.

    ``check("q1")`` runs question q1 on fresh random inputs against PyTorch in this kernel and
    prints either that it passed or which input failed, what PyTorch gave and what came back.
    """
    language = notebook_language(exercise_id, namespace)
    with speaking(language):
        exercise = get_exercise(exercise_id)

    def check(question: str) -> None:
        """Check one question (e.g. "q1") of this exercise and print the feedback."""
        with speaking(language):
            print(_check(exercise, namespace, question))

    return check


def _check(exercise: Exercise, namespace: dict[str, Any], question: str) -> str:
    """What ``check(question)`` prints, in the current language."""
    q = exercise.question(question)
    if os.environ.get(GRADING_ENV):
        return _("{name}: checked by the grader", name=q.name)
    cases = q.make_cases(np.random.default_rng())
    expected = [q.expected(copy.deepcopy(case)) for case in cases]
    results = [run_case(q, namespace, case) for case in cases]
    points, reason = judge(q, cases, expected, results)
    if math.isclose(points, q.points):
        verdict, reason = _("passed"), reason.removeprefix(_(PASSED))
    elif reason.startswith(_(NOT_ANSWERED)):
        verdict, reason = _("not answered yet"), reason.removeprefix(_(NOT_ANSWERED))
    else:
        verdict = _("FAILED")
    return _(
        "{name} ({title}): {verdict}\n  {reason}",
        name=q.name,
        title=_(q.title),
        verdict=verdict,
        reason=reason,
    )
