"""AMPscript's Sales Cloud functions on the emulator's local org (emulator/salesforce).

``CreateSalesforceObject`` returns the new record's 18-character Id,
``UpdateSingleSalesforceObject`` returns 1, ``RetrieveSalesforceObjects`` a rowset and
``LongSFID`` the 18-character form of an id (docs/fidelity.md#salesforce-functions). Any fault
(an unknown object or field, a missing required value, a bad or unknown id) aborts the page:
the platform returns no error value.
"""

from __future__ import annotations

from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import DB_NULL, Row, Rowset
from emulator.salesforce import ids
from emulator.salesforce import records as org
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError


def _store(run: Runtime, function: str) -> Any:
    if run.ctx.store is None:
        raise AmpscriptError(f"{function}: no Sales Cloud org here (this render has no store)")
    return run.ctx.store


def _pairs(values: tuple[Any, ...]) -> list[tuple[str, Any]]:
    return [(clr_text(values[i]), values[i + 1]) for i in range(0, len(values), 2)]


def _refused(function: str, refused: org.SalesforceRefused) -> AmpscriptError:
    return AmpscriptError(f"{function}: {refused}")


@ampscript_function("CreateSalesforceObject", args=(4, None), tag="RT", pairs_after=2)
def create_salesforce_object(run: Runtime, object_name: Any, count: Any, *values: Any) -> str:
    """Create a record from ``count`` (field, value) pairs; return its 18-character Id."""
    function = "CreateSalesforceObject"
    number = arg.integer(count, arg.Param(function, "numberOfFields", 2))
    if number != len(values) // 2:
        raise AmpscriptError(f"{function}: numberOfFields is {number} but {len(values) // 2} "
                             "field name and value pair(s) follow; give the number of pairs")
    try:
        return org.create(_store(run, function), clr_text(object_name), _pairs(values))
    except org.SalesforceRefused as refused:
        raise _refused(function, refused) from None


@ampscript_function("UpdateSingleSalesforceObject", args=(4, None), tag="RT", pairs_after=2)
def update_single_salesforce_object(run: Runtime, object_name: Any, record_id: Any,
                                    *values: Any) -> int:
    """Set (field, value) pairs on one record; return 1 (every fault aborts)."""
    function = "UpdateSingleSalesforceObject"
    try:
        org.update(_store(run, function), clr_text(object_name), clr_text(record_id),
                   _pairs(values))
    except org.SalesforceRefused as refused:
        raise _refused(function, refused) from None
    return 1


@ampscript_function("RetrieveSalesforceObjects", args=(5, None), tag="RT; comparisons ASSUMED")
def retrieve_salesforce_objects(run: Runtime, object_name: Any, fields: Any,
                                *conditions: Any) -> Rowset:
    """Return the named fields of each record meeting every (field, operator, value) triplet."""
    function = "RetrieveSalesforceObjects"
    if len(conditions) % 3:
        raise AmpscriptError(f"{function}: conditions come in threes (field, operator, value); "
                             f"{len(conditions)} argument(s) follow the field list")
    names = [name.strip() for name in clr_text(fields).split(",") if name.strip()]
    if not names:
        raise AmpscriptError(f"{function}: name at least one field to return, e.g. \"Id,Email\"")
    triplets = [(clr_text(conditions[i]), clr_text(conditions[i + 1]), conditions[i + 2])
                for i in range(0, len(conditions), 3)]
    try:
        found = org.retrieve(_store(run, function), clr_text(object_name), names, triplets)
    except org.SalesforceRefused as refused:
        raise _refused(function, refused) from None
    return Rowset([Row((name, DB_NULL if value is None else value)
                       for name, value in values.items()) for values in found])


@ampscript_function("LongSFID", args=1, tag="RT")
def long_sfid(run: Runtime, value: Any) -> str:
    """Return a 15-character id with its 3-character checksum; any other text unchanged."""
    return ids.long_id(clr_text(value))
