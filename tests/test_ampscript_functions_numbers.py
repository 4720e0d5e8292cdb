"""AMPscript arithmetic and formatting, driven by published runtime vectors
(docs/fidelity.md#ampscript-math, docs/fidelity.md#formatnumber)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.clock import Clock
from emulator.script.errors import AmpscriptError, FeatureNotEmulated

FROZEN = datetime(2026, 3, 4, 19, 52, 7, tzinfo=timezone.utc)  # 13:52:07 CST


@pytest.fixture
def ctx() -> AmpscriptContext:
    context = AmpscriptContext(Variables(), clock=Clock(FROZEN))
    context.variables.set("d", "2026-03-04 13:52:07")
    return context


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


@pytest.mark.parametrize(("expression", "expected"), [
    ("Add(1.5,2.25)", "3.75"),
    ("Add(-5,3)", "-2"),
    ('Add("15","27")', "42"),
    ('Add("3.14",1)', "4.14"),
    ('Add(10,"5")', "15"),
    ("Add(2147483647,1)", "2147483648"),
    ("Add(2147483647,2147483647)", "4294967294"),
    ("Subtract(1.5,2.25)", "-0.75"),
    ("Subtract(-5,3)", "-8"),
    ('Subtract("50","15")', "35"),
    ('Subtract("9",4)', "5"),
    ("Subtract(42.51,5)", "37.51"),
    ("Multiply(1.5,2.25)", "3.375"),
    ("Multiply(-5,3)", "-15"),
    ('Multiply("4",2.5)', "10"),
    ("Multiply(1000000,1000000)", "1000000000000"),
    ("Divide(10,3)", "3.33333333333333"),
    ("Divide(-10,4)", "-2.5"),
    ('Divide("3.5","0.5")', "7"),
    ('Divide(9,"2")', "4.5"),
    # division by zero does not abort (RT)
    ("Divide(100,0)", "\u221e"),
    ("Divide(-100,0)", "-\u221e"),
    ("Divide(0,0)", "NaN"),
    ("Mod(10,3)", "1"),
    ("Mod(-10,3)", "-1"),
    ("Mod(10,-3)", "1"),
    ("Mod(-10,-3)", "-1"),
    ("Mod(10.5,3)", "1.5"),
    ("Mod(10,3.5)", "3"),
    ("Mod(-500.123,12.456)", "-1.88300000000001"),
    ('Mod("10.5","0.25")', "0"),
    ("Mod(7,0)", "NaN"),
])
def test_math_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize("expression", [
    'Add("a",1)', 'Add(1,"")', 'Add(true,1)', 'Add("true",1)', "Add(Now(),1)", "Add(@unset,1)",
    'Subtract(1,"1,000")', 'Multiply("x","y")', 'Divide(1,"zero")', 'Mod("ten",3)',
])
def test_math_never_coerces_non_numbers(ctx: AmpscriptContext, expression: str) -> None:
    with pytest.raises(AmpscriptError, match="Invalid value specified for function parameter"):
        ev(ctx, expression)


@pytest.mark.parametrize(("number", "pattern", "expected"), [
    ("1234.555", "C", "$1,234.56"),
    ("1234.555", "E", "1.234555E+003"),
    ("1234.555", "F", "1234.56"),
    ("1234.555", "G", "1234.555"),
    ("1234.555", "N", "1,234.56"),
    ("1234.555", "P", "123,455.50%"),
    ("1234.555", "R", "1234.555"),
    ("1234.555", "N0", "1,235"),
    ("1234.555", "N3", "1,234.555"),
    ("1234.555", "C0", "$1,235"),
    ("1234.555", "c", "$1,234.56"),
    ("-1234.555", "C2", "($1,234.56)"),
    ("-1234.555", "N2", "-1,234.56"),
    ("-1234.555", "0000", "-1235"),
    ("1234.555", "#,##0.00", "1,234.56"),
    ("-1234.555", "#0.00;(#0.00)", "(1234.56)"),
    ("2.5", "N0", "3"),
    ("-2.5", "N0", "-3"),
    ("1.005", "N2", "1.01"),
    ("123", "D", "123"),
    ("123", "X", "7B"),
    ("1234.555", "Q", "Q"),
    ("123.4451", "N2", "123.45"),
    ("123.445", "N2", "123.45"),
    ('"1234.56"', "N", "1,234.56"),
    ("Divide(42,326)", "P3", "12.883%"),
    # .NET custom-pattern rules beyond the published vectors
    ("5", "00-00", "00-05"),
    ("123456", "00-00", "1234-56"),
    ("0", "#", ""),
    ("0.5", "#.##", ".5"),
    ("12", "[#]", "[12]"),
    ("0.1234", "0.0%", "12.3%"),
    ("1234567", "#,,", "1"),
    ("-0.001", "N2", "0.00"),
    ('"1e300"', "E2", "1.00E+300"),
    ('"1.7e308"', "F0", "17" + "0" * 307),
])
def test_format_number_vectors(ctx: AmpscriptContext, number: str, pattern: str,
                               expected: str) -> None:
    assert ev(ctx, f'FormatNumber({number},"{pattern}")') == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ('FormatNumber(1234.555,"N2","en-US")', "1,234.56"),
    ('FormatNumber(1234.555,"N2","en_US")', "1,234.56"),
    ('FormatNumber(1234.555,"N2","de")', "1.234,56"),
    ('FormatNumber(1234.555,"N2","de-DE")', "1.234,56"),
    ('FormatNumber(1234.555,"N2","fr-FR")', "1\u00a0234,56"),
    ('FormatNumber(1234.555,"N2","zz-ZZ")', "1,234.56"),
    ('FormatNumber(1234.555,"N2","")', "1,234.56"),
    ('FormatNumber(1234.555,"C2","de-DE")', "1.234,56 €"),
    ('FormatNumber(1234.555,"C","ja-JP")', "¥1,235"),
    ('FormatNumber("1,234.56","G","en_US")', "1234.56"),
    ('FormatNumber("123.4451","C2","de_DE")', "123,45 €"),
])
def test_format_number_cultures(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ('Format(-1234.555,"C2")', "($1,234.56)"),
    ('Format(1234.555,"C2","","de-DE")', "1.234,56 €"),
    ('Format(@d,"d")', "3/4/2026"),
    ('Format(@d,"D")', "Wednesday, March 4, 2026"),
    ('Format(@d,"dddd")', "Wednesday"),
    ('Format(@d,"yyyy-MM-dd HH:mm:ss")', "2026-03-04 13:52:07"),
    ('Format(@d,"D","Date","fr-FR")', "mercredi 4 mars 2026"),
    ('Format(@d,"dddd","date","de-DE")', "Mittwoch"),
    ('Format("2023-06-01T14:00:00.0","D","Date")', "Thursday, June 1, 2023"),
    ('Format("2023-06-01T14:00:00.0","d","Date")', "6/1/2023"),
    ('Format("hello","d")', "hello"),  # unusable: echoed
    ('Format(@d,"Q")', "2026-03-04 13:52:07"),
])
def test_format_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ('FormatDate(@d,"mm")', "03"),
    ('FormatDate(@d,"","mm")', "52"),
    ('FormatDate(@d,"yyyy-MM-dd HH:mm:ss")', "2026-03-04 13:03:07"),
    ('FormatDate(@d,"yyyy-MM-dd","HH:mm:ss")', "2026-03-04 13:52:07"),
    ('FormatDate(@d,"dddd")', "Wed"),
    ('FormatDate(@d,"ddddd")', "Wednesday"),
    ('FormatDate(@d,"YYYY")', "2026"),
    ('FormatDate(@d,"d")', "3/4/2026"),
    ('FormatDate(@d,"M")', "March 4"),
    ('FormatDate(@d,"G")', "3/4/2026 1:52:07 PM"),
    ('FormatDate(@d,"F")', "Wednesday, March 4, 2026 1:52:07 PM"),
    ('FormatDate(@d,"r")', "Wed, 04 Mar 2026 13:52:07 GMT"),
    ('FormatDate(@d,"o")', "2026-03-04T13:52:07.0000000"),
    ('FormatDate(@d,"D")', "3/4/2026"),
    ('FormatDate(@d,"U")', "Wednesday, March 4, 2026 7:52:07 PM"),
    ('FormatDate(@d,"qqqq")', "qqqq"),
    ('FormatDate(@d,"MMMM","","fr_FR")', "mars"),
    ('FormatDate(@d,"MMMM","","fr-FR")', "mars"),
    ('FormatDate(@d,"MMMM","","xx-XX")', "March"),
    ('FormatDate(Now(),"d MMMM yyyy")', "4 March 2026"),
    ('FormatDate("not a date","d")', ""),
    ('FormatDate("","d")', ""),
    ('FormatDate(42,"d")', ""),
    ("FormatDate(@d)", "3/4/2026 1:52:07 PM"),
])
def test_format_date_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "error"), [
    ('FormatNumber("abc","N2")', "Parameter Name: Number"),
    ('FormatNumber(true,"N2")', "Parameter Name: Number"),
    ('FormatNumber(1.5,"D")', "Parameter Name: Format"),
    ('FormatNumber("1e300","X")', "Parameter Name: Format"),
    ('FormatNumber(Divide(1,0),"N2")', "Parameter Name: Number"),
    ('Format(1,"N2","Number")', "Parameter Name: DataType"),
    ('Format(1,"N2","junk")', "Parameter Name: DataType"),
    ('FormatDate(@d,"","h")', "Parameter Name: TimeFormat"),
    ('FormatDate(@d,"","H")', "Parameter Name: TimeFormat"),
    ('FormatDate(@d,"Q")', "Parameter Name: DateFormat"),
])
def test_format_errors(ctx: AmpscriptContext, expression: str, error: str) -> None:
    with pytest.raises(AmpscriptError, match=error):
        ev(ctx, expression)


@pytest.mark.parametrize("expression", [
    'FormatNumber(1,"N2","es-ES")',   # a real culture the emulator lacks
    'FormatDate(@d,"d","","uk_UA")',
    'FormatDate(@d,"ddd")',           # RT gives unexplained text
    'FormatNumber(1234,"0.00E+0")',
])
def test_unemulated_formatting_says_so(ctx: AmpscriptContext, expression: str) -> None:
    with pytest.raises(FeatureNotEmulated, match="not emulated"):
        ev(ctx, expression)
