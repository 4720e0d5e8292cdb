"""What a fault may say: each field's rule, checked before a fault is kept.

One check for every way a fault arrives (``mc.faults.add``, ``POST /_emulator/faults``,
``faults.json``), so each refuses the same things with the same words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from emulator.errors import EmulatorError
from emulator.faults.paths import is_rest_path

#: The fields of a fault, in the order of ``FaultRegistry.add``.
FIELDS = ("path", "package", "status", "body", "errorcode", "retry_after", "delay", "drop",
          "times", "every", "share")
MAX_DELAY = 300.0  # seconds: longer than any client timeout worth testing
MAX_RETRY_AFTER = 86400  # seconds: a day
MAX_PACKAGE_LENGTH = 200  # a client id's longest, as packages.json takes it
ADMIN_PREFIX = "/_emulator"
_PATH = re.compile(r"/[^\s?#]*")

#: ``check_path(path)`` returns why no page or REST route serves ``path``, or None when one
#: does; ``check_package(client_id)`` why no installed package has that client id.
PathCheck = Callable[[str], "str | None"]


class FaultRefused(EmulatorError, ValueError):
    """A fault that cannot be kept: the message names the field, the value and what is accepted."""

    code = "fault_refused"


def check_fault(fields: Mapping[str, Any], check_path: PathCheck | None = None,
                check_package: PathCheck | None = None) -> dict[str, Any]:
    """Return the fault's fields, each checked (and a whole-number delay or share as a float).

    Raise FaultRefused for the first field that breaks its rule.
    """
    unknown = [name for name in fields if name not in FIELDS]
    if unknown:
        raise FaultRefused(f"a fault has no field {unknown[0]!r}; its fields are "
                           f"{', '.join(FIELDS)}")
    value = {name: fields.get(name) for name in FIELDS}
    value["drop"] = _flag(value["drop"])
    value["path"] = _path(value["path"], value["package"], check_path, check_package)
    value["status"] = _whole("status", value["status"], 100, 599, "an HTTP status")
    value["errorcode"] = _whole("errorcode", value["errorcode"], 1, 2**31 - 1,
                                "the REST error code")
    value["retry_after"] = _whole("retry_after", value["retry_after"], 0, MAX_RETRY_AFTER,
                                  "seconds")
    value["delay"] = _number("delay", value["delay"], 0.0, MAX_DELAY, "seconds")
    value["times"] = _whole("times", value["times"], 1, None, "how many matching requests")
    value["every"] = _whole("every", value["every"], 1, None, "fire on every Nth request")
    value["share"] = _share(value["share"])
    _body(value["body"], value["errorcode"])
    _consistent(value)
    return value


def _flag(drop: Any) -> bool:
    if drop is None:
        return False
    if not isinstance(drop, bool):
        raise FaultRefused(f"drop is true or false, not {drop!r}")
    return drop


def _path(path: Any, package: Any, check_path: PathCheck | None,
          check_package: PathCheck | None) -> str | None:
    if package is not None:
        _package(package, check_package)
    if path is None:
        if package is None:
            raise FaultRefused("a fault needs the path of a page or a REST route, e.g. "
                               "add('/token', status=503), or package= (an installed "
                               "package's client id) for every REST call made with its tokens")
        return None
    if not isinstance(path, str) or not _PATH.fullmatch(path):
        raise FaultRefused(f"path {path!r} is not a path: expected one starting with '/', "
                           "without a query string, fragment or spaces, e.g. '/token'")
    if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
        raise FaultRefused(f"path {path!r} is the emulator's admin API or dashboard, which "
                           "faults never touch; fault a page's path, e.g. '/token'")
    if package is not None and not is_rest_path(path):
        raise FaultRefused(f"package={package!r} covers the REST calls made with that "
                           f"package's tokens, and {path!r} is no REST route: give a REST path "
                           "(e.g. '/data/v1/customobjectdata/key/{key}/rowset') or no path")
    problem = check_path(path) if check_path is not None else None
    if problem is not None:
        raise FaultRefused(problem)
    return path


def _package(package: Any, check_package: PathCheck | None) -> None:
    if not isinstance(package, str) or not package.strip():
        raise FaultRefused(f"package={package!r}: expected the client id of an installed "
                           "package (text), e.g. package='my-client-id'")
    if len(package) > MAX_PACKAGE_LENGTH:
        raise FaultRefused(f"package: {len(package)} characters; a client id has at most "
                           f"{MAX_PACKAGE_LENGTH}")
    problem = check_package(package) if check_package is not None else None
    if problem is not None:
        raise FaultRefused(problem)


def _whole(name: str, value: Any, low: int, high: int | None, meaning: str) -> int | None:
    if value is None:
        return None
    accepted = f"a whole number from {low}" + (f" to {high}" if high is not None else " up")
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultRefused(f"{name}={value!r}: expected {accepted} ({meaning})")
    if value < low or (high is not None and value > high):
        raise FaultRefused(f"{name}={value}: out of range; expected {accepted} ({meaning})")
    return value


def _number(name: str, value: Any, low: float, high: float, unit: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FaultRefused(f"{name}={value!r}: expected a number of {unit} from {low:g} to "
                           f"{high:g}")
    if not low <= value <= high:
        raise FaultRefused(f"{name}={value}: out of range; expected {low:g} to {high:g} {unit}")
    return float(value)


def _share(share: Any) -> float | None:
    if share is None:
        return None
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not math.isfinite(share):
        raise FaultRefused(f"share={share!r}: expected a number above 0 and at most 1 (the "
                           "share of matching requests that get the fault)")
    if not 0 < share <= 1:
        raise FaultRefused(f"share={share}: out of range; expected above 0 and at most 1, "
                           "e.g. 0.25 for one request in four")
    return float(share)


def _body(body: Any, errorcode: int | None) -> None:
    if body is None or isinstance(body, str):
        return
    if errorcode is not None:
        raise FaultRefused("with errorcode, body is the error's message text (the answer is "
                           '{"message": body, "errorcode": N, "documentation": ""}), not '
                           f"{type(body).__name__}")
    if not isinstance(body, (dict, list)):
        raise FaultRefused(f"body is text, or a dict or list sent as JSON, not "
                           f"{type(body).__name__}")


def _consistent(value: dict[str, Any]) -> None:
    answer = [name for name in ("status", "body", "errorcode", "retry_after")
              if value[name] is not None]
    if value["drop"] and answer:
        raise FaultRefused(f"drop closes the connection without an answer, so it takes no "
                           f"{', '.join(answer)}; give drop=True alone (with delay, times, every "
                           "or share) or an answer without drop")
    if value["status"] is None and answer:
        raise FaultRefused(f"{', '.join(answer)} shape the fault's answer, which needs a status, "
                           "e.g. status=503")
    if value["status"] is None and not value["drop"] and not value["delay"]:
        raise FaultRefused("this fault does nothing: give a status (an answer instead of the "
                           "page), a delay (seconds before the answer), or drop=True (close the "
                           "connection)")
    if value["every"] is not None and value["share"] is not None:
        raise FaultRefused("every and share both choose which requests get the fault; give one "
                           "of them")
