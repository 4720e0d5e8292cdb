"""How requests arrive over HTTP: thin Flask wiring over the pages and the emulator state."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every route, hook and error handler on ``app``."""
    from emulator.web import admin, faults, journaling, pages, refusals, rest, ui

    refusals.init_app(app)
    journaling.init_app(app)
    faults.init_app(app)  # outside the journal's wrapper: a drop is journaled, then raised
    rest.init_app(app)  # before the pages: the platform's REST paths are never a page's
    pages.init_app(app)
    admin.init_app(app)
    ui.init_app(app)
