"""Admin views of the subscribers and lists: read-only (fixtures and reset change them)."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from emulator.runtime import get_store
from emulator.subscribers import data
from emulator.web.admin.messages import BadRequest, int_arg, shown

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
SUBSCRIBER_ARGS = ("offset", "limit", "key")


def list_subscribers() -> Response:
    """Return a page of subscribers (``offset``, ``limit``), only ``key``'s when given."""
    unknown = sorted(set(request.args) - set(SUBSCRIBER_ARGS))
    if unknown:
        raise BadRequest(f"?{shown(unknown[0])}: not a parameter here; use "
                         f"{', '.join(SUBSCRIBER_ARGS)}")
    offset = int_arg("offset", 0, 0, 10**9)
    limit = int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    key = request.args.get("key")
    matching = data.subscribers(get_store())
    if key is not None:
        matching = [record for record in matching if record["SubscriberKey"] == key]
    following = offset + limit < len(matching)
    return jsonify({
        "total": len(matching), "offset": offset, "limit": limit,
        "subscribers": matching[offset:offset + limit],
        "next": url_for(".list_subscribers", **{**request.args, "offset": offset + limit})
        if following else None,
    })


def list_lists() -> Response:
    """Return every list with its member counts by status."""
    store = get_store()
    counts: dict[int, dict[str, int]] = {}
    for record in data.subscribers(store):
        for membership in record["Lists"]:
            by_status = counts.setdefault(membership["ID"], {})
            by_status[membership["Status"]] = by_status.get(membership["Status"], 0) + 1
    return jsonify({"lists": [{**record, "members": counts.get(record["ID"], {})}
                              for record in data.lists(store)]})
