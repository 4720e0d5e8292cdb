"""The Data Extension API's writes and single reads (no HTTP here): create, get, patch, delete.

docs/fidelity.md#rest-customobjects-create: a create needs ``name``, ``categoryId`` (a folder of
Data Extensions) and complete field objects, every flag given; the DE is made by the object
model's ``DataExtension`` create, so it is the store's DE every door serves.
docs/fidelity.md#rest-customobjects-object: ``GET|PATCH|DELETE {id}`` by the ObjectID.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from emulator import assumptions
from emulator.errors import FixtureError
from emulator.folders import data as folder_data
from emulator.objects.dataextensions import DataExtensionType, object_id
from emulator.rest import rowsets
from emulator.rest.errors import RestError, rest_error
from emulator.store.schema import DataExtensionSchema, Field, describe_json_type
from emulator.store.store import Store
from emulator.units.scope import UnitScope

#: The field types a create accepts (facts: the Data Extension API's eight).
FIELD_TYPES = ("Text", "Number", "Date", "Boolean", "EmailAddress", "Phone", "Decimal", "Locale")
#: The flags every field object must carry (a create without one is refused).
FIELD_FLAGS = ("isTemplateField", "isHidden", "isOverridable", "isInheritable", "isReadOnly",
               "mustOverride", "isNullable")
FIELD_KEYS = ("name", "type", "length", "scale", "ordinal", "isPrimaryKey", "defaultValue",
              "description", *FIELD_FLAGS)
CREATE_KEYS = ("name", "key", "description", "categoryId", "isSendable", "isTestable", "fields")
PATCH_KEYS = ("name", "description", "categoryId", "isSendable", "isTestable")
#: The folder ContentTypes a Data Extension may sit in.
DE_FOLDER_TYPES = ("dataextension", "shared_dataextension")
#: The largest create or patch body, in bytes (ASSUMED: no published limit).
MAX_BODY_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 128
MAX_KEY_LENGTH = 200


def _bad(errorcode: int, message: str) -> RestError:
    return rest_error(400, errorcode, message)


def _shape(where: str, expected: str, found: Any) -> RestError:
    return _bad(10000, assumptions.REST_BAD_SHAPE.format(where=where, expected=expected,
                                                         found=describe_json_type(found)))


def _unknown(where: str, given: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = [str(name) for name in given if name not in known]
    if unknown:
        raise _bad(10000, assumptions.REST_CO_UNKNOWN_MEMBERS.format(
            where=where, names=", ".join(unknown), known=", ".join(known)))


def _text(body: Mapping[str, Any], name: str, most: int, required: bool) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise _bad(10002, assumptions.REST_CO_MISSING.format(name=name))
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _shape(name, "non-empty text", value)
    if len(value) > most:
        raise _bad(10005, assumptions.REST_CO_TOO_LONG.format(name=name, most=most,
                                                              length=len(value)))
    return value


def _not_sendable(body: Mapping[str, Any]) -> None:
    for name in ("isSendable", "isTestable"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise _shape(name, "true or false", value)
        if value:
            raise _bad(10005, assumptions.REST_CO_SENDABLE.format(name=name))


def category(store: Store, given: Any) -> int:
    """Return the Data Extension folder ``given`` names; raise the captured 400."""
    if isinstance(given, str) and given.strip().isdigit():
        given = int(given)
    if isinstance(given, int) and not isinstance(given, bool):
        for record in folder_data.folders(store):
            if record["ID"] == given and record["ContentType"] in DE_FOLDER_TYPES:
                return given
    raise _bad(10005 if given is not None else 10002, assumptions.REST_CO_CATEGORY)


def _flag(raw: Mapping[str, Any], name: str, where: str) -> bool:
    value = raw.get(name)
    if value is None:
        raise _bad(10002, assumptions.REST_CO_MISSING.format(name=f"{where}.{name}"))
    if not isinstance(value, bool):
        raise _shape(f"{where}.{name}", "true or false", value)
    return value


def _count(raw: Mapping[str, Any], name: str, where: str, low: int) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 4000:
        raise _shape(f"{where}.{name}", f"a whole number from {low} to 4000", value)
    return value


def _field(raw: Any, index: int) -> tuple[int, dict[str, Any]]:
    """Return (ordinal, the object model's field) of one REST field object."""
    where = f"fields[{index}]"
    if not isinstance(raw, Mapping):
        raise _shape(where, "an object {name, type, ordinal, length, isPrimaryKey, "
                            "isNullable, ...}", raw)
    _unknown(where, raw, FIELD_KEYS)
    name = _text(raw, "name", MAX_NAME_LENGTH, True)
    kind = raw.get("type")
    if kind not in FIELD_TYPES:
        raise _bad(10005, assumptions.REST_CO_FIELD_TYPE.format(
            where=where, found=kind, known=", ".join(FIELD_TYPES)))
    ordinal = raw.get("ordinal")
    if isinstance(ordinal, bool) or not isinstance(ordinal, int) or ordinal < 0:
        raise _shape(f"{where}.ordinal", "a whole number from 0", ordinal)
    flags = {flag: _flag(raw, flag, where) for flag in FIELD_FLAGS}
    primary = raw.get("isPrimaryKey", False)
    if not isinstance(primary, bool):
        raise _shape(f"{where}.isPrimaryKey", "true or false", primary)
    length = _count(raw, "length", where, 1)
    scale = _count(raw, "scale", where, 0)
    if kind == "EmailAddress" and length is None:
        # facts 3.5 (3P): the platform words this refusal backwards; its text is kept.
        raise _bad(10005, assumptions.REST_CO_EMAIL_LENGTH)
    if kind == "Text" and length is None and primary:
        raise _bad(10005, assumptions.REST_CO_TEXT_KEY_LENGTH)
    item: dict[str, Any] = {"Name": name, "FieldType": kind, "IsPrimaryKey": primary,
                            "IsRequired": not flags["isNullable"]}
    if kind == "Decimal":
        item["Precision"] = length if length is not None else 18
        item["Scale"] = scale if scale is not None else 0
    elif length is not None and kind != "Number":
        item["MaxLength"] = length
    default = raw.get("defaultValue")
    if default is not None:
        if not isinstance(default, (str, int, float)) or isinstance(default, bool):
            raise _shape(f"{where}.defaultValue", "text or a number", default)
        item["DefaultValue"] = str(default)
    return ordinal, item


def create(store: Store, mid: int, body: Any, new_key: str | None = None) -> dict[str, Any]:
    """Create the Data Extension ``body`` describes in unit ``mid``; return its GET answer."""
    if not isinstance(body, Mapping):
        raise _shape("The body", "an object {name, categoryId, fields: [...]}", body)
    _unknown("The body", body, CREATE_KEYS)
    name = _text(body, "name", MAX_NAME_LENGTH, True)
    key = _text(body, "key", MAX_KEY_LENGTH, False)
    _text(body, "description", 4000, False)
    _not_sendable(body)
    folder = category(store, body.get("categoryId"))
    raw_fields = body.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _bad(10002 if raw_fields is None else 10000,
                   assumptions.REST_CO_NO_FIELDS.format(found=describe_json_type(raw_fields)))
    read = [_field(raw, index) for index, raw in enumerate(raw_fields)]
    ordinals = [ordinal for ordinal, _ in read]
    if len(set(ordinals)) != len(ordinals):
        raise _bad(10005, assumptions.REST_CO_ORDINALS)
    fields = [item for _, item in sorted(read, key=lambda pair: pair[0])]
    key = key.strip() if key is not None and key.strip() else (new_key or
                                                               str(uuid.uuid4()).upper())
    unit = UnitScope.of(store, mid)
    table = unit.units.table(mid, key)
    if store.has(table):
        raise rest_error(409, 30004, assumptions.REST_CO_KEY_TAKEN.format(key=key))
    with store.transaction():
        result = DataExtensionType(unit).create(store, {"CustomerKey": key, "Name": name,
                                                        "Fields": fields})
        if not result.ok:
            raise _bad(10000, result.message.replace("createItem DataExtension: ", ""))
        _place(store, table, folder)
    return get(store, table)


def get(store: Store, table: str) -> dict[str, Any]:
    """Return the Data Extension of ``table`` as the API's single read answers it."""
    schema = store.schema(table)
    return {"id": object_id(table), "key": rowsets.key_of(table), "name": schema.name,
            "description": "", "categoryId": folder_data.folder_of(
                folder_data.data_extension_folders(store), table),
            "isSendable": False, "isTestable": False, "rowCount": store.count(table),
            "fieldCount": len(schema.fields),
            "fields": [_answer_field(field, ordinal)
                       for ordinal, field in enumerate(schema.fields)]}


def _answer_field(field: Field, ordinal: int) -> dict[str, Any]:
    decimal = field.type == "Decimal"
    return {"name": field.name, "type": field.type,
            "length": field.precision if decimal else field.length,
            "scale": field.scale if decimal else None, "ordinal": ordinal,
            "isPrimaryKey": field.primary_key, "isNullable": field.nullable,
            "isTemplateField": False, "isHidden": False, "isOverridable": False,
            "isInheritable": False, "isReadOnly": False, "mustOverride": False,
            "defaultValue": field.default_value}


def patch(store: Store, table: str, body: Any) -> dict[str, Any]:
    """Rename ``table``'s DE or move it to another folder; return its GET answer."""
    if not isinstance(body, Mapping) or not body:
        raise _shape("The body", "a non-empty object of " + ", ".join(PATCH_KEYS), body)
    _unknown("The body", body, PATCH_KEYS)
    name = _text(body, "name", MAX_NAME_LENGTH, False)
    if name is not None and not name.strip():
        raise _shape("name", "non-empty text", name)
    _text(body, "description", 4000, False)
    _not_sendable(body)
    folder = category(store, body["categoryId"]) if "categoryId" in body else None
    with store.transaction():
        if name is not None and name != store.schema(table).name:
            _rename(store, table, name)
        if folder is not None:
            _place(store, table, folder)
    return get(store, table)


def _rename(store: Store, table: str, name: str) -> None:
    schema = store.schema(table)
    rows = store.rows(table)
    try:
        store.create(DataExtensionSchema(schema.key, name, schema.fields, schema.retention),
                     rows, replace=True)
    except FixtureError as error:  # the stored rows fit the same fields: not expected
        raise _bad(10000, str(error)) from None


def delete(store: Store, table: str) -> None:
    """Drop ``table``'s DE with its rows, and take it out of its folder."""
    with store.transaction():
        _place(store, table, None)
        store.drop(table)


def _place(store: Store, table: str, folder: int | None) -> None:
    """Put ``table`` in the folder ``folder`` (None: in none), out of any other."""
    records = folder_data.folders(store)
    placed = [{**record, "DataExtensions": [
        *(key for key in record["DataExtensions"] if key != table),
        *((table,) if record["ID"] == folder else ())]} for record in records]
    if placed != records:
        folder_data.replace(store, placed)
