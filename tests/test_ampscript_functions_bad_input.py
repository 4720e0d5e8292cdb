"""Bad input for every AMPscript function: argument counts from the table itself, huge text."""

from __future__ import annotations

import pytest

from emulator import assumptions
from emulator.ampscript import FUNCTIONS, AmpscriptContext, Variables, render
from emulator.ampscript.arguments import SHOWN_VALUE
from emulator.ampscript.registry import FunctionEntry
from emulator.script.errors import AmpscriptError

HUGE = "x" * 3_000_000 + " Ünïcødé \U0001f600 " + "y" * 3_000_000  # about 6 MB


def _wrong_counts() -> list[tuple[FunctionEntry, int]]:
    """Return (function, a wrong argument count) for every function of the table."""
    cases = []
    for entry in FUNCTIONS.values():
        if entry.min_args > 0:
            cases.append((entry, entry.min_args - 1))
        if entry.max_args is not None:
            cases.append((entry, entry.max_args + 1))
        if entry.pairs_after is not None:
            cases.append((entry, entry.min_args + 1))  # a column without its value
    return cases


@pytest.mark.parametrize(("entry", "count"), _wrong_counts(),
                         ids=lambda value: value.name if isinstance(value, FunctionEntry)
                         else str(value))
def test_every_function_refuses_a_wrong_argument_count(entry: FunctionEntry, count: int) -> None:
    call = f"{entry.name}({', '.join(['1'] * count)})"
    content = f"%%[ {call} ]%%" if entry.statement_only else f"%%={call}=%%"
    ctx = AmpscriptContext(Variables())
    with pytest.raises(AmpscriptError) as raised:
        render(content, ctx)
    assert raised.value.message == assumptions.AMPSCRIPT_ARG_COUNT.format(
        name=entry.name, given=count, expected=entry.expected())


def test_every_function_has_a_fidelity_tag() -> None:
    assert all(any(tag in entry.tag for tag in ("OFF", "RT", "3P", "ASSUMED"))
               for entry in FUNCTIONS.values())


@pytest.fixture
def huge() -> AmpscriptContext:
    ctx = AmpscriptContext(Variables())
    ctx.variables.set("huge", HUGE)
    ctx.variables.set("url", "https://example.org/?q=" + HUGE)
    return ctx


@pytest.mark.parametrize(("expression", "check"), [
    ("Length(@huge)", lambda out: out == str(len(HUGE) + 1)),
    ("Length(Concat(@huge, @huge))", lambda out: out == str(2 * len(HUGE) + 2)),
    ("Length(Substring(@huge, 2999990, 40))", lambda out: out == "40"),
    ('IndexOf(@huge, "ÜNÏ")', lambda out: out == "3000002"),
    ('IndexOf(@huge, "y", -1)', lambda out: out == str(len(HUGE) + 1)),
    ('Length(Replace(@huge, "x", "ab"))', lambda out: out == str(len(HUGE) + 1 + 3_000_000)),
    ("Length(Uppercase(@huge))", lambda out: out == str(len(HUGE) + 1)),
    ("Length(Lowercase(@huge))", lambda out: out == str(len(HUGE) + 1)),
    ("Length(ProperCase(@huge))", lambda out: out == str(len(HUGE) + 1)),
    ("Length(Trim(@huge))", lambda out: out == str(len(HUGE) + 1)),
    ("Length(Base64Decode(Base64Encode(@huge)))", lambda out: out == str(len(HUGE) + 1)),
    ("MD5(@huge)", lambda out: len(out) == 32),
    ("SHA512(@huge)", lambda out: len(out) == 128),
    ("Length(URLEncode(@url, 1))", lambda out: int(out) > len(HUGE)),
    ('RegExMatch(@huge, "[^x ]+", 0)', lambda out: out == "Ünïcødé"),
    ('RegExMatch(@huge, "z", 0)', lambda out: out == ""),
    ("FormatDate(@huge)", lambda out: out == ""),
])
def test_huge_strings_are_handled(huge: AmpscriptContext, expression: str, check) -> None:
    out = render(f"%%={expression}=%%", huge)
    assert check(out)


@pytest.mark.parametrize("expression", [
    "Add(@huge, 1)", "DateParse(@huge)", "DateAdd(@huge, 1, 'D')", "Base64Decode(@huge)",
    "FormatNumber(@huge, 'N2')", "Substring('x', @huge)", "MD5('x', @huge)",
    "RegExMatch('x', Concat('(', @huge), 0)",
])
def test_huge_bad_arguments_give_short_errors(huge: AmpscriptContext, expression: str) -> None:
    with pytest.raises(AmpscriptError) as raised:
        render(f"%%={expression}=%%", huge)
    assert len(raised.value.message) < 300 + SHOWN_VALUE
