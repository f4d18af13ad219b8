"""The grader's feedback in Chinese (grader/messages): every marked message is translated.

Messages are marked in the code as gettext marks them, ``_("English {name}", name=...)`` or
``N_("English")``; the English text is the key of ``grader.messages.zh_cn.CATALOG``. Like
``xgettext``, the test collects the keys from the source (the AST of every grader module):
a marked message without a Chinese entry fails, naming the file and line, as does an entry no
code uses and one whose ``{placeholders}`` differ from the English. Then the language really
follows the notebook: a Chinese notebook's ``check()`` and its grading speak Chinese, an
English one's English.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

from grader import core, messages
from grader.messages.zh_cn import CATALOG

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Every module that speaks to a student: the core, the sandbox and each exercise's grader (a new
# exercise is in this list as soon as its module exists, so its messages must be marked).
MARKED = [
    "grader/core.py",
    "grader/sandbox.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "grader").glob("ex[0-9]*.py")),
]
# The marking functions: gettext's names, and sandbox.py's (its `_` is a throwaway variable).
MARKERS = ("_", "N_", "_t")


def marked_messages(source: str, where: str) -> dict[str, str]:
    """Every string marked ``_(...)`` or ``N_(...)`` in a module's source -> "file:line"."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and node.args
        ):
            for part in ast.walk(node.args[0]):  # "a" if x else "b": both are messages
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.setdefault(part.value, f"{where}:{node.lineno}")
    return found


def untranslated(source: str, where: str, catalog: dict[str, str]) -> list[str]:
    """The marked messages of a module the catalog lacks, each with its place."""
    return [
        f"{place}: {key!r}"
        for key, place in marked_messages(source, where).items()
        if key not in catalog
    ]


def _all_marked() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "grader").rglob("*.py")):
        if "messages" in path.parts:
            continue
        rel = str(path.relative_to(ROOT))
        found.update(marked_messages(path.read_text(encoding="utf-8"), rel))
    return found


def test_every_marked_message_has_a_chinese_translation() -> None:
    """A message marked in the code and missing from the catalog is named by file and line."""
    missing = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        if "messages" not in path.parts:
            rel = str(path.relative_to(ROOT))
            missing += untranslated(path.read_text(encoding="utf-8"), rel, CATALOG)
    assert not missing, (
        "messages without a Chinese translation (add them to grader/messages/zh_cn.py):\n  - "
        + "\n  - ".join(missing)
    )


def test_the_modules_that_speak_to_a_student_mark_their_messages() -> None:
    """core.py, the sandbox and every exercise's grader really go through the catalog."""
    for rel in MARKED:
        found = marked_messages((ROOT / rel).read_text(encoding="utf-8"), rel)
        assert len(found) >= 12, f"{rel}: only {len(found)} marked messages"


def test_no_translation_of_a_message_no_code_uses() -> None:
    """An entry whose English no code marks any more (the English changed) is stale."""
    used = _all_marked()
    orphans = [key for key in CATALOG if key not in used]
    assert not orphans, (
        "grader/messages/zh_cn.py translates messages no code marks (the English changed? "
        "translate the new text):\n  - " + "\n  - ".join(map(repr, orphans))
    )


@pytest.mark.parametrize("key", sorted(CATALOG), ids=lambda k: k[:40])
def test_a_translation_keeps_the_placeholders_and_is_chinese(key: str) -> None:
    """The same {placeholders} as the English; Chinese text where the English has words."""
    chinese = CATALOG[key]
    assert sorted(PLACEHOLDER.findall(chinese)) == sorted(PLACEHOLDER.findall(key)), chinese
    if re.search(r"[a-z]{2,} [a-z]{2,}", PLACEHOLDER.sub("", key)):
        assert CJK.search(chinese), f"{key!r} is translated as {chinese!r}: no Chinese in it"


def test_the_check_catches_a_new_untranslated_message() -> None:
    """The check itself: a newly marked message is reported with its line."""
    source = 'from grader.messages import _\n\n\ndef f():\n    return _("a brand new message")\n'
    assert untranslated(source, "grader/new.py", CATALOG) == [
        "grader/new.py:5: 'a brand new message'"
    ]
    assert untranslated('_("passed")', "x.py", CATALOG) == []


def _unbroadcast_wrong(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return grad  # forgets to sum: the wrong shape


def _judge_wrong_q1() -> str:
    question = core.get_exercise("04_tensors_and_functions").question("q1")
    cases = question.make_cases(np.random.default_rng(0))
    expected = [question.expected(case) for case in cases]
    results = [core.run_case(question, {"unbroadcast": _unbroadcast_wrong}, c) for c in cases]
    return core.judge(question, cases, expected, results)[1]


def test_feedback_is_english_unless_chinese_is_asked_for() -> None:
    """The same failure, in each language: shapes, numbers and names stay as they are."""
    english = _judge_wrong_q1()
    assert english.startswith("for input grad=") and "has shape" in english, english
    with messages.speaking("zh-CN"):
        chinese = _judge_wrong_q1()
    assert chinese.startswith("对于输入 grad=") and "的形状是" in chinese, chinese
    assert "把梯度沿广播新增或拉伸的维度求和" in chinese  # the question's hint, translated
    assert re.findall(r"\(\d[\d, ]*\)", chinese)[:2] == re.findall(r"\(\d[\d, ]*\)", english)[:2]
    assert messages.current() == "en"


def test_a_message_made_in_english_in_the_notebooks_process_is_shown_in_chinese() -> None:
    """The graded notebook's process raises its errors in English; the grader re-renders them."""
    text = "the notebook does not define `unbroadcast` (did its cell run without an error?)"
    with messages.speaking("zh"):
        assert messages.localize(text) == (
            "notebook 没有定义 `unbroadcast`（定义它的单元格是否已经运行且没有报错？）"
        )
        assert messages.localize("some error numpy wrote") == "some error numpy wrote"
    assert messages.localize(text) == text


def _notebook(tmp_path: Path, language: str | None) -> Path:
    metadata: dict = {"exercise": "04_tensors_and_functions", "version": 2}
    if language:
        metadata["language"] = language
    path = tmp_path / "04_tensors_and_functions_exercises.ipynb"
    path.write_text(json.dumps({"metadata": {"minigrad": metadata}, "cells": []}))
    return path


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-CN", "q1（把梯度反广播回输入的形状）：未通过"), (None, "q1 (unbroad")],
)
def test_check_speaks_the_language_of_the_notebook_it_runs_in(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str | None,
    expected: str,
) -> None:
    """check() reads metadata.minigrad.language of its notebook (found in the kernel's folder)."""
    monkeypatch.delenv(messages.LANGUAGE_ENV, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv(core.GRADING_ENV, raising=False)
    _notebook(tmp_path, language)
    monkeypatch.chdir(tmp_path)
    check = core.checker("04_tensors_and_functions", {"unbroadcast": _unbroadcast_wrong})
    check("q1")
    out = capsys.readouterr().out
    assert out.startswith(expected), out


def test_check_finds_its_notebook_by_the_session_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """JupyterLab names the kernel's notebook (``__session__``); its metadata decides."""
    monkeypatch.delenv(messages.LANGUAGE_ENV, raising=False)
    monkeypatch.delenv(core.GRADING_ENV, raising=False)
    path = _notebook(tmp_path, "zh-CN")
    monkeypatch.chdir(ROOT)  # English exercise notebooks nowhere near
    namespace = {"__session__": str(path), "unbroadcast": _unbroadcast_wrong}
    core.checker("04_tensors_and_functions", namespace)("q1")
    assert "未通过" in capsys.readouterr().out


def test_the_chinese_edition_sets_the_language_the_grader_reads() -> None:
    """exercises/zh and solutions/zh carry metadata.minigrad.language = zh-CN (and the
    exercise id the grader recognises them by)."""
    for folder in ("exercises/zh", "solutions/zh"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = json.loads(path.read_text(encoding="utf-8"))
            assert messages.language_of(notebook) == "zh-CN", path
            assert notebook["metadata"]["minigrad"]["exercise"] in core.EXERCISE_MODULES


def test_grading_a_chinese_submission_gives_chinese_feedback() -> None:
    """The grader reads the language from the submitted file: the Chinese solution scores
    full marks with Chinese reasons, the Chinese stubs score 0 with Chinese reasons."""
    from grader import grade_notebook

    name = "04_tensors_and_functions_exercises.ipynb"
    solved = grade_notebook(ROOT / "solutions" / "zh" / name)
    assert solved.total == solved.max_total == 10, solved
    assert all(reason.startswith("通过：") for reason in solved.reasons.values()), solved.reasons
    stubs = grade_notebook(ROOT / "exercises" / "zh" / name)
    assert stubs.total == 0, stubs
    assert stubs.reasons["q1"].startswith("尚未作答：`unbroadcast` 仍然抛出"), stubs.reasons
    english = grade_notebook(ROOT / "exercises" / name)
    assert english.reasons["q1"].startswith("not answered yet: "), english.reasons


@pytest.mark.parametrize(
    ("exercise", "debug", "fragment"),
    [
        ("01_chain_rule", "q4", "结果是逐元素的 (df/dx, df/dy)"),  # the question's layout
        ("02_computation_graphs", "q3", "对于函数 f(x) = "),  # its own description of a case
    ],
)
def test_the_chinese_exercises_01_and_02_are_graded_in_chinese(
    exercise: str, debug: str, fragment: str
) -> None:
    """Their solutions score full marks and their stubs 0, every reason in Chinese (the debug
    question's stub holds the planted bugs, so its reason is a Chinese account of a failure,
    in the exercise module's own translated words)."""
    from grader import grade_notebook

    name = f"{exercise}_exercises.ipynb"
    solved = grade_notebook(ROOT / "solutions" / "zh" / name)
    assert solved.total == solved.max_total > 0, solved
    assert all(reason.startswith("通过：") for reason in solved.reasons.values()), solved.reasons
    stubs = grade_notebook(ROOT / "exercises" / "zh" / name)
    assert stubs.total == 0, stubs
    for question, reason in stubs.reasons.items():
        assert reason.startswith(("尚未作答：", "对于")), (question, reason)
        assert CJK.search(reason), (question, reason)
    assert fragment in stubs.reasons[debug], stubs.reasons[debug]


def test_a_hang_in_a_chinese_submission_is_reported_in_chinese(tmp_path: Path) -> None:
    """The sandbox's own reasons (a case that hangs) follow the submission's language too."""
    from grader import Limits, grade_notebook

    name = "04_tensors_and_functions_exercises.ipynb"
    notebook = json.loads((ROOT / "solutions" / "zh" / name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if source.startswith("def unbroadcast("):
            cell["source"] = "def unbroadcast(grad, shape):\n    while True:\n        pass\n"
    path = tmp_path / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    result = grade_notebook(path, Limits(timeout=60, case_timeout=2))
    reason = result.reasons["q1"]
    assert reason.startswith("它的运行时间超过了每个测试用例 2 秒的时限"), reason
    assert "（发生在第 1 个测试用例上，共 8 个；输入 grad=" in reason, reason


@pytest.mark.parametrize("name", ["03_value_autograd", "05_framework_kernels", "06_training"])
def test_the_chinese_stubs_of_an_exercise_are_graded_in_chinese(name: str) -> None:
    """Every reason the grader gives on a Chinese exercise is in Chinese, including a debug
    question's failure on the planted bug (raised in English in the notebook's process, and
    re-rendered by the grader) and the exercise module's own descriptions of its cases."""
    from grader import grade_notebook

    result = grade_notebook(ROOT / "exercises" / "zh" / f"{name}_exercises.ipynb")
    assert result.total == 0, result
    for question, reason in result.reasons.items():
        assert CJK.search(reason), f"{name} {question}: {reason!r}"
    failed = [r for r in result.reasons.values() if r.startswith("对于")]
    assert failed, f"{name}: no question failed on its planted bug: {result.reasons}"
    # No English words of the module's own messages (its titles, hints, case descriptions).
    rel = f"grader/ex{name}.py"
    english = [
        piece.strip()
        for key in marked_messages((ROOT / rel).read_text(encoding="utf-8"), rel)
        for piece in PLACEHOLDER.split(key)[::2]
        if len(piece.strip()) >= 12 and piece.strip() not in CATALOG.get(key, "")
    ]
    leaked = [(p, r) for p in english for r in result.reasons.values() if p in r]
    assert not leaked, f"{name}: English left in the Chinese feedback: {leaked}"


def test_a_message_carried_inside_another_is_translated_too() -> None:
    """The grader re-translates the English its worker wrote; a message that carries another as
    a value (ex03's "... (e.g. {example})") comes out Chinese inside as well as outside."""
    inner = messages.fill(
        "{where}: it was {was}, it is now {now}", {"where": "v1", "was": "0.0", "now": "1.5"}
    )
    outer = messages.fill(
        "grad() changed the .grad of {n} nodes (e.g. {example}); like "
        "torch.autograd.grad, it must leave every .grad as it found it",
        {"n": 2, "example": inner},
    )
    with messages.speaking("zh-CN"):
        text = messages.localize(outer)
    assert CJK.search(text) and "it was" not in text and "v1" in text and "1.5" in text, text
