"""The dashboard's Sales Cloud page: each object of the local org, and one object's records."""

from __future__ import annotations

from flask import render_template, request

from emulator.runtime import get_emulator
from emulator.salesforce import records as org

RECORD_ROWS = 500  # the page shows these; GET /_emulator/salesforce/<Object> pages them all


def salesforce() -> tuple[str, int] | str:
    """List the objects with their record counts and the records of ``?object=`` (or Lead)."""
    store = get_emulator().store
    objects = list(org.objects(store).values())
    held = org.records_by_object(store)
    wanted = request.args.get("object", "Lead")
    chosen = next((o for o in objects if o.name.casefold() == wanted.casefold()), None)
    if chosen is None:
        return render_template("ui/salesforce.html", objects=objects, held=held, chosen=None,
                               wanted=wanted, records=[], columns=[], total=0, shown=0), 404
    found = held.get(chosen.name, [])
    # The fields some record holds, Id first: the others would be empty columns.
    columns = ["Id", *(f.name for f in chosen.fields
                       if any(values.get(f.name) is not None for values in found))]
    return render_template("ui/salesforce.html", objects=objects, held=held, chosen=chosen,
                           wanted=wanted, records=found[:RECORD_ROWS], columns=columns,
                           total=len(found), shown=min(len(found), RECORD_ROWS))
