"""Per-request state shared by the platform objects of one page run.

A page run reads its request, writes its output and touches the store only through the platform
objects; they all share one :class:`PageContext`, which is what the web layer turns into a
response and a journal entry afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from emulator.ampscript import AmpscriptContext, Variables
from emulator.clock import Clock
from emulator.platform.request import RequestSnapshot
from emulator.store.store import Store

log = logging.getLogger("emulator.page")


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

    def warn(self, message: str) -> None:
        """Record a diagnostic for the journal and the log; it never changes the response."""
        self.warnings.append(message)
        log.warning("%s %s: %s", self.request.method, self.page_name or "page", message)

    def record_rows(self, key: str, rows: list[dict[str, Any]]) -> None:
        self.rows_written.extend({"dataExtension": key, "row": row} for row in rows)

    def ampscript(self) -> AmpscriptContext:
        """Return the AMPscript context that shares this page's variables."""
        return AmpscriptContext(variables=self.variables, warn=self.warn)

    def body_text(self) -> str:
        return "".join(self.output)
