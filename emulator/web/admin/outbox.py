"""Admin view of the outbox: the messages pages sent, captured and never delivered."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from emulator.runtime import get_emulator
from emulator.web.admin.messages import BadRequest, int_arg, shown

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
OUTBOX_ARGS = ("offset", "limit", "definition", "subscriber")


def list_outbox() -> Response:
    """Return a page of captured messages, oldest first, only a definition's or subscriber's."""
    unknown = sorted(set(request.args) - set(OUTBOX_ARGS))
    if unknown:
        raise BadRequest(f"?{shown(unknown[0])}: not a parameter here; use "
                         f"{', '.join(OUTBOX_ARGS)}")
    offset = int_arg("offset", 0, 0, 10**9)
    limit = int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    matching = get_emulator().outbox.messages()
    definition = request.args.get("definition")
    if definition is not None:
        matching = [m for m in matching if m["definitionKey"] == definition]
    subscriber = request.args.get("subscriber")
    if subscriber is not None:
        matching = [m for m in matching if m["subscriberKey"] == subscriber]
    following = offset + limit < len(matching)
    return jsonify({
        "total": len(matching), "offset": offset, "limit": limit,
        "messages": matching[offset:offset + limit],
        "next": url_for(".list_outbox", **{**request.args, "offset": offset + limit})
        if following else None,
    })
