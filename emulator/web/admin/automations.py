"""Admin view of the automations: each with its status now, its queries and its runs."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from emulator.automations.summary import summaries
from emulator.runtime import get_emulator
from emulator.web.admin.messages import BadRequest, int_arg, shown

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
AUTOMATION_ARGS = ("offset", "limit", "key")


def list_automations() -> Response:
    """Return a page of automations (``offset``, ``limit``), only ``key``'s when given."""
    unknown = sorted(set(request.args) - set(AUTOMATION_ARGS))
    if unknown:
        raise BadRequest(f"?{shown(unknown[0])}: not a parameter here; use "
                         f"{', '.join(AUTOMATION_ARGS)}")
    offset = int_arg("offset", 0, 0, 10**9)
    limit = int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    emulator = get_emulator()
    matching = summaries(emulator.store, emulator.clock.now_utc())
    key = request.args.get("key")
    if key is not None:
        matching = [view for view in matching if view["CustomerKey"] == key]
    following = offset + limit < len(matching)
    return jsonify({
        "total": len(matching), "offset": offset, "limit": limit,
        "automations": matching[offset:offset + limit],
        "next": url_for(".list_automations", **{**request.args, "offset": offset + limit})
        if following else None,
    })
