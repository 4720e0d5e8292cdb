"""AMPscript's SOAP-object functions: pages that build handles and invoke the object model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator import assumptions
from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.script.budget import PageBudget, PageOutOfMemory
from emulator.script.errors import AmpscriptError, FeatureNotEmulated
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

ORDERS = {"key": "Orders", "fields": [
    {"name": "Id", "type": "Number", "primaryKey": True},
    {"name": "Item", "type": "Text", "length": 50}]}
LISTS = [{"ID": 1, "ListName": "Newsletter", "Type": "Public"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org"},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Unsubscribed"},
    {"SubscriberKey": "cy", "EmailAddress": "cy@example.org"},
]

#: Builds one Orders row from the query's id and item; used by several pages.
ROW = """
SET @row = CreateObject("DataExtensionObject")
SetObjectProperty(@row, "CustomerKey", "Orders")
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Id")
SetObjectProperty(@p, "Value", RequestParameter("id"))
AddObjectArrayItem(@row, "Properties", @p)
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Item")
SetObjectProperty(@p, "Value", RequestParameter("item"))
AddObjectArrayItem(@row, "Properties", @p)
"""
PAGES = {
    "insert.html": "%%[" + ROW + """
SET @ret = InvokeCreate(@row, @msg, @err)
]%%%%=v(@ret)=%%|%%=v(@msg)=%%|%%=v(@err)=%%""",
    "upsert.html": "%%[" + ROW + """
SET @save = CreateObject("SaveOption")
SetObjectProperty(@save, "PropertyName", "*")
SetObjectProperty(@save, "SaveAction", "UpdateAdd")
SET @opts = CreateObject("UpdateOptions")
AddObjectArrayItem(@opts, "SaveOptions", @save)
SET @ret = InvokeUpdate(@row, @msg, @err, @opts)
]%%%%=v(@ret)=%%|%%=v(@msg)=%%|%%=v(@err)=%%""",
    "subscribers.html": """%%[
SET @rr = CreateObject("RetrieveRequest")
SetObjectProperty(@rr, "ObjectType", "Subscriber")
AddObjectArrayItem(@rr, "Properties", "SubscriberKey")
AddObjectArrayItem(@rr, "Properties", "EmailAddress")
SET @sfp = CreateObject("SimpleFilterPart")
SetObjectProperty(@sfp, "Property", "Status")
SetObjectProperty(@sfp, "SimpleOperator", "equals")
AddObjectArrayItem(@sfp, "Value", RequestParameter("status"))
SetObjectProperty(@rr, "Filter", @sfp)
SET @rows = InvokeRetrieve(@rr, @status, @requestId)
]%%%%=v(@status)=%% %%=Length(@requestId)=%% %%=RowCount(@rows)=%%
%%[ FOR @i = 1 TO RowCount(@rows) DO SET @r = Row(@rows, @i) ]%%%%=Field(@r, "SubscriberKey")=%% \
%%=Field(@r, "emailaddress")=%%
%%[ NEXT @i ]%%""",
    "definition.html": """%%[
SET @de = CreateObject("DataExtension")
SetObjectProperty(@de, "CustomerKey", "Scratch")
SetObjectProperty(@de, "Name", "Scratch")
SET @f = CreateObject("DataExtensionField")
SetObjectProperty(@f, "Name", "Id")
SetObjectProperty(@f, "FieldType", "Text")
SetObjectProperty(@f, "MaxLength", "50")
SetObjectProperty(@f, "IsPrimaryKey", "true")
SetObjectProperty(@f, "IsRequired", "true")
AddObjectArrayItem(@de, "Fields", @f)
SET @created = InvokeCreate(@de, @msg, @err)
SET @rr = CreateObject("RetrieveRequest")
SetObjectProperty(@rr, "ObjectType", "DataExtension")
AddObjectArrayItem(@rr, "Properties", "Name")
AddObjectArrayItem(@rr, "Properties", "CustomerKey")
SET @sfp = CreateObject("SimpleFilterPart")
SetObjectProperty(@sfp, "Property", "CustomerKey")
SetObjectProperty(@sfp, "SimpleOperator", "equals")
AddObjectArrayItem(@sfp, "Value", "Scratch")
SetObjectProperty(@rr, "Filter", @sfp)
SET @rows = InvokeRetrieve(@rr, @st)
SET @gone = CreateObject("DataExtension")
SetObjectProperty(@gone, "CustomerKey", "Scratch")
SET @deleted = InvokeDelete(@gone, @msg2, @err2)
]%%create %%=v(@created)=%% %%=v(@msg)=%% %%=v(@err)=%%
found %%=v(@st)=%% %%=RowCount(@rows)=%% %%=Field(Row(@rows, 1), "Name")=%%
delete %%=v(@deleted)=%% %%=v(@msg2)=%% %%=v(@err2)=%%""",
    "batches.html": """%%[
SET @rr = CreateObject("RetrieveRequest")
SetObjectProperty(@rr, "ObjectType", "DataExtensionObject[Orders]")
AddObjectArrayItem(@rr, "Properties", "Item")
AddObjectArrayItem(@rr, "Properties", "Id")
SET @options = CreateObject("RetrieveOptions")
SetObjectProperty(@options, "BatchSize", 2)
SetObjectProperty(@rr, "Options", @options)
SET @first = InvokeRetrieve(@rr, @st1, @id1)
SetObjectProperty(@rr, "ContinueRequest", @id1)
SET @second = InvokeRetrieve(@rr, @st2, @id2)
]%%%%=v(@st1)=%% %%=RowCount(@first)=%% %%=Field(Row(@first, 1), 1)=%%\
/%%=Field(Row(@first, 1), "Id")=%% \
%%=v(@st2)=%% %%=RowCount(@second)=%% %%=Field(Row(@second, 1), "Item")=%% \
%%=IIf(@id1 == @id2, "same", "other")=%%""",
    "unknown.html": """%%[
SET @rr = CreateObject("RetrieveRequest")
SetObjectProperty(@rr, "ObjectType", "Subscriber")
AddObjectArrayItem(@rr, "Properties", "Colour")
SET @rows = InvokeRetrieve(@rr, @st)
SET @q = CreateObject("QueryDefinition")
SetObjectProperty(@q, "CustomerKey", "q1")
SET @ret = InvokeCreate(@q, @msg, @err)
]%%%%=v(@st)=%% %%=RowCount(@rows)=%%
%%=v(@ret)=%% %%=v(@msg)=%% %%=v(@err)=%%""",
    "badtype.html": '%%[ SET @x = CreateObject("PerformRequest") ]%%never',
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("ampscript_objects")
    fixtures, pages = root / "fx", root / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "data_extensions" / "Orders.json").write_text(
        json.dumps({**ORDERS, "rows": [{"Id": 1, "Item": "pen"}, {"Id": 2, "Item": "ink"},
                                       {"Id": 3, "Item": "nib"}]}), encoding="utf-8")
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    with pages_app(pages, PAGES, checkpoint=True, fixtures=(str(fixtures),)) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


def _text(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def _orders(client: FlaskClient) -> list[dict[str, object]]:
    return client.get("/_emulator/data-extensions/Orders/rows").get_json()["rows"]


def test_invoke_create_adds_a_de_row_and_says_so(client: FlaskClient) -> None:
    assert _text(client, "/insert?id=7&item=cap") == "OK|Created DataExtensionObject|0"
    assert {"Id": 7, "Item": "cap"} in _orders(client)


def test_invoke_create_is_not_an_upsert(client: FlaskClient) -> None:
    answer = _text(client, "/insert?id=1&item=changed")
    status, message, code = answer.split("|")
    assert (status, code) == ("Error", str(assumptions.OBJECT_ERROR_CODE))
    assert "already" in message and "Orders" in message, message
    assert {"Id": 1, "Item": "pen"} in _orders(client)


def test_invoke_create_reports_an_unknown_column_in_its_status(client: FlaskClient) -> None:
    page = _text(client, "/insert?id=8&item=" + "x" * 51)  # Item holds 50 characters
    assert page.startswith("Error|") and not page.endswith("|0"), page
    assert 8 not in [row["Id"] for row in _orders(client)]


def test_invoke_update_with_update_add_upserts(client: FlaskClient) -> None:
    assert _text(client, "/upsert?id=1&item=quill") == "OK|Updated DataExtensionObject|0"
    assert _text(client, "/upsert?id=9&item=wax") == "OK|Updated DataExtensionObject|0"
    rows = _orders(client)
    assert {"Id": 1, "Item": "quill"} in rows and {"Id": 9, "Item": "wax"} in rows


def test_invoke_retrieve_reads_subscribers_with_a_filter(client: FlaskClient) -> None:
    assert _text(client, "/subscribers?status=Active") == (
        "OK 36 2\nann ann@example.org\ncy cy@example.org\n")
    assert _text(client, "/subscribers?status=Unsubscribed") == (
        "OK 36 1\nbob bob@example.org\n")
    assert _text(client, "/subscribers?status=Held") == "OK 36 0\n"  # no match: OK, empty


def test_a_de_definition_is_created_found_and_deleted(client: FlaskClient) -> None:
    assert _text(client, "/definition").splitlines() == [
        "create OK Data Extension created. 0", "found OK 1 Scratch",
        "delete OK Data Extension deleted. 0"]
    assert client.get("/_emulator/data-extensions/Scratch").status_code == 404


def test_invoke_retrieve_continues_a_request_in_batches(client: FlaskClient) -> None:
    # BatchSize 2 of 3 rows: the first batch says MoreDataAvailable, ContinueRequest gets the
    # last row with the same RequestID; columns come in the requested order.
    assert _text(client, "/batches") == "MoreDataAvailable 2 pen/1 OK 1 nib same"


def test_bad_names_are_answered_in_the_status(client: FlaskClient) -> None:
    assert _text(client, "/unknown").splitlines() == [
        "Error: The Request Property(s) Colour do not match with the fields of Subscriber "
        "retrieve 0",
        f"Error {assumptions.OBJECT_NOT_WRITABLE.format(verb='create', type='QueryDefinition')} "
        f"{assumptions.OBJECT_ERROR_CODE}"]


def test_an_unknown_object_type_aborts_the_page(client: FlaskClient) -> None:
    answer = client.get("/badtype")
    assert answer.status_code == 422
    assert "never" not in answer.get_data(as_text=True)


# --- Bad input, rendered straight against a store ------------------------------------------------

@pytest.fixture
def ctx() -> Iterator[AmpscriptContext]:
    store = Store.open(None)
    store.create(DataExtensionSchema.from_json(ORDERS, "test"), [{"Id": 1, "Item": "pen"}])
    yield AmpscriptContext(Variables(), store=store)
    store.close()


def _abort(content: str, ctx: AmpscriptContext) -> str:
    with pytest.raises(AmpscriptError) as raised:
        render(content, ctx)
    return raised.value.message


@pytest.mark.parametrize("name", ["DataExtension.Field", "PerformRequest", "", "Nope"])
def test_create_object_refuses_a_type_it_does_not_know(name: str, ctx: AmpscriptContext) -> None:
    message = _abort(f'%%=CreateObject("{name}")=%%', ctx)
    assert message.startswith(f"CreateObject: {name} is not an API object type"), message
    assert "RetrieveRequest" in message and "DataExtensionObject" in message


def test_type_names_match_in_any_case_and_a_handle_prints_nothing(ctx: AmpscriptContext) -> None:
    assert render('%%[ SET @o = CreateObject("retrieverequest") ]%%[%%=v(@o)=%%]', ctx) == "[]"


@pytest.mark.parametrize(("call", "function", "parameter", "value"), [
    ('SetObjectProperty("text", "Name", "x")', "SetObjectProperty", "apiObject", "text"),
    ('SetObjectProperty(@o, "", "x")', "SetObjectProperty", "propertyName", ""),
    ("SetObjectProperty(@o, 5, 'x')", "SetObjectProperty", "propertyName", "5"),
    ('AddObjectArrayItem(@o, "Values", LookupRows("Orders", "Id", 1))', "AddObjectArrayItem",
     "value", "a rowset"),
    ('InvokeRetrieve("rr")', "InvokeRetrieve", "retrieveRequest", "rr"),
    ("InvokeRetrieve(@o)", "InvokeRetrieve", "retrieveRequest", "DataExtensionObject"),
    ('InvokeCreate(@o, "status", @err)', "InvokeCreate", "statusMessage", "status"),
    ("InvokeDelete(@o, @msg, 0)", "InvokeDelete", "errorCode", "0"),
])
def test_bad_arguments_abort_with_the_parameter_named(call: str, function: str, parameter: str,
                                                      value: str, ctx: AmpscriptContext) -> None:
    content = ('%%[ SET @o = CreateObject("DataExtensionObject") '
               'SetObjectProperty(@o, "CustomerKey", "Orders") ]%%' f"%%={call}=%%")
    message = _abort(content, ctx)
    ordinal = {"apiObject": 1, "retrieveRequest": 1, "propertyName": 2, "statusMessage": 2,
               "value": 3, "errorCode": 3}[parameter]
    assert message == assumptions.AMPSCRIPT_BAD_PARAMETER.format(
        name=function, parameter=parameter, ordinal=ordinal, value=value)


def test_a_handle_inside_itself_is_refused(ctx: AmpscriptContext) -> None:
    content = ('%%[ SET @o = CreateObject("DataExtension") SetObjectProperty(@o, "Self", @o) '
               'SET @r = InvokeCreate(@o, @msg, @err) ]%%')
    message = _abort(content, ctx)
    assert re.fullmatch(r"An API object handle cannot be sent: it holds handles nested more "
                        r"than \d+ deep \(a handle inside itself\?\)\.", message), message
    assert ctx.variables.get("msg") is None  # nothing was sent


def test_a_malformed_request_aborts_with_the_platforms_text(ctx: AmpscriptContext) -> None:
    # Fields set as one handle instead of appended: the API's "Fields: {Field: ...}" shape.
    content = ('%%[ SET @o = CreateObject("DataExtension") SET @f = CreateObject('
               '"DataExtensionField") SetObjectProperty(@o, "Fields", @f) '
               'SET @r = InvokeCreate(@o, @msg, @err) ]%%')
    assert _abort(content, ctx).startswith("Error executing create call. Fields must be a "
                                           "flat array")


def test_an_empty_filter_aborts_the_retrieve(ctx: AmpscriptContext) -> None:
    content = ('%%[ SET @rr = CreateObject("RetrieveRequest") '
               'SetObjectProperty(@rr, "ObjectType", "DataExtension") '
               'AddObjectArrayItem(@rr, "Properties", "Name") '
               'SetObjectProperty(@rr, "Filter", CreateObject("SimpleFilterPart")) '
               'SET @rows = InvokeRetrieve(@rr) ]%%')
    assert _abort(content, ctx).startswith("Error executing retrieve call. filter must be")


def test_without_a_store_the_invoke_functions_say_so() -> None:
    ctx = AmpscriptContext(Variables())
    content = ('%%[ SET @o = CreateObject("DataExtension") '
               'SET @r = InvokeDelete(@o, @msg, @err) ]%%')
    assert _abort(content, ctx) == assumptions.AMPSCRIPT_OBJECT_NO_STORE


def test_execute_and_perform_on_other_types_are_not_emulated(ctx: AmpscriptContext) -> None:
    # InvokePerform works on Automation and QueryDefinition (tests/test_automations_surfaced.py)
    with pytest.raises(FeatureNotEmulated):
        render('%%[ SET @o = CreateObject("DataExtension") ]%%'
               '%%=InvokePerform(@o, "start", @msg)=%%', ctx)
    # InvokeExecute takes an ExecuteRequest (tests/test_events.py)
    with pytest.raises(AmpscriptError, match="Function Name: InvokeExecute Parameter Name: "
                                             "executeRequest Parameter Ordinal: 1 Submitted "
                                             "Value: DataExtension"):
        render('%%[ SET @o = CreateObject("DataExtension") ]%%'
               "%%=InvokeExecute(@o, @st, @id)=%%", ctx)


def test_a_handle_counts_against_the_page_memory(ctx: AmpscriptContext) -> None:
    ctx.budget = PageBudget(time_limit=60, memory_limit=1_000_000)
    ctx.variables.set("big", "x" * 300_000)
    content = ('%%[ SET @o = CreateObject("DataExtension") '
               'FOR @i = 1 TO 10 DO AddObjectArrayItem(@o, "Fields", @big) NEXT @i ]%%')
    with pytest.raises(PageOutOfMemory):
        render(content, ctx)
    assert ctx.variables.get("i") == 4  # the fourth copy went past 1 MB


def test_the_handles_survive_in_variables_shared_with_output(ctx: AmpscriptContext) -> None:
    # A Value set with SetObjectProperty and one appended are the same filter to the API.
    content = ('%%[ SET @rr = CreateObject("RetrieveRequest") '
               'SetObjectProperty(@rr, "ObjectType", "DataExtensionObject[Orders]") '
               'SetObjectProperty(@rr, "Properties", "Item") '
               'SET @f = CreateObject("SimpleFilterPart") '
               'SetObjectProperty(@f, "Property", "Id") '
               'SetObjectProperty(@f, "SimpleOperator", "IN") '
               'AddObjectArrayItem(@f, "Value", 1) AddObjectArrayItem(@f, "Value", 2) '
               'SetObjectProperty(@rr, "Filter", @f) '
               'SET @rows = InvokeRetrieve(@rr, @st) ]%%'
               '%%=v(@st)=%% %%=RowCount(@rows)=%% %%=Field(Row(@rows, 1), "Item")=%%')
    assert render(content, ctx) == "OK 1 pen"
