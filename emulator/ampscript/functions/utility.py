"""AMPscript utilities: v, Empty, IsNull, IIf, Output, OutputLine, RaiseError.

See docs/fidelity.md#ampscript-utility.
"""

from __future__ import annotations

from typing import Any

from emulator.ampscript.parser import Call
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import DB_NULL
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError

CRLF = "\r\n"  # RT: OutputLine ends with bytes 13, 10, not <br>


@ampscript_function("V", args=1, tag="RT")
def v(run: Runtime, value: Any) -> Any:
    """Return the value unchanged (``%%=v(@x)=%%``)."""
    return value


@ampscript_function("Empty", args=1, tag="RT")
def empty(run: Runtime, value: Any) -> bool:
    """Return True for ``""``, null and unset values; False for anything else, ``"  "`` too (RT)."""
    return value is None or value is DB_NULL or value == ""


@ampscript_function("IsNull", args=1, tag="RT")
def is_null(run: Runtime, value: Any) -> bool:
    """Return True only for a Data Extension null (RT: page values are never null here)."""
    return value is DB_NULL


@ampscript_function("IIf", args=3, lazy=True, tag="RT")
def iif(run: Runtime, condition: Any, when_true: Any, when_false: Any) -> Any:
    """Evaluate and return one branch: the first only for a real boolean true (RT)."""
    chosen = when_true if run.evaluate(condition) is True else when_false
    return run.evaluate(chosen)


def _output(run: Runtime, nodes: tuple[Any, ...]) -> None:
    for node in nodes:
        # RT: only a function call's value is written; Output("x") or Output(@v) write nothing.
        if isinstance(node, Call):
            run.write(clr_text(run.evaluate(node)))


@ampscript_function("Output", args=(0, None), lazy=True, statement_only=True, tag="RT")
def output(run: Runtime, *nodes: Any) -> None:
    """Write each function-call argument's value, in turn, without separator."""
    _output(run, nodes)


@ampscript_function("OutputLine", args=(0, None), lazy=True, statement_only=True, tag="RT")
def output_line(run: Runtime, *nodes: Any) -> None:
    """Write like Output, then CR LF."""
    _output(run, nodes)
    run.write(CRLF)


@ampscript_function("RaiseError", args=(1, 5), tag="RT; message ASSUMED")
def raise_error(run: Runtime, message: Any, *options: Any) -> None:
    """Abort the render; inside TreatAsContent a catchable error carrying ``message``.

    RT: on a CloudPage the page answers 422 and the message is never shown; the text of the
    exception SSJS catches is ASSUMED "raiseerror-message": the message as given.
    """
    raise AmpscriptError(clr_text(message))


@ampscript_function("IsNullDefault", args=2, tag="RT; DE null ASSUMED")
def is_null_default(run: Runtime, value: Any, default: Any) -> Any:
    """Return ``value``; ``default`` only for a Data Extension null.

    RT: on a CloudPage the fallback never comes back for a page value (no page value is null,
    docs/fidelity.md#ampscript-utility); ASSUMED "isnulldefault": for the one null a page sees, a
    cell read from a DE, it does.
    """
    return default if value is DB_NULL else value
