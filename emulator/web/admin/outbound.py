"""Admin views of the outbound stubs and calls (``/_emulator/outbound``)."""

from __future__ import annotations

from flask import Response, jsonify

from emulator.outbound import StubNotFound, StubRefused
from emulator.runtime import get_emulator
from emulator.web.admin.messages import BadRequest, json_body
from emulator.web.refusals import refusal


def list_stubs() -> Response:
    """List every stub in the order they are asked, with its hits."""
    stubs = get_emulator().outbound.stubs.list()
    return jsonify({"stubs": [stub.to_json() for stub in stubs]})


def add_stub() -> tuple[Response, int]:
    """Add a stub from a JSON object with ``mc.outbound.add()``'s fields; answer it with its id."""
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest('send one stub: a JSON object such as {"url": '
                         '"https://api.example.com/token", "body": {"access_token": "t"}}')
    try:
        stub = get_emulator().outbound.stubs.add_fields(body)
    except StubRefused as refused:
        raise BadRequest(refused.message) from None
    return jsonify(stub.to_json()), 201


def clear_stubs() -> Response:
    """Remove the stubs added at run time; those of outbound/*.json stay."""
    return jsonify({"removed": get_emulator().outbound.stubs.clear()})


def remove_stub(stub_id: str) -> Response | tuple[str, int]:
    """Remove one stub by id (one of outbound/*.json comes back at the next reset)."""
    try:
        get_emulator().outbound.stubs.remove(stub_id)
    except StubNotFound as missing:
        return refusal(404, missing.code, missing.message)
    return "", 204


def list_calls() -> Response:
    """List the outbound calls pages made, oldest first (the newest 1,000)."""
    calls = get_emulator().outbound.calls.list()
    return jsonify({"calls": [call.to_json() for call in calls]})
