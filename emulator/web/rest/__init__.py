"""The platform's REST routes, served at the platform's paths beside the pages.

Views go on the one blueprint ``rest`` (``from emulator.web.rest import rest``) in a module of
this package: :func:`init_app` imports every module here before registering it, so a new
module needs no other wiring. A view raises ``emulator.rest.errors.RestError`` (or what
``rest_error`` returns) for any answer in the REST error shape; the handler here sends it. Each
route is described by one entry in ``emulator/web/rest/openapi.py``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response
from werkzeug.routing import PathConverter

from emulator.rest.errors import RestError

rest = Blueprint("rest", __name__)
#: The Content-Type of the platform's JSON answers (captured on the 429 of throttling).
JSON = "application/json; charset=utf-8"


class AnyPrefix(PathConverter):
    """A path converter that also takes empty segments (``//``) and a ``https:`` in the path."""

    regex = ".*?"
    part_isolating = False


def json_response(body: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    """Return ``body`` as compact JSON, keys in their order, as the platform's captures are.

    ``bytes`` are JSON already encoded (a rowset page is built as text) and go as they are.
    """
    text = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False,
                                                           separators=(",", ":"))
    response = Response(text, status=status, content_type=JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def answer(error: RestError) -> Response:
    """Return ``error`` as the JSON response the platform sends."""
    return json_response(error.body, error.status, error.headers)


def init_app(app: Flask) -> None:
    """Import the route modules of this package, then register ``rest`` and its handler."""
    app.url_map.converters["anyprefix"] = AnyPrefix  # before the rules that use it
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    app.register_error_handler(RestError, answer)
    app.register_blueprint(rest)
