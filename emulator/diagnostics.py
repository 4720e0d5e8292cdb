"""Warnings about unsafe tokens: seen in the journal and the server log, never in the response.

fidelity.md ("Consequences the emulator reproduces"): the emulator must *say* when a token was
signed with a non-secret key and when a token payload carries a secret-named field.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: A field name that looks like a secret (fidelity.md), matched case-insensitively.
SECRET_NAME = re.compile(r"secret|password|passwd|pwd|api[_-]?key|private[_-]?key", re.IGNORECASE)

NON_SECRET_KEY = (
    "token signed with a non-secret key: the key was {kind} rendered as its CLR text {text!r}, "
    "so the token verifies with no app's signing secret"
)
SECRET_IN_PAYLOAD = "token payload carries secret-named field(s) {fields}: anyone can read them"


def secret_named_fields(payload: str) -> list[str]:
    """Return the secret-named field paths in a JSON payload (``[]`` when it is not JSON)."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return []
    found: list[str] = []
    _collect(document, "", found)
    return found


def _collect(node: Any, prefix: str, found: list[str]) -> None:
    # Iterative enough for real payloads; json.loads already bounded the depth.
    if isinstance(node, dict):
        for name, value in node.items():
            path = f"{prefix}{name}"
            if SECRET_NAME.search(name):
                found.append(path)
            _collect(value, f"{path}.", found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _collect(value, f"{prefix}{index}.", found)


def secret_payload_warning(payload: str) -> str | None:
    """Return the warning for a payload with secret-named fields, or ``None``."""
    fields = secret_named_fields(payload)
    if not fields:
        return None
    return SECRET_IN_PAYLOAD.format(fields=", ".join(repr(f) for f in fields))


def non_secret_key_warning(kind: str, text: str) -> str:
    """Return the warning for a token signed with a key that was not a string."""
    return NON_SECRET_KEY.format(kind=kind, text=text)
