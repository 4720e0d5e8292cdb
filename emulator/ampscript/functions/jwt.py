"""AMPscript GetJWT and GetJWTByKeyName (docs/fidelity.md#getjwt-format)."""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.ampscript.jwt import sign_jwt
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.script.js import is_number
from emulator.tokens import non_secret_key_warning, secret_payload_warning


@ampscript_function("GetJWT", args=3, tag="OFF, RT")
def get_jwt(run: Runtime, key: Any, algorithm: Any, payload: Any) -> str:
    """Sign ``payload`` with the CLR text of ``key``, warning about unsafe tokens."""
    payload_text = clr_text(payload)
    token = sign_jwt(clr_text(key), clr_text(algorithm), payload_text)
    # docs/fidelity.md#seed-error-object-key: an object key signs with its CLR text; say so.
    if not isinstance(key, str):
        run.ctx.warn(non_secret_key_warning(_kind(key), clr_text(key), key))
    _warn_about_payload(run, payload_text)
    return token


@ampscript_function("GetJWTByKeyName", args=3, tag="OFF, RT")
def get_jwt_by_key_name(run: Runtime, key_name: Any, algorithm: Any, payload: Any) -> str:
    """Sign ``payload`` with the key store's key ``key_name``: its string's UTF-8 bytes.

    docs/fidelity.md#getjwtbykeyname: the output equals GetJWT with the stored key string, never
    Base64-decoded; an unknown key name is an error (a catchable AmpscriptError inside
    TreatAsContent).
    """
    name = clr_text(key_name)
    key = run.ctx.keys.find(name)
    if key is None:
        known = ", ".join(sorted(run.ctx.keys, key=str.lower)) or "none"
        raise AmpscriptError(assumptions.AMPSCRIPT_UNKNOWN_KEY.format(name=name, known=known))
    payload_text = clr_text(payload)
    token = sign_jwt(key.value, clr_text(algorithm), payload_text, "GetJWTByKeyName")
    _warn_about_payload(run, payload_text)
    return token


def _warn_about_payload(run: Runtime, payload: str) -> None:
    warning = secret_payload_warning(payload)
    if warning is not None:
        run.ctx.warn(warning)


def _kind(value: Any) -> str:
    """Return how a warning names the kind of a non-string value."""
    if isinstance(value, bool):
        return "a boolean"
    if is_number(value):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object"
