"""AMPscript Char, StringToHex, ReplaceList, Random, the checks, IsNullDefault, FormatCurrency and
the date functions StringToDate, DatePart, SystemDateToLocalDate, LocalDateToSystemDate
(docs/fidelity.md#ampscript-char, #ampscript-validation, #datepart, #local-time)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.app import create_app
from emulator.clock import CST, Clock, zone_of
from emulator.config import load_settings
from emulator.errors import ConfigError
from emulator.runtime import get_emulator
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

NOW = datetime(2026, 3, 4, 19, 52, 7, tzinfo=timezone.utc)  # 1:52:07 PM in CST
HUGE = "a" * 5_000_000


def ev(expression: str, ctx: AmpscriptContext | None = None) -> str:
    return render(f"%%={expression}=%%", ctx or AmpscriptContext(Variables(), clock=Clock(NOW)))


@pytest.mark.parametrize(("expression", "expected"), [
    # RT vectors (Char)
    ("Char(65,3)", "AAA"),
    ("Char(65,0)", ""),
    ("Char(65601)", "A"),
    ("Char(-1)", "\uffff"),
    ('Char("66")', "B"),
    ("Length(Char(10,4))", "4"),
    # StringToHex: UTF-8 bytes, lower-case hex (ASSUMED "stringtohex")
    ('StringToHex("Hi")', "4869"),
    ('StringToHex("é€")', "c3a9e282ac"),
    ('StringToHex("")', ""),
    ("StringToHex(12)", "3132"),
    # ReplaceList: each find in turn, ignoring case (ASSUMED "replacelist")
    ('ReplaceList("a-b_c d","+","-","_"," ")', "a+b+c+d"),
    ('ReplaceList("Cat cat CAT","dog","cat")', "dog dog dog"),
    ('ReplaceList("abc","","b")', "ac"),
    # Random: whole bounds, both included
    ("Random(7,7)", "7"),
    ('Random("-3","-3")', "-3"),
    # checks (rules ASSUMED "ampscript-validation")
    ('IsEmailAddress("acruz@example.com")', "True"),
    ('IsEmailAddress("first.last+tag@mail.example.co.uk")', "True"),
    ('IsEmailAddress("  acruz@example.com ")', "True"),
    ('IsEmailAddress("acruz@example")', "False"),
    ('IsEmailAddress("a@b@example.com")', "False"),
    ('IsEmailAddress("no spaces@example.com")', "False"),
    ('IsEmailAddress("")', "False"),
    ("IsEmailAddress(12)", "False"),
    ('IsPhoneNumber("3175555555")', "True"),
    ('IsPhoneNumber("(317) 555-5555")', "True"),
    ('IsPhoneNumber("+1 317.555.5555")', "True"),
    ('IsPhoneNumber("1-317-555-5555")', "True"),
    ('IsPhoneNumber("555-5555")', "False"),
    ('IsPhoneNumber("0175555555")', "False"),
    ('IsPhoneNumber("317555555x")', "False"),
    ('Domain("acruz@example.com")', "example.com"),
    ('Domain("odd@name@example.org")', "example.org"),
    ('Domain("no-at-sign")', ""),
    ('Domain("@example.com")', ""),
    # IsNullDefault: RT, a page value comes back, even empty text
    ('IsNullDefault("x","fallback")', "x"),
    ('IsNullDefault("","fallback")', ""),
    ('IsNullDefault(@never_set,"fallback")', ""),
    # FormatCurrency: OFF vectors
    ('FormatCurrency(1234.567,"en-US")', "$1,234.57"),
    ('FormatCurrency(-12300099.45678,"fr_FR",3,"*$*")', "-12\u00a0300\u00a0099,457 *$*"),
    ('FormatCurrency("1,234.5","en-US",0)', "$1,235"),
    ('FormatCurrency(2.5,"de-DE",0)', "3 €"),
    ('FormatCurrency(1234.5,"en_US",2,"EUR ")', "EUR 1,234.50"),
    # StringToDate = DateParse (RT)
    ('StringToDate("2026-03-04")', "3/4/2026 12:00:00 AM"),
    ('StringToDate("2026-03-04T09:05:07+02:00")', "3/4/2026 1:05:07 AM"),
    ('StringToDate("Wed, 04 Mar 2026 09:05:07 GMT")', "3/4/2026 3:05:07 AM"),
    ('StringToDate("5/8/2026")', "5/8/2026 12:00:00 AM"),
    ('StringToDate("2026-03-04 09:00", 1)', "3/4/2026 3:00:00 PM"),
    # DatePart: SF Labs and RT vectors
    ('DatePart("Mon, 2 Oct 2023 12:01:02","Y")', "2023"),
    ('DatePart("Mon, 2 Oct 2023 12:01:02","M")', "10"),
    ('DatePart("Mon, 2 Oct 2023 12:01:02","monthName")', "October"),
    ('DatePart("Mon, 2 Oct 2023 12:01:02","D")', "02"),
    ('DatePart("Mon, 2 Oct 2023 12:01:02","H")', "12"),
    ('DatePart("Mon, 2 Oct 2023 12:01:02","minute")', "1"),
    ('DatePart("2026-03-04 19:35","hour")', "7"),
    ('DatePart("2026-03-04 09:05","MI")', "5"),
    ('DatePart("2026-03-04","h")', "12"),
    ('DatePart("2026-03-04","MONTH")', "03"),
    ('DatePart("2026-03-04","day")', "04"),
    ('DatePart(Now(),"year")', "2026"),
    # without a zone setting the account's zone is the system time (ASSUMED "local-time-zone")
    ('SystemDateToLocalDate("2026-03-04 12:00")', "3/4/2026 12:00:00 PM"),
    ('LocalDateToSystemDate("2026-03-04 12:00")', "3/4/2026 12:00:00 PM"),
])
def test_vectors(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def berlin() -> AmpscriptContext:
    return AmpscriptContext(Variables(), clock=Clock(NOW, zone_of("Europe/Berlin")))


@pytest.mark.parametrize(("expression", "expected"), [
    # CST is UTC-6 all year; Berlin is UTC+1 in winter, UTC+2 in summer (RT: +480 min seen)
    ('SystemDateToLocalDate("2026-03-04 12:00")', "3/4/2026 7:00:00 PM"),
    ('SystemDateToLocalDate("2026-07-04 12:00")', "7/4/2026 8:00:00 PM"),
    ('LocalDateToSystemDate("2026-07-04 20:00")', "7/4/2026 12:00:00 PM"),
    ('LocalDateToSystemDate(SystemDateToLocalDate("2026-10-25 04:30"))', "10/25/2026 4:30:00 AM"),
    ("SystemDateToLocalDate(Now())", "3/4/2026 8:52:07 PM"),
    ('DateDiff(Now(), SystemDateToLocalDate(Now()), "H")', "7"),
])
def test_local_time_follows_the_zone(expression: str, expected: str) -> None:
    assert ev(expression, berlin()) == expected


def test_a_fixed_offset_zone() -> None:
    ctx = AmpscriptContext(Variables(), clock=Clock(NOW, zone_of("UTC+05:30")))
    assert ev('SystemDateToLocalDate("2026-03-04 12:00")', ctx) == "3/4/2026 11:30:00 PM"


def test_the_zone_setting_reaches_the_clock() -> None:
    app = create_app({"TESTING": True, "time_zone": "Europe/Berlin"})
    assert get_emulator(app).clock.local_zone == zone_of("Europe/Berlin")
    default = create_app({"TESTING": True})
    assert get_emulator(default).clock.local_zone.utcoffset(None) == CST.utcoffset(None)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+15", "UTC+2:75", "", "GMT+2", "+02:00"])
def test_a_bad_zone_setting_says_what_is_accepted(zone: str) -> None:
    with pytest.raises(ConfigError, match="IANA time zone such as Europe/Berlin"):
        load_settings({"time_zone": zone})
    with pytest.raises(ValueError):
        zone_of(zone)


def test_random_stays_within_its_bounds_and_varies() -> None:
    ctx = AmpscriptContext(Variables())
    seen = {int(ev("Random(1,4)", ctx)) for _ in range(400)}
    assert seen == {1, 2, 3, 4}


def test_is_null_default_gives_the_fallback_for_a_database_null() -> None:
    store = Store.open(None)
    store.create(DataExtensionSchema.from_json({"key": "k", "name": "Prefs", "fields": [
        {"name": "Id", "type": "Text", "primaryKey": True}, {"name": "Color", "type": "Text"}]},
        "test"), [{"Id": "1", "Color": None}])
    ctx = AmpscriptContext(Variables(), store=store)
    assert ev('IsNullDefault(Lookup("Prefs","Color","Id","1"),"blue")', ctx) == "blue"
    assert ev('IsNullDefault(Lookup("Prefs","Color","Id","9"),"none")', ctx) == "none"


@pytest.mark.parametrize(("expression", "message"), [
    ("Char(65.5)", "Parameter Name: Code"),
    ('Char("abc")', "Parameter Name: Code"),
    ("Char(true)", "Parameter Name: Code"),
    ("Char(65,-1)", "Parameter Name: Count"),
    ("Char(65,1.5)", "Parameter Name: Count"),
    ("Char(65,false)", "Parameter Name: Count"),
    # RT: any decimal bound aborts, even 1.0 and "1.5"
    ("Random(1.0,5)", "Parameter Name: LowerBound"),
    ('Random("1.5",5)', "Parameter Name: LowerBound"),
    ("Random(1,5.5)", "Parameter Name: UpperBound"),
    ('Random("a",5)', "Parameter Name: LowerBound"),
    ("Random(true,5)", "Parameter Name: LowerBound"),
    ("Random(9,1)", "Parameter Name: UpperBound"),
    ('FormatCurrency("abc","en-US")', "Parameter Name: Number"),
    ('FormatCurrency(1,"en-US",-1)', "Parameter Name: DecimalPlaces"),
    ('FormatCurrency(1,"en-US",100)', "Parameter Name: DecimalPlaces"),
    ('FormatCurrency(1,"en-US","two")', "Parameter Name: DecimalPlaces"),
    ("StringToDate(5)", "Parameter Name: Date"),
    ('StringToDate("5th May 2026")', "Parameter Name: Date"),
    ('StringToDate("")', "Parameter Name: Date"),
    ('DatePart("2026-03-04","week")', "Parameter Name: DatePart"),
    ('DatePart("2026-03-04","")', "Parameter Name: DatePart"),
    ('DatePart("not a date","Y")', "Parameter Name: Date"),
    ('SystemDateToLocalDate("someday")', "Parameter Name: SystemTime"),
    ("LocalDateToSystemDate(42)", "Parameter Name: TimeToConvert"),
])
def test_bad_arguments_abort_naming_the_parameter(expression: str, message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        ev(expression)


def test_dates_at_the_calendar_edge_abort_instead_of_overflowing() -> None:
    ctx = AmpscriptContext(Variables(), clock=Clock(NOW, zone_of("UTC+14")))
    with pytest.raises(AmpscriptError, match="Parameter Name: SystemTime"):
        ev('SystemDateToLocalDate("12/31/9999 11:00 PM")', ctx)


def test_huge_text_is_handled_in_bounded_time() -> None:
    ctx = AmpscriptContext(Variables())
    ctx.variables.set("huge", HUGE)
    assert ev("IsEmailAddress(@huge)", ctx) == "False"
    assert ev("IsPhoneNumber(@huge)", ctx) == "False"
    assert ev("Domain(Concat(@huge,'@x.org'))", ctx) == "x.org"
    assert ev("Length(StringToHex(@huge))", ctx) == str(2 * len(HUGE))
    assert ev('Length(ReplaceList(@huge,"bb","a"))', ctx) == str(2 * len(HUGE))
    assert ev("Length(Char(65,5000000))", ctx) == "5000000"
