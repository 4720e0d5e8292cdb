"""AMPscript BuildRowsetFromJSON (docs/fidelity.md#buildrowsetfromjson).

The path's matches become rows: an object gives one row with its members as columns (names any
case, ordinals 1-based), any other value one row with the column ``Value``; a member that is
itself an object or array reads as empty text (RT). The third argument, when true, turns a
malformed document or path into an empty rowset; when false they abort (RT: the documentation's
syntax section says the opposite).
"""

from __future__ import annotations

import json
from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript import jsonpath
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import Row, Rowset
from emulator.script.errors import AmpscriptError

VALUE_COLUMN = "Value"  # OFF: matches that are values give a "Value" column


@ampscript_function("BuildRowsetFromJSON", args=3, tag="RT; path subset OFF")
def build_rowset_from_json(run: Runtime, text: Any, path: Any, empty_on_error: Any) -> Rowset:
    """Return the rows the JSONPath ``path`` selects in the JSON ``text``."""
    quiet = arg.flag(empty_on_error)
    source, where = arg.text(text), arg.text(path)
    try:
        steps = jsonpath.parse(where)
    except jsonpath.JsonPathError as error:
        if quiet:
            return Rowset()
        raise AmpscriptError(assumptions.AMPSCRIPT_BAD_JSONPATH.format(
            path=arg.shown(where), problem=error)) from None
    run.ctx.budget.fits(len(source) * 4)  # the parsed document beside its text, about
    try:
        document = json.loads(source)
    except (ValueError, RecursionError) as error:
        if quiet:
            return Rowset()
        problem = "nested too deep" if isinstance(error, RecursionError) else str(error)
        raise AmpscriptError(assumptions.AMPSCRIPT_BAD_JSON.format(problem=problem)) from None
    return Rowset([_row(match) for match in jsonpath.select(document, steps)])


def _row(match: Any) -> Row:
    if isinstance(match, dict):
        return Row((str(name), _cell(value)) for name, value in match.items())
    return Row(((VALUE_COLUMN, _cell(match)),))


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)) or value is None:
        return ""  # RT: nested objects and arrays read as empty; ASSUMED for JSON null
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # RT: 100.0 renders 100
    return value
