"""Outbound HTTP: the calls pages make to other services, answered by stubs (no Flask).

:mod:`~emulator.outbound.stubs` is the stub registry, :mod:`~emulator.outbound.rules` checks a
stub's fields, :mod:`~emulator.outbound.files` reads ``outbound/*.json``,
:mod:`~emulator.outbound.send` is the one ``send`` every door calls (SSJS ``HTTP``,
``Platform.Function``, ``Script.Util``, AMPscript), :mod:`~emulator.outbound.page` keeps one
page request's calls for its journal entry, and :mod:`~emulator.outbound.network` makes the real
calls to hosts named by ``--allow-outbound``.
"""

from __future__ import annotations

from emulator.outbound.rules import StubRefused
from emulator.outbound.send import Outbound, OutboundAnswer, OutboundFailed, OutboundRequest
from emulator.outbound.stubs import Stub, StubNotFound, StubRegistry

__all__ = ["Outbound", "OutboundAnswer", "OutboundFailed", "OutboundRequest", "Stub",
           "StubNotFound", "StubRefused", "StubRegistry"]
