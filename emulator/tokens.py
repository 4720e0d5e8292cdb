"""JSON Web Tokens for the tools around the pages: decode, verify, and the warnings.

Used by ``mcemu jwt decode``, the demo, the dashboard, AMPscript ``GetJWT`` and the journal's
warnings, so it imports only the standard library and ``emulator.errors`` (PyJWT lazily, in
``verify``). One Base64url rule (``b64url_decode``), one table of HMAC algorithms
(``ALGORITHMS``), one secret-name rule (``SECRET_NAME``), one expiry rule.

docs/fidelity.md#getjwt-key: verify with PyJWT, its short-key warning filtered here, in one
place. PyJWT refuses PEM-looking HMAC keys that SFMC signs with happily; for those the
signature is checked with ``hmac`` directly, and the result says so.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from emulator.errors import EmulatorError

#: Canonical algorithm name -> hash constructor: the HMAC algorithms GetJWT signs with.
ALGORITHMS: dict[str, Callable[..., Any]] = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


def b64url(data: bytes) -> str:
    """Return Base64url of ``data`` without padding, as JWTs carry it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class MalformedToken(EmulatorError):
    """The text is not a JWT: three Base64url segments, a JSON-object header."""

    code = "malformed_token"


def b64url_decode(segment: str) -> bytes:
    """Decode unpadded Base64url; anything else is a MalformedToken.

    The one rule for every reader of a token: only ``A-Z a-z 0-9 - _``, no ``=`` padding, no
    ``+`` or ``/``, and never a length of 4k+1 (no whole byte fits in 6 bits).
    """
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise MalformedToken("a segment is not unpadded Base64url")
    # Padded back to a multiple of 4, such a segment always decodes (spare low bits ignored).
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


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
    method: str  # "PyJWT" or "hmac"; "none" when the alg cannot be checked with a key


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
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise MalformedToken("the header is not JSON") from None
    if not isinstance(header, dict):
        raise MalformedToken("the header is not a JSON object")
    payload_text = payload_bytes.decode("utf-8", "replace")
    try:
        payload = json.loads(payload_text)
    except (ValueError, RecursionError):
        payload = None
    return DecodedToken(token, header_text, payload_text, header, payload, signature)


def verify(decoded: DecodedToken, secret: str, now: datetime | None = None) -> Verification:
    """Check the signature with ``secret`` (UTF-8 bytes, as GetJWT signs) and any ``exp``.

    ``exp`` is compared with ``now`` (the dashboard passes the emulator's clock; default: the
    real time).
    """
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
    problem = _expiry_problem(decoded.payload, now or datetime.now(timezone.utc))
    if problem is not None and problem != NO_EXPIRY:  # no exp is a warning, not a refusal
        return Verification(False, f"the signature matches, but the {problem}", method)
    return Verification(True, f"{decoded.alg} signature matches this key", method)


def _hmac_matches(decoded: DecodedToken, secret: str) -> bool:
    signing_input = decoded.token.rsplit(".", 1)[0].encode("ascii")
    digest = hmac.new(secret.encode("utf-8"), signing_input, ALGORITHMS[decoded.alg]).digest()
    return hmac.compare_digest(digest, decoded.signature)


def expiry_text(exp: float) -> str:
    """Return a NumericDate as readable UTC time."""
    try:
        return datetime.fromtimestamp(exp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(exp)


# --- warnings about unsafe tokens ----------------------------------------------------------
# Warnings about unsafe tokens: seen in the journal and the server log, never in the response,
# and shown to a reader by the dashboard's JWT page and ``mcemu jwt decode``.
#
# docs/fidelity.md#seed-warnings: the emulator must *say* when a token was
# signed with a non-secret key, when a token payload carries a secret-named field, and when a
# token has no expiry. The key and secret warnings are raised where a token is signed
# (AMPscript ``GetJWT``/``GetJWTByKeyName``), so every page that signs, or re-signs to verify, is
# covered; "no expiry" is about a token a page *issues*, so the page runner raises it after
# reading the ``access_token`` of a page's answer. Either way the page ports stay unchanged.

T = TypeVar("T")

#: A field name that looks like a secret (docs/fidelity.md#seed-warnings), matched
#: case-insensitively.
SECRET_NAME = re.compile(r"secret|password|passwd|pwd|api[_-]?key|private[_-]?key", re.IGNORECASE)

NON_SECRET_KEY = (
    "token signed with a non-secret key ({cause}): the key was {kind} rendered as its CLR text "
    "{text!r}, so the token verifies with no app's signing secret"
)
#: Why the key was not a secret: the seed's GetAccessToken returns an error object (with a
#: ``message``) for missing or wrong credentials (docs/fidelity.md#seed-error-object-key).
ERROR_OBJECT_CAUSE = "GetAccessToken returned an error object"
OTHER_CAUSE = "the key was not a string"
SECRET_IN_PAYLOAD = ("token carries {names}: secret-named field(s) {fields} in a payload anyone "
                     "can read")
NO_EXPIRY = "token has no expiry: its payload has no exp claim, so it is valid forever"
EXPIRED = "token expired at {when} (the clock says {now})"
EXP_NOT_A_NUMBER = "token's exp claim is {kind}, not a number of seconds"
ALG_NONE = "token is unsigned (alg {alg}): never accept it"
NOT_AN_OBJECT = "token payload is not a JSON object, so it has no claims"


def token_warnings(decoded: DecodedToken, now: datetime) -> list[str]:
    """Return what a reader of ``decoded`` should be warned about, ``exp`` judged at ``now``.

    In this order: an unsigned token (alg none), a payload that is not a JSON object,
    secret-named fields (at any depth), then no exp / expired / exp not a number.
    """
    found: list[str] = []
    alg = decoded.header.get("alg")
    if isinstance(alg, str) and alg.lower() == "none":
        found.append(ALG_NONE.format(alg=alg))
    if not isinstance(decoded.payload, dict):
        found.append(NOT_AN_OBJECT)
    secret = _secret_warning(_secret_fields(decoded.payload))
    expiry = _expiry_problem(decoded.payload, now)
    return [*found, *filter(None, (secret, expiry))]


def _has_no_expiry(claims: Any) -> bool:
    """Return whether ``claims`` are a JSON object without ``exp``: a token valid forever."""
    return isinstance(claims, dict) and "exp" not in claims


def _expiry_problem(claims: Any, now: datetime) -> str | None:
    """Return the warning about the claims' ``exp`` at ``now``, or ``None`` when it is fine."""
    if not isinstance(claims, dict):
        return None  # no claims at all is its own warning
    if _has_no_expiry(claims):
        return NO_EXPIRY
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return EXP_NOT_A_NUMBER.format(kind=_json_kind(exp))
    if exp <= now.timestamp():
        return EXPIRED.format(when=expiry_text(exp), now=expiry_text(now.timestamp()))
    return None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


CACHED_TEXT_LIMIT = 16 * 1024  # texts up to this size are cached (CACHED_TEXTS of them at most)
CACHED_TEXTS = 256


def _cached_for_small_texts(compute: Callable[[str], T]) -> Callable[[str], T]:
    """Keep ``compute``'s answers for the last 256 texts of up to CACHED_TEXT_LIMIT characters.

    A client sends the same body again and again; a huge text is computed, never kept. So the
    keys take at most 256 x 16 Ki characters (16 MiB at 4 bytes a character, 4 MiB for ASCII),
    and the answers are short: a warning names at most LISTED_FIELDS fields, each cut short.
    """
    cached = functools.lru_cache(maxsize=CACHED_TEXTS)(compute)

    @functools.wraps(compute)
    def answer(text: str) -> T:
        return compute(text) if len(text) > CACHED_TEXT_LIMIT else cached(text)

    answer.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return answer


def secret_named_fields(payload: str) -> list[str]:
    """Return the secret-named field paths in a JSON payload (``[]`` when it is not JSON)."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return []
    return _secret_fields(document)


def _secret_fields(document: Any) -> list[str]:
    """Return the dotted paths of the secret-named fields in parsed JSON, in document order.

    A path names each field by its first FIELD_NAME_CHARS characters and keeps its last
    FIELD_PATH_CHARS, so a hostile payload (a 5 MB field name, deep nesting) makes short texts.
    """
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:  # iterative: a payload may nest as deep as json.loads allows
        node, prefix = stack.pop()
        if isinstance(node, dict):
            for name, value in reversed(node.items()):
                path = _field_path(prefix, name)
                stack.append((value, f"{path}."))
                stack.append((_FOUND, path) if SECRET_NAME.search(name) else (None, ""))
        elif isinstance(node, list):
            stack.extend((value, f"{prefix}{index}.")
                         for index, value in reversed(list(enumerate(node))))
        elif node is _FOUND:
            found.append(prefix)
    return found


_FOUND = object()  # marks a secret-named field's path on the stack, in document order
FIELD_NAME_CHARS = 64  # of a field's name in a warning: "<first 64>… (5,000,000 characters)"
FIELD_PATH_CHARS = 256  # of a field's dotted path in a warning: "…<last 256>"
LISTED_FIELDS = 5  # secret-named fields a warning names; "and N more" stands for the rest


def _field_path(prefix: str, name: str) -> str:
    if len(name) > FIELD_NAME_CHARS:
        name = f"{name[:FIELD_NAME_CHARS]}… ({len(name):,} characters)"
    path = f"{prefix}{name}"
    return path if len(path) <= FIELD_PATH_CHARS else f"…{path[-FIELD_PATH_CHARS:]}"


def _secret_warning(fields: list[str]) -> str | None:
    if not fields:
        return None
    listed = fields[:LISTED_FIELDS]
    more = f" and {len(fields) - LISTED_FIELDS:,} more" if len(fields) > LISTED_FIELDS else ""
    return SECRET_IN_PAYLOAD.format(names=", ".join(listed) + more,
                                    fields=", ".join(repr(f) for f in listed) + more)


@_cached_for_small_texts  # every token a client asks for carries the same payload
def secret_payload_warning(payload: str) -> str | None:
    """Return the warning for a payload with secret-named fields, or ``None``."""
    return _secret_warning(secret_named_fields(payload))


def issued_token_warnings(body: str) -> list[str]:
    """Return the warnings about the token a page answered (``{"access_token": ...}``).

    Only a JWT whose payload is a JSON object without ``exp`` is "no expiry"; any other body,
    or a payload that is not a JSON object, raises nothing.
    """
    if '"access_token"' not in body:
        return []  # every page's answer passes here: parse only the ones that carry a token
    return list(_issued_token_warnings(body))


@_cached_for_small_texts  # a page answers a client the same token again and again
def _issued_token_warnings(body: str) -> tuple[str, ...]:
    try:
        answer = json.loads(body)
        token = answer["access_token"] if isinstance(answer, dict) else None
        if not isinstance(token, str) or token.count(".") != 2:
            return ()
        # Only the payload is read here (this runs on every /token answer): not the header.
        claims = json.loads(b64url_decode(token.split(".")[1]))
    except (ValueError, KeyError, RecursionError, MalformedToken):
        return ()
    return (NO_EXPIRY,) if _has_no_expiry(claims) else ()


def non_secret_key_warning(kind: str, text: str, key: Any = None) -> str:
    """Return the warning for a token signed with a key that was not a string."""
    cause = ERROR_OBJECT_CAUSE if isinstance(key, dict) and "message" in key else OTHER_CAUSE
    return NON_SECRET_KEY.format(cause=cause, kind=kind, text=text)
