"""CloudPage files: literal text, ``<script runat="server">`` blocks and AMPscript.

The output is the literal text with each block replaced by what it writes; all
server script blocks share one scope. A file is read, split and syntax-checked once per
modification time.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.pages import JSON_CODE_RESOURCE, LANDING_PAGE
from emulator.ssjs.syntax import SsjsSyntaxError, check_script

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
#: First-line marker choosing how a page is served, e.g. ``<!-- mcemu: json -->``.
MARKER = re.compile(r"\A[ \t]*<!--\s*mcemu\s*:\s*(json|html)\s*-->[ \t]*(?:\r?\n|\Z)",
                    re.IGNORECASE)
JSON_EXTENSIONS = (".json", ".js")


@dataclass(frozen=True)
class Program:
    """A page file split into the segments a worker runs in order."""

    segments: tuple[dict[str, Any], ...]
    content_type: str


def _attributes(text: str) -> dict[str, str]:
    # findall gives "" for the quoting styles a value did not use
    return {name.lower(): "".join(values) for name, *values in _ATTRIBUTE.findall(text)}


def _literal(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    # Literal text with AMPscript delimiters is rendered by the AMPscript interpreter.
    return {"kind": "amp" if "%%" in text else "out", "text": text}


def parse_page(text: str, default_type: str, where: str = "page") -> Program:
    """Split page ``text``; raise SsjsSyntaxError for a script Jint would refuse."""
    content_type = default_type
    marker = MARKER.match(text)
    skipped = 0  # lines before the text: the marker's, so lines stay those of the file
    if marker:
        content_type = JSON_CODE_RESOURCE if marker.group(1).lower() == "json" else LANDING_PAGE
        skipped = text.count("\n", 0, marker.end())
        text = text[marker.end():]
    if assumptions.PAGE_FILE_DROPS_FINAL_NEWLINE:
        text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    segments: list[dict[str, Any] | None] = []
    position = 0
    for match in _SCRIPT.finditer(text):
        attributes = _attributes(match.group(1))
        if attributes.get("runat", "").lower() != "server":
            continue  # a browser script is literal text
        segments.append(_literal(text[position:match.start()]))
        body = match.group(2)
        line = text.count("\n", 0, match.start(2)) + 1 + skipped
        if attributes.get("language", "javascript").lower() == "ampscript":
            segments.append({"kind": "amp", "text": f"%%[{body}]%%"})
        else:
            check_script(body, line, where)
            segments.append({"kind": "js", "text": body, "line": line})
        position = match.end()
    segments.append(_literal(text[position:]))
    return Program(tuple(s for s in segments if s is not None), content_type)


def default_type(path: Path) -> str:
    """Return the content type a file's extension gives: JSON for .json/.js, else HTML."""
    return JSON_CODE_RESOURCE if path.suffix.lower() in JSON_EXTENSIONS else LANDING_PAGE


class PageFile:
    """A page file on disk, parsed again only when it changes."""

    def __init__(self, path: Path, content_type: str | None = None) -> None:
        self.path = path
        self._default = content_type or default_type(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._program: Program | SsjsSyntaxError | None = None

    def program(self) -> Program:
        """Return the current program; raise SsjsSyntaxError when the script is refused."""
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                text = self.path.read_text(encoding="utf-8")
                try:
                    self._program = parse_page(text, self._default, self.path.name)
                except SsjsSyntaxError as error:
                    self._program = error
                self._stamp = stamp
            found = self._program
        if isinstance(found, SsjsSyntaxError):
            raise found
        assert found is not None
        return found

    def content_type(self) -> str:
        """Return how the page is served, marker first, then extension."""
        try:
            return self.program().content_type
        except SsjsSyntaxError:
            return self._default
