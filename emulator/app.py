"""The app factory: the only place an emulator app is built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from emulator import runtime
from emulator.config import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an emulator app: defaults, then ``MCEMU_*`` variables, then ``config``.

    ``config`` takes setting names (``db``, ``fixtures``, ``no_default_fixtures``, ``mount``,
    ``cors``, ``max_body``, ``journal_size``, ``frozen_time``); other upper-case keys go to the
    Flask config. The store is opened and seeded here; nothing exists before this call.
    """
    settings = load_settings(config)
    app = Flask("emulator")
    app.config.update(settings.extra)
    # Werkzeug refuses a longer body with 413 before the page runs.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.sort_keys = False  # emulator JSON keeps insertion order, like the platform's
    runtime.init_app(app, settings)

    from emulator import web

    web.init_app(app)
    return app
