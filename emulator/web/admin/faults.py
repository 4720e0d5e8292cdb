"""Admin views of the fault registry: list, add, clear, remove (``/_emulator/faults``)."""

from __future__ import annotations

from flask import Response, jsonify

from emulator.faults import FaultNotFound, FaultRefused
from emulator.runtime import get_emulator
from emulator.web.admin.messages import BadRequest, json_body
from emulator.web.refusals import refusal


def list_faults() -> Response:
    """List every fault, oldest first, with its counters (``seen``, ``fired``, ``active``)."""
    faults = get_emulator().faults.list()
    return jsonify({"faults": [fault.to_json() for fault in faults]})


def add_fault() -> tuple[Response, int]:
    """Add a fault from a JSON object with ``mc.faults.add()``'s fields; answer it with its id."""
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest('send one fault: a JSON object such as {"path": "/token", "status": '
                         '503, "times": 2}')
    try:
        fault = get_emulator().faults.add_fields(body)
    except FaultRefused as refused:
        raise BadRequest(refused.message) from None
    return jsonify(fault.to_json()), 201


def clear_faults() -> Response:
    """Remove the faults added at run time; those of faults.json stay."""
    removed = get_emulator().faults.clear()
    return jsonify({"removed": removed})


def remove_fault(fault_id: str) -> Response | tuple[str, int]:
    """Remove one fault by id (one of faults.json comes back at the next reset)."""
    if not fault_id.isascii() or not fault_id.isdigit() or len(fault_id) > 18:
        raise BadRequest(f"a fault id is a whole number, as GET /_emulator/faults lists them, "
                         f"not {fault_id[:40]!r}")
    try:
        get_emulator().faults.remove(int(fault_id))
    except FaultNotFound as missing:
        return refusal(404, missing.code, missing.message)
    return "", 204
