"""Per-request state shared by the platform objects of one page run.

A page run reads its request, writes its output and touches the store only through the platform
objects; they all share one :class:`PageContext`, which is what the web layer turns into a
response and a journal entry afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from emulator import assumptions
from emulator.ampscript import AmpscriptContext, Variables
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.journal import MAX_WARNINGS, WARNING_LIMIT, WarningLog, cut, too_many_warnings
from emulator.platform.headers import encode_body
from emulator.platform.page_side import AmpscriptPageSide
from emulator.platform.request import RequestSnapshot
from emulator.script.budget import PageBudget
from emulator.sends.outbox import Outbox
from emulator.store.store import Store

log = logging.getLogger("emulator.page")

REPEATABLE_HEADERS = ("set-cookie",)
_SURE_WARNING = WARNING_LIMIT >> 2  # characters that fit WARNING_LIMIT bytes in any case


@dataclass
class PageContext:
    """Everything one page run reads and writes."""

    request: RequestSnapshot
    store: Store
    clock: Clock
    content_type: str
    variables: Variables = field(default_factory=Variables)
    output: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_written: list[dict[str, Any]] = field(default_factory=list)
    page_name: str = ""
    keys: KeyStore = field(default_factory=KeyStore)
    charset: str = assumptions.RESPONSE_CHARSET
    warning_log: WarningLog | None = None  # the app's: repeats folded (emulator.journal)
    #: the run's time and memory limits (docs/fidelity.md#page-budget); the page runners give
    #: one from the settings, a context made elsewhere (a test's) has none
    budget: PageBudget = field(default_factory=PageBudget.unlimited)
    #: the page's subscriber attributes (docs/fidelity.md#subscriber-context); None: none
    attributes: Mapping[str, Any] | None = None
    #: where the page's sends are captured (emulator.sends.outbox); None: not captured
    outbox: Outbox | None = None
    #: what answers the page's outbound HTTP calls (emulator.outbound); None: every call fails
    outbound: Any = None
    _ampscript: AmpscriptContext | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.variables.budget = self.budget  # what the page's variables hold is counted

    def write(self, text: str) -> None:
        """Append ``text`` to the page's output; its size counts against the page's memory."""
        self.budget.charge_text(text)
        self.output.append(text)

    def warn(self, message: str) -> None:
        """Record a diagnostic for the journal and the log; it never changes the response."""
        _warn(self.warnings, self._where(), self.warning_log, message)

    def _where(self) -> str:
        return f"{self.request.method} {self.page_name or 'page'}"

    def record_rows(self, key: str, rows: list[dict[str, Any]]) -> None:
        _record(self.rows_written, key, rows)

    def ampscript(self) -> AmpscriptContext:
        """Return the page's one AMPscript context: its variables, store, clock and keys.

        The same context serves every TreatAsContent of the page, so Now() is one instant per
        page (ASSUMED "now-per-page").
        """
        if self._ampscript is None:
            # Not self.warn: a bound method would make page and AMPscript contexts a reference
            # cycle, left for the garbage collector after every request instead of freed at once.
            warn = partial(_warn, self.warnings, self._where(), self.warning_log)
            self._ampscript = AmpscriptContext(variables=self.variables, warn=warn,
                                               store=self.store, clock=self.clock, keys=self.keys,
                                               budget=self.budget,
                                               attributes=self.attributes,
                                               record_rows=partial(_record, self.rows_written),
                                               page=AmpscriptPageSide(self.request),
                                               outbox=self.outbox, outbound=self.outbound)
        return self._ampscript

    def set_header(self, name: str, value: str) -> None:
        """Set a page header: replace one of the same name (any case), add a Set-Cookie."""
        if name.lower() not in REPEATABLE_HEADERS:
            self.headers = [(key, old) for key, old in self.headers if key.lower() != name.lower()]
        self.headers.append((name, value))

    def content_type_header(self) -> str:
        return f"{self.content_type}; charset={self.charset}"

    def response_headers(self) -> list[tuple[str, str]]:
        """Return Content-Type first, then the headers the page set."""
        return [("Content-Type", self.content_type_header()), *self.headers]

    def body_text(self) -> str:
        return "".join(self.output)

    def body_bytes(self) -> bytes:
        """Return the body encoded in the response charset."""
        return encode_body(self.body_text(), self.charset)


def _record(rows_written: list[dict[str, Any]], key: str, rows: list[dict[str, Any]]) -> None:
    rows_written.extend({"dataExtension": key, "row": row} for row in rows)


def _warn(warnings: list[str], where: str, warning_log: WarningLog | None, message: str) -> None:
    # Bounded as the journal keeps them: a page warning in a loop, or about a 5 MB field name,
    # must not grow the request's memory or the server log.
    if len(warnings) >= MAX_WARNINGS:
        if len(warnings) == MAX_WARNINGS:  # said once; later warnings are dropped
            message = too_many_warnings()
            warnings.append(message)
            log.warning("%s: %s", where, message)
        return
    if len(message) > _SURE_WARNING:
        message = cut(message, WARNING_LIMIT)
    warnings.append(message)
    if warning_log is not None:
        warning_log.warn(where, message)
    else:
        log.warning("%s: %s", where, message)
