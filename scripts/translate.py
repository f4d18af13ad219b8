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

Another folder (the exercises) is one more entry in EDITIONS: its English folder, the folder of
its translation files and the folder the Chinese notebooks go to.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Edition:
    """One folder of English notebooks, where its translations live and where it is built."""

    english: str  # folder of the English notebooks, relative to the repository
    sources: str  # folder of the translation files (NAME.md per notebook NAME.ipynb)
    built: str  # folder the Chinese notebooks are written to


# The exercises, once translated: Edition("exercises", "i18n/zh/exercises", "exercises/zh").
EDITIONS = [Edition("notebooks", "i18n/zh", "notebooks/zh")]

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
    ],
}

HASH_DIGITS = 12
MARKER = re.compile(r"^<!-- cell (?P<id>[A-Za-z0-9_-]+) en (?P<hash>[0-9a-f]+) -->$", re.MULTILINE)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class TranslationError(ValueError):
    """A translation file that cannot be read, or a notebook that cannot be built from it."""


@dataclass(frozen=True)
class Entry:
    """The translation of one markdown cell and the hash of the English it translates."""

    source_hash: str
    text: str


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
        entries[cell_id] = Entry(match.group("hash"), body)
    return entries


@dataclass
class Status:
    """How a translation file stands against its English notebook."""

    missing: list[str]  # ids of English markdown cells without an entry
    stale: list[str]  # ids whose entry translates an older English text
    orphans: list[str]  # ids of entries for cells the notebook no longer has (or not markdown)
    first_lines: dict[str, str]  # cell id -> the English cell's first line, for messages

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
        lines += [f"{name}: the entry for cell {i} matches no markdown cell" for i in self.orphans]
        return lines


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "(empty)")


def status(english: nbformat.NotebookNode, entries: dict[str, Entry]) -> Status:
    """Compare a translation with the English notebook, cell by cell."""
    markdown = {cell.id: cell.source for cell in english.cells if cell.cell_type == "markdown"}
    missing = [i for i in markdown if i not in entries]
    stale = [
        i for i in markdown if i in entries and entries[i].source_hash != source_hash(markdown[i])
    ]
    orphans = [i for i in entries if i not in markdown]
    first_lines = {i: _first_line(source) for i, source in markdown.items()}
    return Status(missing, stale, orphans, first_lines)


def translate(
    english: nbformat.NotebookNode, entries: dict[str, Entry], name: str
) -> nbformat.NotebookNode:
    """The Chinese notebook: markdown from the entries, everything else copied from English."""
    problems = status(english, entries).problems(name)
    if problems:
        raise TranslationError("\n".join(problems))
    built = copy.deepcopy(english)
    for cell in built.cells:
        if cell.cell_type == "markdown":
            cell.source = entries[cell.id].text
    built.metadata["minigrad"] = {"language": LANGUAGE, "translated_from": f"{name}.ipynb"}
    return built


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


def build_text(edition: Edition, name: str) -> str:
    """The Chinese notebook NAME, serialised exactly as it is stored."""
    english = _read_notebook(ROOT / edition.english / f"{name}.ipynb")
    built = translate(english, read_entries(edition, name), name)
    return nbformat.writes(built) + "\n"


def english_names(edition: Edition) -> list[str]:
    """The English notebooks of an edition (not its translations), by name."""
    return sorted(path.stem for path in (ROOT / edition.english).glob("*.ipynb"))


def untranslated(edition: Edition) -> list[str]:
    """The English notebooks not yet declared translated, in course (file name) order."""
    done = set(TRANSLATED.get(edition.english, []))
    return [name for name in english_names(edition) if name not in done]


def check(edition: Edition) -> list[str]:
    """Everything out of step in an edition: stale, missing or orphaned entries of the declared
    notebooks, built notebooks that differ from what the build writes, or that are not declared."""
    problems = []
    declared = TRANSLATED.get(edition.english, [])
    for name in declared:
        if not (ROOT / edition.english / f"{name}.ipynb").exists():
            problems.append(
                f"{name}: declared translated, but {edition.english}/{name}.ipynb is gone"
            )
            continue
        try:
            expected = build_text(edition, name)
        except TranslationError as error:
            problems.append(str(error))
            continue
        target = ROOT / edition.built / f"{name}.ipynb"
        if not target.exists():
            problems.append(f"{name}: {target.relative_to(ROOT)} is missing (run the build)")
        elif target.read_text(encoding="utf-8") != expected:
            problems.append(
                f"{name}: {target.relative_to(ROOT)} differs from what the build writes (edit the "
                f"English notebook or {edition.sources}/{name}.md, never the built one, then build)"
            )
    for path in sorted((ROOT / edition.built).glob("*.ipynb")):
        if path.stem not in declared:
            problems.append(
                f"{path.relative_to(ROOT)} is not in TRANSLATED (scripts/translate.py): declare it "
                "or delete it"
            )
    return problems


def todo(edition: Edition, name: str) -> str:
    """The entries still to write for notebook NAME: the marker line, then the English text."""
    english = _read_notebook(ROOT / edition.english / f"{name}.ipynb")
    entries = read_entries(edition, name)
    state = status(english, entries)
    sources = {cell.id: cell.source for cell in english.cells}
    parts = []
    for cell_id in state.missing + state.stale:
        was = "stale" if cell_id in state.stale else "missing"
        parts.append(f"{marker(cell_id, sources[cell_id])}\n<!-- {was}; English: -->\n")
        parts.append(sources[cell_id] + "\n")
    parts += [f"<!-- orphan entry, delete it: cell {i} -->\n" for i in state.orphans]
    return "\n".join(parts)


def build(edition: Edition) -> list[str]:
    """Write every declared notebook of an edition; returns the problems (nothing written for a
    notebook that has any)."""
    problems = []
    out = ROOT / edition.built
    for name in TRANSLATED.get(edition.english, []):
        try:
            text = build_text(edition, name)
        except TranslationError as error:
            problems.append(str(error))
            continue
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}.ipynb"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    return problems


def main(argv: list[str]) -> int:
    """Build, check or list what to translate; exit status 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--todo", metavar="NAME", help="print the cells of NAME to translate")
    args = parser.parse_args(argv)
    if args.todo:
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
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
