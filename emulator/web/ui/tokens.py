"""Dashboard pages for tokens: request one from ``/token``, and decode and verify a JWT.

The token form calls ``/token`` in-process through the emulator app's test client, so the
exchange runs the real page, lands in the journal and writes its ``HTTPProperties`` row, and
works without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, render_template, request

from emulator import tokens
from emulator.runtime import get_emulator, get_store
from emulator.script.client_json import JsonRefused, read_json

APPS_DE = "AppCredentials"
TOKEN_PATH = "/token"


def token_form() -> tuple[str, int] | str:
    """Show the token form; on POST, call ``/token`` with it and show the exchange."""
    apps = _apps()
    form = {"client_id": apps[0]["client_id"] if apps else "",
            "client_secret": apps[0]["client_secret"] if apps else "", "claims": ""}
    if request.method == "GET":
        return render_template("ui/token.html", form=form, exchange=None, problem=None)
    form = {name: request.form.get(name, "") for name in form}
    body: dict[str, Any] = {"operation": "RequestToken", "grant_type": "client_credentials",
                            "client_id": form["client_id"],
                            "client_secret": form["client_secret"]}
    if form["claims"].strip():
        try:
            extra = read_json(form["claims"])
        except JsonRefused as refused:
            extra = None
            problem = f"Extra claims are not JSON: {refused.message}."
        else:
            problem = None if isinstance(extra, dict) else "Extra claims must be a JSON object."
        if problem is not None:
            return render_template("ui/token.html", form=form, exchange=None,
                                   problem=problem), 400
        body.update(extra)
    return render_template("ui/token.html", form=form, exchange=_exchange(body), problem=None)


def jwt_form() -> str:
    """Decode a pasted JWT and check its signature with a chosen app's signing secret."""
    apps = _apps()
    token = request.form.get("token", "").strip() if request.method == "POST" else ""
    chosen = request.form.get("client_id", "")
    decoded = None
    if token:
        secrets = {app["client_id"]: app["signing_secret"] for app in apps}
        decoded = decode_jwt(token, secrets, chosen, get_emulator().clock.now_utc())
        chosen = decoded.client_id
    return render_template("ui/jwt.html", apps=apps, token=token, chosen=chosen,
                           decoded=decoded)


@dataclass
class DecodedJwt:
    """What a token says, whether it verifies, and what looks wrong with it."""

    client_id: str = ""  # whose signing_secret it was checked with
    header: Any = None
    payload: Any = None  # the parsed JSON, or None when it is not JSON (then see payload_text)
    payload_text: str = ""
    signature_hex: str = ""
    verified: bool = False
    verdict: str = ""
    warnings: list[str] = field(default_factory=list)


def decode_jwt(token: str, secrets: Mapping[str, str], chosen: str,
               now: datetime) -> DecodedJwt:
    """Decode ``token`` and verify it with the signing secret of app ``chosen``.

    ``secrets`` maps each app's client_id to its signing_secret. With no ``chosen`` app, the
    token's own ``client_id`` claim picks it when that is an app, else the first app. ``exp``
    is judged at ``now``: the emulator's clock.
    """
    try:
        decoded = tokens.decode(token)
    except tokens.MalformedToken as error:
        return DecodedJwt(client_id=chosen, verdict=f"Cannot decode: {error.message}.")
    if not chosen:
        claimed = decoded.payload.get("client_id") if isinstance(decoded.payload, dict) else None
        chosen = claimed if isinstance(claimed, str) and claimed in secrets \
            else next(iter(secrets), "")
    result = DecodedJwt(client_id=chosen, header=decoded.header, payload=decoded.payload,
                        payload_text=decoded.payload_text, signature_hex=decoded.signature.hex(),
                        warnings=tokens.token_warnings(decoded, now))
    secret = secrets.get(chosen)
    if secret is None and decoded.alg in tokens.ALGORITHMS:
        result.verdict = f"Cannot verify: no app {chosen!r} in {APPS_DE}."
        return result
    checked = tokens.verify(decoded, secret or "", now)  # a refused alg needs no key
    result.verified = checked.verified
    if checked.method == "none":
        result.verdict = f"Cannot verify: {checked.reason}."
    elif checked.verified:
        how = " (checked with hmac: PyJWT refuses PEM-looking keys)" \
            if checked.method == "hmac" else ""
        result.verdict = f"Verified: signed {decoded.alg} with {chosen}'s signing_secret{how}."
    else:
        result.verdict = f"Does NOT verify with {chosen}'s signing_secret: {checked.reason}."
    return result


def _exchange(body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to ``/token`` through the emulator app; return what was sent and answered."""
    emulator_app = current_app._get_current_object()  # type: ignore[attr-defined]
    sent = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    answer = emulator_app.test_client().post(
        TOKEN_PATH, data=sent.encode("utf-8"), content_type="application/json",
        base_url=request.host_url, headers={"Referer": request.url},
        environ_base={"REMOTE_ADDR": request.remote_addr or "127.0.0.1",
                      "HTTP_USER_AGENT": request.user_agent.string})
    text = answer.get_data(as_text=True)
    try:
        token = json.loads(text).get("access_token")
    except (ValueError, AttributeError):
        token = None
    journal = get_emulator().journal.entries()
    entry = next((e for e in journal if e.path == TOKEN_PATH), None)
    store = get_store()
    properties = store.rows("HTTPProperties")[-1] if store.has("HTTPProperties") else None
    return {"sent": json.dumps(body, indent=2, ensure_ascii=False), "status": answer.status,
            "answer": text, "token": token, "entry": entry, "properties": properties}


def _apps() -> list[dict[str, Any]]:
    store = get_store()
    return [dict(row) for row in store.rows(APPS_DE)] if store.has(APPS_DE) else []
