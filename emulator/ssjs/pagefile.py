"""CloudPage files: literal text, ``<script runat="server">`` blocks and AMPscript.

A file is read and compiled into one program (:mod:`emulator.ssjs.compiler`) once per
modification; :attr:`PageFile.compiles` counts how often that happened. Its first line may be
a marker choosing the content type and giving the page a numeric id
(``<!-- mcemu: html id=1234 -->``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.errors import EmulatorError
from emulator.pages import JSON_CODE_RESOURCE, LANDING_PAGE
from emulator.script.errors import AmpscriptError
from emulator.ssjs.compiler import (
    _SCRIPT,
    CompiledPage,
    compile_page,
    is_server_script,
    script_attributes,
)
from emulator.ssjs.syntax import SsjsSyntaxError

#: First-line marker choosing how a page is served and its page id, e.g.
#: ``<!-- mcemu: json -->`` or ``<!-- mcemu: html id=1234 -->``; group 1 is the type.
MARKER = re.compile(r"\A[ \t]*<!--\s*mcemu\s*:\s*(json|html)?\b(?P<options>[^>]*?)\s*-->"
                    r"[ \t]*(?:\r?\n|\Z)", re.IGNORECASE)
_OPTION = re.compile(r"([^\s=]+)\s*=\s*(\S*)")
JSON_EXTENSIONS = (".json", ".js")
#: Page ids are positive 32-bit numbers, as the platform's are.
PAGE_ID_MAX = 2**31 - 1


class MarkerError(EmulatorError):
    """A first-line marker the emulator cannot read; the message says what it accepts."""


@dataclass(frozen=True)
class Program:
    """A page file split into segments (literal, ``amp``, ``js``) and compiled into one program."""

    segments: tuple[dict[str, Any], ...]
    content_type: str
    compiled: CompiledPage | None = None
    page_id: int | None = None


def read_marker(text: str) -> tuple[str | None, int | None, int]:
    """Return the marker's content type, page id and length (None, None, 0 without one).

    Raises MarkerError for an option other than ``id=`` or an id that is no page id.
    """
    marker = MARKER.match(text)
    if marker is None:
        return None, None, 0
    kind = marker.group(1)
    content_type = None if kind is None else (
        JSON_CODE_RESOURCE if kind.lower() == "json" else LANDING_PAGE)
    options = marker.group("options").strip()
    page_id = None
    for name, value in _OPTION.findall(options):
        if name.lower() != "id":
            raise MarkerError(f"unknown marker option {name!r}; accepted: id=<page id>")
        if not re.fullmatch(r"[0-9]{1,10}", value) or not 1 <= int(value) <= PAGE_ID_MAX:
            raise MarkerError(f"page id {value!r} is not a whole number from 1 to "
                              f"{PAGE_ID_MAX}")
        page_id = int(value)
    if _OPTION.sub("", options).strip():
        raise MarkerError(f"cannot read the marker options {options!r}; accepted: "
                          "<!-- mcemu: json|html id=<page id> -->")
    return content_type, page_id, marker.end()


def _literal(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    # Literal text with AMPscript delimiters is rendered by the AMPscript interpreter.
    return {"kind": "amp" if "%%" in text else "out", "text": text}


def parse_page(text: str, default_type: str, where: str = "page") -> Program:
    """Split and compile page ``text``.

    Raises SsjsSyntaxError for a script Jint would refuse (or a marker that cannot be read)
    and AmpscriptError for AMPscript that does not compile, each naming the file's line.
    """
    try:
        marked_type, page_id, end = read_marker(text)
    except MarkerError as error:
        raise SsjsSyntaxError(f"{where}, line 1: {error}") from None
    content_type = marked_type or default_type
    skipped = text.count("\n", 0, end)  # the marker's line: lines stay those of the file
    text = text[end:]
    if assumptions.PAGE_FILE_DROPS_FINAL_NEWLINE:
        text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    segments: list[dict[str, Any] | None] = []
    position = 0
    for match in _SCRIPT.finditer(text):
        attributes = script_attributes(match.group(1))
        if attributes.get("runat", "").lower() != "server":
            continue  # a browser script is literal text
        segments.append(_literal(text[position:match.start()]))
        body = match.group(2)
        line = text.count("\n", 0, match.start(2)) + 1 + skipped
        if is_server_script(attributes):
            segments.append({"kind": "js", "text": body, "line": line})
        else:
            segments.append({"kind": "amp", "text": f"%%[{body}]%%"})
        position = match.end()
    segments.append(_literal(text[position:]))
    compiled = compile_page(text, skipped + 1, where)
    return Program(tuple(s for s in segments if s is not None), content_type, compiled, page_id)


def default_type(path: Path) -> str:
    """Return the content type a file's extension gives: JSON for .json/.js, else HTML."""
    return JSON_CODE_RESOURCE if path.suffix.lower() in JSON_EXTENSIONS else LANDING_PAGE


def file_page_id(path: Path) -> int | None:
    """Return the page id the file's first-line marker gives (MarkerError when unreadable)."""
    with path.open(encoding="utf-8", errors="replace") as file:
        first = file.readline(4096)
    return read_marker(first)[1]


class PageFile:
    """A page file on disk, compiled again only when it changes."""

    def __init__(self, path: Path, content_type: str | None = None) -> None:
        self.path = path
        self._default = content_type or default_type(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._program: Program | SsjsSyntaxError | AmpscriptError | None = None
        #: How many times the file was read and compiled: once per modification.
        self.compiles = 0

    def program(self) -> Program:
        """Return the current program; raise SsjsSyntaxError or AmpscriptError when refused."""
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                text = self.path.read_text(encoding="utf-8")
                self.compiles += 1
                try:
                    self._program = parse_page(text, self._default, self.path.name)
                except (SsjsSyntaxError, AmpscriptError) as error:
                    self._program = error
                self._stamp = stamp
            found = self._program
        if isinstance(found, (SsjsSyntaxError, AmpscriptError)):
            raise found
        assert found is not None
        return found

    def content_type(self) -> str:
        """Return how the page is served, marker first, then extension."""
        try:
            return self.program().content_type
        except (SsjsSyntaxError, AmpscriptError):
            return self._default
