"""AMPscript string functions and utilities, driven by published runtime vectors
(docs/fidelity.md#ampscript-string-functions)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.clock import Clock
from emulator.script.errors import AmpscriptError

# 2026-03-04 13:52:07 CST (the date of the published FormatDate vectors), frozen: Now() is
# reproducible.
FROZEN = datetime(2026, 3, 4, 19, 52, 7, tzinfo=timezone.utc)


@pytest.fixture
def ctx() -> AmpscriptContext:
    return AmpscriptContext(Variables(), clock=Clock(FROZEN))


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


@pytest.mark.parametrize(("expression", "expected"), [
    # Concat: text forms joined, booleans swallowed
    ('Concat("Hello","World")', "HelloWorld"),
    ('Concat("only")', "only"),
    ("Concat(12,3.5)", "123.5"),
    ("Concat(1,5)", "15"),
    ("Concat(1.5,5.3)", "1.55.3"),
    ('Concat(Now(),"X")', "3/4/2026 1:52:07 PMX"),
    ('Concat("","")', ""),
    ("Concat(true,false)", ""),
    ("Concat(" + ",".join(f'"{i}"' for i in range(20)) + ")", "".join(map(str, range(20)))),
    # Length: UTF-16 units
    ('Length("Hello")', "5"),
    ('Length("Hello World")', "11"),
    ('Length("")', "0"),
    ("Length(12345)", "5"),
    ("Length(Now())", "19"),
    ("Length(true)", "0"),
    ('Length("\U0001f600")', "2"),
    ('Length("café")', "4"),
    # Substring: 1-based, clamped start, numeric text allowed
    ('Substring("Hello World",1,5)', "Hello"),
    ('Substring("Hello World",7,3)', "Wor"),
    ('Substring("Hello World",7)', "World"),
    ('Substring("Hello World",11)', "d"),
    ('Substring("Hello World",20)', ""),
    ('Substring("Hello World",7,99)', "World"),
    ('Substring("Hello World",0,5)', "Hello"),
    ('Substring("Hello World",-3,5)', "Hello"),
    ('Substring("Hello World",1,0)', ""),
    ("Substring(9876543,3,2)", "76"),
    ('Substring("Hello World","7","3")', "Wor"),
    ("Substring('Logan',1,50)", "Logan"),
    ('Substring("a\U0001f600b",2,2)', "\U0001f600"),
    # IndexOf: 1-based, case-insensitive, non-overlapping, negative = last
    ('IndexOf("Hello World","World")', "7"),
    ('IndexOf("Hello World","WORLD")', "7"),
    ('IndexOf("Hello World","h")', "1"),
    ('IndexOf("banana","na")', "3"),
    ('IndexOf(9876543,"65")', "4"),
    ('IndexOf("Hello World","o",1)', "5"),
    ('IndexOf("Hello World","o",2)', "8"),
    ('IndexOf("Hello World","o",3)', "0"),
    ('IndexOf("aaaa","aa",2)', "3"),
    ('IndexOf("abcabcabc","abc",-1)', "7"),
    ('IndexOf("Hello World","o",0)', "5"),
    ('IndexOf("Hello World","xyz")', "0"),
    ('IndexOf("","a")', "0"),
    ('IndexOf("abc","")', "0"),
    ('IndexOf(true,"t")', "0"),
    ('IndexOf("\U0001f600x","x")', "3"),
    # Replace: all, case-insensitive, one pass
    ('Replace("Hello World","World","There")', "Hello There"),
    ('Replace("one,two,three",","," / ")', "one / two / three"),
    ('Replace("abc","b")', "ac"),
    ('Replace("a-b-c","-","")', "abc"),
    ('Replace("abc","","X")', "abc"),
    ('Replace("Hello World","WORLD","There")', "Hello There"),
    ('Replace("Cat cat CAT","cat","dog")', "dog dog dog"),
    ('Replace("aaa","aa","a")', "aa"),
    ('Replace("cat","cat","cat dog")', "cat dog"),
    ("Replace(101101,0,9)", "191191"),
    ('replace("THIS IS A STRING IN ALL UPPER CASE","StRinG","string")',
     "THIS IS A string IN ALL UPPER CASE"),
    ('Replace("a.b","." ,"$0\\\\1")', "a$0\\\\1b"),
    # Uppercase / Lowercase: invariant, one character to one
    ('Uppercase("en-us")', "EN-US"),
    ('Uppercase("àéî ß ı 12")', "ÀÉÎ ß I 12"),
    ("Uppercase(false)", ""),
    ('Lowercase("İ ΑΣ ß 1")', "i ασ ß 1"),
    ("Lowercase(Now())", "3/4/2026 1:52:07 pm"),
    # ProperCase: whitespace starts a word, the rest lower-cased
    ('ProperCase("iPhone")', "Iphone"),
    ('ProperCase("McDONALD")', "Mcdonald"),
    ('ProperCase("HTML and CSS")', "Html And Css"),
    ("ProperCase(\"o'neill mcdonald-smith\")", "O'neill Mcdonald-smith"),
    ('ProperCase("a1b c2d")', "A1b C2d"),
    ('ProperCase("3rd street")', "3rd Street"),
    ('ProperCase("  spaced   out  ")', "  Spaced   Out  "),
    ('ProperCase("x")', "X"),
    ('ProperCase("BA1R.B BR.OWN")', "Ba1r.b Br.own"),
    ('ProperCase("BARB BROWN")', "Barb Brown"),
    # Trim: both ends, NBSP too
    ('Trim("  a  b  ")', "a  b"),
    ('Trim("     ")', ""),
    ('Trim("  42  ")', "42"),
    ("Trim(12345)", "12345"),
    ('Trim("\u00a0\t x \r\n")', "x"),
])
def test_string_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("content", "expected"), [
    # Empty
    ('%%=Empty("")=%%', "True"),
    ("%%=Empty(@unset)=%%", "True"),
    ("%%[ VAR @x ]%%%%=Empty(@x)=%%", "True"),
    ('%%=Empty("   ")=%%|%%=Empty(0)=%%|%%=Empty("0")=%%|%%=Empty("false")=%%', "False|False|"
     "False|False"),
    ('%%=Empty("Not Empty")=%%|%%=Empty(Now())=%%', "False|False"),
    # IsNull: page values are never null on a CloudPage (RT)
    ('%%=IsNull(@unset)=%%|%%=IsNull("")=%%|%%[ VAR @v ]%%%%=IsNull(@v)=%%', "False|False|False"),
    # IIf: only a real boolean selects the first branch
    ('%%=IIf(Empty(@name),"Pass","Fail")=%%', "Pass"),
    ('%%=IIf(Empty("x"),"Fail","Pass")=%%', "Pass"),
    ('%%=IIf("true","t","f")=%%|%%=IIf(1,"t","f")=%%|%%=IIf(@unset,"t","f")=%%', "f|f|f"),
    ('%%=IIf(true,5,"f")=%%', "5"),
    # v
    ('%%=v("p")=%%|%%=v(5)=%%|%%=v(Concat("a","b"))=%%', "p|5|ab"),
    # Output / OutputLine: only function-call arguments are written
    # (docs/fidelity.md#ampscript-output)
    ('%%[ Output(Concat("A")) ]%%', "A"),
    ('%%[ SET @v = "x" Output("bare") Output(@v) Output(123) ]%%', ""),
    ('%%[ SET @v = "x" Output(v(@v), Concat("1", "2")) ]%%', "x12"),
    ("%%[ Output() OutputLine() ]%%", "\r\n"),
    ('%%[ OutputLine(Concat("a")) OutputLine(Concat("b")) ]%%', "a\r\nb\r\n"),
    ('%%=Output(Concat("inline"))=%%', "inline"),
])
def test_utility_vectors(ctx: AmpscriptContext, content: str, expected: str) -> None:
    assert render(content, ctx) == expected


def test_iif_evaluates_only_the_chosen_branch(ctx: AmpscriptContext) -> None:
    # The other branch would raise (RaiseError) if it were evaluated.
    assert ev(ctx, 'IIf(true, "kept", RaiseError("never"))') == "kept"
    assert ev(ctx, 'IIf(false, RaiseError("never"), "kept")') == "kept"
    with pytest.raises(AmpscriptError, match="chosen"):
        ev(ctx, 'IIf(true, RaiseError("chosen"), "x")')


def test_raise_error_is_a_catchable_error_with_its_message(ctx: AmpscriptContext) -> None:
    with pytest.raises(AmpscriptError) as raised:
        render('before %%[ RaiseError("Stop here", true, 500, 1, 0) ]%% after', ctx)
    assert raised.value.message == "Stop here"


@pytest.mark.parametrize("content", [
    '%%=Concat(Output(Concat("a")))=%%',
    '%%=v(OutputLine(Concat("a")))=%%',
])
def test_output_nested_in_a_call_aborts(ctx: AmpscriptContext, content: str) -> None:
    with pytest.raises(AmpscriptError, match="cannot be an argument"):
        render(content, ctx)


@pytest.mark.parametrize(("expression", "parameter"), [
    ('Substring("Hello",1.5)', "Start"),
    ('Substring("Hello",true)', "Start"),
    ('Substring("Hello","abc")', "Start"),
    ('Substring("Hello",1,-1)', "Length"),
    ('Substring("Hello",1,2.5)', "Length"),
    ('Substring("Hello",@unset)', "Start"),
    ('IndexOf("Hello","l",1.5)', "Occurrence"),
    ('IndexOf("Hello","l",true)', "Occurrence"),
    ('IndexOf("Hello","l","x")', "Occurrence"),
])
def test_string_functions_refuse_bad_numbers(ctx: AmpscriptContext, expression: str,
                                             parameter: str) -> None:
    with pytest.raises(AmpscriptError, match=f"Parameter Name: {parameter}"):
        ev(ctx, expression)
