"""Warnings about unsafe tokens: seen in the journal and the server log, never in the response.

fidelity.md ("Consequences the emulator reproduces"): the emulator must *say* when a token was
signed with a non-secret key, when a token payload carries a secret-named field, and (issue 7)
when a token has no expiry. The key and secret warnings are raised where a token is signed
(AMPscript ``GetJWT``/``GetJWTByKeyName``), so every page that signs, or re-signs to verify, is
covered; "no expiry" is about a token a page *issues*, so the page runner raises it after
reading the ``access_token`` of a page's answer. Either way the page ports stay unchanged.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: A field name that looks like a secret (fidelity.md), matched case-insensitively.
SECRET_NAME = re.compile(r"secret|password|passwd|pwd|api[_-]?key|private[_-]?key", re.IGNORECASE)

NON_SECRET_KEY = (
    "token signed with a non-secret key ({cause}): the key was {kind} rendered as its CLR text "
    "{text!r}, so the token verifies with no app's signing secret"
)
#: Why the key was not a secret: the seed's GetAccessToken returns an error object (with a
#: ``message``) for missing or wrong credentials (fidelity.md, consequence 2).
ERROR_OBJECT_CAUSE = "GetAccessToken returned an error object"
OTHER_CAUSE = "the key was not a string"
SECRET_IN_PAYLOAD = ("token carries {names}: secret-named field(s) {fields} in a payload anyone "
                     "can read")
NO_EXPIRY = "token has no expiry: its payload has no exp claim, so it is valid forever"


CACHED_TEXT_LIMIT = 16 * 1024  # texts up to this size are cached (256 of them at most)


def _cached_for_small_texts(compute: Callable[[str], T]) -> Callable[[str], T]:
    """Keep ``compute``'s answers for the last 256 texts of up to CACHED_TEXT_LIMIT characters.

    A client sends the same body again and again; a huge text is computed, never kept.
    """
    cached = functools.lru_cache(maxsize=256)(compute)

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
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:  # iterative: a payload may nest as deep as json.loads allows
        node, prefix = stack.pop()
        if isinstance(node, dict):
            for name, value in reversed(node.items()):
                path = f"{prefix}{name}"
                stack.append((value, f"{path}."))
                stack.append((_FOUND, path) if SECRET_NAME.search(name) else (None, ""))
        elif isinstance(node, list):
            stack.extend((value, f"{prefix}{index}.")
                         for index, value in reversed(list(enumerate(node))))
        elif node is _FOUND:
            found.append(prefix)
    return found


_FOUND = object()  # marks a secret-named field's path on the stack, in document order


@_cached_for_small_texts  # every token a client asks for carries the same payload
def secret_payload_warning(payload: str) -> str | None:
    """Return the warning for a payload with secret-named fields, or ``None``."""
    fields = secret_named_fields(payload)
    if not fields:
        return None
    return SECRET_IN_PAYLOAD.format(names=", ".join(fields),
                                    fields=", ".join(repr(f) for f in fields))


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
        segment = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, KeyError, RecursionError, binascii.Error):
        return ()
    if isinstance(claims, dict) and "exp" not in claims:
        return (NO_EXPIRY,)
    return ()


def non_secret_key_warning(kind: str, text: str, key: Any = None) -> str:
    """Return the warning for a token signed with a key that was not a string."""
    cause = ERROR_OBJECT_CAUSE if isinstance(key, dict) and "message" in key else OTHER_CAUSE
    return NON_SECRET_KEY.format(cause=cause, kind=kind, text=text)
