"""The platform objects a page sees, exercised by small page programs on a real store."""

from __future__ import annotations

from datetime import datetime

import pytest

from emulator import assumptions
from emulator.clock import Clock
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.pages import JSON_CODE_RESOURCE, Page
from emulator.pages.runner import run_page
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import (
    AmpscriptError,
    FeatureNotEmulated,
    JSTypeError,
    PlatformError,
    ScriptError,
)
from emulator.script.undefined import UNDEFINED
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    opened = Store.open(None if request.param == "memory" else str(tmp_path / "s.json"))
    opened.replace_all(load_fixture_dirs([]))
    opened.create(DataExtensionSchema.from_json({"key": "People", "fields": [
        {"name": "Email", "type": "Text", "length": 50, "primaryKey": True},
        {"name": "Name", "type": "Text", "length": 20, "nullable": False},
        {"name": "Age", "type": "Number"},
        {"name": "Note", "type": "Text"}]}, "test"))
    yield opened
    opened.close()


@pytest.fixture
def page(store):
    """Globals of a fresh page run for a POST, with the core library loaded."""
    context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p?a=1",
                                                        body=b'{"k":1}'),
                          store=store, clock=Clock(), content_type=JSON_CODE_RESOURCE)
    g = PageGlobals(context)
    g.Platform.Load("core", "1")
    return g


def output(g: PageGlobals) -> str:
    return g.context.body_text()


# --- Platform.Load ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["DataExtension", "Variable", "Write", "Stringify"])
def test_core_names_are_undefined_before_platform_load(store, name):
    g = PageGlobals(PageContext(request=RequestSnapshot.build("GET", "http://x/"), store=store,
                                clock=Clock(), content_type=JSON_CODE_RESOURCE))
    with pytest.raises(JSTypeError, match=f"{name} is not defined"):
        getattr(g, name)
    assert g.Platform.Request.Method == "GET"  # Platform itself needs no Load
    g.Platform.Load("core", "1.1.5")
    assert getattr(g, name) is not None


@pytest.mark.parametrize(("args", "message"), [
    (("ssjs", "1"), "library 'ssjs' is not emulated"),
    (("core", "2"), "core version '2' is not emulated"),
])
def test_platform_load_refuses_what_it_does_not_emulate(page, args, message):
    with pytest.raises(PlatformError, match=message):
        page.Platform.Load(*args)


# --- Write ---------------------------------------------------------------------------------------

def test_write_appends_clr_text_with_no_separator(page):
    for value in ("a", True, None, UNDEFINED, 42, 0.5, {"x": 1}, [1], "\r\nz"):
        page.Write(value)
    page.Write()
    page.Write("x", "ignored")
    assert output(page) == f"aTrue420.5{assumptions.CLR_OBJECT_TEXT}System.Collections." \
                           "ArrayList\r\nzx"


def test_platform_response_write_is_the_same_buffer(page):
    page.Write("a")
    assert page.Platform.Response.Write(False) is None
    assert output(page) == "aFalse"


def test_stringify_is_the_same_function_both_ways(page):
    value = {"a": [1, 2], "b": None, "c": UNDEFINED}
    assert page.Stringify(value) == page.Platform.Function.Stringify(value) == \
        '{"a":[1,\r\n2],"b":null,"c":null}'


# --- Variable and TreatAsContent -----------------------------------------------------------------

def test_variables_are_case_insensitive_with_optional_at_and_keep_types(page):
    v = page.Variable
    assert v.SetValue("@Count", 42) is UNDEFINED
    v.SetValue("flag", True)
    v.SetValue("@obj", {"a": 1})
    v.SetValue("@gone", UNDEFINED)
    assert (v.GetValue("count"), v.GetValue("@COUNT"), v.GetValue("@Flag")) == (42, 42, True)
    assert v.GetValue("@obj") == {"a": 1}
    assert v.GetValue("@gone") is None and v.GetValue("@never") is None
    assert page.Platform.Variable.GetValue("@count") == 42


@pytest.mark.parametrize("name", ["", "@", "@a b", "@a-b", "@@x"])
def test_a_bad_variable_name_is_a_catchable_error(page, name):
    with pytest.raises(PlatformError, match="Invalid variable name"):
        page.Variable.SetValue(name, 1)


def test_treat_as_content_renders_ampscript_with_the_page_variables(page):
    page.Variable.SetValue("@name", "Zoë")
    rendered = page.Platform.Function.TreatAsContent(
        "Hi %%=v(@name)=%%!%%[ SET @greeting = Concat('Hello, ', @name) ]%%")
    assert rendered == "Hi Zoë!"
    assert page.Variable.GetValue("@greeting") == "Hello, Zoë"


def test_an_ampscript_error_is_caught_by_page_code(page):
    def guarded() -> str:
        try:
            page.Platform.Function.TreatAsContent(
                "%%[ SET @x = HTTPPostWithRetry('http://x') ]%%")
        except ScriptError as ex:  # an SSJS catch block
            return ex.message
        return "not thrown"

    message = guarded()
    assert "HTTPPostWithRetry" in message and "not emulated" in message


def test_an_unknown_function_is_never_an_empty_string(page):
    # A name that is no platform function is the platform's compile error, not "not emulated"
    # (docs/fidelity.md#ampscript-unknown-function).
    with pytest.raises(AmpscriptError, match="unrecognized function name") as raised:
        page.Platform.Function.TreatAsContent("%%=NoSuchFunction()=%%")
    assert not isinstance(raised.value, FeatureNotEmulated)


# --- DataExtension -------------------------------------------------------------------------------

def test_init_never_throws_but_rows_of_a_missing_de_do(page):
    missing = page.DataExtension.Init("Nope")
    with pytest.raises(PlatformError) as caught:
        missing.Rows.Add({"a": "b"})
    assert caught.value.message == "A Data Extension with key Nope does not exist."
    assert caught.value.jintException is UNDEFINED
    with pytest.raises(PlatformError, match="key Nope does not exist"):
        missing.Rows.Retrieve()


def test_rows_add_returns_counts_and_stores_clr_text(page, store):
    people = page.DataExtension.Init("People").Rows
    assert people.Add({"email": "a@x", "Name": "Ann", "Age": 42, "Note": True}) == 1
    assert people.Add([{"Email": "b@x", "Name": "Bob", "Note": {"k": 1}},
                       {"Email": "c@x", "Name": "Cy", "Note": UNDEFINED, "Age": None}]) == 2
    assert store.rows("People") == [
        {"Email": "a@x", "Name": "Ann", "Age": 42, "Note": "True"},  # a Number stored typed
        {"Email": "b@x", "Name": "Bob", "Age": None, "Note": assumptions.CLR_OBJECT_TEXT},
        # null/undefined stored empty: "" in a Text field, null in a typed one
        {"Email": "c@x", "Name": "Cy", "Age": None, "Note": ""}]
    assert [w["dataExtension"] for w in page.context.rows_written] == ["People"] * 3


@pytest.mark.parametrize(("rows", "message"), [
    ({"Email": "a@x"}, "Name of Data Extension People is required"),
    ({"Email": "a@x", "Name": "x" * 21}, "21 characters long"),
    ({"Email": "a@x", "Name": "Ann", "Shoe": "9"}, "Invalid field name Shoe"),
    ([{"Email": "d@x", "Name": "A"}, {"Email": "D@X", "Name": "B"}], "PRIMARY KEY"),
    ("just text", "expects a row object"),
    ([{"Email": "e@x", "Name": "A"}, 7], "expects a row object"),
])
def test_rows_add_violations_are_catchable_and_add_nothing(page, store, rows, message):
    with pytest.raises(PlatformError, match=message):
        page.DataExtension.Init("People").Rows.Add(rows)
    assert store.rows("People") == []


def test_retrieve_returns_strings_and_an_empty_array_when_nothing_matches(page):
    people = page.DataExtension.Init("People").Rows
    people.Add([{"Email": "a@x", "Name": "Ann", "Age": 42}, {"Email": "b@x", "Name": "Bob"}])
    assert people.Retrieve() == [{"Email": "a@x", "Name": "Ann", "Age": "42", "Note": ""},
                                 {"Email": "b@x", "Name": "Bob", "Age": "", "Note": ""}]
    by_age = people.Retrieve({"Property": "age", "SimpleOperator": "equals", "Value": 42})
    assert [row["Name"] for row in by_age] == ["Ann"]
    assert people.Retrieve({"Property": "Name", "SimpleOperator": "equals", "Value": "zed"}) == []


def test_retrieve_caps_at_2500_rows(page, store):
    store.add_rows("HTTPProperties", [{"Method": "GET"} for _ in range(2600)])
    assert len(page.DataExtension.Init("HTTPProperties").Rows.Retrieve()) == 2500


@pytest.mark.parametrize("args", [("Name", "equals", "Ann"), ("positional",), (42,)])
def test_retrieve_needs_the_object_form(page, args):
    with pytest.raises(PlatformError, match="There was an error retrieving the rows."):
        page.DataExtension.Init("People").Rows.Retrieve(*args)


@pytest.mark.parametrize("value", [UNDEFINED, None, {"a": 1}, ["a"]])
def test_filter_values_that_are_not_text_numbers_or_booleans_throw(page, value):
    with pytest.raises(PlatformError, match="Invalid filter for Data Extension People"):
        page.DataExtension.Init("People").Rows.Retrieve(
            {"Property": "Name", "SimpleOperator": "equals", "Value": value})


def test_a_hostile_filter_is_a_catchable_error_not_a_crash(page):
    criteria: dict = {"Property": "Name", "SimpleOperator": "equals", "Value": "x"}
    for _ in range(20_000):
        criteria = {"LeftOperand": criteria, "LogicalOperator": "AND", "RightOperand": criteria}
    with pytest.raises(PlatformError, match="Invalid filter"):
        page.DataExtension.Init("People").Rows.Retrieve(criteria)


# --- the runner ----------------------------------------------------------------------------------

def test_an_uncaught_exception_is_a_500_and_output_is_discarded(store):
    def failing(g: PageGlobals) -> None:
        g.Platform.Load("core", "1")
        g.Write("partial output")
        g.DataExtension.Init("Nope").Rows.Add({"a": 1})

    result = run_page(Page("failing", failing, JSON_CODE_RESOURCE, "none", "test"),
                      RequestSnapshot.build("GET", "http://x/"), store, Clock())
    assert result.status == 500
    assert result.body == assumptions.UNCAUGHT_EXCEPTION_BODY.encode()
    assert result.error == "uncaught Error: A Data Extension with key Nope does not exist."


def test_a_page_answers_utf8_with_its_content_type(store):
    def hello(g: PageGlobals) -> None:
        g.Platform.Load("core", "1")
        g.Write("héllo \ud800")

    result = run_page(Page("hello", hello, "text/html", "none", "test"),
                      RequestSnapshot.build("GET", "http://x/"), store, Clock())
    assert result.status == 200
    assert result.headers[0] == ("Content-Type", "text/html; charset=utf-8")
    assert result.body == "héllo \ufffd".encode()


# --- AMPscript through TreatAsContent sees the page's store and clock ----------------------------

def test_treat_as_content_reads_the_page_store_by_name(page, store):
    store.add_rows("People", [{"Email": "a@x", "Name": "Ann", "Age": "42"}])
    rendered = page.Platform.Function.TreatAsContent(
        "%%=Lookup('People', 'Age', 'Email', 'A@X')=%%|"
        "%%=RowCount(LookupRows('People', 'Name', 'nobody'))=%%")
    assert rendered == "42|0"


def test_now_is_one_instant_for_the_whole_page(page):
    first = page.Platform.Function.TreatAsContent("%%=FormatDate(Now(), 'o')=%%")
    page.context.clock.freeze(datetime(2031, 1, 1))
    assert page.Platform.Function.TreatAsContent("%%=FormatDate(Now(), 'o')=%%") == first


def test_a_variable_holding_a_database_null_reads_null_in_ssjs(page):
    page.Platform.Function.TreatAsContent(
        "%%[ SET @v = Lookup('People', 'Name', 'Email', 'nobody') ]%%")
    assert page.Variable.GetValue("@v") is None
