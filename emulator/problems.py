"""Problems found in fixture data, and where they are: file, line, column, DE, field and rule.

Fixture loading and seeding go on after a bad row or file and report every problem at once;
the locators find a row's line (and column, for JSON) again from the file's text.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from emulator.errors import FixtureError

SHOWN_PROBLEMS = 100  # problems an error lists (and locates); the others are only counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with fixture data, and where: file, line, column, DE, row, field."""

    message: str
    rule: str
    file: str | None = None
    data_extension: str | None = None
    line: int | None = None
    column: int | None = None
    where: str | None = None  # the row as a JSON path, e.g. rows[3]
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        position = None
        if self.line is not None:
            position = f"line {self.line}" + ("" if self.column is None else
                                              f", column {self.column}")
        de = None if self.data_extension is None else f"Data Extension {self.data_extension!r}"
        parts = (self.file, de, position, self.where, self.message)
        return ": ".join(part for part in parts if part) + f" [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        """Return the problem as the admin API reports it."""
        return {"message": self.message, "rule": self.rule, "file": self.file,
                "dataExtension": self.data_extension, "line": self.line, "column": self.column,
                "row": self.row, "field": self.field, "text": str(self)}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Problem:
        """Rebuild a problem the admin API reported."""
        def text(name: str) -> str | None:
            value = doc.get(name)
            return value if isinstance(value, str) else None

        def number(name: str) -> int | None:
            value = doc.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(str(doc.get("message", "")), text("rule") or "refused", file=text("file"),
                   data_extension=text("dataExtension"), line=number("line"),
                   column=number("column"), row=number("row"), field=text("field"))


class RowLocator(Protocol):
    """Finds a row (or one of its values) in the text it was read from."""

    def locate(self, row: int, field: str | None = None,
               at_key: bool = False) -> tuple[int | None, int | None, str | None]:
        """Return (line, column, JSON path) of ``row``, or of its ``field`` value or key."""
        ...


class Problems:
    """Problems found so far; a problem gets its line and column only when it is shown."""

    def __init__(self) -> None:
        self._items: list[tuple[Problem, RowLocator | None, str | None, bool]] = []

    def add(self, problem: Problem, locator: RowLocator | None = None, *,
            locate_field: str | None = None, at_key: bool = False) -> None:
        """Add ``problem``; ``locator`` finds its row (by ``locate_field`` or its field)."""
        self._items.append((problem, locator, locate_field, at_key))

    def __len__(self) -> int:
        return len(self._items)

    def located(self) -> list[Problem]:
        """Return the problems to show (at most SHOWN_PROBLEMS), with their positions."""
        shown: list[Problem] = []
        # By file, then row: the order an author reads the files in.
        ordered = sorted(self._items, key=lambda item: (
            item[0].file or "", -1 if item[0].row is None else item[0].row))
        for problem, locator, locate_field, at_key in ordered[:SHOWN_PROBLEMS]:
            if locator is not None and problem.row is not None:
                line, column, where = locator.locate(
                    problem.row, locate_field or problem.field, at_key)
                problem = replace(problem, line=line, column=column, where=where)
            shown.append(problem)
        return shown

    def describe(self) -> str:
        """Return every shown problem, one a line, and how many more were found."""
        return describe_problems(self.located(), len(self))

    def raise_if_any(self) -> None:
        """Raise FixtureProblems when there is any problem."""
        if self._items:
            raise FixtureProblems(self)


def describe_problems(problems: Sequence[Problem], total: int) -> str:
    """Return ``problems`` as text: the one problem, or a count and one problem a line."""
    if total == 1 and problems:
        return str(problems[0])
    lines = [f"{total} problems:"] + [f"  {problem}" for problem in problems]
    if total > len(problems):
        lines.append(f"  ... and {total - len(problems)} more")
    return "\n".join(lines)


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


class JsonRowLocator:
    """Find rows in JSON text: ``rows_path`` leads to the list of rows (None: the text is one row).

    The text is read and scanned only when a problem is shown, so a good load pays nothing.
    """

    def __init__(self, read_text: Callable[[], str],
                 rows_path: Sequence[str | int] | None) -> None:
        self._read_text = read_text
        self._rows_path = rows_path
        self._text: str | None = None
        self._rows: list[int] | None = None
        self._newlines: list[int] | None = None

    def locate(self, row: int, field: str | None = None,
               at_key: bool = False) -> tuple[int | None, int | None, str | None]:
        """Return (line, column, JSON path) of ``row``, or of its ``field`` value or key."""
        where = None if self._rows_path is None else f"rows[{row}]"
        try:
            offsets = self._row_offsets()
            if row >= len(offsets):
                return None, None, where
            offset = offsets[row]
            if field is not None:
                offset = _member_offset(self._text or "", offset, field, at_key) or offset
        except (ValueError, IndexError):  # the text changed since it was loaded
            return None, None, where
        return (*self._line_column(offset), where)

    def _row_offsets(self) -> list[int]:
        if self._rows is None:
            text = self._text = self._read_text()
            pos = _skip(text, 0)
            if self._rows_path is None:
                self._rows = [pos]
                return self._rows
            for step in self._rows_path:
                pos = _element_offset(text, pos, step) if isinstance(step, int) else (
                    _member_offset(text, pos, step, at_key=False, exact=True))
                if pos is None:
                    raise ValueError(f"no {step!r} in the text")
            self._rows = _array_offsets(text, pos)
        return self._rows

    def _line_column(self, offset: int) -> tuple[int, int]:
        text = self._text or ""
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", text)]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


class CsvRowLocator:
    """Find rows of a CSV file by the line each starts on."""

    def __init__(self, lines: Sequence[int]) -> None:
        self._lines = lines

    def locate(self, row: int, field: str | None = None,
               at_key: bool = False) -> tuple[int | None, int | None, str | None]:
        """Return (line, None, None) of ``row``: CSV problems name the line."""
        return (self._lines[row] if row < len(self._lines) else None), None, None


def _array_offsets(text: str, pos: int) -> list[int]:
    """Return the offset of each element of the JSON array at ``pos``."""
    if text[pos] != "[":
        raise ValueError("not an array")
    offsets: list[int] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        offsets.append(pos)
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return offsets


def _element_offset(text: str, pos: int, index: int) -> int | None:
    offsets = _array_offsets(text, pos)
    return offsets[index] if index < len(offsets) else None


def _member_offset(text: str, pos: int, name: str, at_key: bool,
                   exact: bool = False) -> int | None:
    """Return the offset of member ``name`` of the object at ``pos`` (its value, or its key).

    An exact spelling wins; otherwise the first that matches case-insensitively (field names
    are case-insensitive). The last of repeated exact keys wins, as it does in ``json.loads``.
    """
    if text[pos] != "{":
        return None
    exact_at: int | None = None
    folded_at: int | None = None
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        key_at = pos
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        found = key_at if at_key else pos
        if key == name:
            exact_at = found
        elif not exact and folded_at is None and str(key).casefold() == name.casefold():
            folded_at = found
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return exact_at if exact_at is not None else folded_at


class FixtureProblems(FixtureError):
    """Fixture data was refused: ``problems`` (the first SHOWN_PROBLEMS) and ``total``."""

    code = "fixture_problems"

    def __init__(self, problems: Problems, total: int | None = None) -> None:
        self.problems = problems.located()
        self.total = max(len(problems), total or 0)
        super().__init__(describe_problems(self.problems, self.total))
