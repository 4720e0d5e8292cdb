"""Dashboard pages that read the state: Data Extensions, rows, journal, exceptions; and reset.

Views only read, call and render; every value reaches the page through Jinja's
autoescaping, so rows and requests full of HTML show as text.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for

from emulator.errors import InvalidFilter
from emulator.reset import DEFAULT_TARGET, RESET_TARGETS, reset, targets_text
from emulator.runtime import get_emulator, get_store
from emulator.store.filters import OPERATORS

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SUBSCRIBER_ROWS = 500  # the subscribers page shows these; GET /_emulator/subscribers pages all
AUTOMATION_ROWS = 500  # the automations page shows these; GET /_emulator/automations pages all
OUTBOX_ROWS = 500  # the outbox page shows the newest of these; GET /_emulator/outbox pages all
JOURNAL_ROWS = 200  # the journal page shows the newest of these; the API pages the rest
EXCEPTIONS_DE = "CustomAppException"
#: Operators whose Value is a list: the form takes it comma-separated.
LIST_OPERATORS = frozenset({"between", "IN"})


def data_extensions() -> str:
    """List the Data Extensions with their row counts (and units); the home page."""
    from emulator.web.admin.units import mid_of_table

    store = get_store()
    unit = mid_of_table(store)  # {} with one unit: the page shows no MID column then
    summaries = [{"key": key, "name": store.schema(key).name, "count": store.count(key),
                  "primary_key": [f.name for f in store.schema(key).primary_keys], **unit(key)}
                 for key in store.keys()]
    clock = get_emulator().clock
    return render_template("ui/data_extensions.html", summaries=summaries,
                           reset_to=request.args.get("reset"), frozen=clock.frozen is not None,
                           now=clock.now_utc())


def rows(key: str) -> tuple[str, int] | str:
    """Browse one Data Extension's rows: a page of them, an optional filter, the schema."""
    store = get_store()
    if not store.has(key):
        abort(404, description=f"No Data Extension has the key {key!r}.")
    schema = store.schema(key)
    offset = _int_arg("offset", 0, 0, 10**9)
    limit = _int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    chosen = {name: request.args.get(name, "") for name in ("field", "op", "value")}
    problem = None
    try:
        matching = store.retrieve(key, _filter(chosen))
    except InvalidFilter as error:
        problem, matching = str(error), []
    page = matching[offset:offset + limit]
    shown = {k: v for k, v in chosen.items() if v}
    links = {
        "previous": url_for(".rows", key=key, **shown, offset=max(offset - limit, 0), limit=limit)
        if offset > 0 else None,
        "next": url_for(".rows", key=key, **shown, offset=offset + limit, limit=limit)
        if offset + limit < len(matching) else None,
    }
    html = render_template("ui/rows.html", schema=schema, rows=page, total=store.count(key),
                           matching=len(matching), offset=offset, limit=limit, chosen=chosen,
                           operators=list(OPERATORS), problem=problem, links=links)
    return (html, 400) if problem else html


def journal() -> str:
    """Show the request journal, newest first; the page's script refreshes the table."""
    return render_template("ui/journal.html", entries=_journal_entries(),
                           total=len(get_emulator().journal))


def journal_rows() -> str:
    """Return the journal table's rows alone, for the page's refresh."""
    return render_template("ui/journal_rows.html", entries=_journal_entries())


def request_detail(entry_id: int) -> str:
    """Show one journal entry whole: headers, bodies, rows written, warnings."""
    for entry in get_emulator().journal.entries():
        if entry.id == entry_id:
            return render_template("ui/request.html", entry=entry)
    abort(404, description=f"The journal has no request {entry_id}; it keeps the latest "
          f"{get_emulator().settings.journal_size}, and clearing it forgets them all.")


def exceptions() -> str:
    """Show the CustomAppException rows, newest first."""
    store = get_store()
    if not store.has(EXCEPTIONS_DE):
        return render_template("ui/exceptions.html", schema=None, rows=[])
    return render_template("ui/exceptions.html", schema=store.schema(EXCEPTIONS_DE),
                           rows=list(reversed(store.rows(EXCEPTIONS_DE))))


def faults() -> str:
    """List the faults with their counters, oldest first."""
    return render_template("ui/faults.html", faults=get_emulator().faults.list())


def subscribers() -> str:
    """List the lists with member counts, and the first subscribers with their attributes."""
    from emulator.subscribers import data

    store = get_store()
    people = data.subscribers(store)
    names = {item["ID"]: item["ListName"] for item in data.lists(store)}
    counts: dict[int, int] = {}
    for person in people:
        for membership in person["Lists"]:
            counts[membership["ID"]] = counts.get(membership["ID"], 0) + 1
    return render_template("ui/subscribers.html", lists=data.lists(store), counts=counts,
                           names=names, subscribers=people[:SUBSCRIBER_ROWS],
                           total=len(people), shown=min(len(people), SUBSCRIBER_ROWS))


def outbox() -> str:
    """List the newest captured messages, newest first, and the triggered send definitions."""
    from emulator.sends import definitions

    emulator = get_emulator()
    messages = emulator.outbox.messages()
    return render_template("ui/outbox.html", messages=messages[::-1][:OUTBOX_ROWS],
                           total=len(messages), shown=min(len(messages), OUTBOX_ROWS),
                           definitions=definitions.definitions(emulator.store))


def automations() -> str:
    """List the automations with their status now, their queries and their runs."""
    from emulator.automations.summary import summaries

    emulator = get_emulator()
    found = summaries(emulator.store, emulator.clock.now_utc())
    return render_template("ui/automations.html", automations=found[:AUTOMATION_ROWS],
                           total=len(found), shown=min(len(found), AUTOMATION_ROWS))


def reset_form() -> Response | tuple[str, int] | str:
    """Ask before resetting; reset on a confirmed POST (the start state, the fixtures, or empty)."""
    if request.method == "GET":
        return render_template("ui/reset.html", problem=None, chosen=DEFAULT_TARGET,
                               clear_journal=False)
    target = request.form.get("to", DEFAULT_TARGET)
    clear_journal = request.form.get("journal") == "yes"
    problem = None
    if request.form.get("confirm") != "yes":
        problem = "Tick the box to confirm the reset; nothing was changed."
    elif target not in RESET_TARGETS:
        problem = f"Cannot reset to {target!r}; choose {targets_text()}."
    if problem:
        chosen = target if target in RESET_TARGETS else DEFAULT_TARGET
        return render_template("ui/reset.html", problem=problem, chosen=chosen,
                               clear_journal=clear_journal), 400
    reset(get_emulator(), target, journal=clear_journal)
    cleared = {"journal": "cleared"} if clear_journal else {}
    return redirect(url_for(".data_extensions", reset=target, **cleared), code=303)


def ping() -> tuple[str, int]:
    """Answer 204: the page's script asks this to notice a stopped emulator."""
    return "", 204


def _journal_entries() -> list[Any]:
    return get_emulator().journal.entries()[:JOURNAL_ROWS]


def _filter(chosen: dict[str, str]) -> Any:
    """Return the SSJS filter the form describes, or None when no field is chosen."""
    if not chosen["field"]:
        return None
    op = chosen["op"] or "equals"
    part: dict[str, Any] = {"Property": chosen["field"], "SimpleOperator": op}
    if op in LIST_OPERATORS:
        part["Value"] = [item.strip() for item in chosen["value"].split(",")]
    elif OPERATORS.get(op) is None or OPERATORS[op].takes_value:
        part["Value"] = chosen["value"]
    return part


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)
