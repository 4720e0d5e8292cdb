"""The OpenAPI 3.1 document of the platform's REST routes (``GET /_emulator/rest-openapi.json``).

One :class:`RestRoute` in :data:`REST_ROUTES` per route: a test checks that every rule of the
``rest`` blueprint (the catch-alls of reserved.py aside) has its entry, and no entry lacks a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import __version__

_REF = "#/components/schemas/"


@dataclass(frozen=True)
class RestRoute:
    """One REST route: method, OpenAPI path, scope, summary, answers by status, body schema."""

    method: str
    path: str
    summary: str
    responses: Mapping[int, str]
    scope: str | None = None  # the bearer scope it requires; None: no bearer (token routes)
    params: tuple[tuple[str, str, str], ...] = ()  # (name, "path"|"query", description)
    body: str | None = None  # a schema name in SCHEMAS
    operation_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


_OAUTH_ERROR = {"type": "object", "required": ["error", "error_description", "error_uri"],
                "properties": {"error": {"type": "string"},
                               "error_description": {"type": "string"},
                               "error_uri": {"type": "string"}}}
SCHEMAS: dict[str, Any] = {
    "TokenRequest": {
        "type": "object", "required": ["grant_type"],
        "properties": {
            "grant_type": {"const": "client_credentials"},
            "client_id": {"type": "string"}, "client_secret": {"type": "string"},
            "scope": {"type": "string", "description": "Space-separated; absent: all of the "
                      "package's scopes; empty: none."},
            "account_id": {"type": ["integer", "string"], "description": "The MID."},
        },
    },
    "Token": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in", "scope", "soap_instance_url",
                     "rest_instance_url"],
        "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                       "expires_in": {"type": "integer"}, "scope": {"type": "string"},
                       "soap_instance_url": {"type": "string"},
                       "rest_instance_url": {"type": "string"}},
    },
    "LegacyTokenRequest": {
        "type": "object", "required": ["clientId", "clientSecret"],
        "properties": {"clientId": {"type": "string"}, "clientSecret": {"type": "string"}},
    },
    "LegacyToken": {"type": "object", "properties": {"accessToken": {"type": "string"},
                                                     "expiresIn": {"type": "integer"}}},
    "OAuthError": _OAUTH_ERROR,
    "Error": {
        "type": "object", "required": ["message", "errorcode", "documentation"],
        "properties": {"message": {"type": "string"}, "errorcode": {"type": "integer"},
                       "documentation": {"type": "string"},
                       "additionalErrors": {"type": "array", "items": {"type": "object"}}},
    },
}

REST_ROUTES: list[RestRoute] = [
    RestRoute("POST", "/v2/token", "Get an access token with client credentials (any path "
              "ending in /v2/token is this route); JSON, a form or HTTP Basic",
              {200: "Token", 400: "OAuthError", 401: "OAuthError", 413: "OAuthError"},
              body="TokenRequest", operation_id="token"),
    RestRoute("POST", "/v1/requestToken", "Get a legacy access token (one hour)",
              {200: "LegacyToken", 401: "Error"}, body="LegacyTokenRequest",
              operation_id="request_token"),
]


def document() -> dict[str, Any]:
    """Return the OpenAPI document of :data:`REST_ROUTES`."""
    paths: dict[str, dict[str, Any]] = {}
    for route in REST_ROUTES:
        operation: dict[str, Any] = {
            "operationId": route.operation_id or f"{route.method.lower()} {route.path}",
            "summary": route.summary,
            "responses": {str(status): _response(schema)
                          for status, schema in sorted(route.responses.items())},
            **route.extra,
        }
        if route.scope is not None:
            operation["security"] = [{"bearer": [route.scope]}]
            operation["responses"].setdefault("401", _response("Error"))
            operation["responses"].setdefault("403", _response("Error"))
        else:
            operation["security"] = []
        if route.params:
            operation["parameters"] = [{"name": name, "in": where, "required": where == "path",
                                        "description": text, "schema": {"type": "string"}}
                                       for name, where, text in route.params]
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"{_REF}{route.body}"}}}}
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "mc-emulator: the platform's REST API", "version": __version__,
                 "description": "The Marketing Cloud REST routes the emulator serves, at the "
                 "platform's paths. Get a token from /v2/token, then send 'Authorization: "
                 "Bearer <token>'. Errors use the platform's shapes."},
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }


def _response(schema: str) -> dict[str, Any]:
    return {"description": schema,
            "content": {"application/json": {"schema": {"$ref": f"{_REF}{schema}"}}}}
