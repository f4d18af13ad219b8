"""The language of the feedback: ``check()`` and the grader speak the notebook's language.

Every message a student reads is written in English in the code, marked ``_("...")`` (shown
now) or ``N_("...")`` (a constant shown later, e.g. a question's title), as gettext marks
them. The English text is the message's key (gettext's msgid): placeholders are named,
``_("{where} has shape {got}", where=..., got=...)``. A catalog per language
(:mod:`grader.messages.zh_cn`) maps each key to its translation; a key it lacks is shown in
English, and ``tests/test_messages.py`` fails on it (it collects the marked keys from the
source, as ``xgettext`` does), on a translation of a key no code uses any more, and on a
translation whose placeholders differ from the English.

Why a keyed catalog in Python rather than gettext's .po/.mo files: about a hundred messages,
no compile step (a .mo is a binary artefact that can drift from its .po), nothing but ``*.py``
to ship (the Gradescope bundle copies the packages' Python files), and no new dependency.

The language comes from the notebook's ``metadata.minigrad.language`` (the Chinese edition
sets ``zh-CN``): the grader reads it from the submitted file (:func:`speaking` around the
grading), ``check()`` from the notebook its kernel runs (:func:`notebook_language`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from grader.messages.zh_cn import CATALOG as ZH_CN

ENGLISH = "en"
CATALOGS: dict[str, dict[str, str]] = {"zh-CN": ZH_CN}
#: Overrides the notebook's language for ``check()`` (e.g. ``MINIGRAD_LANGUAGE=zh-CN``).
LANGUAGE_ENV = "MINIGRAD_LANGUAGE"

_language: ContextVar[str] = ContextVar("minigrad_feedback_language", default=ENGLISH)


def normalize(language: Any) -> str:
    """A language tag as the catalogs know it ("zh", "zh_CN", "zh-Hans" -> "zh-CN"); anything
    else, or nothing, is English."""
    if isinstance(language, str) and language.lower().replace("_", "-").startswith("zh"):
        return "zh-CN"
    return ENGLISH


def current() -> str:
    """The language feedback is being written in."""
    return _language.get()


@contextmanager
def speaking(language: Any) -> Iterator[str]:
    """Write the feedback of the enclosed code in ``language`` (a notebook's tag)."""
    token = _language.set(normalize(language))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def N_(text: str) -> str:  # gettext's name for a deferred translation
    """Mark a constant for translation where it is defined; ``_(text)`` shows it."""
    return text


def _(text: str, **values: Any) -> str:
    """``text`` in the current language, its ``{placeholders}`` filled from ``values``."""
    translated = CATALOGS.get(current(), {}).get(text, text) if text else text
    return fill(translated, values) if values else translated


def fill(template: str, values: dict[str, Any]) -> str:
    """``template`` with each ``{name}`` replaced by ``str(values[name])`` (other braces, as in
    "{'a': ...}", are left alone, unlike str.format)."""
    return PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts)
    )
    return re.compile(rf"^{regex}$", re.DOTALL)


def localize(text: str, depth: int = 2) -> str:
    """A message made in English elsewhere (the graded notebook's process writes its errors in
    English), in the current language: the English template it was made from is found and
    filled again with the same values, each of them localized too (a message may carry another
    as a value: "... (e.g. {example})"), ``depth`` levels down. Text that no template made is
    returned unchanged."""
    catalog = CATALOGS.get(current())
    if not catalog or not text:
        return text
    if text in catalog:
        return catalog[text]
    for template, pattern in _patterns():
        match = pattern.match(text)
        if match and template in catalog:
            values = match.groupdict()
            if depth:
                values = {name: localize(value, depth - 1) for name, value in values.items()}
            return fill(catalog[template], values)
    return text


_PATTERNS: list[tuple[str, re.Pattern[str]]] = []


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Templates with placeholders and enough text of their own to be recognised ("for {case}:
    {problem}" or "{n} values" could be anyone's words), longest first."""
    if not _PATTERNS:
        keys = {
            key
            for catalog in CATALOGS.values()
            for key in catalog
            # At most 3 placeholders: the lazy groups' backtracking on a 300-character,
            # student-made text then stays small whatever it contains.
            if 1 <= len(PLACEHOLDER.findall(key)) <= 3 and len(PLACEHOLDER.sub("", key)) >= 12
        }
        _PATTERNS.extend((key, _pattern(key)) for key in sorted(keys, key=len, reverse=True))
    return _PATTERNS


def language_of(notebook: Any) -> str:
    """A notebook's language (its parsed JSON): ``metadata.minigrad.language``, else English."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    minigrad = metadata.get("minigrad") if isinstance(metadata, dict) else None
    return normalize(minigrad.get("language") if isinstance(minigrad, dict) else None)


def notebook_language(exercise_id: str, namespace: dict[str, Any]) -> str:
    """The language of the notebook a kernel runs, for ``check()``: ``MINIGRAD_LANGUAGE`` if
    set; else the metadata of the kernel's notebook (JupyterLab names it in ``__session__`` /
    ``JPY_SESSION_NAME``); else of the notebooks for this exercise in the kernel's working
    directory (the notebook's own folder, in JupyterLab, nbval and nbconvert), if they agree."""
    if os.environ.get(LANGUAGE_ENV):
        return normalize(os.environ[LANGUAGE_ENV])
    session = namespace.get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if isinstance(session, str) and session.endswith(".ipynb"):
        for path in (Path(session), Path.cwd() / Path(session).name):
            notebook = _read(path)
            if notebook is not None:
                return language_of(notebook)
    found = set()
    for path in sorted(Path.cwd().glob("*.ipynb")):
        notebook = _read(path)
        metadata = notebook.get("metadata", {}) if isinstance(notebook, dict) else {}
        minigrad = metadata.get("minigrad", {}) if isinstance(metadata, dict) else {}
        if isinstance(minigrad, dict) and minigrad.get("exercise") == exercise_id:
            found.add(language_of(notebook))
    return found.pop() if len(found) == 1 else ENGLISH


def _read(path: Path) -> Any:
    try:
        if path.is_file() and path.stat().st_size < 20_000_000:
            return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    return None
