"""Which requests to the platform's API hosts the mock hands to the emulator's REST routes.

``<sub>.auth.marketingcloudapis.com`` serves the token routes, ``<sub>.soap.…`` the SOAP
endpoint (which answers that SOAP is not emulated) and ``<sub>.rest.…`` every other REST route,
the reserved ``/data``, ``/hub`` and ``/messaging`` prefixes included; the legacy global host
``auth.exacttargetapis.com`` serves ``/v1/requestToken`` only (docs/fidelity.md#rest-legacy-host).
A path no REST route of that host serves is not emulated (the mock raises, it never sends it to
the network); docs/fidelity.md#rest-hosts.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from emulator.testing.routes import Target

#: ``<subdomain>.<kind>.marketingcloudapis.com``, the hosts of an installed package's URLs.
_API_HOST = re.compile(r"[0-9a-z-]+\.(auth|rest|soap)\.marketingcloudapis\.com")
#: The one global token host of the stacks before tenant subdomains (FuelSDK-Python's default).
LEGACY_AUTH_HOST = "auth.exacttargetapis.com"
#: The REST endpoints each kind of host serves; ``rest`` serves those no other kind names.
_OWN_ENDPOINTS = {"auth": frozenset({"rest.token", "rest.request_token"}),
                  "soap": frozenset({"rest.soap"}),
                  "legacy auth": frozenset({"rest.request_token"})}
SOAP_PATH = "/Service.asmx"


def api_host_kind(host: str) -> str | None:
    """Return ``auth``, ``rest``, ``soap`` or ``legacy auth`` for a platform API host, else None.
    """
    if host == LEGACY_AUTH_HOST:
        return "legacy auth"
    found = _API_HOST.fullmatch(host)
    return found.group(1) if found else None


def _endpoint(app: Flask, target: Target, method: str) -> str | None:
    adapter = app.url_map.bind(target.host, url_scheme=target.scheme)
    try:
        return adapter.match(target.path, method)[0]  # type: ignore[return-value]
    except MethodNotAllowed as refused:
        # The route exists with other methods: the app answers its 405, as a server would.
        allowed = sorted(refused.valid_methods or ())
        return _endpoint(app, target, allowed[0]) if allowed else None
    except HTTPException:  # not found, or a redirect to another path
        return None


def app_target(target: Target) -> Target:
    """Return ``target`` as the app routes it: the SOAP endpoint's path in the app's own case.

    The platform's endpoint is IIS, which ignores case; FuelSDK-Python posts to
    ``<soap_instance_url>service.asmx``.
    """
    if api_host_kind(target.host) == "soap" and target.path.lower() == SOAP_PATH.lower():
        return replace(target, path=SOAP_PATH, raw_path=SOAP_PATH)
    return target


def serves(app: Flask, target: Target, method: str) -> bool:
    """Return whether ``target`` is a platform API host URL that one of its REST routes serves."""
    kind = api_host_kind(target.host)
    if kind is None:
        return False
    target = app_target(target)
    endpoint = _endpoint(app, target, method)
    if endpoint is None or not endpoint.startswith("rest."):
        return False
    if kind in _OWN_ENDPOINTS:
        return endpoint in _OWN_ENDPOINTS[kind]
    return not any(endpoint in owned for owned in _OWN_ENDPOINTS.values())


def refusal(target: Target, method: str) -> str | None:
    """Return why a platform API host URL is not emulated (None for any other host)."""
    kind = api_host_kind(target.host)
    if kind is None:
        return None
    what = {"auth": "the token routes (POST /v2/token, POST /v1/requestToken)",
            "soap": "/Service.asmx (a SOAP fault: the SOAP API is not emulated)",
            "legacy auth": "only POST /v1/requestToken (v2/token is on <sub>.auth hosts)",
            "rest": "the REST routes listed in GET /_emulator/rest-openapi.json"}[kind]
    return (f"{method} {target.url} is not emulated: on a {kind} host mock_marketing_cloud "
            f"serves {what}, and a Marketing Cloud URL never goes to the network.")
