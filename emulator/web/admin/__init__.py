"""The admin API under ``/_emulator/``: one route table drives the routes and the OpenAPI document.

Each :class:`Operation` is registered on the blueprint and described in ``openapi.json`` from the
same entry, so the two cannot drift. Who may call it is safety.py's business; how bodies
are read and errors refused is messages.py's; the Data Extension views are in data.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, jsonify

from emulator import __version__
from emulator.automations import export as automation_export
from emulator.automations import runs as automation_runs
from emulator.fixtures.kinds import export_state
from emulator.folders import data as folder_data
from emulator.reset import DEFAULT_TARGET, RESET_TARGETS, reset, targets_text
from emulator.runtime import get_emulator
from emulator.salesforce import export as salesforce_export
from emulator.salesforce import records as salesforce_records
from emulator.sends import definitions as send_definitions
from emulator.subscribers import data as subscriber_data
from emulator.web.admin import (
    automations,
    clock,
    data,
    faults,
    journal_query,
    messages,
    openapi,
    outbound,
    outbox,
    packages,
    restjobs,
    safety,
    salesforce,
    subscribers,
    units,
)

PREFIX = "/_emulator"


@dataclass(frozen=True)
class Param:
    """A path or query parameter, for the OpenAPI document."""

    name: str
    where: str  # "path" or "query"
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Operation:
    """One admin route: method, path (OpenAPI style, ``{key}``), view and its documentation."""

    method: str
    path: str
    view: Callable[..., Any]
    summary: str
    responses: Mapping[int, str]
    params: tuple[Param, ...] = ()
    body: str | None = None  # a schema name in openapi.SCHEMAS

    @property
    def rule(self) -> str:
        """Return the Flask rule: ``/data-extensions/{key}`` → ``/data-extensions/<key>``."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path.removeprefix(PREFIX))


def health() -> Response:
    """Say the emulator is up, with its pages and row counts."""
    emulator = get_emulator()
    return jsonify({
        "status": "ok",
        "version": __version__,
        "pages": {path: page.name for path, page in emulator.mounts.items()},
        "dataExtensions": {key: emulator.store.count(key) for key in emulator.store.keys()},
    })


def state() -> Response:
    """Dump the whole state: every Data Extension (schema and rows), the clock, the journal."""
    emulator = get_emulator()
    # Every kind of fixture record data as an export writes it (so `mcemu export --url` loses
    # nothing), except packages: their secrets stay masked on the admin API (GET packages).
    records = {name: value for name, value in export_state(emulator.store).items()
               if name != "packages"}
    return jsonify({
        **records,
        "version": __version__,
        "clock": {"now": emulator.clock.now_utc().isoformat(),
                  "frozen": emulator.clock.frozen is not None},
        "pages": {path: page.name for path, page in emulator.mounts.items()},
        "journal": {"entries": len(emulator.journal)},
        "dataExtensions": emulator.store.dump(),
        "subscribers": subscriber_data.subscribers(emulator.store),
        "lists": subscriber_data.lists(emulator.store),
        "folders": [folder for folder in folder_data.folders(emulator.store)
                    if folder["IsEditable"]],
        "triggeredSends": send_definitions.definitions(emulator.store),
        "outbox": {"messages": len(emulator.outbox)},
        "salesforce": [{"name": name, **entry} for name, entry in
                       salesforce_export.salesforce_entries(
                           emulator.store.records(salesforce_records.OBJECTS_TABLE),
                           emulator.store.records(salesforce_records.RECORDS_TABLE)).items()],
        "automations": automation_export.automation_entries(
            automation_runs.automations(emulator.store), automation_runs.queries(emulator.store)),
    })


def reset_state() -> Response:
    """Reset the Data Extensions (``{"to": "start"}`` by default); ``{"journal": true}`` also
    clears the request journal, which a reset otherwise keeps.
    """
    body = messages.json_body(default={})
    usage = (f'send {{"to": TARGET}} with TARGET one of {targets_text()}, and optionally '
             '{"journal": true} to clear the request journal too')
    if not isinstance(body, dict):
        raise messages.BadRequest(f"a reset body is a JSON object; {usage}")
    unknown = sorted(set(body) - {"to", "journal"})
    if unknown:
        raise messages.BadRequest(f"a reset body has no {', '.join(map(repr, unknown))}; {usage}")
    target = body.get("to", DEFAULT_TARGET)
    if target not in RESET_TARGETS:
        raise messages.BadRequest(f"cannot reset to {target!r}; {usage}")
    clear_journal = body.get("journal", False)
    if not isinstance(clear_journal, bool):
        raise messages.BadRequest(f'"journal" is true or false, not {clear_journal!r}')
    emulator = get_emulator()
    reset(emulator, target, journal=clear_journal)
    store = emulator.store
    return jsonify({"reset": target, "journalCleared": clear_journal,
                    "dataExtensions": {key: store.count(key) for key in store.keys()}})


def clear_journal() -> tuple[str, int]:
    """Forget every journal entry."""
    get_emulator().journal.clear()
    return "", 204


def openapi_document() -> Response:
    """Return the OpenAPI 3.1 document of the admin API."""
    return jsonify(openapi.document(ROUTES))


KEY = Param("key", "path", "The Data Extension's external key.")
DE = f"{PREFIX}/data-extensions/{{key}}"
NOT_FOUND = {404: "No Data Extension has this key; the answer lists those that exist."}

ROUTES: tuple[Operation, ...] = (
    Operation("GET", f"{PREFIX}/health", health, "Is the emulator up: pages and row counts",
              {200: "Up."}),
    Operation("GET", f"{PREFIX}/state", state, "Dump every Data Extension, the clock and the "
              "journal size", {200: "The state."}),
    Operation("POST", f"{PREFIX}/reset", reset_state, "Reset the Data Extensions to the state "
              "the emulator started with (the default), to the fixtures, or empty; the journal "
              'is kept unless {"journal": true}',
              {200: "Reset done: the target, whether the journal was cleared, row counts.",
               400: "Not a reset body, or an unknown target (the answer names the targets)."},
              body="Reset"),
    Operation("GET", f"{PREFIX}/data-extensions", data.list_data_extensions,
              "List the Data Extensions with their row counts", {200: "The list."}),
    Operation("POST", f"{PREFIX}/data-extensions", data.create_data_extension,
              "Create a Data Extension from a DE document (schema and optional rows)",
              {201: "Created.", 400: "Malformed JSON.", 409: "The key exists already.",
               422: "The schema or a row was refused."}, body="DataExtension"),
    Operation("GET", DE, data.get_data_extension, "A Data Extension's schema and row count",
              {200: "The schema.", **NOT_FOUND}, (KEY,)),
    Operation("DELETE", DE, data.delete_data_extension, "Delete a Data Extension",
              {204: "Deleted.", **NOT_FOUND}, (KEY,)),
    Operation("GET", f"{DE}/rows", data.list_rows, "A page of rows, filtered",
              {200: "A page of rows.", 400: "A bad paging value or filter.", **NOT_FOUND},
              (KEY, Param("offset", "query", "Rows to skip (default 0).", {"type": "integer"}),
               Param("limit", "query", f"Rows to return (default {data.PAGE_SIZE}, at "
                     f"most {data.MAX_PAGE_SIZE}).", {"type": "integer"}),
               Param("filter", "query", "An SSJS Rows.Retrieve filter as JSON. Any other "
                     "query parameter is a field name: ?Field=value rows only (AND)."))),
    Operation("POST", f"{DE}/rows", data.add_rows, "Add a row or a list of rows",
              {200: "Added (counts).", 400: "Malformed JSON.", 409: "A primary key exists "
               "(insert) or is given twice.", 422: "A row was refused.", **NOT_FOUND},
              (KEY, Param("mode", "query", "upsert (default) or insert.",
                          {"enum": list(data.ROW_MODES)})), body="Rows"),
    Operation("DELETE", f"{DE}/rows", data.delete_rows, "Delete rows by primary key",
              {200: "Deleted (count, and keys not found).", 400: "No keys given.",
               409: "The DE has no primary key.", 422: "Not primary-key values.", **NOT_FOUND},
              (KEY,), body="Keys"),
    Operation("POST", f"{PREFIX}/seed", data.seed, "Seed DE documents and record files as "
              "mcemu seed does",
              {200: "Seeded (or checked, in a dry run): counts per DE and record table.",
               400: "Malformed JSON.",
               409: "A primary key exists (insert).", 422: "Refused: every problem listed."},
              (Param("mode", "query", "upsert (default), insert or replace.",
                     {"enum": ["upsert", "insert", "replace"]}),
               Param("dryRun", "query", "true: check only, change nothing.",
                     {"type": "boolean"})), body="Seed"),
    Operation("GET", f"{PREFIX}/journal", journal_query.journal, "The request journal, newest "
              "first, filtered: total (all entries), count (those matching), entries",
              {200: "Entries, or with ?count=true the counts alone.",
               400: "A bad limit or filter, or an unknown parameter."},
              (Param("limit", "query", "Entries to return (default 50).", {"type": "integer"}),
               Param("path", "query", "Only requests to this path (no query string)."),
               Param("method", "query", "Only requests with this method (any case)."),
               Param("status", "query", "Only answers with this status.",
                     {"type": "integer", "minimum": 100, "maximum": 599}),
               Param("count", "query", "true: answer total and count only.",
                     {"type": "boolean"}))),
    Operation("DELETE", f"{PREFIX}/journal", clear_journal, "Clear the request journal",
              {204: "Cleared."}),
    Operation("GET", f"{PREFIX}/clock", clock.clock_state, "The page clock: frozen or not, now "
              "in UTC and CST", {200: "The clock."}),
    Operation("POST", f"{PREFIX}/clock", clock.set_clock, "Freeze, advance (a running clock is "
              "frozen at now + seconds) or unfreeze the page clock; one key a request",
              {200: "The clock afterwards.", 400: "Not one of the three bodies, or a bad value."},
              body="Clock"),
    Operation("GET", f"{PREFIX}/faults", faults.list_faults, "The faults, oldest first, with "
              "their counters (seen, fired, active)", {200: "The faults."}),
    Operation("POST", f"{PREFIX}/faults", faults.add_fault, "Add a fault on a page's path: an "
              "answer, a delay or a dropped connection, for the next N, every Nth or a share of "
              "its requests", {201: "Added: the fault with its id.", 400: "A bad field (the "
              "answer names it and what it takes), or a path no page serves."}, body="Fault"),
    Operation("DELETE", f"{PREFIX}/faults", faults.clear_faults, "Remove the faults added at run "
              "time (those of faults.json stay)", {200: "Removed: how many."}),
    Operation("DELETE", f"{PREFIX}/faults/{{fault_id}}", faults.remove_fault, "Remove one fault "
              "(one of faults.json comes back at the next reset)",
              {204: "Removed.", 400: "Not a fault id.", 404: "No fault has this id."},
              (Param("fault_id", "path", "The fault's id.", {"type": "integer"}),)),
    Operation("GET", f"{PREFIX}/outbound", outbound.list_stubs, "The outbound stubs, in the "
              "order they are asked, with their hits", {200: "The stubs."}),
    Operation("POST", f"{PREFIX}/outbound", outbound.add_stub, "Add a stub that answers pages' "
              "outbound HTTP calls (by method, URL or URL pattern, headers and body)",
              {201: "Added: the stub with its id.", 400: "A bad field (the answer names it "
               "and what it takes)."}, body="Stub"),
    Operation("DELETE", f"{PREFIX}/outbound", outbound.clear_stubs, "Remove the stubs added at "
              "run time (those of outbound/*.json stay)", {200: "Removed: how many."}),
    Operation("DELETE", f"{PREFIX}/outbound/{{stub_id}}", outbound.remove_stub, "Remove one "
              "stub (one of outbound/*.json comes back at the next reset)",
              {204: "Removed.", 404: "No stub has this id."},
              (Param("stub_id", "path", "The stub's id."),)),
    Operation("GET", f"{PREFIX}/outbound/calls", outbound.list_calls, "The outbound calls pages "
              "made, oldest first: request, answer or error, the stub that answered, timing",
              {200: "The calls."}),
    Operation("GET", f"{PREFIX}/subscribers", subscribers.list_subscribers, "A page of "
              "subscribers (key, e-mail address, status, attributes, list memberships)",
              {200: "A page of subscribers, the total and the next page's URL.",
               400: "A bad paging value or an unknown parameter."},
              (Param("offset", "query", "Subscribers to skip (default 0).", {"type": "integer"}),
               Param("limit", "query", f"Subscribers to return (default "
                     f"{subscribers.PAGE_SIZE}, at most {subscribers.MAX_PAGE_SIZE}).",
                     {"type": "integer"}),
               Param("key", "query", "Only the subscriber with this SubscriberKey."))),
    Operation("GET", f"{PREFIX}/lists", subscribers.list_lists, "The subscriber lists, with "
              "member counts by status", {200: "The lists."}),
    Operation("GET", f"{PREFIX}/outbox", outbox.list_outbox, "A page of the messages pages "
              "sent (TriggeredSend), captured and never delivered, oldest first",
              {200: "A page of messages (id, definitionKey, subscriberKey, emailAddress, "
                    "attributes, time), the total and the next page's URL.",
               400: "A bad paging value or an unknown parameter."},
              (Param("offset", "query", "Messages to skip (default 0).", {"type": "integer"}),
               Param("limit", "query", f"Messages to return (default {outbox.PAGE_SIZE}, at "
                     f"most {outbox.MAX_PAGE_SIZE}).", {"type": "integer"}),
               Param("definition", "query", "Only the messages of this triggered send "
                     "definition (its CustomerKey)."),
               Param("subscriber", "query", "Only the messages to this SubscriberKey."))),
    Operation("GET", f"{PREFIX}/automations", automations.list_automations, "A page of "
              "automations, each with its status now, its query definitions and the runs "
              "pages started (recorded only: nothing executes)",
              {200: "A page of automations (the fields of automations.json, ObjectID, "
                    "currentStatus, Queries with their runs, runs), the total and the next "
                    "page's URL.",
               400: "A bad paging value or an unknown parameter."},
              (Param("offset", "query", "Automations to skip (default 0).",
                     {"type": "integer"}),
               Param("limit", "query", f"Automations to return (default "
                     f"{automations.PAGE_SIZE}, at most {automations.MAX_PAGE_SIZE}).",
                     {"type": "integer"}),
               Param("key", "query", "Only the automation with this CustomerKey."))),
    Operation("GET", f"{PREFIX}/salesforce", salesforce.list_objects, "The Sales Cloud "
              "objects of the local org (shipped and declared by salesforce/<Object>.json)",
              {200: "The objects: name, key prefix, fields and how many records each has."}),
    Operation("GET", f"{PREFIX}/salesforce/{{name}}", salesforce.list_records, "A page of the "
              "records of one Sales Cloud object, oldest first",
              {200: "A page of records (Id first, then every field), the total and the next "
                    "page's URL.",
               400: "A bad paging value or an unknown parameter.",
               404: "No object has that name; the refusal lists those there are."},
              (Param("name", "path", "The object's API name (any case), e.g. Lead."),
               Param("offset", "query", "Records to skip (default 0).", {"type": "integer"}),
               Param("limit", "query", f"Records to return (default {salesforce.PAGE_SIZE}, "
                     f"at most {salesforce.MAX_PAGE_SIZE}).", {"type": "integer"}),
               Param("id", "query", "Only the record with this Id (15 or 18 characters)."))),
    Operation("GET", f"{PREFIX}/packages", packages.list_packages, "The installed packages "
              "(REST API integrations): name, client id, the client secret masked, scopes, "
              "MIDs", {200: "The packages and how many REST tokens were issued."}),
    Operation("GET", f"{PREFIX}/rest-jobs", restjobs.list_jobs, "The REST API's async row "
              "jobs, oldest first, and when new ones run", {200: "Completion and jobs."}),
    Operation("POST", f"{PREFIX}/rest-jobs", restjobs.set_completion, "Choose when new REST "
              "async jobs run: immediate, manual or seconds on the emulator's clock",
              {200: "Completion and jobs.", 400: "Not {\"completion\": ...} or a bad value."},
              body="RestJobs"),
    Operation("POST", f"{PREFIX}/rest-jobs/complete", restjobs.complete_jobs, "Run the pending "
              "async jobs now, or the one requestId names",
              {200: "The requestIds run.", 400: "A bad body.", 409: "No such pending job."},
              body="RestJobsComplete"),
    Operation("GET", f"{PREFIX}/business-units", units.list_business_units, "The business "
              "units (MIDs): parent, the default unit pages run in, the enterprise, how many "
              "Data Extensions each holds and the packages that may act for it",
              {200: "The units (one default unit without business_units.json)."}),
    Operation("GET", f"{PREFIX}/rest-openapi.json", packages.rest_openapi_document, "The "
              "OpenAPI 3.1 document of the platform's REST routes", {200: "OpenAPI 3.1."}),
    Operation("GET", f"{PREFIX}/openapi.json", openapi_document, "This document",
              {200: "OpenAPI 3.1."}),
)


def init_app(app: Flask) -> None:
    """Register the admin blueprint, built from :data:`ROUTES`, on ``app``."""
    bp = Blueprint("admin", __name__, url_prefix=PREFIX)
    for operation in ROUTES:
        bp.add_url_rule(operation.rule, endpoint=operation.view.__name__,
                        view_func=operation.view, methods=[operation.method])
    safety.init_blueprint(bp)
    messages.init_blueprint(bp)
    app.register_blueprint(bp)
