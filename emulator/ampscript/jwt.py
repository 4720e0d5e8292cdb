"""``GetJWT`` signing, byte for byte as SFMC signs (docs/fidelity.md#getjwt-format).

HMAC is computed directly: PyJWT refuses PEM- or JWK-looking keys that SFMC signs happily.
"""

from __future__ import annotations

import hmac

from emulator import assumptions
from emulator.script.clr import utf8
from emulator.script.errors import AmpscriptError
from emulator.tokens import ALGORITHMS, b64url

_CANONICAL = {name.lower(): name for name in ALGORITHMS}
#: The fixed header of each algorithm, Base64url-encoded once (alg first, compact JSON).
_HEADER_SEGMENTS = {
    name: b64url(f'{{"alg":"{name}","typ":"JWT"}}'.encode("ascii")) for name in ALGORITHMS
}


def sign_jwt(key: str, algorithm: str, payload: str, function: str = "GetJWT") -> str:
    """Return the JWT that ``GetJWT(key, algorithm, payload)`` produces.

    ``function`` names the AMPscript function in error messages.
    """
    canonical = _CANONICAL.get(algorithm.lower())  # case-insensitive, header canonical (RT)
    if canonical is None:
        raise bad_parameter(function, "Algorithm", 2, algorithm[:100])
    if not key:
        raise bad_parameter(function, "Key", 1, "")
    # The payload is signed as given, never parsed or re-serialised
    # (docs/fidelity.md#getjwt-payload).
    signing_input = f"{_HEADER_SEGMENTS[canonical]}.{b64url(utf8(payload))}"
    # The key is its UTF-8 bytes, never Base64-decoded (docs/fidelity.md#getjwt-key).
    digest = hmac.digest(utf8(key), signing_input.encode("ascii"), ALGORITHMS[canonical])
    return f"{signing_input}.{b64url(digest)}"


def bad_parameter(function: str, parameter: str, ordinal: int, value: str) -> AmpscriptError:
    """Return the AMPscript error for an invalid parameter value."""
    return AmpscriptError(assumptions.AMPSCRIPT_BAD_PARAMETER.format(
        name=function, parameter=parameter, ordinal=ordinal, value=value))
