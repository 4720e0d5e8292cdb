"""Admin view of the installed packages (REST API integrations), secrets masked."""

from __future__ import annotations

from flask import Response, jsonify

from emulator.rest.packages import PACKAGES_TABLE, shown
from emulator.runtime import get_emulator


def list_packages() -> Response:
    """Return every installed package, its client secret masked, and the live token count."""
    emulator = get_emulator()
    store = emulator.store
    records = store.records(PACKAGES_TABLE) if store.has_records(PACKAGES_TABLE) else []
    return jsonify({"packages": [shown(record) for record in records],
                    "tokens": len(emulator.tokens)})


def rest_openapi_document() -> Response:
    """Return the OpenAPI document of the platform's REST routes."""
    from emulator.web.rest import openapi

    return jsonify(openapi.document())
