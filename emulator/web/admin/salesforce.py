"""Admin view of the local Sales Cloud org: the objects, and a page of one object's records."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from emulator.runtime import get_emulator
from emulator.salesforce import records as org
from emulator.web.admin.messages import int_arg, shown
from emulator.web.refusals import refusal

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
RECORD_ARGS = ("offset", "limit", "id")


def list_objects() -> Response:
    """Return every object of the org: name, key prefix, fields and how many records."""
    store = get_emulator().store
    held = org.records_by_object(store)
    return jsonify({"objects": [{**found.to_json(), "records": len(held.get(found.name, []))}
                                for found in org.objects(store).values()]})


def list_records(name: str) -> Response:
    """Return a page of the records of the object ``name`` (``offset``, ``limit``, ``id``)."""
    unknown = sorted(set(request.args) - set(RECORD_ARGS))
    if unknown:
        return refusal(400, "bad_request", f"?{shown(unknown[0])}: not a parameter here; use "
                       f"{', '.join(RECORD_ARGS)}")
    offset = int_arg("offset", 0, 0, 10**9)
    limit = int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    store = get_emulator().store
    try:
        found = org.find_object(store, name)
    except org.SalesforceRefused as refused:
        return refusal(404, "unknown_salesforce_object", str(refused),
                       objects=[o.name for o in org.objects(store).values()])
    matching = org.records(store, found.name)
    wanted = request.args.get("id")
    if wanted is not None:
        matching = [values for values in matching if values["Id"] == wanted
                    or values["Id"][:15] == wanted]
    following = offset + limit < len(matching)
    return jsonify({
        "object": found.name, "total": len(matching), "offset": offset, "limit": limit,
        "records": matching[offset:offset + limit],
        "next": url_for(".list_records", name=found.name,
                        **{**request.args, "offset": offset + limit}) if following else None,
    })
