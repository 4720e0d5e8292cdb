"""AMPscript date functions and the clock, driven by published runtime vectors
(docs/fidelity.md#dateadd)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.clock import Clock
from emulator.script.errors import AmpscriptError

FROZEN = datetime(2026, 3, 4, 19, 52, 7, tzinfo=timezone.utc)  # 13:52:07 CST


@pytest.fixture
def ctx() -> AmpscriptContext:
    return AmpscriptContext(Variables(), clock=Clock(FROZEN))


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


def test_now_is_cst_without_daylight_saving(ctx: AmpscriptContext) -> None:
    assert ev(ctx, "Now()") == "3/4/2026 1:52:07 PM"
    july = Clock(datetime(2026, 7, 1, 12, tzinfo=timezone.utc))
    summer = AmpscriptContext(Variables(), clock=july)
    assert ev(summer, "Now()") == "7/1/2026 6:00:00 AM"  # UTC-6 in July too
    assert ev(ctx, "Now(true)") == ev(ctx, 'Now("anything")') == ev(ctx, "Now()")


def test_now_is_one_instant_per_render() -> None:
    clock = Clock()
    ctx = AmpscriptContext(Variables(), clock=clock)
    first = render("%%[ SET @a = Now() ]%%", ctx)
    clock.freeze(datetime(2030, 1, 1))
    assert first == "" and render("%%=Now()=%%", ctx) == render("%%=v(@a)=%%", ctx)


@pytest.mark.parametrize(("expression", "expected"), [
    ('DateAdd("2026-01-31 13:52:07",1,"M")', "2/28/2026 1:52:07 PM"),
    ('DateAdd("2026-01-31 13:52:07",2,"M")', "3/31/2026 1:52:07 PM"),
    ('DateAdd(DateAdd("2026-01-31 13:52:07",1,"M"),-1,"M")', "1/28/2026 1:52:07 PM"),
    ('DateAdd("2028-02-29 09:00:00",1,"Y")', "2/28/2029 9:00:00 AM"),
    ('DateAdd("2026-03-04 09:00:00","2","d")', "3/6/2026 9:00:00 AM"),
    ('DateAdd("2026-03-04 09:00:00",-90,"MI")', "3/4/2026 7:30:00 AM"),
    ('DateAdd("2026-03-04 23:00:00",2,"h")', "3/5/2026 1:00:00 AM"),
    ('DateAdd(Now(),1,"Y")', "3/4/2027 1:52:07 PM"),
    ('DateDiff("2026-01-10 08:00:00","2026-01-11 07:00:00","D")', "1"),
    ('DateDiff("2026-01-10 00:00:00","2026-01-10 23:59:00","D")', "0"),
    ('DateDiff("2026-12-31 23:59:00","2027-01-01 00:00:00","Y")', "1"),
    ('DateDiff("2026-01-01 00:00:00","2026-12-31 23:59:00","Y")', "0"),
    ('DateDiff("2026-01-10 08:00:00","2026-01-10 09:30:00","H")', "1"),
    ('DateDiff("2026-01-10 08:00:59","2026-01-10 08:01:00","MI")', "1"),
    ('DateDiff("2026-01-11","2026-01-10","D")', "-1"),
    *[(f'DateDiff("2022-04-01 8:30 AM","2023-04-02 8:31 AM","{unit}")', value)
      for unit, value in (("Y", "1"), ("M", "12"), ("D", "366"), ("H", "8784"),
                          ("MI", "527041"))],
    *[(f'DateDiff("12/31/2001","5/31/2002","{unit}")', value)
      for unit, value in (("Y", "1"), ("M", "5"), ("D", "151"), ("H", "3624"),
                          ("MI", "217440"))],
    ('DateParse("2026-03-04")', "3/4/2026 12:00:00 AM"),
    ('DateParse("2026-03-04 09:05:07")', "3/4/2026 9:05:07 AM"),
    ('DateParse("2026-03-04T09:05:07")', "3/4/2026 9:05:07 AM"),
    ('DateParse("2026-03-04T09:05:07+02:00")', "3/4/2026 1:05:07 AM"),
    ('DateParse("3/4/2026 9:05 AM")', "3/4/2026 9:05:00 AM"),
    ('DateParse("4 March 2026")', "3/4/2026 12:00:00 AM"),
    ('DateParse("March 4, 2026")', "3/4/2026 12:00:00 AM"),
    ('DateParse("Wed, 04 Mar 2026 09:05:07 GMT")', "3/4/2026 3:05:07 AM"),
    ('DateParse("1:41 PM")', "3/4/2026 1:41:00 PM"),
    ('DateParse("5/8/2026")', "5/8/2026 12:00:00 AM"),
    ('DateParse("2023-05-01")', "5/1/2023 12:00:00 AM"),
    ('DateParse("2023-05-01 5:00:00")', "5/1/2023 5:00:00 AM"),
    ('DateParse("2023-05-01 2:30PM-1:00",1)', "5/1/2023 3:30:00 PM"),
    ('DateParse("2026-03-04 09:00:00",true)', "3/4/2026 3:00:00 PM"),
    ('DateParse("2026-03-04 09:00:00","1")', "3/4/2026 3:00:00 PM"),
    ('DateParse("2026-03-04 09:00:00","junk")', "3/4/2026 9:00:00 AM"),
])
def test_date_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "parameter"), [
    # invalid dates abort (RT): ordinals, other languages, free text, "", epochs, numbers
    ('DateParse("4th March 2026")', "Date"),
    ('DateParse("4 März 2026")', "Date"),
    ('DateParse("next tuesday")', "Date"),
    ('DateParse("")', "Date"),
    ('DateParse("1700000000")', "Date"),
    ("DateParse(20260304)", "Date"),
    ('DateParse("2026-02-30")', "Date"),
    ('DateParse("13/13/2026")', "Date"),
    ('DateParse("Thu, 04 Mar 2026 09:05:07 GMT")', "Date"),
    ('DateParse("2026-03-04 25:00:00")', "Date"),
    ('DateParse("2026-03-04 13:00 PM")', "Date"),
    ('DateAdd("garbage",1,"D")', "Date"),
    ('DateAdd("",1,"D")', "Date"),
    ('DateAdd(5,1,"D")', "Date"),
    ('DateAdd(Now(),1.5,"D")', "Amount"),
    ('DateAdd(Now(),"x","D")', "Amount"),
    ('DateAdd(Now(),1,"S")', "Unit"),
    ('DateAdd(Now(),1,"day")', "Unit"),
    ('DateAdd(Now(),1,"W")', "Unit"),
    ('DateAdd(Now(),99999,"Y")', "Amount"),
    ('DateDiff("bad",Now(),"D")', "Date1"),
    ('DateDiff(Now(),"",  "D")', "Date2"),
    ('DateDiff(Now(),Now(),"")', "Unit"),
    ('DateDiff(Now(),Now(),"seconds")', "Unit"),
])
def test_bad_dates_and_units_abort(ctx: AmpscriptContext, expression: str,
                                   parameter: str) -> None:
    with pytest.raises(AmpscriptError, match=f"Parameter Name: {parameter} "):
        ev(ctx, expression)


def test_dates_keep_their_type_across_set(ctx: AmpscriptContext) -> None:
    render('%%[ SET @when = DateParse("2026-03-04 09:05:07") ]%%', ctx)
    assert ctx.variables.get("when") == datetime(2026, 3, 4, 9, 5, 7)
