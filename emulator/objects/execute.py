"""The API's Execute verb: ``execute(parameters, requestName)`` and AMPscript ``InvokeExecute``.

docs/fidelity.md#object-execute: the parameters are a flat array of ``{Name, Value}`` (numbers or
numeric text); the answer is ``{Status, RequestID, Results: [{StatusCode, StatusMessage,
OrdinalID, Results, ErrorCode}]}`` with no top-level StatusMessage (RT). ``LogUnsubEvent``
records an ``UnsubEvent`` and leaves the subscriber's status alone (RT with ids 0; ASSUMED
"execute-unsub"); any other request name answers ``Unable to find a handler for the <name>
method.`` (RT).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import assumptions
from emulator.events import records
from emulator.objects.errors import RequestRefused
from emulator.objects.model import ObjectSession, _request_id
from emulator.store.store import Store
from emulator.subscribers import data

#: Parameters one execute takes (a page builds them by hand: a few).
MAX_PARAMETERS = 100
LOG_UNSUB_EVENT = "LogUnsubEvent"
_IDS = {"JobID": "SendID", "ListID": "ListID", "BatchID": "BatchID"}


def parameters_of(given: Any) -> dict[str, Any]:
    """Return ``[{Name, Value}, ...]`` as a dict by name (any case kept as given).

    Raise RequestRefused for anything else: the doors throw it.
    """
    if not isinstance(given, list) or not all(
            isinstance(p, Mapping) and isinstance(p.get("Name"), str) for p in given):
        raise RequestRefused("execute", assumptions.EXECUTE_BAD_PARAMETERS)
    if len(given) > MAX_PARAMETERS:
        raise RequestRefused("execute", f"an execute takes at most {MAX_PARAMETERS} "
                                        f"parameters, not {len(given)}")
    return {p["Name"]: p.get("Value") for p in given}


def execute(session: ObjectSession, parameters: Any, request_name: Any) -> dict[str, Any]:
    """Run the Execute request ``request_name`` with ``parameters``; answer as the API does."""
    session.budget.check()
    named = parameters_of(parameters)
    if not isinstance(request_name, str) or not request_name.strip():
        raise RequestRefused("execute", f"the request name is text such as "
                                        f"\"{LOG_UNSUB_EVENT}\", not {request_name!r}")
    if request_name.strip().casefold() == LOG_UNSUB_EVENT.casefold():
        ok, message = _log_unsub_event(session.store, named, session)
    else:
        ok, message = False, assumptions.EXECUTE_NO_HANDLER.format(name=request_name.strip())
    result = {"StatusCode": "OK" if ok else "Error", "StatusMessage": message, "OrdinalID": 0,
              "Results": {}, "ErrorCode": 0 if ok else assumptions.OBJECT_ERROR_CODE}
    return {"Status": "OK" if ok else "Error", "RequestID": _request_id(), "Results": [result]}


def _log_unsub_event(store: Store, named: Mapping[str, Any],
                     session: ObjectSession) -> tuple[bool, str]:
    folded = {name.casefold(): value for name, value in named.items()}
    subscriber = _subscriber(store, folded.get("subscriberkey"), folded.get("emailaddress"))
    if subscriber is None:
        shown = {k: v for k, v in named.items() if k.casefold() in ("subscriberkey",
                                                                      "emailaddress")}
        return False, assumptions.EXECUTE_UNSUB_NEEDS.format(given=f"given {shown or 'neither'}")
    record: dict[str, Any] = {"EventType": "Unsub", "SubscriberKey": subscriber,
                              "EventDate": session.time().replace(tzinfo=None).isoformat(),
                              "TriggeredSendDefinitionObjectID": ""}
    for name, field in _IDS.items():
        number = _whole(folded.get(name.casefold(), 0))
        if number is None:
            return False, (f"{name} is a whole number (or its text) from 0 to "
                           f"{records.MAX_ID}, not {folded.get(name.casefold())!r}")
        record[field] = number
    records.add_event(store, record)
    return True, assumptions.EXECUTE_POSTED


def _subscriber(store: Store, key: Any, email: Any) -> str | None:
    """Return the key of the subscriber the parameters name (key first, then address)."""
    if isinstance(key, str) and key:
        try:
            return str(data.find(store, key)["SubscriberKey"])
        except data.SubscriberNotFound:
            return None
    if isinstance(email, str) and email:
        return next((s["SubscriberKey"] for s in data.subscribers(store)
                     if s["EmailAddress"].casefold() == email.casefold()), None)
    return None


def _whole(value: Any) -> int | None:
    """Return a number or numeric text as a whole number 0..MAX_ID, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= records.MAX_ID:
        return value
    return None
