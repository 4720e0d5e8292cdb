"""Repeated page warnings are counted in the log, not repeated; the journal keeps them all."""

from __future__ import annotations

import logging

from emulator.journal import MAX_TRACKED, WarningLog


class Ticks:
    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


def messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "emulator.page"]


def test_a_repeat_within_the_window_is_counted_then_reported(caplog):
    caplog.set_level(logging.WARNING)
    ticks = Ticks()
    warnings = WarningLog(window=10, now=ticks)
    assert warnings.warn("POST token", "token has no expiry")
    ticks.value = 1
    assert not warnings.warn("POST token", "token has no expiry")
    assert not warnings.warn("POST token", "token has no expiry")
    assert warnings.warn("POST token", "another warning")
    ticks.value = 12
    assert warnings.warn("POST token", "token has no expiry")
    assert messages(caplog) == [
        "POST token: token has no expiry", "POST token: another warning",
        "POST token: token has no expiry (and 2 more times in the last 10 s)"]


def test_distinct_warnings_are_bounded_in_memory():
    warnings = WarningLog(window=60, now=Ticks())
    for n in range(MAX_TRACKED + 50):
        warnings.warn("GET x", f"warning {n}")
    assert warnings.warn("GET x", "warning 0")  # forgotten, so logged again
