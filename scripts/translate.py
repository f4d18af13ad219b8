"""Build the Chinese edition of the notebooks from the English ones and the translations.

    python scripts/translate.py              # build notebooks/zh/ (refuses a missing or stale cell)
    python scripts/translate.py --check      # compare notebooks/zh/ with a fresh build, no writes
    python scripts/translate.py --todo NAME  # the cells of NAME still to translate, to paste

The English notebooks stay the source of truth. ``i18n/zh/NAME.md`` holds the translation of
notebook ``notebooks/NAME.ipynb``: one entry per markdown cell, each starting with a marker line

    <!-- cell 04e4f43b en 1a2b3c4d5e6f -->

that names the cell by its nbformat id and records the first 12 hex digits of the SHA-256 of the
English source it translates. A built notebook is the English notebook with each markdown cell's
source replaced by its translation; code cells, their outputs and every id and metadata field are
carried over unchanged, so the Chinese notebooks need no execution of their own.

An entry whose hash no longer matches the English cell is *stale*: the English changed after it
was translated. ``--todo NAME`` prints the English text of every missing or stale cell under the
marker line to paste (with the current hash); after translating, run the build. Only the notebooks
in TRANSLATED are built and required to be complete, so a partial edition builds and passes its
test (tests/test_translation.py), which names the notebooks still to do.

Figures: a code cell whose figure carries English text (titles, axis labels, legends) gets a
*code entry* instead, ``<!-- code ID en HASH -->`` (the hash of the English code cell), whose
lines each replace one string literal of that cell, quotes included:

    "f and its derivative, computed three ways" -> "f 及其导数的三种求法"

The built cell is the English code with exactly those literals replaced, nothing else; its
outputs are the ones the Chinese notebook got when it was last executed with that very code
(``./course.sh execute notebooks/zh/NAME.ipynb``; the kernel then runs in notebooks/zh/, whose
``matplotlibrc`` picks the CJK font). Until it has been, the build carries the English figure
over and ``--check`` reports the cell as not yet rendered. Every other cell is carried over
from the English unchanged.

The exercises: ``solutions/`` is the English source of both the solutions and the exercises
(``scripts/make_exercises.py``), so the solutions are translated (``i18n/zh/solutions/``) and
built into ``solutions/zh/``, and ``exercises/zh/`` is generated from those by the same
``make_exercise`` that makes ``exercises/``. ``exercises/README.md`` is translated section by
section (``i18n/zh/exercises/README.md``, keyed by the English heading) into
``exercises/zh/README.md``, with the same hash check.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import importlib.util
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Edition:
    """One folder of English notebooks, where its translations live and where it is built."""

    english: str  # folder of the English notebooks, relative to the repository
    sources: str  # folder of the translation files (NAME.md per notebook NAME.ipynb)
    built: str  # folder the Chinese notebooks are written to
    stubs: str = ""  # folder of the exercise stubs generated from the built notebooks, if any
    # Code cells whose output is in the notebook's language (check() answers in Chinese in a
    # Chinese notebook): like a figure cell, their outputs come from a run of the Chinese one.
    speaks: str = ""


EDITIONS = [
    Edition("notebooks", "i18n/zh", "notebooks/zh"),
    Edition(
        "solutions", "i18n/zh/solutions", "solutions/zh", stubs="exercises/zh", speaks=r"^check\("
    ),
]

# The notebooks whose translation is complete, in course order: built and checked by CI.
TRANSLATED = {
    "notebooks": [
        "01_chain_rule",
        "02_computation_graphs",
        "02b_pytorch_graphs",
        "03_value_autograd",
        "03b_value_training",
        "04_tensors_and_functions",
        "05_framework_kernels",
        "06_training",
        "07_higher_order",
    ],
    "solutions": [
        "01_chain_rule_exercises",
        "02_computation_graphs_exercises",
        "03_value_autograd_exercises",
        "04_tensors_and_functions_exercises",
        "05_framework_kernels_exercises",
        "06_training_exercises",
        "07_higher_order_exercises",
    ],
}

# Markdown files translated section by section: English file -> (translation, built file).
DOCUMENTS = {"exercises/README.md": ("i18n/zh/exercises/README.md", "exercises/zh/README.md")}

HASH_DIGITS = 12
MARKER = re.compile(
    r"^<!-- (?P<kind>cell|code|section) (?P<id>[A-Za-z0-9_-]+) en (?P<hash>[0-9a-f]+) -->$",
    re.MULTILINE,
)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# One replacement of a code entry: a double-quoted literal, "->", its translation.
LITERAL = r'"(?:[^"\\\n]|\\.)*"'
REPLACEMENT = re.compile(rf"^(?P<en>{LITERAL})\s*->\s*(?P<zh>{LITERAL})$")
# A figure whose text a reader needs: a cell with an image output that sets a title, an axis
# label or a legend entry from a string literal with a word in it.
FIGURE_TEXT = re.compile(
    r"\b(?:set_title|suptitle|title|set_xlabel|xlabel|set_ylabel|ylabel|label)\s*[=(]\s*"
    r'(?:[rf]?"[^"]*[A-Za-z]{3})'
)


class TranslationError(ValueError):
    """A translation file that cannot be read, or a notebook that cannot be built from it."""


@dataclass(frozen=True)
class Entry:
    """The translation of one markdown cell (or, for kind "code", the string literals of one
    code cell, or a "section" of a markdown file) and the hash of the English it translates."""

    source_hash: str
    text: str
    kind: str = "cell"

    def replacements(self) -> list[tuple[str, str]]:
        """A code entry's (English literal, Chinese literal) pairs, quotes included."""
        pairs = []
        for line in COMMENT.sub("", self.text).splitlines():
            if not line.strip():
                continue
            match = REPLACEMENT.match(line.strip())
            if not match:
                raise TranslationError(
                    f'code entry line {line.strip()!r} is not \'"English" -> "中文"\' (two '
                    "double-quoted literals)"
                )
            pairs.append((match["en"], match["zh"]))
        return pairs


def source_hash(source: str) -> str:
    """The hash an entry records: the first digits of the SHA-256 of the English cell source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def marker(cell_id: str, source: str) -> str:
    """The marker line that starts the entry translating this English cell."""
    return f"<!-- cell {cell_id} en {source_hash(source)} -->"


def parse(text: str, where: str = "translation") -> dict[str, Entry]:
    """The entries of a translation file, by cell id. Text before the first marker may only be
    HTML comments (a header for translators)."""
    matches = list(MARKER.finditer(text))
    head = text[: matches[0].start()] if matches else text
    if COMMENT.sub("", head).strip():
        raise TranslationError(
            f"{where}: text before the first '<!-- cell ID en HASH -->' marker line; every "
            "translation must follow a marker (comments are fine)"
        )
    entries: dict[str, Entry] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        cell_id = match.group("id")
        if cell_id in entries:
            raise TranslationError(f"{where}: cell {cell_id} is translated twice")
        body = text[match.end() : end].strip("\n")
        if not body.strip():
            raise TranslationError(f"{where}: the entry for cell {cell_id} is empty")
        entries[cell_id] = Entry(match.group("hash"), body, match.group("kind"))
    return entries


@dataclass
class Status:
    """How a translation file stands against its English notebook."""

    missing: list[str]  # ids of English markdown cells without an entry
    stale: list[str]  # ids whose entry translates an older English text
    orphans: list[str]  # ids of entries for cells the notebook no longer has (or not markdown)
    first_lines: dict[str, str]  # cell id -> the English cell's first line, for messages
    figures: list[str] = field(default_factory=list)  # figure cells with English text, no entry
    broken: list[str] = field(default_factory=list)  # code entries that cannot be applied

    def problems(self, name: str) -> list[str]:
        """One message per missing, stale or orphaned cell, naming the notebook and the cell."""
        lines = [
            f"{name}: cell {i} has no translation (English: {self.first_lines[i]!r})"
            for i in self.missing
        ]
        lines += [
            f"{name}: cell {i} changed in English since it was translated (English now: "
            f"{self.first_lines[i]!r}); update the translation and its hash (--todo {name})"
            for i in self.stale
        ]
        lines += [
            f"{name}: the entry for cell {i} matches no cell of its kind" for i in self.orphans
        ]
        lines += [
            f"{name}: code cell {i} draws a figure with English text (titles, labels, legends) "
            f"and has no code entry (--todo {name})"
            for i in self.figures
        ]
        lines += [f"{name}: {problem}" for problem in self.broken]
        return lines


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "(empty)")


def is_figure_with_text(cell: Any) -> bool:
    """A code cell that draws a figure (an image output) whose title, labels or legend are
    English words set from string literals: its text is to be translated."""
    drawn = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
    return cell.cell_type == "code" and drawn and bool(FIGURE_TEXT.search(cell.source))


def translated_code(source: str, entry: Entry, cell_id: str) -> str:
    """The code cell with its code entry's literals replaced (each must be in the English
    code, and the result must still be Python)."""
    for english, chinese in entry.replacements():
        if english not in source:
            raise TranslationError(f"code cell {cell_id} has no literal {english}")
        source = source.replace(english, chinese)
    try:
        ast.parse(source)
    except SyntaxError as error:
        raise TranslationError(f"code cell {cell_id} is no longer Python: {error}") from None
    return source


def status(english: nbformat.NotebookNode, entries: dict[str, Entry]) -> Status:
    """Compare a translation with the English notebook, cell by cell."""
    markdown = {cell.id: cell.source for cell in english.cells if cell.cell_type == "markdown"}
    code = {cell.id: cell.source for cell in english.cells if cell.cell_type == "code"}
    texts = {i: e for i, e in entries.items() if e.kind == "cell"}
    literals = {i: e for i, e in entries.items() if e.kind == "code"}
    missing = [i for i in markdown if i not in texts]
    stale = [i for i in markdown if i in texts and texts[i].source_hash != source_hash(markdown[i])]
    stale += [i for i in code if i in literals and literals[i].source_hash != source_hash(code[i])]
    orphans = [i for i in texts if i not in markdown] + [i for i in literals if i not in code]
    first_lines = {i: _first_line(source) for i, source in {**markdown, **code}.items()}
    figures = [c.id for c in english.cells if is_figure_with_text(c) and c.id not in literals]
    broken = []
    for cell_id, entry in literals.items():
        if cell_id in code and cell_id not in stale:
            try:
                translated_code(code[cell_id], entry, cell_id)
            except TranslationError as error:
                broken.append(str(error))
    return Status(missing, stale, orphans, first_lines, figures, broken)


def translate(
    english: nbformat.NotebookNode,
    entries: dict[str, Entry],
    name: str,
    rendered: nbformat.NotebookNode | None = None,
    speaks: str = "",
) -> nbformat.NotebookNode:
    """The Chinese notebook: markdown from the entries, figure cells with their literals
    replaced, everything else copied from English. The outputs of a figure cell (and of a cell
    matching ``speaks``, whose output is in the notebook's language) come from ``rendered``
    (the Chinese notebook as last executed) where that ran the same code and its outputs are
    not the English ones; the ids of the cells it could not take from there are in
    ``metadata.minigrad.unrendered`` of the result (popped by the caller)."""
    problems = status(english, entries).problems(name)
    if problems:
        raise TranslationError("\n".join(problems))
    drawn = {cell.id: cell for cell in rendered.cells} if rendered is not None else {}
    built = copy.deepcopy(english)
    unrendered = []
    for cell in built.cells:
        entry = entries.get(cell.id)
        if cell.cell_type == "markdown":
            cell.source = entries[cell.id].text
        elif (entry is not None and entry.kind == "code") or _speaks(cell, speaks):
            if entry is not None and entry.kind == "code":
                cell.source = translated_code(cell.source, entry, cell.id)
            old = drawn.get(cell.id)
            fresh = old is not None and old.source == cell.source and old.get("outputs")
            if fresh and old is not None and old.outputs != cell.outputs:
                cell.outputs = copy.deepcopy(old.outputs)
            elif cell.outputs:
                unrendered.append(cell.id)
    built.metadata["minigrad"] = {
        **english.metadata.get("minigrad", {}),
        "language": LANGUAGE,
        "translated_from": f"{name}.ipynb",
    }
    if unrendered:
        built.metadata["minigrad"]["unrendered"] = unrendered
    return built


def _speaks(cell: Any, speaks: str) -> bool:
    return bool(speaks) and cell.cell_type == "code" and bool(re.search(speaks, cell.source, re.M))


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    ids = [cell.get("id") for cell in notebook.cells]
    if None in ids or len(set(ids)) != len(ids):
        raise TranslationError(
            f"{path}: cells without ids or with repeated ids; translations are keyed by cell id "
            "(nbformat 4.5): normalise it with nbformat.validator.normalize and save it"
        )
    return notebook


def read_entries(edition: Edition, name: str) -> dict[str, Entry]:
    """The entries of ``NAME.md`` in the edition's translation folder ({} if there is none)."""
    path = ROOT / edition.sources / f"{name}.md"
    if not path.exists():
        return {}
    return parse(path.read_text(encoding="utf-8"), where=str(path.relative_to(ROOT)))


def build_result(edition: Edition, name: str) -> tuple[str, list[str]]:
    """The Chinese notebook NAME, serialised exactly as it is stored, and the ids of its
    figure cells still to be drawn with Chinese labels (by executing it)."""
    english = _read_notebook(ROOT / edition.english / f"{name}.ipynb")
    stored = ROOT / edition.built / f"{name}.ipynb"
    rendered = nbformat.read(stored, as_version=4) if stored.exists() else None
    built = translate(english, read_entries(edition, name), name, rendered, edition.speaks)
    unrendered = built.metadata["minigrad"].pop("unrendered", [])
    return nbformat.writes(built) + "\n", unrendered


def build_text(edition: Edition, name: str) -> str:
    """The Chinese notebook NAME, serialised exactly as it is stored."""
    return build_result(edition, name)[0]


def _make_exercises() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_exercises", ROOT / "scripts/make_exercises.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stub_text(built_text: str, name: str) -> str:
    """The exercise stubs made from a built Chinese solution notebook (make_exercises.py)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.ipynb"
        path.write_text(built_text, encoding="utf-8")
        return str(_make_exercises().make_exercise(path))


def english_names(edition: Edition) -> list[str]:
    """The English notebooks of an edition (not its translations), by name."""
    return sorted(path.stem for path in (ROOT / edition.english).glob("*.ipynb"))


def untranslated(edition: Edition) -> list[str]:
    """The English notebooks not yet declared translated, in course (file name) order."""
    done = set(TRANSLATED.get(edition.english, []))
    return [name for name in english_names(edition) if name not in done]


def _compare(target: Path, expected: str, name: str, source: str) -> list[str]:
    if not target.exists():
        return [f"{name}: {target.relative_to(ROOT)} is missing (run the build)"]
    if target.read_text(encoding="utf-8") != expected:
        return [
            f"{name}: {target.relative_to(ROOT)} differs from what the build writes (edit the "
            f"English source or {source}, never the built file, then build)"
        ]
    return []


def check(edition: Edition) -> list[str]:
    """Everything out of step in an edition: stale, missing or orphaned entries of the declared
    notebooks, built notebooks (or stubs) that differ from what the build writes, or that are
    not declared, figures not yet drawn with their Chinese labels."""
    problems = []
    declared = TRANSLATED.get(edition.english, [])
    for name in declared:
        if not (ROOT / edition.english / f"{name}.ipynb").exists():
            problems.append(
                f"{name}: declared translated, but {edition.english}/{name}.ipynb is gone"
            )
            continue
        try:
            expected, unrendered = build_result(edition, name)
        except TranslationError as error:
            problems.append(str(error))
            continue
        source = f"{edition.sources}/{name}.md"
        problems += _compare(ROOT / edition.built / f"{name}.ipynb", expected, name, source)
        problems += [_unrendered(edition, name, cell_id) for cell_id in unrendered]
        if edition.stubs:
            stubs = stub_text(expected, name)
            problems += _compare(ROOT / edition.stubs / f"{name}.ipynb", stubs, name, source)
    folders = [edition.built] + ([edition.stubs] if edition.stubs else [])
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            if path.stem not in declared:
                problems.append(
                    f"{path.relative_to(ROOT)} is not in TRANSLATED (scripts/translate.py): "
                    "declare it or delete it"
                )
    return problems


def _unrendered(edition: Edition, name: str, cell_id: str) -> str:
    return (
        f"{name}: the output of code cell {cell_id} is not yet the Chinese one (a figure's "
        f"labels, check()'s verdict): run ./course.sh execute {edition.built}/{name}.ipynb, "
        "then scripts/translate.py"
    )


def todo(edition: Edition, name: str) -> str:
    """The entries still to write for notebook NAME: the marker line, then the English text
    (for a figure cell, its string literals as lines to complete)."""
    english = _read_notebook(ROOT / edition.english / f"{name}.ipynb")
    entries = read_entries(edition, name)
    state = status(english, entries)
    cells = {cell.id: cell for cell in english.cells}
    parts = []
    for cell_id in state.missing + state.stale + state.figures:
        cell = cells[cell_id]
        was = "stale" if cell_id in state.stale else "missing"
        if cell.cell_type == "code":
            head = marker(cell_id, cell.source).replace("<!-- cell", "<!-- code")
            literals = sorted(set(re.findall(LITERAL, cell.source)), key=cell.source.index)
            lines = [
                f"{literal} -> {literal}"
                for literal in literals
                if re.search("[A-Za-z]{3}", literal)
            ]
            parts.append(f"{head}\n<!-- {was}; English code:\n{cell.source}\n-->\n")
            parts.append("\n".join(lines) + "\n")
        else:
            parts.append(f"{marker(cell_id, cell.source)}\n<!-- {was}; English: -->\n")
            parts.append(cell.source + "\n")
    parts += [f"<!-- orphan entry, delete it: cell {i} -->\n" for i in state.orphans]
    return "\n".join(parts)


def build(edition: Edition) -> list[str]:
    """Write every declared notebook of an edition (and its stubs); returns the problems
    (nothing written for a notebook whose translation has any)."""
    problems = []
    for name in TRANSLATED.get(edition.english, []):
        try:
            text, unrendered = build_result(edition, name)
        except TranslationError as error:
            problems.append(str(error))
            continue
        _write(ROOT / edition.built / f"{name}.ipynb", text)
        if edition.stubs:
            _write(ROOT / edition.stubs / f"{name}.ipynb", stub_text(text, name))
        for cell_id in unrendered:
            print(f"warning: {_unrendered(edition, name, cell_id)}", file=sys.stderr)
    return problems


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


# Markdown files (exercises/README.md): one entry per section, keyed by its heading's slug.
HEADING = re.compile(r"^#{1,6} (?P<title>.+)$")


def sections(markdown: str) -> dict[str, str]:
    """A markdown file split before each heading (outside code blocks), by the heading's slug
    ("## Teaching assistants" -> "teaching-assistants"; text before any heading is "top")."""
    parts: dict[str, list[str]] = {}
    current, fenced = "top", False
    for line in markdown.rstrip("\n").split("\n"):
        fenced = fenced != line.startswith("```")
        heading = None if fenced else HEADING.match(line)
        if heading:
            slug = re.sub(r"[^a-z0-9]+", "-", heading["title"].lower()).strip("-") or "section"
            current = slug
            suffix = 2
            while current in parts:
                current, suffix = f"{slug}-{suffix}", suffix + 1
        parts.setdefault(current, []).append(line)
    return {
        key: "\n".join(lines).strip("\n") for key, lines in parts.items() if "".join(lines).strip()
    }


def document_problems(english_path: str) -> tuple[list[str], str]:
    """What is out of step in one translated markdown file, and the Chinese file it builds."""
    source, _ = DOCUMENTS[english_path]
    english = sections((ROOT / english_path).read_text(encoding="utf-8"))
    path = ROOT / source
    entries = parse(path.read_text(encoding="utf-8"), source) if path.exists() else {}
    problems = []
    for key, text in english.items():
        entry = entries.get(key)
        first = _first_line(text)
        if entry is None or entry.kind != "section":
            problems.append(
                f"{english_path}: section {key} has no translation (English: {first!r})"
            )
        elif entry.source_hash != source_hash(text):
            problems.append(
                f"{english_path}: section {key} changed in English since it was translated "
                f"(English now: {first!r}); update {source} and its hash (--todo {english_path})"
            )
    problems += [f"{source}: the entry {k} matches no section" for k in entries if k not in english]
    header = f"<!-- 由 scripts/translate.py 从 {english_path} 和 {source} 生成; 请勿直接编辑 -->"
    body = "\n\n".join(entries[k].text for k in english if k in entries)
    return problems, f"{header}\n\n{body}\n"


def document_todo(english_path: str) -> str:
    """The sections of a markdown file still to translate, under their marker lines."""
    source, _ = DOCUMENTS[english_path]
    path = ROOT / source
    entries = parse(path.read_text(encoding="utf-8"), source) if path.exists() else {}
    parts = []
    for key, text in sections((ROOT / english_path).read_text(encoding="utf-8")).items():
        if key not in entries or entries[key].source_hash != source_hash(text):
            parts.append(f"<!-- section {key} en {source_hash(text)} -->\n{text}\n")
    return "\n".join(parts)


def documents(write: bool) -> list[str]:
    """Build (or check) every translated markdown file; returns the problems."""
    problems = []
    for english_path, (_, built) in DOCUMENTS.items():
        found, text = document_problems(english_path)
        problems += found
        if found:
            continue
        if write:
            _write(ROOT / built, text)
        elif not (ROOT / built).exists() or (ROOT / built).read_text(encoding="utf-8") != text:
            problems.append(f"{built} differs from what the build writes (run the build)")
    return problems


def main(argv: list[str]) -> int:
    """Build, check or list what to translate; exit status 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--todo", metavar="NAME", help="print the cells of NAME to translate")
    args = parser.parse_args(argv)
    if args.todo:
        if args.todo in DOCUMENTS:
            print(document_todo(args.todo), end="")
            return 0
        edition = next((e for e in EDITIONS if args.todo in english_names(e)), None)
        if edition is None:
            print(f"error: no English notebook named {args.todo}", file=sys.stderr)
            return 2
        print(todo(edition, args.todo), end="")
        return 0
    problems = []
    for edition in EDITIONS:
        problems += check(edition) if args.check else build(edition)
        remaining = untranslated(edition)
        if remaining:
            print(f"{edition.english}: not yet translated: {', '.join(remaining)}")
    problems += documents(write=not args.check)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
