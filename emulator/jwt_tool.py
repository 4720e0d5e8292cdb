"""Decode and verify a JWT for ``mcemu jwt decode`` and the demo.

fidelity.md ("AMPscript GetJWT"): verify with PyJWT, its short-key warning filtered here, in one
place. PyJWT refuses PEM-looking HMAC keys that SFMC signs with happily; for those the
signature is checked with ``hmac`` directly, and the result says so.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from emulator.ampscript.jwt import ALGORITHMS
from emulator.errors import ConfigError, EmulatorError

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


class MalformedToken(EmulatorError):
    """The text is not a JWT: three Base64url segments, a JSON-object header."""

    code = "malformed_token"


@dataclass(frozen=True)
class DecodedToken:
    """A JWT taken apart: its texts, the parsed header and payload, the signature bytes."""

    token: str
    header_text: str
    payload_text: str
    header: dict[str, Any]
    payload: Any  # the parsed JSON, or None when the payload is not JSON (SFMC signs any text)
    signature: bytes

    @property
    def alg(self) -> str:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else repr(alg)


@dataclass(frozen=True)
class Verification:
    """Whether a token verifies with a key, why, and how it was checked."""

    verified: bool
    reason: str
    method: str  # "PyJWT" or "hmac"


def b64url_decode(segment: str) -> bytes:
    """Decode unpadded Base64url; anything else is a MalformedToken."""
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise MalformedToken("a segment is not unpadded Base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise MalformedToken("a segment is not unpadded Base64url") from None


def decode(token: str) -> DecodedToken:
    """Take ``token`` apart without verifying it."""
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken(f"a JWT has three dot-separated segments; this has {len(parts)}")
    header_bytes, payload_bytes, signature = (b64url_decode(part) for part in parts)
    try:
        header_text = header_bytes.decode("utf-8")
        header = json.loads(header_text)
    except (UnicodeDecodeError, ValueError):
        raise MalformedToken("the header is not JSON") from None
    if not isinstance(header, dict):
        raise MalformedToken("the header is not a JSON object")
    payload_text = payload_bytes.decode("utf-8", "replace")
    try:
        payload = json.loads(payload_text)
    except ValueError:
        payload = None
    return DecodedToken(token, header_text, payload_text, header, payload, signature)


def verify(decoded: DecodedToken, secret: str, now: datetime | None = None) -> Verification:
    """Check the signature with ``secret`` (UTF-8 bytes, as GetJWT signs) and any ``exp``."""
    import jwt

    if decoded.alg not in ALGORITHMS:
        return Verification(False, f"alg {decoded.alg} is not HS256, HS384 or HS512", "none")
    method = "PyJWT"
    try:
        with warnings.catch_warnings():
            # SFMC signs with short keys; PyJWT's advice about key length is not ours to give.
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            jwt.PyJWS().decode_complete(decoded.token, secret, algorithms=[decoded.alg])
        good = True
    except jwt.InvalidKeyError:
        # PyJWT refuses PEM-looking HMAC keys; GetJWT signs with their UTF-8 bytes all the same.
        method = "hmac"
        good = _hmac_matches(decoded, secret)
    except jwt.InvalidSignatureError:
        good = False
    except jwt.PyJWTError as error:
        return Verification(False, f"PyJWT refused it: {error}", method)
    if not good:
        return Verification(False, "the signature does not match this key", method)
    expired = _expiry_problem(decoded.payload, now or datetime.now(timezone.utc))
    if expired:
        return Verification(False, f"the signature matches, but {expired}", method)
    return Verification(True, f"{decoded.alg} signature matches this key", method)


def _hmac_matches(decoded: DecodedToken, secret: str) -> bool:
    signing_input = decoded.token.rsplit(".", 1)[0].encode("ascii")
    digest = hmac.new(secret.encode("utf-8"), signing_input, ALGORITHMS[decoded.alg]).digest()
    return hmac.compare_digest(digest, decoded.signature)


def _expiry_problem(payload: Any, now: datetime) -> str | None:
    if not isinstance(payload, dict) or "exp" not in payload:
        return None
    exp = payload["exp"]
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return "its exp claim is not a number"
    if exp <= now.timestamp():
        return f"it expired at {expiry_text(exp)}"
    return None


def expiry_text(exp: float) -> str:
    """Return a NumericDate as readable UTC time."""
    try:
        return datetime.fromtimestamp(exp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(exp)


# --- finding a client's signing secret ------------------------------------------------------

def secret_from_rows(rows: list[dict[str, Any]], client_id: str, where: str) -> str:
    """Return the exact client's ``signing_secret`` among AppCredentials rows."""
    for row in rows:
        if row.get("client_id") == client_id and row.get("signing_secret"):
            return str(row["signing_secret"])
    raise ConfigError(f"no AppCredentials row for client_id {client_id!r} in {where}")


def secret_from_url(url: str, client_id: str, admin_token: str | None = None) -> str:
    """Read the secret through a running emulator's admin API."""
    from emulator.remote import AdminClient

    client = AdminClient(url, admin_token)
    answer = client._call("GET", "/_emulator/data-extensions/AppCredentials/rows",
                          params={"client_id": client_id})
    return secret_from_rows(answer.get("rows", []), client_id, url)


def secret_from_db(db: str, client_id: str) -> str:
    """Read the secret from a ``--db`` file, without writing it."""
    from pathlib import Path

    from emulator.seeding import SaveWhenArmed
    from emulator.store.persistence import SnapshotFile
    from emulator.store.store import Store

    if not Path(db).is_file():
        raise ConfigError(f"--db {db}: no such database file")
    with Store(SaveWhenArmed(SnapshotFile(db))) as store:  # opened to read, never saved
        rows = store.rows("AppCredentials") if store.has("AppCredentials") else []
        return secret_from_rows([dict(row) for row in rows], client_id, db)


def secret_from_fixtures(fixtures: tuple[str, ...], client_id: str,
                         include_default: bool = True) -> str:
    """Read the secret from fixture directories (the defaults first, as the server does)."""
    from emulator.fixtures import load_fixture_dirs

    for definition in load_fixture_dirs(fixtures, include_default=include_default):
        if definition.schema.key == "AppCredentials":
            return secret_from_rows([dict(r) for r in definition.rows], client_id, "the fixtures")
    raise ConfigError("the fixtures have no AppCredentials Data Extension")
