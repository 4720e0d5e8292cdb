"""Faults: answers, delays and dropped connections that stand in for a page, for resilience tests.

:mod:`~emulator.faults.registry` is the model (no HTTP), :mod:`~emulator.faults.rules` checks a
fault's fields, :mod:`~emulator.faults.files` reads ``faults.json``; ``emulator.web.faults``
applies them to requests.
"""

from __future__ import annotations

from emulator.faults.registry import Fault, FaultNotFound, FaultRegistry
from emulator.faults.rules import FaultRefused

__all__ = ["Fault", "FaultNotFound", "FaultRefused", "FaultRegistry"]
