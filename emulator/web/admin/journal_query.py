"""``GET /_emulator/journal``: the request journal, newest first, filtered and counted.

``?path=/token&method=post&status=200`` keeps the matching entries (all given filters at once; an
empty value filters nothing); the answer's ``total`` is every entry the journal holds, ``count``
those matching, and ``entries`` the newest ``?limit=`` of them. ``?count=true`` answers the two
numbers alone. The journal keeps the last ``--journal-size`` requests.
"""

from __future__ import annotations

import re

from flask import Response, jsonify, request

from emulator.journal import JournalEntry
from emulator.runtime import get_emulator
from emulator.web.admin import messages

PARAMETERS = ("limit", "path", "method", "status", "count")
_METHOD = re.compile(r"[A-Za-z][A-Za-z-]{0,31}")
_STATUS = re.compile(r"[1-5][0-9]{2}")


def journal() -> Response:
    """Return the newest journal entries first, filtered by ``?path=&method=&status=``."""
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        raise messages.BadRequest(
            f"the journal takes no {', '.join('?' + messages.shown(n) for n in unknown)}; "
            f"its parameters are {', '.join('?' + name for name in PARAMETERS)}")
    emulator = get_emulator()
    size = emulator.settings.journal_size
    limit = messages.int_arg("limit", min(50, size), 1, size)
    wanted = _filters()
    only_count = messages.flag_arg("count")
    entries = emulator.journal.entries()
    matching = [entry for entry in entries if _matches(entry, *wanted)]
    if only_count:
        return jsonify({"total": len(entries), "count": len(matching)})
    return jsonify({"total": len(entries), "count": len(matching),
                    "entries": [entry.to_json() for entry in matching[:limit]]})


def _filters() -> tuple[str | None, str | None, int | None]:
    """Return the path, method and status asked for (None: any); 400 on a bad value."""
    path = request.args.get("path") or None
    if path is not None:
        if not path.startswith("/"):
            raise messages.BadRequest(f"?path={messages.shown(path)}: a path starts with '/', "
                                      "such as /token")
        if "?" in path or "#" in path:
            raise messages.BadRequest(f"?path={messages.shown(path)}: the path alone, without "
                                      "a query string (each entry's query_string holds it)")
    method = request.args.get("method") or None
    if method is not None:
        if not _METHOD.fullmatch(method):
            raise messages.BadRequest(f"?method={messages.shown(method)}: expected an HTTP "
                                      "method name such as POST")
        method = method.upper()
    status_text = request.args.get("status") or None
    status = None
    if status_text is not None:
        if not _STATUS.fullmatch(status_text):
            raise messages.BadRequest(f"?status={messages.shown(status_text)}: expected an HTTP "
                                      "status, a number from 100 to 599")
        status = int(status_text)
    return path, method, status


def _matches(entry: JournalEntry, path: str | None, method: str | None,
             status: int | None) -> bool:
    return ((path is None or entry.path == path) and (method is None or entry.method == method)
            and (status is None or entry.status == status))
