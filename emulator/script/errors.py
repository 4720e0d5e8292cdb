"""The SSJS exceptions a page can catch (docs/fidelity.md#platform-errors).

These model what the *platform* throws inside a page; the emulator's own failures use the
separate ``emulator.errors.EmulatorError`` tree. A page's ``catch (ex)`` becomes
``except ScriptError as ex`` in a Python port and reads ``ex.message``, ``ex.description`` and
``ex.jintException`` exactly as the SSJS does.
"""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.errors import NotEmulatedError
from emulator.script.undefined import UNDEFINED


class ScriptError(Exception):
    """Any exception an SSJS ``catch`` block receives."""

    name = "Error"

    def __init__(self, message: str, description: str | None = None,
                 jint_exception: Any = UNDEFINED) -> None:
        super().__init__(message)
        self.message = message
        self.description = message if description is None else description
        self.jintException = jint_exception

    def __str__(self) -> str:
        return self.message


class PlatformError(ScriptError):
    """An error a platform function raises: ``message``, ``description``, no ``jintException``.

    docs/fidelity.md#platform-errors: platform errors carry message and description;
    ``jintException`` is populated only for errors the JavaScript engine itself raises.
    """


class AmpscriptError(PlatformError):
    """An AMPscript error surfacing from ``TreatAsContent`` as a catchable exception.

    ``function``, ``line`` and ``column`` (1-based) say where it happened when known, for the
    log and the journal; a page answers every AMPscript error with the same notice.
    """

    function: str | None = None
    line: int | None = None
    column: int | None = None


class FeatureNotEmulated(AmpscriptError, NotEmulatedError):
    """A platform feature the emulator does not implement: catchable, and says so plainly."""


class JSTypeError(ScriptError):
    """A TypeError raised by the JavaScript engine (e.g. property access on null)."""

    name = "TypeError"

    def __init__(self, message: str) -> None:
        super().__init__(message, message, f"TypeError: {message}")


def read_property_error(name: object, value: object) -> JSTypeError:
    """Return the TypeError for reading property ``name`` of null or undefined."""
    which = "null" if value is None else "undefined"
    return JSTypeError(assumptions.TYPE_ERROR_READ_PROPERTY.format(name=name, value=which))
