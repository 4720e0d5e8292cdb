"""``DataExtension``, ``DataExtensionField`` and ``DataExtensionObject[key]`` on the store's DEs.

These are the store's Data Extensions, not a copy: a DE created here is the one
``DataExtension.Init``, the admin API and the dashboard serve. docs/fidelity.md#object-de-create
(a flat ``Fields`` array, RT), #object-de-rows (rows as ``Properties`` of ``{Name, Value}``
strings in the requested order, RT; an insert is not an upsert, RT; ``UpdateAdd`` upserts, RT;
deletes by a flat ``Keys`` array, RT).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from emulator import assumptions
from emulator.errors import DataExtensionNotFound, FixtureError
from emulator.folders.data import data_extension_folders, folder_of
from emulator.objects.errors import RequestRefused
from emulator.objects.model import (
    REGISTRY,
    ItemResult,
    ObjectSession,
    ObjectType,
    Property,
    Row,
)
from emulator.script.clr import clr_text
from emulator.store.rows import RowValidator, normalise
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store
from emulator.store.types import retrieve_text
from emulator.units.scope import UnitScope
from emulator.units.tables import unit_shaped

#: Names of the identities of a DE: a UUID5 of its key in this namespace (ASSUMED).
_OBJECT_IDS = uuid.UUID("6f1c2a52-3d0e-4c55-9f7a-2b8e1d6c0a17")
_FIELD_KEYS = {"Name": "name", "FieldType": "type", "MaxLength": "length",
               "IsPrimaryKey": "primaryKey", "IsRequired": "nullable", "Scale": "scale",
               "Precision": "precision", "DefaultValue": "defaultValue"}


def object_id(key: str) -> str:
    """Return the ObjectID of the Data Extension ``key`` (stable: a UUID5 of the key)."""
    return str(uuid.uuid5(_OBJECT_IDS, key))


class DataExtensionType(ObjectType):
    """``DataExtension``: the definitions; create makes a store DE, delete drops one."""

    name = "DataExtension"
    properties = (
        Property("Name"), Property("CustomerKey"), Property("ObjectID"),
        Property("CategoryID", "Number"), Property("Description"),
        Property("IsSendable", "Boolean"), Property("IsTestable", "Boolean"),
        Property("Client.ID", "Number"),
    )
    creatable = deletable = True

    def __init__(self, unit: UnitScope | None = None) -> None:
        self.unit = unit  # docs/fidelity.md#business-units: the DEs of the call's units

    def bound(self, session: ObjectSession) -> ObjectType:
        return type(self)(session.unit)

    def rows(self, store: Store) -> Iterable[Row]:
        folders = data_extension_folders(store)
        unit = self.unit or UnitScope.of(store)
        for table in store.keys():
            if not unit.sees(table):
                continue
            schema = store.schema(table)
            yield {"Name": schema.name, "CustomerKey": unit.key(table),
                   "ObjectID": object_id(table), "CategoryID": folder_of(folders, table),
                   "Description": "", "IsSendable": False, "IsTestable": False,
                   "Client.ID": unit.client_id(table)}

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        fields = item.get("Fields")
        if verb == "create" and fields is not None and not isinstance(fields, list):
            # RT: the SOAP wire's Fields: {Field: [...]} wrapper throws.
            raise RequestRefused(verb, "Fields must be a flat array of field objects "
                                       "({Name, FieldType, MaxLength, IsPrimaryKey, "
                                       "IsRequired}), not {Field: [...]}")

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key = item.get("CustomerKey")
        if key is None:
            key = str(uuid.uuid4()).upper()  # ASSUMED "object-de-create": a key is made
        name = item.get("Name", key)
        fields = item.get("Fields")
        if not isinstance(key, str) or not isinstance(name, str):
            return ItemResult(False, assumptions.OBJECT_DE_NAMES)
        if not isinstance(fields, list) or not fields:
            return ItemResult(False, assumptions.OBJECT_DE_NO_FIELDS)
        shaped = unit_shaped(key)
        if shaped is not None:
            return ItemResult(False, f"A Data Extension cannot be created: {shaped}.")
        table = key if self.unit is None else self.unit.units.table(self.unit.acting, key)
        doc = {"key": table, "name": name, "fields": [_field_doc(f) for f in fields]}
        try:
            schema = DataExtensionSchema.from_json(doc, "createItem DataExtension")
        except FixtureError as error:
            return ItemResult(False, str(error))
        store.create(schema, (), replace=False)
        return ItemResult(True, assumptions.OBJECT_DE_CREATED,
                          {**item, "CustomerKey": key, "Name": name,
                           "ObjectID": object_id(table)})

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key = item.get("CustomerKey")
        if not isinstance(key, str):
            return ItemResult(False, assumptions.OBJECT_DE_NAMES)
        store.drop(key if self.unit is None else self.unit.table(key))  # missing: item error
        return ItemResult(True, assumptions.OBJECT_DE_DELETED)


def _field_doc(raw: Any) -> Any:
    """Return an API field object as a DE file field (the schema reader checks it)."""
    if not isinstance(raw, Mapping):
        return raw  # the reader says what a field must be
    doc: dict[str, Any] = {}
    for name, value in raw.items():
        target = _FIELD_KEYS.get(name)
        if target is None:
            doc[name] = value  # the reader names an unknown key
            continue
        value = _flag(value) if target in ("primaryKey", "nullable") else _count(value)
        doc[target] = (not value) if name == "IsRequired" and isinstance(value, bool) else value
    if doc.get("primaryKey") and "nullable" not in doc:
        doc["nullable"] = False
    return doc


def _flag(value: Any) -> Any:
    """Read an API boolean: true/false, 1/0 or their text.

    See docs/fidelity.md#ampscript-object-booleans.
    """
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
        return value == 1
    return value


def _count(value: Any) -> Any:
    """Read a number the API may give as text ("50")."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class DataExtensionFieldType(ObjectType):
    """``DataExtensionField``: the fields of every DE, filtered by ``DataExtension.CustomerKey``."""

    name = "DataExtensionField"
    properties = (
        Property("Name"), Property("CustomerKey"), Property("ObjectID"),
        Property("FieldType"), Property("MaxLength", "Number"),
        Property("IsPrimaryKey", "Boolean"), Property("IsRequired", "Boolean"),
        Property("Ordinal", "Number"), Property("DefaultValue"), Property("Scale", "Number"),
        Property("DataExtension.CustomerKey"),
    )

    def __init__(self, unit: UnitScope | None = None) -> None:
        self.unit = unit  # docs/fidelity.md#business-units: a key is the acting unit's DE

    def bound(self, session: ObjectSession) -> ObjectType:
        return type(self)(session.unit)

    def rows(self, store: Store) -> Iterable[Row]:
        unit = self.unit or UnitScope.of(store)
        for table in _field_tables(store, unit):
            key = unit.key(table)
            for ordinal, field in enumerate(store.schema(table).fields):
                yield {"Name": field.name, "CustomerKey": f"[{key}].[{field.name}]",
                       "ObjectID": object_id(f"{table}\x00{field.name}"),
                       "FieldType": field.type, "MaxLength": field.length,
                       "IsPrimaryKey": field.primary_key, "IsRequired": not field.nullable,
                       "Ordinal": ordinal, "DefaultValue": field.default_value or "",
                       "Scale": field.scale or 0, "DataExtension.CustomerKey": key}


def _field_tables(store: Store, unit: UnitScope) -> Iterable[str]:
    """Yield the tables whose fields a retrieve in ``unit`` lists: each key once, resolved as
    the acting unit resolves it (its own DE, else a shared one); across accounts, every DE the
    retrieve sees."""
    if not unit.units.several:
        yield from store.keys()
        return
    across = len(unit.mids) > 1
    for table in store.keys():
        if unit.sees(table) and (across or unit.table(unit.key(table)) == table):
            yield table


class DataExtensionRows(ObjectType):
    """``DataExtensionObject[key]`` (retrieve) and ``DataExtensionObject`` (writes)."""

    name = "DataExtensionObject"
    creatable = updatable = deletable = True

    def __init__(self, schema: DataExtensionSchema | None = None,
                 unit: UnitScope | None = None) -> None:
        self._schema = schema
        self.unit = unit  # the writes' unit: CustomerKey is the acting unit's DE
        self._shapers: dict[tuple[str, ...], Callable[[Row], dict[str, Any]]] = {}
        self.properties = () if schema is None else tuple(
            Property(f.name, f.type) for f in schema.fields)

    def retrievable(self, name: str) -> bool:
        return self._schema is not None and self._schema.field(name) is not None

    filterable = retrievable

    def find(self, store: Store, filter: Any) -> list[Row]:
        if self._schema is None:
            return []
        # The store compares as Rows.Retrieve does (types, case) and bounds the filter.
        return store.retrieve(self._schema.key, filter)

    def result(self, row: Row, names: Sequence[str]) -> dict[str, Any]:
        return self.shaper(names)(row)

    def shaper(self, names: Sequence[str]) -> Callable[[Row], dict[str, Any]]:
        wanted = tuple(names)
        shape = self._shapers.get(wanted)
        if shape is None:  # a type is kept per schema, so its shapers are too (bounded)
            if len(self._shapers) >= _SHAPERS_KEPT:
                self._shapers.clear()
            shape = self._shapers[wanted] = self._new_shaper(wanted)
        return shape

    def _new_shaper(self, names: tuple[str, ...]) -> Callable[[Row], dict[str, Any]]:
        schema = self._schema
        assert schema is not None
        fields = [schema.field(name) for name in names]  # once, not once a row
        assert all(fields)  # every name was checked by the retrieve
        # A stored text is its own retrieve text, except a Date's (retrieve_text formats it);
        # a whole number of up to 15 digits is its digits (what retrieve_text's 15 significant
        # digits give it). Everything else goes through retrieve_text.
        plan = [(field.name, field, field.type == "Date") for field in fields if field]

        def shape(row: Row) -> dict[str, Any]:
            properties = []
            for name, field, date in plan:
                value = row.get(name)
                kind = type(value)
                if kind is str and not date:
                    text = value
                elif kind is int and -_WHOLE_DIGITS < value < _WHOLE_DIGITS:
                    text = str(value)
                else:
                    text = retrieve_text(field, value)
                properties.append({"Name": name, "Value": text})
            return {"Properties": properties}
        return shape

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        for member, inner in (("Properties", "Property"), ("Keys", "Key")):
            value = item.get(member)
            if value is not None and not isinstance(value, list):
                raise RequestRefused(verb, f"{member} must be a flat array of {{Name, Value}}, "
                                           f"not {{{inner}: [...]}}")

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key, row = _target(item, self.unit)
        if key is None:
            return ItemResult(False, assumptions.OBJECT_ROW_NO_KEY)
        if row is None:
            return ItemResult(False, assumptions.OBJECT_ROW_PAIRS.format(member="Properties"))
        stored = store.add_rows(key, [row])  # RT: not an upsert; an existing key: an error
        return ItemResult(True, assumptions.OBJECT_ROW_CREATED, rows_written=stored,
                          written_to=key)

    def update(self, store: Store, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        key, row = _target(item, self.unit)
        if key is None:
            return ItemResult(False, assumptions.OBJECT_ROW_NO_KEY)
        if row is None:
            return ItemResult(False, assumptions.OBJECT_ROW_PAIRS.format(member="Properties"))
        schema = store.schema(key)
        where = _key_filter(schema, row)
        if _update_add(options):
            store.upsert_rows(key, [row])
            return ItemResult(True, assumptions.OBJECT_ROW_UPDATED,
                              rows_written=_upserted(store, schema, row, where), written_to=key)
        if where is None:
            return ItemResult(False, assumptions.OBJECT_ROW_NO_PRIMARY_KEY.format(key=key))
        updated = store.update_rows(key, where, row)
        if not updated:
            return ItemResult(False, assumptions.OBJECT_ROW_MISSING)
        return ItemResult(True, assumptions.OBJECT_ROW_UPDATED, rows_written=updated,
                          written_to=key)

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key = item.get("CustomerKey")
        if not isinstance(key, str):
            return ItemResult(False, assumptions.OBJECT_ROW_NO_KEY)
        key = key if self.unit is None else self.unit.table(key)
        pairs = _pairs(item.get("Keys"))
        if not pairs:
            return ItemResult(False, assumptions.OBJECT_ROW_PAIRS.format(member="Keys"))
        schema = store.schema(key)
        where = _key_filter(schema, pairs)
        if where is None:
            return ItemResult(False, assumptions.OBJECT_ROW_NO_PRIMARY_KEY.format(key=key))
        if not store.delete_rows(key, where):
            return ItemResult(False, assumptions.OBJECT_ROW_MISSING)
        return ItemResult(True, "Deleted DataExtensionObject")  # RT


def _target(item: Mapping[str, Any], unit: UnitScope | None = None
            ) -> tuple[str | None, dict[str, str] | None]:
    key = item.get("CustomerKey")
    if not isinstance(key, str):
        return None, _pairs(item.get("Properties"))
    return (key if unit is None else unit.table(key)), _pairs(item.get("Properties"))


def _pairs(raw: Any) -> dict[str, str] | None:
    """Read ``[{Name, Value}, ...]`` into a row of texts (values as the DE functions store them)."""
    if not isinstance(raw, list) or not raw:
        return None
    row: dict[str, str] = {}
    for pair in raw:
        if not isinstance(pair, Mapping) or not isinstance(pair.get("Name"), str):
            return None
        row[pair["Name"]] = clr_text(pair.get("Value"))
    return row


def _key_filter(schema: DataExtensionSchema, values: Mapping[str, str]) -> Any:
    """Return a filter on every primary-key field of ``schema`` from ``values``, or None."""
    given = {name.casefold(): value for name, value in values.items()}
    parts = []
    for field in schema.primary_keys:
        if field.name.casefold() not in given:
            return None
        parts.append({"Property": field.name, "SimpleOperator": "equals",
                      "Value": given[field.name.casefold()]})
    if not parts:
        return None
    where = parts[0]
    for part in parts[1:]:
        where = {"LeftOperand": where, "LogicalOperator": "AND", "RightOperand": part}
    return where


def _upserted(store: Store, schema: DataExtensionSchema, row: Mapping[str, str],
              where: Any) -> list[Row]:
    """Return the row an upsert of ``row`` left stored (merged with the row it updated)."""
    if where is not None:
        return store.retrieve(schema.key, where)
    # No primary-key filter: the upsert added the row as given, in its stored form.
    return [RowValidator(schema).check(normalise(schema, row))]


def _update_add(options: Mapping[str, Any]) -> bool:
    """Return whether the options ask for an upsert (``SaveAction: "UpdateAdd"``, RT)."""
    saves = options.get("SaveOptions")
    if isinstance(saves, Mapping):
        saves = saves.get("SaveOption", [saves])
    if not isinstance(saves, list):
        return False
    return any(isinstance(s, Mapping) and str(s.get("SaveAction", "")).lower() == "updateadd"
               for s in saves)


#: DataExtensionObject[key] types by schema identity: a schema is immutable and a DE changed or
#: re-created gets a new one, so a kept type never answers for an old definition.
_ROWS_TYPES: dict[int, tuple[DataExtensionSchema, DataExtensionRows]] = {}
_ROWS_TYPES_KEPT = 256
#: Shapers a DataExtensionObject[key] type keeps (one per list of properties retrieved).
_SHAPERS_KEPT = 32
_WHOLE_DIGITS = 10**15  # whole numbers below it in size print as their digits


def _rows_family(store: Store, key: str) -> ObjectType | str:
    try:
        schema = store.schema(key)  # one locked call: this runs on every row retrieve
    except DataExtensionNotFound:
        return assumptions.OBJECT_DE_MISSING.format(key=key)
    kept = _ROWS_TYPES.get(id(schema))
    if kept is not None and kept[0] is schema:
        return kept[1]
    if len(_ROWS_TYPES) >= _ROWS_TYPES_KEPT:
        _ROWS_TYPES.clear()  # bounded: pages creating DEs cannot grow it
    found = _ROWS_TYPES[id(schema)] = (schema, DataExtensionRows(schema))
    return found[1]


class _BareRows(DataExtensionRows):
    """Plain ``DataExtensionObject``: the writes' name; a retrieve needs ``[key]`` (RT)."""

    def retrievable(self, name: str) -> bool:
        return False

    filterable = retrievable

    def bound(self, session: ObjectSession) -> ObjectType:
        return type(self)(None, session.unit)


REGISTRY.register(DataExtensionType())
REGISTRY.register(DataExtensionFieldType())
REGISTRY.register(_BareRows())
REGISTRY.register_family("DataExtensionObject", _rows_family)
