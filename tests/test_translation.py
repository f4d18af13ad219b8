"""The Chinese edition stays in step with the English notebooks (scripts/translate.py).

For every notebook declared translated (``TRANSLATED`` in scripts/translate.py): each English
markdown cell has a translation whose recorded hash matches the English text (a missing or stale
one is named by notebook and cell id), and ``notebooks/zh/NAME.ipynb`` is exactly what the build
writes (code cells, outputs, ids and metadata carried over from the English). Notebooks not yet
declared are listed in a warning, so a partial edition passes and says what remains. The glossary
(i18n/zh/glossary.md) lists renderings the course does not use; none may appear in a translation.

Figures: a code cell that draws English titles, labels or legends has a code entry whose literals
the build replaces (nothing else of the code changes), and its stored figure was drawn from the
Chinese code. The exercises: solutions/zh/ is built like notebooks/zh/, exercises/zh/ is made
from it by scripts/make_exercises.py (the same code as exercises/, Chinese text), and
exercises/zh/README.md is built from exercises/README.md section by section, hash-checked too.
"""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "i18n" / "zh" / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
FENCE = re.compile(r"```.*?```", re.DOTALL)
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]+`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


def _load_translate() -> Any:
    spec = importlib.util.spec_from_file_location("translate", ROOT / "scripts" / "translate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["translate"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


translate = _load_translate()
# Every declared notebook of every edition (the notebooks; the exercises once they are added).
DECLARED = [
    (edition, name)
    for edition in translate.EDITIONS
    for name in translate.TRANSLATED.get(edition.english, [])
]
DECLARED_IDS = [f"{edition.english}/{name}" for edition, name in DECLARED]


def _english(edition: Any, name: str) -> Any:
    return nbformat.read(ROOT / edition.english / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("edition", translate.EDITIONS, ids=lambda e: e.english)
def test_declared_notebooks_exist_in_course_order_and_the_rest_is_listed(edition: Any) -> None:
    """TRANSLATED names English notebooks, in course order; the ones left are reported."""
    names = translate.english_names(edition)
    declared = translate.TRANSLATED.get(edition.english, [])
    unknown = [name for name in declared if name not in names]
    assert not unknown, f"TRANSLATED names notebooks that do not exist: {unknown}"
    assert declared == sorted(declared), f"TRANSLATED is not in course order: {declared}"
    remaining = translate.untranslated(edition)
    if remaining:
        warnings.warn(
            f"Chinese edition of {edition.english}/: {len(declared)} of {len(names)} notebooks "
            f"translated; not yet translated: {', '.join(remaining)}",
            stacklevel=1,
        )


@pytest.mark.parametrize(("edition", "name"), DECLARED, ids=DECLARED_IDS)
def test_every_markdown_cell_has_a_current_translation(edition: Any, name: str) -> None:
    """No English markdown cell without a translation, none changed since it was translated."""
    entries = translate.read_entries(edition, name)
    problems = translate.status(_english(edition, name), entries).problems(name)
    assert not problems, (
        f"{edition.sources}/{name}.md is out of step with {edition.english}/{name}.ipynb "
        f"(python scripts/translate.py --todo {name} prints what to translate):\n  - "
        + "\n  - ".join(problems)
    )


@pytest.mark.parametrize("edition", translate.EDITIONS, ids=lambda e: e.english)
def test_built_notebooks_are_what_the_script_builds(edition: Any) -> None:
    """notebooks/zh/ holds exactly the declared notebooks, each as the build writes it."""
    problems = translate.check(edition)
    assert not problems, (
        f"{edition.built}/ is out of step (run: .venv/bin/python scripts/translate.py):\n  - "
        + "\n  - ".join(problems)
    )


@pytest.mark.parametrize(("edition", "name"), DECLARED, ids=DECLARED_IDS)
def test_built_notebook_keeps_the_code_and_outputs_and_translates_every_text(
    edition: Any, name: str
) -> None:
    """Same cells in the same order; code cells (source, outputs, metadata) identical; every
    markdown cell in Chinese."""
    english = _english(edition, name)
    chinese = nbformat.read(ROOT / edition.built / f"{name}.ipynb", as_version=4)
    assert [(c.id, c.cell_type) for c in chinese.cells] == [
        (c.id, c.cell_type) for c in english.cells
    ], f"{name}: the Chinese notebook's cells differ from the English ones"
    entries = translate.read_entries(edition, name)
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        entry = entries.get(en.id)
        if en.cell_type == "code" and entry is not None and entry.kind == "code":
            # A figure cell: the English code with exactly its entry's literals replaced, its
            # figure drawn again from that code (checked in test_figure_cells_...).
            assert zh.source == translate.translated_code(en.source, entry, en.id)
            assert zh.metadata == en.metadata, f"{name}: code cell {en.id}'s metadata differs"
        elif translate._speaks(en, edition.speaks):
            # check() answers in the notebook's language: the same code, Chinese output.
            assert zh.source == en.source and zh.metadata == en.metadata, en.id
            printed = "".join(o.get("text", "") for o in zh.outputs)
            assert CJK.search(printed), f"{name}: cell {en.id} printed no Chinese: {printed!r}"
        elif en.cell_type == "code":
            assert zh == en, f"{name}: code cell {en.id} differs from the English one"
        else:
            assert CJK.search(zh.source), f"{name}: markdown cell {en.id} has no Chinese text"
            assert zh.metadata == en.metadata
    assert chinese.metadata["kernelspec"] == english.metadata["kernelspec"]
    assert chinese.metadata["minigrad"]["language"] == "zh-CN"


def _kept_parts(markdown: str) -> dict[str, Counter[str]]:
    """What a translation must carry over: fenced code, formulas (spacing aside), code spans
    and link targets, each counted."""
    fences = FENCE.findall(markdown)
    rest = FENCE.sub("", markdown)
    formulas = [" ".join(m.split()) for m in MATH.findall(rest)]
    rest = MATH.sub("", rest)
    return {
        "fenced code block": Counter(fences),
        "formula": Counter(formulas),
        "code span": Counter(CODE_SPAN.findall(rest)),
        "link target": Counter(LINK_TARGET.findall(rest)),
    }


@pytest.mark.parametrize(("edition", "name"), DECLARED, ids=DECLARED_IDS)
def test_formulas_code_and_links_are_kept(edition: Any, name: str) -> None:
    """Every formula, code span, code block and link of an English cell is in its translation,
    character for character (a translation may repeat one, never drop or alter it)."""
    entries = translate.read_entries(edition, name)
    problems = []
    for cell in _english(edition, name).cells:
        if cell.cell_type != "markdown" or cell.id not in entries:
            continue
        english, chinese = _kept_parts(cell.source), _kept_parts(entries[cell.id].text)
        for kind, wanted in english.items():
            lost = wanted - chinese[kind]
            problems += [f"cell {cell.id}: {kind} {item!r} is missing" for item in lost]
    assert not problems, f"{edition.sources}/{name}.md changed or dropped:\n  - " + "\n  - ".join(
        problems
    )


def test_a_changed_english_cell_makes_its_translation_stale_by_id() -> None:
    """The check itself: an edited English cell is reported by its id, and the build refuses."""
    edition = translate.EDITIONS[0]
    name = translate.english_names(edition)[0]
    english = _english(edition, name)
    entries = {
        cell.id: translate.Entry(translate.source_hash(cell.source), "译文")
        for cell in english.cells
        if cell.cell_type == "markdown"
    }
    figures = translate.read_entries(edition, name).items()
    entries.update({i: entry for i, entry in figures if entry.kind == "code"})
    assert translate.status(english, entries).problems(name) == []
    edited = copy.deepcopy(english)
    cell = next(c for c in edited.cells if c.cell_type == "markdown")
    cell.source += "\nOne more sentence."
    added = nbformat.v4.new_markdown_cell("A new English cell.")
    edited.cells.append(added)
    state = translate.status(edited, entries)
    assert state.stale == [cell.id] and state.missing == [added.id] and state.orphans == []
    with pytest.raises(translate.TranslationError) as error:
        translate.translate(edited, entries, name)
    message = str(error.value)
    assert f"cell {cell.id} changed in English since it was translated" in message, message
    assert f"cell {added.id} has no translation (English: 'A new English cell.')" in message
    del edited.cells[-1]
    edited.cells = [c for c in edited.cells if c.id != cell.id]
    assert translate.status(edited, entries).orphans == [cell.id]


def test_translation_files_are_parsed_strictly() -> None:
    """Markers, bodies, and mistakes a translator can make, each with a clear message."""
    text = "<!-- a header -->\n\n<!-- cell ab12 en 0123456789ab -->\n# 标题\n\n正文\n\n"
    text += "<!-- cell cd34 en ba9876543210 -->\n第二段\n"
    entries = translate.parse(text)
    assert entries["ab12"] == translate.Entry("0123456789ab", "# 标题\n\n正文")
    assert entries["cd34"].text == "第二段"
    bad = {
        "stray text\n<!-- cell ab12 en 0123456789ab -->\n正文": "text before the first",
        "<!-- cell ab12 en 0123456789ab -->\n一\n<!-- cell ab12 en 0123456789ab -->\n二": "twice",
        "<!-- cell ab12 en 0123456789ab -->\n\n": "is empty",
    }
    for source, expected in bad.items():
        with pytest.raises(translate.TranslationError, match=expected):
            translate.parse(source)


def _avoided_terms() -> dict[str, str]:
    """The glossary's "不用" column: rendering to avoid -> the one to use."""
    avoided = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("English", "") or set(cells[0]) <= set("-"):
            continue
        for term in filter(None, (t.strip() for t in cells[2].split("、"))):
            avoided[term] = cells[1]
    return avoided


def test_translations_follow_the_glossary() -> None:
    """No translation uses a rendering the glossary rules out (each hit names file and line)."""
    avoided = _avoided_terms()
    assert len(avoided) >= 10, f"the glossary's '不用' column was not read: {avoided}"
    hits = []
    sources = {ROOT / edition.sources for edition in translate.EDITIONS}
    for path in sorted({p for folder in sources for p in folder.rglob("*.md")}):
        if path == GLOSSARY:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            hits += [
                f"{path.relative_to(ROOT)}:{number}: {term!r} (the glossary uses {use!r})"
                for term, use in avoided.items()
                if term in line
            ]
    assert not hits, "renderings the glossary rules out:\n  - " + "\n  - ".join(hits)


def test_the_kept_parts_check_sees_an_altered_formula_and_a_dropped_code_span() -> None:
    """The check itself: a formula changed, a code span dropped, spacing in a formula ignored."""
    english = _kept_parts("Take $x^2 +  1$ and `grad_fn`, see [d2l](https://d2l.ai).")
    same = _kept_parts("取 $x^2 + 1$ 和 `grad_fn` 见 [d2l](https://d2l.ai)。")
    altered = _kept_parts("取 $x^3 + 1$ 见 [d2l](https://d2l.ai)。")
    assert all(not (english[kind] - same[kind]) for kind in english)
    assert english["formula"] - altered["formula"] == Counter(["$x^2 + 1$"])
    assert english["code span"] - altered["code span"] == Counter(["`grad_fn`"])


def _code_entries() -> list[tuple[Any, str, Any, Any]]:
    """(edition, notebook, English cell, entry) for every code entry of a declared notebook."""
    found = []
    for edition, name in DECLARED:
        entries = translate.read_entries(edition, name)
        for cell in _english(edition, name).cells:
            entry = entries.get(cell.id)
            if cell.cell_type == "code" and entry is not None and entry.kind == "code":
                found.append((edition, name, cell, entry))
    return found


def test_figure_cells_are_translated_and_drawn_from_the_chinese_code() -> None:
    """Each code entry changes only string literals, writes no formula ($...$) in a Chinese
    label (mathtext has no CJK glyphs: it would draw boxes), and the stored figure is the one
    that code drew (the build takes it over only from a run of the same Chinese code)."""
    problems = []
    code_entries = _code_entries()
    assert len(code_entries) >= 10, "the figures' code entries were not read"
    for edition, name, cell, entry in code_entries:
        for english, chinese in entry.replacements():
            if CJK.search(chinese) and "$" in chinese:
                problems.append(f"{name} cell {cell.id}: {chinese} mixes a $formula$ and Chinese")
            rewritten = "$" in english and "$" not in chinese  # its formula in Unicode, as beside
            if not CJK.search(chinese) and not rewritten:
                problems.append(f"{name} cell {cell.id}: {english} -> {chinese} has no Chinese")
        built = nbformat.read(ROOT / edition.built / f"{name}.ipynb", as_version=4)
        zh = next(c for c in built.cells if c.id == cell.id)
        if not any("image/png" in o.get("data", {}) for o in zh.outputs):
            problems.append(f"{name} cell {cell.id}: the Chinese notebook has no figure for it")
        if zh.outputs == cell.outputs:
            problems.append(f"{name} cell {cell.id}: the figure is the English one (execute it)")
    assert not problems, "figure translations:\n  - " + "\n  - ".join(problems)


def test_the_chinese_notebooks_use_the_cjk_font() -> None:
    """The kernel runs in notebooks/zh/, whose matplotlibrc puts the CJK font the set-up
    installs (apt.txt, course.sh) behind DejaVu Sans, so Chinese characters are not boxes."""
    rc = (ROOT / "notebooks" / "zh" / "matplotlibrc").read_text(encoding="utf-8")
    assert "font.family: DejaVu Sans, WenQuanYi Micro Hei" in rc
    assert "fonts-wqy-microhei" in (ROOT / "apt.txt").read_text(encoding="utf-8").split()
    assert "apt_install fonts-wqy-microhei" in (ROOT / "course.sh").read_text(encoding="utf-8")


def test_a_changed_english_figure_cell_makes_its_code_entry_stale() -> None:
    """The check itself for code: an edited figure cell is stale by id; a literal the code no
    longer has, or a replacement that is not two literals, is reported."""
    edition, name, cell, entry = _code_entries()[0]
    english = _english(edition, name)
    entries = {entry_id: e for entry_id, e in translate.read_entries(edition, name).items()}
    assert translate.status(english, entries).problems(name) == []
    edited = copy.deepcopy(english)
    target = next(c for c in edited.cells if c.id == cell.id)
    target.source = target.source.replace("plt.show()", "fig.tight_layout()\nplt.show()")
    assert translate.status(edited, entries).stale == [cell.id]
    del entries[cell.id]
    assert translate.status(edited, entries).figures == [cell.id]
    wrong = translate.Entry(entry.source_hash, '"no such label" -> "没有的标签"', "code")
    with pytest.raises(translate.TranslationError, match="has no literal"):
        translate.translated_code(cell.source, wrong, cell.id)
    with pytest.raises(translate.TranslationError, match="two double-quoted literals"):
        translate.Entry("0", "value -> 值", "code").replacements()


@pytest.mark.parametrize("name", translate.TRANSLATED["solutions"])
def test_chinese_exercises_have_the_english_exercises_code(name: str) -> None:
    """exercises/zh/NAME is the English exercise with its text in Chinese: the same cells, the
    same stubs and code, the metadata the grader and check() read (exercise, language)."""
    english = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
    chinese = nbformat.read(ROOT / "exercises" / "zh" / f"{name}.ipynb", as_version=4)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        if en.cell_type == "code":
            assert zh == en, f"{name}: code cell {en.id} differs from the English exercise"
        else:
            assert CJK.search(zh.source) and "BEGIN SOLUTION" not in zh.source, en.id
    minigrad = chinese.metadata["minigrad"]
    assert minigrad["exercise"] == english.metadata["minigrad"]["exercise"]
    assert minigrad["language"] == "zh-CN"


def test_translated_documents_are_current_and_built() -> None:
    """exercises/README.md: every section translated from its current English, and
    exercises/zh/README.md is what the build writes."""
    problems = translate.documents(write=False)
    assert not problems, "run: .venv/bin/python scripts/translate.py\n  - " + "\n  - ".join(
        problems
    )


@pytest.mark.parametrize("english_path", sorted(translate.DOCUMENTS))
def test_translated_documents_keep_code_and_links(english_path: str) -> None:
    """Each section keeps its code blocks, code spans and link targets."""
    source, _ = translate.DOCUMENTS[english_path]
    entries = translate.parse((ROOT / source).read_text(encoding="utf-8"), source)
    english = translate.sections((ROOT / english_path).read_text(encoding="utf-8"))
    problems = []
    for key, text in english.items():
        wanted, got = _kept_parts(text), _kept_parts(entries[key].text)
        for kind in ("fenced code block", "code span", "link target"):
            problems += [f"{key}: {kind} {item!r} is missing" for item in wanted[kind] - got[kind]]
    assert not problems, f"{source}:\n  - " + "\n  - ".join(problems)


def test_sections_are_keyed_by_heading_and_ignore_code_blocks() -> None:
    """The check itself: headings split, a "#" line inside a code block does not, a changed
    section is stale by its key."""
    text = "# Title\n\nintro\n\n## Two words\n\n```\n# not a heading\n```\n\n## Two words\nagain\n"
    parts = translate.sections(text)
    assert list(parts) == ["title", "two-words", "two-words-2"]
    assert "# not a heading" in parts["two-words"]
