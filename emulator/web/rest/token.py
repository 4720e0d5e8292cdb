"""The token routes: ``POST <any path ending in>/v2/token`` and ``POST /v1/requestToken``.

Any prefix is accepted, ``//v2/token`` and ``/https://<sub>.auth.marketingcloudapis.com/v2/token``
included, so that clients which join an ``auth_url`` to ``/v2/token`` reach it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from flask import Response, request

from emulator import assumptions
from emulator.rest import grant
from emulator.rest.errors import RestError, oauth_error
from emulator.rest.packages import PACKAGES_TABLE
from emulator.runtime import get_emulator
from emulator.script.client_json import JsonRefused, read_json
from emulator.units.registry import units_of
from emulator.web.journaling import CLIENT_KEY
from emulator.web.rest import json_response, rest
from emulator.web.rest.bodies import capped_body
from emulator.web.rest.faults import package_faults

#: A host the mock serves as the platform's auth host: ``<subdomain>.auth.marketingcloudapis.com``.
_AUTH_HOST = re.compile(r"([0-9a-z-]+)\.auth\.marketingcloudapis\.com(?::[0-9]+)?")
FORM = "application/x-www-form-urlencoded"


def _fields() -> dict[str, Any]:
    """Return the request's fields from a JSON object or a form, HTTP Basic filling the client."""
    limit = assumptions.REST_TOKEN_BODY_LIMIT

    def too_large(size: int) -> Exception:
        return oauth_error(413, "invalid_request",
                           f"The token request body is {size} bytes; at most {limit} are accepted.")

    data = capped_body(limit, too_large)  # read once, bounded even without a Content-Length
    if request.mimetype == FORM:
        form = parse_qs(data.decode("utf-8", "replace"), keep_blank_values=True)
        fields: dict[str, Any] = {name: values[-1] for name, values in form.items()}
    else:
        try:
            document = read_json(data.decode("utf-8"))
        except (UnicodeDecodeError, JsonRefused) as error:
            said = error.message if isinstance(error, JsonRefused) else "it is not UTF-8"
            raise grant.invalid_request(
                f"The token request body is a JSON object (or a form-encoded body); {said}"
            ) from None
        if not isinstance(document, dict):
            raise grant.invalid_request(
                "The token request body is a JSON object with grant_type, client_id and "
                f"client_secret, not {_kind(document)}")
        fields = document
    basic = request.authorization
    if basic is not None and basic.type == "basic":
        fields.setdefault("client_id", basic.username)
        fields.setdefault("client_secret", basic.password)
    return fields


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number")


def _instance_urls() -> tuple[str, str]:
    """Return the (rest, soap) instance URLs for the host the request came to."""
    found = _AUTH_HOST.fullmatch(request.host.lower())
    if found is not None:
        sub = found.group(1)
        return (f"https://{sub}.rest.marketingcloudapis.com/",
                f"https://{sub}.soap.marketingcloudapis.com/")
    return request.url_root, request.url_root


def _packages(emulator: Any) -> list[dict[str, Any]]:
    store = emulator.store
    return store.records(PACKAGES_TABLE) if store.has_records(PACKAGES_TABLE) else []


@rest.post("/v2/token", merge_slashes=False)
@rest.post("/<anyprefix:prefix>/v2/token", merge_slashes=False)
def token(prefix: str = "") -> Response:
    """Issue a client-credentials token (docs/fidelity.md#rest-token)."""
    emulator = get_emulator()
    rest_url, soap_url = _instance_urls()
    fields = _fields()
    package_faults(_text(fields.get("client_id")))
    answer = grant.client_credentials(fields, _packages(emulator), units_of(emulator.store),
                                      emulator.tokens, emulator.clock.now_utc(), rest_url,
                                      soap_url)
    issued = emulator.tokens.find(answer["access_token"])
    request.environ[CLIENT_KEY] = issued.client_id if issued else None  # the journal's
    return json_response(answer, headers={"Cache-Control": "no-store"})


@rest.post("/v1/requestToken")
def request_token() -> Response:
    """Issue a legacy token (docs/fidelity.md#rest-legacy-token)."""
    emulator = get_emulator()
    try:
        fields = _fields()
    except RestError:
        fields = {}  # the legacy route answers its one captured 401 for what it cannot use
    package_faults(_text(fields.get("clientId")))
    # Only ?legacy=1 asks for the legacy token; any other value is the plain answer.
    return json_response(grant.legacy(fields, _packages(emulator), emulator.tokens,
                                      emulator.clock.now_utc(),
                                      legacy_token=request.args.get("legacy") == "1"))
