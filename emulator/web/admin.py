"""The admin API under ``/_emulator/``: health only in this version."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from emulator import __version__
from emulator.runtime import get_emulator

bp = Blueprint("admin", __name__, url_prefix="/_emulator")


@bp.get("/health")
def health():  # type: ignore[no-untyped-def]
    emulator = get_emulator()
    return jsonify({
        "status": "ok",
        "version": __version__,
        "pages": {path: page.name for path, page in emulator.mounts.items()},
        "dataExtensions": {key: emulator.store.count(key) for key in emulator.store.keys()},
    })


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
