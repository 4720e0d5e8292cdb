"""Dashboard pages for tokens: request one from ``/token``, and decode and verify a JWT.

The token form calls ``/token`` in-process through the emulator app's test client, so the
exchange runs the real page, lands in the journal and writes its ``HTTPProperties`` row, and
works without JavaScript.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import current_app, render_template, request

from emulator.runtime import get_emulator, get_store

APPS_DE = "AppCredentials"
TOKEN_PATH = "/token"
HMAC_DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
#: Claim names that suggest a secret travelling in a payload anyone holding the token can read.
SECRET_NAME = re.compile(r"secret|passw|pwd|api[_-]?key|private|credential", re.IGNORECASE)


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
            extra = json.loads(form["claims"])
        except json.JSONDecodeError as error:
            extra = None
            problem = f"Extra claims are not JSON: {error.msg} at column {error.colno}."
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
        known = [app["client_id"] for app in apps]
        if not chosen:
            payload_client = _payload_client_id(token)
            chosen = payload_client if payload_client in known else (known or [""])[0]
        secret = next((app["signing_secret"] for app in apps if app["client_id"] == chosen), None)
        decoded = decode_jwt(token, secret, chosen, get_emulator().clock.now_utc())
    return render_template("ui/jwt.html", apps=apps, token=token, chosen=chosen,
                           decoded=decoded)


@dataclass
class DecodedJwt:
    """What a token says, whether it verifies, and what looks wrong with it."""

    header: Any = None
    payload: Any = None
    signature_hex: str = ""
    verified: bool = False
    verdict: str = ""
    warnings: list[str] = field(default_factory=list)


def decode_jwt(token: str, secret: str | None, client_id: str, now: datetime) -> DecodedJwt:
    """Decode ``token`` and verify its HMAC signature with ``secret`` (client ``client_id``)."""
    result = DecodedJwt()
    parts = token.split(".")
    if len(parts) != 3:
        result.verdict = f"Not a JWT: it has {len(parts)} dot-separated part(s), not 3."
        return result
    try:
        result.header = json.loads(_b64url(parts[0]))
        result.payload = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, UnicodeDecodeError) as error:
        result.header = result.payload = None  # show nothing half-decoded
        result.verdict = f"Cannot decode: {error}."
        return result
    result.signature_hex = signature.hex()
    alg = result.header.get("alg") if isinstance(result.header, dict) else None
    result.warnings = _warnings(alg, result.payload, now)
    digest = HMAC_DIGESTS.get(alg) if isinstance(alg, str) else None
    if digest is None:
        result.verdict = f"Cannot verify: alg {alg!r} is not HS256, HS384 or HS512."
    elif secret is None:
        result.verdict = f"Cannot verify: no app {client_id!r} in {APPS_DE}."
    else:
        expected = hmac.new(secret.encode("utf-8"), f"{parts[0]}.{parts[1]}".encode("ascii"),
                            digest).digest()
        result.verified = hmac.compare_digest(expected, signature)
        result.verdict = (f"Verified: signed {alg} with {client_id}'s signing_secret."
                          if result.verified else
                          f"Does NOT verify: the signature does not match {client_id}'s "
                          "signing_secret (tampered, or signed with another key).")
    return result


def _warnings(alg: Any, payload: Any, now: datetime) -> list[str]:
    warnings = []
    if isinstance(alg, str) and alg.lower() == "none":
        warnings.append("alg is none: the token is unsigned; never accept it.")
    if not isinstance(payload, dict):
        return [*warnings, "The payload is not a JSON object, so it has no claims."]
    for name in payload:
        if SECRET_NAME.search(name):
            warnings.append(f"The payload carries {name!r} in the clear: a JWT payload is only "
                            "base64url-encoded, so anyone holding the token can read it.")
    exp = payload.get("exp")
    if exp is None:
        warnings.append("No exp claim: the token never expires.")
    elif isinstance(exp, int | float) and not isinstance(exp, bool):
        try:
            expires = datetime.fromtimestamp(exp, timezone.utc)
        except (OverflowError, OSError, ValueError):
            expires = datetime.max.replace(tzinfo=timezone.utc)  # far beyond any clock
        if expires <= now:
            shown = now.strftime("%Y-%m-%d %H:%M:%S")
            warnings.append(f"Expired: exp {exp} is before the emulator's clock ({shown} UTC).")
    else:
        warnings.append(f"exp is {exp!r}, not a number of seconds.")
    return warnings


def _exchange(body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to ``/token`` through the emulator app; return what was sent and answered."""
    emulator_app = current_app.extensions["mcemu_parent"]
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


def _payload_client_id(token: str) -> str | None:
    try:
        payload = json.loads(_b64url(token.split(".")[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    value = payload.get("client_id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


def _b64url(segment: str) -> bytes:
    """Decode one base64url segment strictly (no padding, URL-safe alphabet)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", segment):
        raise ValueError("a segment has characters outside base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except binascii.Error as error:
        raise ValueError(f"bad base64url ({error})") from None
