"""A one-row retrieve's short paths answer what the general ones do: values, IDs, filters, units."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from emulator import assumptions
from emulator.objects.catalog import ObjectSession
from emulator.objects.errors import RequestRefused
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.store import Store
from emulator.store.types import retrieve_text

SCHEMA = DataExtensionSchema("Typed", "Typed", (
    Field("Id", "Number", primary_key=True, nullable=False),
    Field("N", "Number"), Field("D", "Decimal", precision=18, scale=2),
    Field("B", "Boolean"), Field("W", "Date"), Field("X", "Text", length=20)))
ROWS = [
    {"Id": 1, "N": 0, "D": "1.50", "B": True, "W": "2024-01-15T10:20:30.6", "X": "12"},
    {"Id": 2, "N": -2147483648, "D": "-0.01", "B": False, "W": "2024-12-31T23:59:59.7",
     "X": ""},
    {"Id": 3, "N": 2147483647, "D": None, "B": None, "W": None, "X": "1/15/2024"},
]
NAMES = ["X", "W", "B", "D", "N", "Id"]


@pytest.fixture
def session() -> ObjectSession:
    store = Store.open(None)
    store.create(SCHEMA, ROWS)
    return ObjectSession(store)


def _by_id(value: int) -> dict[str, Any]:
    return {"Property": "Id", "SimpleOperator": "equals", "Value": value}


@pytest.mark.parametrize("row_id", [1, 2, 3])
def test_each_value_is_the_text_retrieve_text_gives_it(session: ObjectSession,
                                                       row_id: int) -> None:
    stored = session.store.retrieve("Typed", _by_id(row_id))[0]
    expected = [{"Name": name, "Value": retrieve_text(SCHEMA.field(name), stored[name])}
                for name in NAMES]
    for where in (_by_id(row_id), None):  # the index's one row, and a whole batch
        found = session.retrieve("DataExtensionObject[Typed]", NAMES, where)
        assert found["Status"] == "OK" and found["HasMoreRows"] is False
        properties = [r["Properties"] for r in found["Results"]]
        assert expected in properties
    if row_id == 1:  # a Date is formatted, not the stored text
        assert expected[1] == {"Name": "W", "Value": "1/15/2024 10:20:31 AM"}


def test_the_properties_keep_the_order_and_spelling_asked_each_time(
        session: ObjectSession) -> None:
    first = session.retrieve("DataExtensionObject[Typed]", ["id", "x"], _by_id(1))
    second = session.retrieve("DataExtensionObject[Typed]", ["X", "Id"], _by_id(1))
    again = session.retrieve("DataExtensionObject[Typed]", ["id", "x"], _by_id(1))
    assert first["Results"] == again["Results"] == [{"Properties": [
        {"Name": "Id", "Value": "1"}, {"Name": "X", "Value": "12"}]}]
    assert second["Results"] == [{"Properties": [{"Name": "X", "Value": "12"},
                                                 {"Name": "Id", "Value": "1"}]}]


def test_request_ids_are_distinct_version_4_uuids(session: ObjectSession) -> None:
    seen = set()
    for _ in range(500):
        text = session.retrieve("DataExtensionObject[Typed]", ["Id"], _by_id(1))["RequestID"]
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        seen.add(text)
    assert len(seen) == 500


def test_a_one_batch_retrieve_leaves_nothing_to_continue(session: ObjectSession) -> None:
    found = session.retrieve("DataExtensionObject[Typed]", ["Id"])
    assert [r["Properties"][0]["Value"] for r in found["Results"]] == ["1", "2", "3"]
    more = session.next_batch("DataExtensionObject[Typed]", found["RequestID"])
    assert more["Status"] == assumptions.OBJECT_CONTINUE_UNKNOWN.format(id=found["RequestID"])
    paged = session.retrieve("DataExtensionObject[Typed]", ["Id"], None, {"BatchSize": 2})
    assert paged["HasMoreRows"] is True and len(paged["Results"]) == 2
    rest = session.next_batch("DataExtensionObject[Typed]", paged["RequestID"])
    assert rest["RequestID"] == paged["RequestID"] and rest["Status"] == "OK"
    assert [r["Properties"][0]["Value"] for r in rest["Results"]] == ["3"]


@pytest.mark.parametrize("operator", ["equals", "EQUALS", "Equals"])
def test_an_operator_is_read_in_any_case(session: ObjectSession, operator: str) -> None:
    found = session.retrieve("DataExtensionObject[Typed]", ["Id"],
                             {"Property": "Id", "SimpleOperator": operator, "Value": 2})
    assert [r["Properties"][0]["Value"] for r in found["Results"]] == ["2"]


@pytest.mark.parametrize("operator", [["equals"], {"op": "equals"}, 3, None, "equal"])
def test_an_operator_that_is_no_name_is_refused_with_the_names_accepted(
        session: ObjectSession, operator: Any) -> None:
    with pytest.raises(RequestRefused) as refused:
        session.retrieve("DataExtensionObject[Typed]", ["Id"],
                         {"Property": "Id", "SimpleOperator": operator, "Value": 2})
    assert f"SimpleOperator {operator!r} is not supported" in refused.value.message
    assert "operators are equals, notEquals" in refused.value.message


@pytest.mark.parametrize("properties", [["Id", 3], ["Id", None], "Id", [["Id"]]])
def test_properties_that_are_not_names_are_refused(session: ObjectSession,
                                                   properties: Any) -> None:
    with pytest.raises(RequestRefused, match="an array of property names"):
        session.retrieve("DataExtensionObject[Typed]", properties, _by_id(1))


def test_unknown_properties_are_all_named_in_the_status(session: ObjectSession) -> None:
    found = session.retrieve("DataExtensionObject[Typed]", ["Id", "Nope", "X", "Gone"])
    assert found["Status"].startswith("Error: The Request Property(s) Nope, Gone do not match")
    assert found["Results"] == []


def test_a_session_that_ran_as_its_own_unit_is_still_denied_a_unit_out_of_reach(
        session: ObjectSession) -> None:
    assert session.retrieve("DataExtensionObject[Typed]", ["Id"], _by_id(1))["Status"] == "OK"
    session.client_id = 999
    denied = session.retrieve("DataExtensionObject[Typed]", ["Id"], _by_id(1))
    assert denied["Status"] == assumptions.UNIT_DENIED.format(
        executing=assumptions.DEFAULT_MID, mid=999)
    session.client_id = None
    assert session.retrieve("DataExtensionObject[Typed]", ["Id"], _by_id(1))["Results"]
