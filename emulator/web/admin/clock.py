"""``GET|POST /_emulator/clock``: the page clock over HTTP, so any client's test can move time.

``{"freeze": "2024-01-15T12:00:00Z"}`` stops it there, ``{"advance": 3600}`` moves it forward
(a running clock is frozen at now + seconds, and stays frozen), ``{"unfreeze": true}`` lets it
run again. Exactly one key a request. Both answer the clock as it is then.
"""

from __future__ import annotations

from datetime import datetime, timezone
from json import dumps
from typing import Any

from flask import Response, jsonify

from emulator.clock import CST, MAX_ADVANCE, Clock
from emulator.config import parse_frozen_time
from emulator.errors import ConfigError
from emulator.runtime import get_emulator
from emulator.web.admin import messages

ACTIONS = ("freeze", "advance", "unfreeze")
USAGE = ('send one of {"freeze": "2024-01-15T12:00:00Z"}, {"advance": SECONDS} or '
         '{"unfreeze": true}')


def clock_state() -> Response:
    """Say whether the clock is frozen, and what time it is in UTC and in CST."""
    return jsonify(describe(get_emulator().clock))


def set_clock() -> Response:
    """Freeze, advance or unfreeze the clock; answer its new state."""
    body = messages.json_body(default=None)
    if not isinstance(body, dict) or not body:
        raise messages.BadRequest(f"a clock body is a JSON object with one key; {USAGE}")
    unknown = sorted(set(body) - set(ACTIONS))
    if unknown:
        raise messages.BadRequest(f"a clock body has no {', '.join(map(messages.shown, unknown))}"
                                  f"; {USAGE}")
    if len(body) > 1:
        raise messages.BadRequest(f"a clock body has one key, not {len(body)} "
                                  f"({', '.join(sorted(body))}); {USAGE}")
    action, value = next(iter(body.items()))
    clock = get_emulator().clock
    if action == "freeze":
        clock.freeze(_moment(value))
    elif action == "advance":
        _advance(clock, value)
    elif value is True:
        clock.freeze(None)
    else:
        raise messages.BadRequest(f'"unfreeze" takes true, not {_json_text(value)}; to stop '
                                  'the clock send {"freeze": "<ISO 8601 time>"}')
    return jsonify(describe(clock))


def describe(clock: Clock) -> dict[str, Any]:
    """Return the clock's state as the admin API answers it."""
    now = clock.now_utc()
    return {"frozen": clock.frozen is not None, "utc": now.isoformat(),
            "cst": now.astimezone(CST).isoformat()}  # one instant, in both zones


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise messages.BadRequest(f'"freeze" takes an ISO 8601 time such as '
                                  f'"2024-01-15T12:00:00Z", not {_json_text(value)}; '
                                  'to let the clock run send {"unfreeze": true}')
    try:
        moment = parse_frozen_time("freeze", value)
        moment.astimezone(timezone.utc).astimezone(CST)  # the pages read it in both zones
    except (ConfigError, OverflowError):
        raise messages.BadRequest(f'"freeze": {_json_text(value)} is not an ISO 8601 time the '
                                  'clock can hold; expected one such as "2024-01-15T12:00:00Z", '
                                  "from year 1 to 9999") from None
    return moment


def _advance(clock: Clock, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise messages.BadRequest(f'"advance" takes a number of seconds from 0 to '
                                  f'{MAX_ADVANCE:,.0f}, not {_json_text(value)}')
    try:
        clock.advance(value)
    except ValueError as error:
        raise messages.BadRequest(str(error)) from None


def _json_text(value: Any) -> str:
    """Show a JSON value as the client wrote it (true, null, "text"), cut to a readable length."""
    text = dumps(value)
    return text if len(text) <= messages.SHOWN_CHARS else text[:messages.SHOWN_CHARS] + "..."
