"""Faults on REST routes: the one fault registry, answered in the REST error shape.

A fault with a path (or a route's form) is asked before the route runs, its bearer check
included; a fault with a ``package`` once the call's token is known (``require_token``) or the
token request names its client id. Delays and dropped connections work as on pages
(``emulator.web.faults``), and every fault is journaled with the request.
"""

from __future__ import annotations

from flask import Response, abort, request

from emulator.faults.registry import Fault
from emulator.rest.throttle import fault_error
from emulator.runtime import get_emulator
from emulator.web import faults as page_faults
from emulator.web.rest import answer, rest


@rest.before_request
def path_faults() -> Response | None:
    """Answer the fault on this REST path that fires, if any (None: the route runs)."""
    registry = get_emulator().faults
    if not len(registry):  # the usual case
        return None
    fault = registry.match(request.method, request.path)
    return None if fault is None else fault_answer(fault)


def package_faults(client_id: str | None) -> None:
    """Answer the fault of ``client_id``'s package on this call, if one fires (aborts with it)."""
    registry = get_emulator().faults
    if client_id is None or not len(registry):
        return
    fault = registry.match(request.method, request.path, package=client_id)
    if fault is not None:
        response = fault_answer(fault)
        if response is not None:
            abort(response)


def fault_answer(fault: Fault) -> Response | None:
    """Return what ``fault`` answers on a REST route (None: a delay only, the route runs)."""
    response = page_faults.apply(fault, request.environ)  # waits, journals, arranges a drop
    if response is None or fault.status is None:
        return response  # a delay only, or the empty answer of a dropped connection
    return answer(fault_error(fault.status, fault.errorcode, fault.body, fault.retry_after))
