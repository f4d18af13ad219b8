"""The landing page's text, read from README.md at build time (README.md stays the one source).

Two pieces are taken: the introduction (what the course teaches, for whom: the text between the
title and the first ``## `` heading) and the course map (the ``## `` section that links the
notebooks, with whatever columns, times included, it has when the site is built). Relative links
are rewritten for the site: a staged page keeps its link (the staging folder is laid out as the
repository is), anything else points at the repository, and a link into ``solutions/`` keeps only
its text, so that no solution is one click from the site.
"""

from __future__ import annotations

import posixpath
import re

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NOTEBOOK_LINK = re.compile(r"\]\(notebooks/[^)\s#]+\.ipynb(#[^)\s]*)?\)")
# A Markdown link or image with no brackets inside its text: [text](target "title").
LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\[\]]*)\]\((?P<target>[^()\s]+)(?P<title>\s+\"[^\"]*\")?\)"
)
FENCE = re.compile(r"^\s*(```|~~~)")


class ReadmeError(ValueError):
    """README.md lacks a piece the landing page is made of."""


def _sections(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """Split into (heading level, heading text, body lines) at top-level headings (# and ##).

    Lines before the first heading form a section of level 0; fenced code is never split.
    """
    sections: list[tuple[int, str, list[str]]] = [(0, "", [])]
    in_fence = False
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and len(match.group(1)) <= 2:
            sections.append((len(match.group(1)), match.group(2), []))
        else:
            sections[-1][2].append(line)
    return sections


def rewrite_links(text: str, staged: set[str], repository: str, branch: str) -> str:
    """Make the README's relative links work on the site (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        target = match.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
            return match.group(0)
        path, _, fragment = target.partition("#")
        path = posixpath.normpath(path)
        if path == "solutions" or path.startswith("solutions/"):
            return match.group("text")
        if path in staged:
            return match.group(0)
        kind = "raw" if match.group("bang") else "blob"
        url = f"https://github.com/{repository}/{kind}/{branch}/{path}"
        if fragment:
            url += f"#{fragment}"
        return f"{match.group('bang')}[{match.group('text')}]({url}{match.group('title') or ''})"

    return LINK.sub(replace, text)


def from_readme(readme: str, staged: set[str], repository: str, branch: str) -> tuple[str, str]:
    """The README's introduction and its course-map section, both with links rewritten.

    Raises ReadmeError naming what is missing, so a README rewrite that drops a piece fails
    the build with a message rather than publishing a landing page without it.
    """
    sections = _sections(readme.splitlines())
    titled = [section for section in sections if section[0] == 1]
    if not titled:
        raise ReadmeError(
            "README.md has no '# ' title: the landing page's introduction follows it."
        )
    intro = "\n".join(titled[0][2]).strip()
    if not intro:
        raise ReadmeError(
            "README.md has no text between its title and its first '## ' heading: the landing "
            "page shows that text as what the course teaches and for whom."
        )
    maps = [
        body for level, _, body in sections if level == 2 and NOTEBOOK_LINK.search("\n".join(body))
    ]
    if not maps:
        raise ReadmeError(
            "README.md has no '## ' section that links the notebooks (e.g. "
            "[...](notebooks/01_chain_rule.ipynb)): the landing page's course map is that section."
        )
    course_map = "\n".join(maps[0]).strip()
    return (
        rewrite_links(intro, staged, repository, branch),
        rewrite_links(course_map, staged, repository, branch),
    )
