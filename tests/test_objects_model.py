"""The object model on a real store: result shapes, filters, paging, writes, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import assumptions
from emulator.objects.catalog import ObjectSession
from emulator.objects.errors import RequestRefused
from emulator.store.store import Store

ORDERS = {"Name": "Orders", "CustomerKey": "Orders", "Fields": [
    {"Name": "Id", "FieldType": "Number", "IsPrimaryKey": True, "IsRequired": True},
    {"Name": "Who", "FieldType": "Text", "MaxLength": 50}]}


@pytest.fixture
def session() -> ObjectSession:
    made = ObjectSession(Store.open(None))
    assert made.create("DataExtension", [ORDERS])["Status"] == "OK"
    return made


def _rows(session: ObjectSession, count: int, start: int = 0) -> dict[str, Any]:
    return session.create("DataExtensionObject", [
        {"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": i},
                                                 {"Name": "Who", "Value": f"w{i}"}]}
        for i in range(start, start + count)])


def test_a_created_de_is_the_stores_and_is_listed_with_its_folder(session: ObjectSession) -> None:
    assert session.store.schema("Orders").field("Who").length == 50
    found = session.retrieve("DataExtension", ["Name", "CategoryID", "Client.ID"],
                             {"Property": "CustomerKey", "SimpleOperator": "equals",
                              "Value": "orders"})
    assert found["Status"] == "OK" and found["HasMoreRows"] is False
    assert len(found["RequestID"]) == 36
    assert found["Results"] == [{"Name": "Orders", "CategoryID": 1001,
                                 "Client": {"ID": assumptions.DEFAULT_MID}}]
    folders = session.retrieve("DataFolder", ["Name"], {"Property": "ID",
                                                         "SimpleOperator": "equals",
                                                         "Value": 1001})
    assert folders["Results"] == [{"Name": "Data Extensions"}]


def test_fields_are_retrieved_by_their_de(session: ObjectSession) -> None:
    found = session.retrieve("DataExtensionField", ["Name", "FieldType", "IsPrimaryKey"],
                             {"Property": "DataExtension.CustomerKey",
                              "SimpleOperator": "equals", "Value": "Orders"})
    assert found["Results"] == [{"Name": "Id", "FieldType": "Number", "IsPrimaryKey": True},
                                {"Name": "Who", "FieldType": "Text", "IsPrimaryKey": False}]


def test_rows_come_back_as_properties_in_the_requested_order(session: ObjectSession) -> None:
    assert _rows(session, 20)["Status"] == "OK"
    where = {"LeftOperand": {"Property": "Id", "SimpleOperator": "between", "Value": [3, 4]},
             "LogicalOperator": "OR",
             "RightOperand": {"LeftOperand": {"Property": "who", "SimpleOperator": "like",
                                              "Value": "W1_"},
                              "LogicalOperator": "AND",
                              "RightOperand": {"Property": "Id", "SimpleOperator": "IN",
                                               "Value": ["12", "19"]}}}
    found = session.retrieve("DataExtensionObject[Orders]", ["Who", "Id"], where)
    assert [r["Properties"] for r in found["Results"]] == [
        [{"Name": "Who", "Value": f"w{i}"}, {"Name": "Id", "Value": str(i)}]
        for i in (3, 4, 12, 19)]


def test_paging_keeps_the_request_id_and_ends_with_ok(session: ObjectSession) -> None:
    _rows(session, 2500)
    _rows(session, 2500, 2500)
    _rows(session, 1000, 5000)
    first = session.retrieve("DataExtensionObject[Orders]", ["Id"])
    assert (first["Status"], first["HasMoreRows"], len(first["Results"])) == (
        "MoreDataAvailable", True, 2500)
    second = session.next_batch("DataExtensionObject[Orders]", first["RequestID"])
    third = session.retrieve("DataExtensionObject[Orders]", ["Id"], None, None,
                             {"ContinueRequest": first["RequestID"]})
    assert second["RequestID"] == third["RequestID"] == first["RequestID"]
    assert (third["Status"], third["HasMoreRows"], len(third["Results"])) == ("OK", False, 1000)
    ids = [int(r["Properties"][0]["Value"])
           for page in (first, second, third) for r in page["Results"]]
    assert ids == list(range(6000))
    gone = session.next_batch("DataExtensionObject[Orders]", first["RequestID"])
    assert gone["Status"].startswith("Error: ") and gone["Results"] == []


@pytest.mark.parametrize(("size", "expected"), [(500, 500), (2500, 2500), (10_000, 2500)])
def test_batch_size_below_2500_is_kept_above_is_ignored(session: ObjectSession, size: int,
                                                         expected: int) -> None:
    _rows(session, 2500)
    _rows(session, 100, 2500)
    found = session.retrieve("DataExtensionObject[Orders]", ["Id"], None, {"BatchSize": size})
    assert len(found["Results"]) == expected


def test_unknown_types_and_properties_answer_in_status(session: ObjectSession) -> None:
    unknown = session.retrieve("Nothing", ["Name"])
    assert unknown["Status"] == "Error: The object type 'Nothing' is not known to the API."
    column = session.retrieve("DataExtension", ["Name", "Colour"])
    assert column["Status"] == ("Error: The Request Property(s) Colour do not match with the "
                                "fields of DataExtension retrieve")
    on_rows = session.retrieve("DataExtensionObject[Orders]", ["Id"],
                               {"Property": "Nope", "SimpleOperator": "equals", "Value": "1"})
    assert on_rows["Status"] == "Error: The Filter Property 'Nope' is not a retrievable property."
    missing = session.retrieve("DataExtensionObject[Nope]", ["Id"])
    assert missing["Status"] == "Error: The Data Extension 'Nope' does not exist."
    assert session.describe(["DataExtension", "Nothing"])["Results"][1] is None


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"Property": "Id", "SimpleOperator": "equals", "Value": "1"}
    for _ in range(depth):
        node = {"LeftOperand": node, "LogicalOperator": "AND", "RightOperand": node}
    return node


@pytest.mark.parametrize(("filter", "said"), [
    ({}, "for no filter pass null"),
    ({"Property": "Id", "SimpleOperator": "contains", "Value": "1"},
     "SimpleOperator 'contains' is not supported; operators are equals"),
    ({"Property": "Id", "SimpleOperator": "isNull"}, "needs a Value"),
    ({"LeftOperand": {"Property": "Id", "SimpleOperator": "isNull", "Value": ""},
      "LogicalOperator": "XOR", "RightOperand": {}}, "LogicalOperator must be AND or OR"),
    (_nested(1000), "nested more than 100 levels deep"),
    ({"Property": "Id", "SimpleOperator": "equals", "Value": {"x": 1}}, "Value must be"),
])
def test_malformed_filters_are_refused_with_the_reason(session: ObjectSession, filter: Any,
                                                       said: str) -> None:
    with pytest.raises(RequestRefused) as caught:
        session.retrieve("DataExtensionObject[Orders]", ["Id"], filter)
    assert caught.value.message.startswith("Error executing retrieve call. ")
    assert said in caught.value.message


def test_an_insert_is_not_an_upsert_and_update_add_is(session: ObjectSession) -> None:
    _rows(session, 1)
    again = _rows(session, 1)
    assert again["Status"] == "Error" and again["Results"][0]["StatusCode"] == "Error"
    assert "already exists" in again["Results"][0]["StatusMessage"]
    row = {"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": "7"},
                                                   {"Name": "Who", "Value": "new"}]}
    plain = session.update("DataExtensionObject", [row])
    assert plain["Results"][0]["StatusMessage"] == assumptions.OBJECT_ROW_MISSING
    upsert = session.update("DataExtensionObject", [row], {"SaveOptions": [
        {"PropertyName": "*", "SaveAction": "UpdateAdd"}]})
    assert upsert["Status"] == "OK"
    assert session.store.retrieve("Orders", {"Property": "Id", "SimpleOperator": "equals",
                                             "Value": "7"}) == [{"Id": 7, "Who": "new"}]


def test_a_batch_is_per_item_all_or_nothing(session: ObjectSession) -> None:
    answer = session.create("DataExtensionObject", [
        {"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": "1"}]},
        {"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": "not a number"}]},
        {"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": "3"}]}])
    assert answer["Status"] == "Error"
    assert [r["StatusCode"] for r in answer["Results"]] == ["OK", "Error", "OK"]
    assert [r["OrdinalID"] for r in answer["Results"]] == [0, 1, 2]
    assert answer["Results"][1]["ErrorCode"] == assumptions.OBJECT_ERROR_CODE
    assert [row["Id"] for row in session.store.rows("Orders")] == [1, 3]


def test_deletes_answer_error_codes(session: ObjectSession) -> None:
    _rows(session, 2)
    gone = session.delete("DataExtensionObject", [
        {"CustomerKey": "Orders", "Keys": [{"Name": "Id", "Value": "1"}]},
        {"CustomerKey": "Orders", "Keys": [{"Name": "Id", "Value": "9"}]}])
    assert [(r["StatusCode"], r["StatusMessage"], r["ErrorCode"]) for r in gone["Results"]] == [
        ("OK", "Deleted DataExtensionObject", 0),
        ("Error", assumptions.OBJECT_ROW_MISSING, assumptions.OBJECT_ERROR_CODE)]
    assert "Object" not in gone["Results"][0]
    assert session.delete("DataExtension", [{"CustomerKey": "Orders"}])["Status"] == "OK"
    assert not session.store.has("Orders")


@pytest.mark.parametrize(("definition", "said"), [
    (ORDERS, "already exists"),
    ({"Name": "Bad", "CustomerKey": "Bad", "Fields": [{"Name": "A", "FieldType": "Colour"}]},
     "type 'Colour' is not one of Text"),
    ({"Name": "Bad", "CustomerKey": "Bad", "Fields": []}, "a non-empty array"),
    ({"Name": "Bad", "CustomerKey": "_Bad", "Fields": [{"Name": "A"}]}, "must not start"),
])
def test_a_bad_de_definition_is_the_items_error_and_writes_nothing(
        session: ObjectSession, definition: dict[str, Any], said: str) -> None:
    before = session.store.keys()
    answer = session.create("DataExtension", [definition])
    assert answer["Status"] == "Error" and said in answer["Results"][0]["StatusMessage"]
    assert session.store.keys() == before


@pytest.mark.parametrize(("verb", "type_name", "item", "said"), [
    ("create", "DataExtension", {"Name": "X", "Fields": {"Field": [{"Name": "A"}]}},
     "Fields must be a flat array"),
    ("create", "DataExtensionObject[Orders]", {"Properties": []}, "the bracketed form"),
    ("delete", "DataExtensionObject", {"CustomerKey": "Orders", "Keys": {"Key": []}},
     "Keys must be a flat array"),
])
def test_wire_shapes_throw(session: ObjectSession, verb: str, type_name: str,
                           item: dict[str, Any], said: str) -> None:
    with pytest.raises(RequestRefused) as caught:
        getattr(session, verb)(type_name, [item])
    assert caught.value.message.startswith(f"Error executing {verb} call. ")
    assert said in caught.value.message


def test_a_huge_batch_is_refused_whole(session: ObjectSession) -> None:
    items = [{"CustomerKey": "Orders", "Properties": [{"Name": "Id", "Value": i}]}
             for i in range(100_000)]
    with pytest.raises(RequestRefused, match="at most 2500 items, not 100000"):
        session.create("DataExtensionObject", items)
    assert session.store.count("Orders") == 0
