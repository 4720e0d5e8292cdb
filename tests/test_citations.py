"""Every citation in the repository resolves, and none points outside it.

A comment, docstring or page may cite ``docs/<name>.md`` or ``docs/<name>.md#<anchor>``; the file
must exist and the anchor must be on it (an ``id`` attribute, or a heading's mkdocs slug). Links
inside ``docs/*.md`` and ``README.md`` are checked the same way. Nothing may cite the research
notes the project was built from, a search id, or an issue number: a reader of the repository
has none of them. :func:`check_citations` is the checker; the tests run it on the repository and
on a small tree with known mistakes.
"""

from __future__ import annotations

import html.parser
import re
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pytest

from emulator.assumptions import ASSUMPTIONS

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "site", ".git", "__pycache__", ".ruff_cache", ".pytest_cache"}


def _words(*parts: str) -> str:
    """Join ``parts`` (so that this file does not contain the names it forbids)."""
    return "".join(parts)


#: Citations of documents that are not in the repository, or of issue trackers.
FORBIDDEN = [
    re.compile(re.escape(_words("sfmc", "-facts"))),
    re.compile(re.escape(_words("rest", "-ampscript"))),
    re.compile(re.escape(_words("perf", "-baseline"))),
    re.compile(re.escape(_words("aesthetics", ".md"))),
    re.compile(re.escape(_words("jsengines", ".md"))),
    re.compile(re.escape(_words("anchors", ".md"))),
    re.compile(re.escape(_words("..", "/shared"))),
    re.compile(re.escape(_words("shared", "/spec"))),
    re.compile(re.escape(_words("shared", "/reference"))),
    re.compile(_words("FS", r":\d+")),
    re.compile(_words(r"\bissue", r"\s+#?\d+"), re.IGNORECASE),
    # a fact number of those notes (a tag, then a section number)
    re.compile(r"\b(?:RT|OFF|3P)\s+\d+\.\d+"),
    re.compile(r"\bB[5-8]\.\d"),
]
#: A design note named without its ``docs/`` path.
BARE_NOTE = re.compile(r"(?<![\w./-])(?:fidelity|design|style)\.md")
#: A reference to a page of docs/ from anywhere, with an optional ``#anchor``.
DOCS_REFERENCE = re.compile(r"(?<![\w./-])docs/([\w.-]+\.md)(?:#([\w-]+))?")
#: A Markdown link or image target, inline or reference-style.
MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)")
#: A page named in mkdocs.yml, relative to docs/.
NAV_PAGE = re.compile(r"(?<![\w./-])[\w-]+\.md\b")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`+[^`]*`+")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def repository_files(root: Path = ROOT) -> list[Path]:
    """Return the tracked and new (not ignored) files under ``root``."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    return [root / name for name in listing.splitlines() if name]


def _text(path: Path) -> str | None:
    """Return the file's text, or None for a binary, unreadable or vanished file."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def slugify(heading: str) -> str:
    """Return the anchor mkdocs (Python-Markdown's ``toc``) gives a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


class _Ids(html.parser.HTMLParser):
    """Collect ``id`` attributes the way mkdocs does: the whole Markdown source fed as HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


def anchors_of(text: str) -> set[str]:
    """Return the anchors a Markdown page offers: ``id`` attributes and heading slugs."""
    parser = _Ids()
    parser.feed(text)
    parser.close()
    found = set(parser.ids)
    seen: dict[str, int] = {}
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        heading = None if in_fence else HEADING.match(line)
        if heading:
            slug = slugify(heading.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}_{count}")
    return found


def _markdown_links(line: str) -> list[str]:
    """Return the link targets on one line of Markdown, outside inline code."""
    line = INLINE_CODE.sub("", line)
    return [a or b for a, b in MARKDOWN_LINK.findall(line)]


def check_citations(root: Path, files: Iterable[Path]) -> list[str]:
    """Return ``file:line: problem`` for every citation in ``files`` that does not resolve."""
    anchor_cache: dict[Path, set[str] | None] = {}

    def anchors(path: Path) -> set[str] | None:
        if path not in anchor_cache:
            text = _text(path) if path.is_file() else None
            anchor_cache[path] = None if text is None else anchors_of(text)
        return anchor_cache[path]

    problems: list[str] = []
    for path in sorted(files):
        relative = path.relative_to(root)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]):
            continue
        text = _text(path)
        if text is None:
            continue
        is_doc = relative.parts[0] == "docs" and path.suffix == ".md"
        is_markdown_page = is_doc or relative.as_posix() == "README.md"
        in_fence = False
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{relative.as_posix()}:{number}"
            reported: list[range] = []
            for pattern in FORBIDDEN:
                for match in pattern.finditer(line):
                    if any(match.start() in span for span in reported):
                        continue  # one problem per citation, however many patterns match it
                    reported.append(range(match.start(), match.end()))
                    problems.append(f"{where}: cites {match.group(0)!r}, which is not in the "
                                    "repository")
            if relative.as_posix() == "mkdocs.yml":
                for match in NAV_PAGE.finditer(line):  # nav entries are relative to docs/
                    target = root / "docs" / match.group(0)
                    problems.extend(_resolve(where, match.group(0), target, None, anchors))
                continue
            for match in BARE_NOTE.finditer(line):
                before = line[:match.start()]
                if before.endswith("](") or before.endswith("](./"):
                    continue  # a relative link between pages of docs/ (checked in the pages)
                problems.append(f"{where}: cites {match.group(0)!r} without its docs/ path")
            for match in DOCS_REFERENCE.finditer(line):
                target = root / "docs" / match.group(1)
                problems.extend(_resolve(where, match.group(0), target, match.group(2), anchors))
            if not is_markdown_page:
                continue
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for target in _markdown_links(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                    continue  # https:, mailto: ...: not a file of the repository
                if target.startswith("docs/") and not is_doc:
                    continue  # checked above as a docs/ reference
                name, _, anchor = target.partition("#")
                destination = (path.parent / name).resolve() if name else path
                problems.extend(_resolve(where, target, destination, anchor or None, anchors))
    return problems


def _resolve(where: str, cited: str, target: Path, anchor: str | None, anchors) -> list[str]:
    """Return the problem with one citation of ``target`` (and ``anchor``), if any."""
    if not target.exists():
        return [f"{where}: cites {cited!r}, but {target.name} does not exist"]
    if anchor and target.suffix == ".md":
        offered = anchors(target)
        if offered is not None and anchor not in offered:
            return [f"{where}: cites {cited!r}, but {target.name} has no anchor #{anchor}"]
    return []


# --- the repository ----------------------------------------------------------------------------

CODE_AREAS = ("emulator", "tests", "scripts", "fixtures")


def _in_code_areas(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return relative.parts[0] in CODE_AREAS or relative.as_posix() == "docs/fidelity.md"


def test_code_and_fidelity_notes_cite_only_what_exists() -> None:
    files = [path for path in repository_files() if _in_code_areas(path)]
    assert len(files) > 100  # the listing works: the code areas hold far more files
    problems = check_citations(ROOT, files)
    assert problems == [], "\n".join(problems)


def test_pages_and_readme_cite_only_what_exists() -> None:
    files = [path for path in repository_files() if not _in_code_areas(path)]
    problems = check_citations(ROOT, files)
    assert problems == [], "\n".join(problems)


def test_every_assumption_has_its_anchor_in_the_fidelity_notes() -> None:
    offered = anchors_of((ROOT / "docs/fidelity.md").read_text(encoding="utf-8"))
    missing = [entry.key for entry in ASSUMPTIONS if entry.key not in offered]
    assert missing == [], f"docs/fidelity.md lacks an anchor for the ASSUMED rules {missing}"


# --- the checker itself ------------------------------------------------------------------------

#: The docs/ prefix, spelled so that this file cites no page of its own.
DOCS = _words("doc", "s/")


def _tree(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [tmp_path / name for name in files]


def test_the_checker_accepts_citations_that_resolve(tmp_path: Path) -> None:
    files = _tree(tmp_path, {
        f"{DOCS}rules.md": '# Rules\n\n## The `Stringify` rule\n\n| a | b |\n|---|---|\n'
                         '| <a id="one"></a>x | y |\n\n[back](other.md#top) [self](#one)\n',
        f"{DOCS}other.md": "# Top\n\n```\n# not a heading\n```\n\n[rules](rules.md)\n",
        "README.md": f"[rules]({DOCS}rules.md#the-stringify-rule) ![img]({DOCS}other.md)\n",
        "emulator/mod.py": f"# {DOCS}rules.md#one and {DOCS}other.md#top, see {DOCS}rules.md\n",
    })
    assert check_citations(tmp_path, files) == []


@pytest.mark.parametrize(("line", "expected"), [
    (f"# {DOCS}rules.md#nowhere", f"cites '{DOCS}rules.md#nowhere', but rules.md has no anchor "
                                "#nowhere"),
    (f"# {DOCS}gone.md", f"cites '{DOCS}gone.md', but gone.md does not exist"),
    (f"# ({_words('sfmc', '-facts')} 2.9)", f"cites '{_words('sfmc', '-facts')}'"),
    (f"# {_words('rest', '-ampscript')} part B", f"cites '{_words('rest', '-ampscript')}'"),
    (f"# {_words('perf', '-baseline')} §4", f"cites '{_words('perf', '-baseline')}'"),
    (f"# see ..{_words('/shared', '/spec')}/x", f"cites '..{_words('/shared')}'"),
    (f"# {_words('FS', ':', '12345')}", f"cites '{_words('FS', ':', '12345')}'"),
    (f"# ({_words('Issue', ' 7')})", f"cites '{_words('Issue', ' 7')}'"),
    (f"# the {_words('design', '.md')} rule", f"cites '{_words('design', '.md')}' without its "
                                              f"{DOCS} path"),
    (f"# {_words('jsengines', '.md')} 3", f"cites '{_words('jsengines', '.md')}'"),
    (f"# typed values ({_words('RT', ' 3.23')})", f"cites '{_words('RT', ' 3.23')}'"),
    (f"# the String family ({_words('B6', '.1')})", f"cites '{_words('B6', '.1')}'"),
])
def test_the_checker_reports_a_bad_citation_with_its_place(
    tmp_path: Path, line: str, expected: str,
) -> None:
    files = _tree(tmp_path, {
        f"{DOCS}rules.md": '# Rules\n<a id="one"></a>\n',
        "emulator/mod.py": f'"""A module."""\n\n{line}\n',
    })
    problems = check_citations(tmp_path, files)
    assert len(problems) == 1, problems
    assert problems[0].startswith("emulator/mod.py:3: ")
    assert expected in problems[0]


def test_the_checker_follows_links_inside_the_pages(tmp_path: Path) -> None:
    files = _tree(tmp_path, {
        f"{DOCS}rules.md": "# Rules\n\n[a](missing.md) [b](other.md#nope) [c](#absent)\n"
                         f"see {_words('fidelity', '.md')} for more\n",
        f"{DOCS}other.md": (
            "# Other\n\n`<script runat=\"server\">` swallows what follows, as in mkdocs\n\n"
            '<a id="late"></a>\n'
        ),
        "README.md": f"[d]({DOCS}rules.md#nope)\n\n```\n[e](not-checked.md)\n```\n",
        "emulator/mod.py": f"# {DOCS}other.md#late\n",
    })
    problems = check_citations(tmp_path, files)
    assert problems == [
        f"README.md:1: cites '{DOCS}rules.md#nope', but rules.md has no anchor #nope",
        f"{DOCS}rules.md:3: cites 'missing.md', but missing.md does not exist",
        f"{DOCS}rules.md:3: cites 'other.md#nope', but other.md has no anchor #nope",
        f"{DOCS}rules.md:3: cites '#absent', but rules.md has no anchor #absent",
        f"{DOCS}rules.md:4: cites '{_words('fidelity', '.md')}' without its {DOCS} path",
        f"emulator/mod.py:1: cites '{DOCS}other.md#late', but other.md has no anchor #late",
    ]
