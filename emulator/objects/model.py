"""Object types by name and the API's operations on them, with the API's result shapes.

docs/fidelity.md#object-results: a retrieve answers ``{Status, RequestID, Results, HasMoreRows}``
with ``Status`` "OK", "MoreDataAvailable" or an "Error: ..." text; a write answers ``{Status,
RequestID, Results}`` with one entry per item in order (``StatusCode``, ``StatusMessage``,
``OrdinalID``, and ``Object`` or ``ErrorCode``), ``Status`` "Error" when any item failed; a
describe answers ``{RequestID, Results}`` with ``null`` for an unknown type. Data errors never
raise; a malformed request raises :class:`RequestRefused` (the doors throw it).
"""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import repeat
from typing import Any

from emulator import assumptions
from emulator.errors import InvalidFilter, StoreError, StoreWriteFailed
from emulator.objects.errors import PerformNotEmulated, RequestRefused
from emulator.objects.filters import check_filter
from emulator.script.budget import PageBudget
from emulator.sends.outbox import Outbox
from emulator.store.filters import compile_filter
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.store import Store
from emulator.units.owners import record_owner
from emulator.units.scope import UnitScope

#: docs/fidelity.md#object-paging: a retrieve returns at most 2,500 objects per batch (OFF).
BATCH_SIZE = 2500
#: Continued retrieves a session keeps; the oldest is forgotten past it.
PENDING_LIMIT = 64
REQUEST_PROPERTY_ERROR = ("Error: The Request Property(s) {names} do not match with the fields "
                          "of {type} retrieve")
Row = dict[str, Any]


@dataclass(frozen=True)
class Property:
    """One property of an object type: its name, the store type its values compare as."""

    name: str
    type: str = "Text"
    retrievable: bool = True
    filterable: bool = True

    def field(self) -> Field:
        return Field(self.name, self.type, length=None if self.type != "Text" else 4000)


@dataclass
class ItemResult:
    """What one item of a write did."""

    ok: bool
    message: str
    object: Mapping[str, Any] | None = None
    error_code: int = 0
    #: more members of the item's result (a perform's ``Task``)
    extra: Mapping[str, Any] | None = None
    #: the Data Extension rows the item wrote, as stored, and the DE's key (for the journal)
    rows_written: Sequence[Row] = ()
    written_to: str = ""


class ObjectType:
    """An API object type: what a retrieve sees and what writes do (none by default)."""

    name = ""
    properties: tuple[Property, ...] = ()
    creatable = updatable = deletable = False
    performable = False
    #: objects of one business unit each, their ``Client.ID``: a retrieve lists the call's
    #: units' only, and a create notes the acting unit (docs/fidelity.md#business-units)
    unit_owned = False
    #: the property naming one object (what its unit is noted by)
    owner_key = "CustomerKey"

    def property(self, name: str) -> Property | None:
        """Return the property ``name`` (any case), or None."""
        return _by_name(self.properties).get(name.casefold())

    def retrievable(self, name: str) -> bool:
        found = self.property(name)
        return found is not None and found.retrievable

    def filterable(self, name: str) -> bool:
        found = self.property(name)
        return found is not None and found.filterable

    def rows(self, store: Store) -> Iterable[Row]:
        """Return every object, as a dict keyed by property name (dot paths flat)."""
        return ()

    def find(self, store: Store, filter: Any) -> list[Row]:
        """Return the objects matching ``filter`` (checked already; None: all)."""
        if filter is None:
            return list(self.rows(store))
        predicate = compile_filter(self.schema(), _canonical_names(filter, self))
        return [row for row in self.rows(store) if predicate(row)]

    def schema(self) -> DataExtensionSchema:
        """Return the properties as a schema, so filters compare them as the store does."""
        return _schema_of(self)

    def result(self, row: Row, names: Sequence[str]) -> dict[str, Any]:
        """Return one object as a retrieve answers it: the requested properties, nested."""
        out: dict[str, Any] = {}
        for name in names:
            prop = self.property(name)
            value = row.get(prop.name) if prop is not None else None
            target = out
            *parents, last = (prop.name if prop is not None else name).split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = value
        return out

    def shaper(self, names: Sequence[str]) -> Callable[[Row], dict[str, Any]]:
        """Return what makes each object of one batch its :meth:`result` for ``names``."""
        return lambda row: self.result(row, names)

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        """Raise RequestRefused when ``item`` is not a shape the API reads for ``verb``."""

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        return ItemResult(False, assumptions.OBJECT_NOT_WRITABLE.format(verb="create",
                                                                        type=self.name))

    def update(self, store: Store, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        return ItemResult(False, assumptions.OBJECT_NOT_WRITABLE.format(verb="update",
                                                                        type=self.name))

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        return ItemResult(False, assumptions.OBJECT_NOT_WRITABLE.format(verb="delete",
                                                                        type=self.name))

    def perform(self, store: Store, item: Mapping[str, Any], action: str) -> ItemResult:
        """Perform ``action`` on the object ``item`` names (types with ``performable``)."""
        raise PerformNotEmulated(self.name)

    def bound(self, session: ObjectSession) -> ObjectType:
        """Return the type as ``session`` uses it (a type needing more than the store binds)."""
        return self

    def describe(self) -> dict[str, Any]:
        """Return the type's ObjectDefinition as describe answers it (no wrapper, RT)."""
        retrievable = any(p.retrievable for p in self.properties)
        return {
            "ObjectType": self.name, "Name": self.name,
            "IsCreatable": self.creatable, "IsUpdatable": self.updatable,
            "IsRetrievable": retrievable, "IsQueryable": retrievable,
            "Properties": [{"Name": p.name, "DataType": _DATA_TYPES.get(p.type, "String"),
                            "IsRetrievable": p.retrievable, "IsFilterable": p.filterable}
                           for p in self.properties],
            "ExtendedProperties": [], "ChildObjects": [],
        }


_DATA_TYPES = {"Text": "String", "Number": "Int", "Boolean": "Boolean", "Date": "DateTime",
               "Decimal": "Decimal"}
_NAMES_CACHE: dict[tuple[Property, ...], dict[str, Property]] = {}
_SCHEMA_CACHE: dict[tuple[str, tuple[Property, ...]], DataExtensionSchema] = {}


def _by_name(properties: tuple[Property, ...]) -> dict[str, Property]:
    found = _NAMES_CACHE.get(properties)
    if found is None:
        found = _NAMES_CACHE[properties] = {p.name.casefold(): p for p in properties}
    return found


def _schema_of(object_type: ObjectType) -> DataExtensionSchema:
    key = (object_type.name, object_type.properties)
    found = _SCHEMA_CACHE.get(key)
    if found is None:
        fields = tuple(p.field() for p in object_type.properties)
        found = _SCHEMA_CACHE[key] = DataExtensionSchema(f"_{object_type.name}",
                                                         object_type.name, fields)
    return found


def _canonical_names(filter: Any, object_type: ObjectType) -> Any:
    """Return ``filter`` (checked, so bounded) with each Property spelt as the type does."""
    if not isinstance(filter, Mapping):
        return filter
    out = dict(filter)
    if "Property" in out and isinstance(out["Property"], str):
        prop = object_type.property(out["Property"])
        if prop is not None:
            out["Property"] = prop.name
    for side in ("LeftOperand", "RightOperand"):
        if side in out:
            out[side] = _canonical_names(out[side], object_type)
    return out


Family = Callable[[Store, str], "ObjectType | str"]


class ObjectRegistry:
    """Object types by name; ``Name[key]`` names go to a family (``DataExtensionObject``)."""

    def __init__(self) -> None:
        self._types: dict[str, ObjectType] = {}
        self._families: dict[str, Family] = {}

    def register(self, object_type: ObjectType) -> ObjectType:
        """Add ``object_type`` under its name (a second type of that name replaces it)."""
        self._types[object_type.name] = object_type
        return object_type

    def register_family(self, name: str, family: Family) -> None:
        """Answer ``name[key]`` with ``family(store, key)``: a type, or the error text."""
        self._families[name] = family

    def names(self) -> list[str]:
        return [*self._types, *(f"{name}[<key>]" for name in self._families)]

    def get(self, name: str, store: Store) -> ObjectType | str:
        """Return the type called ``name``, or the API's error text for an unknown one."""
        found = self._types.get(name)
        if found is not None:
            return found
        base, bracket, rest = name.partition("[")
        if bracket and rest.endswith("]") and base in self._families:
            return self._families[base](store, rest[:-1])
        return assumptions.OBJECT_TYPE_UNKNOWN.format(type=name)


REGISTRY = ObjectRegistry()


@dataclass
class _Pending:
    """A retrieve with rows left: its type, the matching objects and where the next batch starts."""

    object_type: ObjectType
    names: list[str]
    rows: list[Row]
    size: int
    position: int = 0


@dataclass
class ObjectSession:
    """The object model as one page run uses it: its store, its budget, its continued retrieves."""

    store: Store
    budget: PageBudget = field(default_factory=PageBudget.unlimited)
    registry: ObjectRegistry = field(default_factory=lambda: REGISTRY)
    #: where TriggeredSend puts what a page sends (emulator.sends.outbox); None: not captured
    outbox: Outbox | None = None
    #: the emulator clock's UTC time (runs are recorded with it); None: the outbox's, else now
    now: Callable[[], datetime] | None = None
    #: told (DE key, rows as stored) after each item that wrote DE rows: the page's journal
    record_rows: Callable[[str, list[dict[str, Any]]], None] | None = None
    #: the unit ``setClientId`` made the calls act as; None: the page's own
    client_id: int | None = None
    #: the business units of the call running now (docs/fidelity.md#wsproxy-client-id)
    unit: UnitScope | None = None
    _pending: OrderedDict[str, _Pending] = field(default_factory=OrderedDict)
    #: the page's own scope when the store has one unit: read once a session, since no page
    #: call changes the business units (a scope of one unit holds no per-call state)
    _single: UnitScope | None = field(default=None, repr=False)

    def _enter_unit(self, query_all: bool = False) -> str | None:
        """Fix the unit context of the call starting; return the denial text, if denied."""
        if self.client_id is None and self._single is not None:
            self.unit = self._single
            return None
        unit = self.unit = UnitScope.of(self.store, self.client_id, query_all)
        if unit.acting == unit.executing:  # a unit always reaches itself
            if self.client_id is None and not unit.units.several:
                self._single = unit
            return None
        if unit.denied():
            return assumptions.UNIT_DENIED.format(executing=unit.executing, mid=unit.acting)
        return None

    def _lookup(self, type_name: str) -> ObjectType | str:
        """Return the type ``type_name`` names, a ``DataExtensionObject[key]`` in the unit's
        view (its own DE, else a shared one)."""
        if self.unit is not None and self.unit.units.several:  # one unit: the key is the table
            base, bracket, rest = type_name.partition("[")
            if bracket and rest.endswith("]"):
                type_name = f"{base}[{self.unit.table(rest[:-1])}]"
        return self.registry.get(type_name, self.store)

    # --- retrieve ------------------------------------------------------------------------------

    def retrieve(self, type_name: Any, properties: Any, filter: Any = None,
                 options: Any = None, request: Any = None) -> dict[str, Any]:
        """Retrieve objects (docs/fidelity.md#object-paging for batches and continuation)."""
        self.budget.check()
        if not isinstance(type_name, str) or not type_name:
            raise RequestRefused("retrieve", f"the object type must be a name such as "
                                             f"\"DataExtension\", not {type_name!r}")
        if not isinstance(properties, list) or not all(map(isinstance, properties,
                                                           repeat(str, len(properties)))):
            raise RequestRefused("retrieve", "the properties must be an array of property "
                                             "names")
        if request is not None and not isinstance(request, Mapping):
            raise RequestRefused("retrieve", "the fifth argument must be an object such as "
                                             "{ContinueRequest: id} or {QueryAllAccounts: true}")
        if request and request.get("ContinueRequest"):
            return self.next_batch(type_name, request["ContinueRequest"])
        size = _batch_size(options)
        denied = self._enter_unit(bool(request and request.get("QueryAllAccounts") is True))
        if denied is not None:
            return _retrieved(denied, _request_id(), [], False)
        found = self._lookup(type_name)
        if isinstance(found, str):
            return _retrieved(found, _request_id(), [], False)
        found = found.bound(self)
        if not properties or not all(map(found.retrievable, properties)):
            unknown = [name for name in properties if not found.retrievable(name)]
            text = REQUEST_PROPERTY_ERROR.format(names=", ".join(unknown), type=found.name)
            return _retrieved(text, _request_id(), [], False)
        if filter is not None:
            refused = check_filter(filter, found.filterable)
            if refused is not None:
                return _retrieved(refused, _request_id(), [], False)
        try:
            rows = found.find(self.store, filter)
        except InvalidFilter as error:
            raise RequestRefused("retrieve", error.reason) from None
        except StoreError as error:
            if isinstance(error, StoreWriteFailed):
                raise
            return _retrieved(f"Error: {error.message}", _request_id(), [], False)
        if found.unit_owned and self.unit is not None and self.unit.units.several:
            mids = set(self.unit.mids)
            rows = [row for row in rows if row.get("Client.ID") in mids]
        self.budget.check()
        if len(rows) <= size:  # one batch: nothing to continue, so nothing kept
            shape = found.shaper(properties)
            return _retrieved("OK", _request_id(), [shape(row) for row in rows], False)
        pending = _Pending(found, list(properties), rows, size)
        request_id = _request_id()
        return self._batch(request_id, pending)

    def next_batch(self, type_name: Any, request_id: Any) -> dict[str, Any]:
        """Return the next batch of the retrieve ``request_id`` (its RequestID stays, OFF)."""
        self.budget.check()
        pending = self._pending.get(request_id) if isinstance(request_id, str) else None
        if pending is None:
            text = assumptions.OBJECT_CONTINUE_UNKNOWN.format(id=request_id)
            return _retrieved(text, _request_id(), [], False)
        return self._batch(request_id, pending)

    def _batch(self, request_id: str, pending: _Pending) -> dict[str, Any]:
        start = pending.position
        end = min(start + pending.size, len(pending.rows))
        shape = pending.object_type.shaper(pending.names)
        results = [shape(row) for row in pending.rows[start:end]]
        pending.position = end
        more = end < len(pending.rows)
        if more:
            self._pending[request_id] = pending
            self._pending.move_to_end(request_id)
            while len(self._pending) > PENDING_LIMIT:
                self._pending.popitem(last=False)
        else:
            self._pending.pop(request_id, None)
        return _retrieved("MoreDataAvailable" if more else "OK", request_id, results, more)

    # --- writes --------------------------------------------------------------------------------

    def create(self, type_name: Any, items: Any, options: Any = None) -> dict[str, Any]:
        """Create each item, each all or nothing; one result per item, in order."""
        return self._write("create", type_name, items, options)

    def update(self, type_name: Any, items: Any, options: Any = None) -> dict[str, Any]:
        """Update each item (``SaveAction`` ``UpdateAdd`` adds a missing row)."""
        return self._write("update", type_name, items, options)

    def delete(self, type_name: Any, items: Any, options: Any = None) -> dict[str, Any]:
        """Delete each item; results carry ``ErrorCode`` (0 on success, RT)."""
        return self._write("delete", type_name, items, options)

    def _write(self, verb: str, type_name: Any, items: Any, options: Any) -> dict[str, Any]:
        self.budget.check()
        if not isinstance(type_name, str) or not type_name:
            raise RequestRefused(verb, f"the object type must be a name, not {type_name!r}")
        if "[" in type_name:
            # RT: the bracketed DataExtensionObject[key] form works for retrieve only.
            raise RequestRefused(verb, f"{type_name!r}: the bracketed form is for retrieve; "
                                       "write \"DataExtensionObject\" with CustomerKey")
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise RequestRefused(verb, "the items must be objects of properties")
        if len(items) > assumptions.OBJECT_BATCH_LIMIT:
            raise RequestRefused(verb, f"a batch holds at most {assumptions.OBJECT_BATCH_LIMIT} "
                                       f"items, not {len(items)}; send it in chunks")
        if options is not None and not isinstance(options, Mapping):
            raise RequestRefused(verb, "the options must be an object such as "
                                       "{SaveOptions: [{PropertyName: \"*\", "
                                       "SaveAction: \"UpdateAdd\"}]}")
        denied = self._enter_unit()
        if denied is not None:
            return {"Status": denied, "RequestID": _request_id(), "Results": []}
        found = self._lookup(type_name)
        if not isinstance(found, str):
            found = found.bound(self)
            for item in items:  # every shape first: a refused call writes nothing
                found.check(verb, item)
        owners = None if isinstance(found, str) else self._owners(verb, found)
        step = self.budget.pacer(64)
        results = []
        for ordinal, item in enumerate(items):
            step()
            if isinstance(found, str):
                outcome = ItemResult(False, found)
            else:
                outcome = (self._out_of_reach(verb, found, item, owners)
                           or self._apply(verb, found, item, options or {}))
                if outcome.rows_written and self.record_rows is not None:
                    self.record_rows(outcome.written_to, list(outcome.rows_written))
                if outcome.ok and found.unit_owned and verb != "update":
                    self._note_owner(verb, found, item, outcome)
            results.append(_item(verb, ordinal, outcome, item))
        failed = any(r["StatusCode"] != "OK" for r in results)
        return {"Status": "Error" if failed else "OK", "RequestID": _request_id(),
                "Results": results}

    def _owners(self, verb: str, object_type: ObjectType) -> dict[str, int] | None:
        """Return the unit of each object an update or delete may name (by its owner key), or
        None when the call cannot reach past its unit (one unit, a create, a DE)."""
        writable = object_type.updatable if verb == "update" else object_type.deletable
        if verb == "create" or not writable or not object_type.unit_owned \
                or self.unit is None or not self.unit.units.several:
            return None  # a type that cannot do it says so itself
        key = object_type.owner_key
        return {str(row[key]): row["Client.ID"] for row in object_type.rows(self.store)
                if row.get(key) is not None and "Client.ID" in row}

    def _out_of_reach(self, verb: str, object_type: ObjectType, item: Mapping[str, Any],
                      owners: Mapping[str, int] | None) -> ItemResult | None:
        """Refuse a write to another unit's object the acting unit does not reach
        (docs/fidelity.md#unit-objects); None lets the type answer (a missing one too)."""
        if owners is None or self.unit is None:
            return None
        identity = item.get(object_type.owner_key)
        owner = owners.get(str(identity)) if identity is not None else None
        if owner is None or self.unit.units.reaches(self.unit.acting, owner):
            return None
        return ItemResult(False, assumptions.UNIT_OBJECT_OUT_OF_REACH.format(
            type=object_type.name, key=str(identity), owner=owner, mid=self.unit.acting,
            verb=verb))

    def _note_owner(self, verb: str, object_type: ObjectType, item: Mapping[str, Any],
                    outcome: ItemResult) -> None:
        """Note the unit an object created belongs to; forget a deleted one's."""
        assert self.unit is not None
        shown = outcome.object if outcome.object is not None else item
        identity = shown.get(object_type.owner_key, item.get(object_type.owner_key))
        if identity is None:
            return
        mid = self.unit.acting if verb == "create" else self.unit.units.default
        record_owner(self.store, object_type.name, identity, mid)

    def _apply(self, verb: str, object_type: ObjectType, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        try:
            if verb == "create":
                return object_type.create(self.store, item)
            if verb == "update":
                return object_type.update(self.store, item, options)
            return object_type.delete(self.store, item)
        except StoreWriteFailed:
            raise  # not a data error: the page runner answers that the change was not kept
        except StoreError as error:
            return ItemResult(False, error.message)

    # --- perform -------------------------------------------------------------------------------

    def perform(self, type_name: Any, items: Any, action: Any,
                options: Any = None) -> dict[str, Any]:
        """Perform ``action`` on each item (docs/fidelity.md#automation-perform).

        Raise PerformNotEmulated for a type the emulator performs nothing on.
        """
        self.budget.check()
        if not isinstance(type_name, str) or not type_name:
            raise RequestRefused("perform", f"the object type must be a name, not {type_name!r}")
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise RequestRefused("perform", "the items must be objects such as "
                                            "{CustomerKey: \"nightly\"}")
        if len(items) > assumptions.OBJECT_BATCH_LIMIT:
            raise RequestRefused("perform", f"a batch holds at most "
                                            f"{assumptions.OBJECT_BATCH_LIMIT} items, not "
                                            f"{len(items)}; send it in chunks")
        if not isinstance(action, str) or not action:
            raise RequestRefused("perform", f"the action must be a name such as \"start\", "
                                            f"not {action!r}")
        if options is not None and not isinstance(options, Mapping):
            raise RequestRefused("perform", "the perform options must be an object")
        denied = self._enter_unit()
        if denied is not None:
            return {"Status": denied, "StatusMessage": denied, "RequestID": _request_id(),
                    "Results": []}
        found = self._lookup(type_name)
        if not isinstance(found, str):
            found = found.bound(self)
            if not found.performable:
                raise PerformNotEmulated(found.name)
        results = []
        for ordinal, item in enumerate(items):
            outcome = (ItemResult(False, found) if isinstance(found, str)
                       else self._perform_one(found, item, action))
            entry: dict[str, Any] = {"StatusCode": "OK" if outcome.ok else "Error",
                                     "StatusMessage": outcome.message, "OrdinalID": ordinal,
                                     "ErrorCode": 0 if outcome.ok else (
                                         outcome.error_code or assumptions.OBJECT_ERROR_CODE),
                                     "Object": dict(outcome.object if outcome.object is not None
                                                    else item)}
            entry.update(outcome.extra or {})
            results.append(entry)
        failed = any(r["StatusCode"] != "OK" for r in results)
        return {"Status": "Error" if failed else "OK", "StatusMessage": "",
                "RequestID": _request_id(), "Results": results}

    def _perform_one(self, object_type: ObjectType, item: Mapping[str, Any],
                     action: str) -> ItemResult:
        try:
            return object_type.perform(self.store, item, action)
        except StoreWriteFailed:
            raise
        except StoreError as error:
            return ItemResult(False, error.message)

    def time(self) -> datetime:
        """Return the emulator clock's UTC time as this session knows it."""
        if self.now is not None:
            return self.now()
        if self.outbox is not None:
            return self.outbox.now()
        return datetime.now(timezone.utc)

    # --- describe ------------------------------------------------------------------------------

    def describe(self, type_names: Any) -> dict[str, Any]:
        """Describe each type; an unknown one is ``null`` (RT), never an error."""
        self.budget.check()
        names = type_names if isinstance(type_names, list) else [type_names]
        results: list[Any] = []
        for name in names:
            found = self.registry.get(name, self.store) if isinstance(name, str) else None
            results.append(None if found is None or isinstance(found, str)
                           else found.describe())
        return {"RequestID": _request_id(), "Results": results}


def _batch_size(options: Any) -> int:
    """Return the page size: ``BatchSize`` 1..2500, anything larger ignored (RT)."""
    if options is None:
        return BATCH_SIZE
    if not isinstance(options, Mapping):
        raise RequestRefused("retrieve", "the retrieve options must be an object such as "
                                         "{BatchSize: 500}")
    size = options.get("BatchSize")
    if size is None:
        return BATCH_SIZE
    if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 1 \
            or size != int(size):
        raise RequestRefused("retrieve", f"BatchSize must be a whole number from 1 to "
                                         f"{BATCH_SIZE}, not {size!r}")
    return min(int(size), BATCH_SIZE)


def _retrieved(status: str, request_id: str, results: list[Any], more: bool) -> dict[str, Any]:
    return {"Status": status, "RequestID": request_id, "Results": results, "HasMoreRows": more}


def _item(verb: str, ordinal: int, outcome: ItemResult, item: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"StatusCode": "OK" if outcome.ok else "Error",
                             "StatusMessage": outcome.message, "OrdinalID": ordinal}
    if verb == "delete" or not outcome.ok:
        entry["ErrorCode"] = (0 if outcome.ok
                              else outcome.error_code or assumptions.OBJECT_ERROR_CODE)
    if verb != "delete":
        entry["Object"] = dict(outcome.object if outcome.object is not None else item)
    return entry


def _request_id() -> str:
    """Return a random version-4 UUID as text, as ``str(uuid.uuid4())`` does."""
    # 128 random bits with the version (4) and variant (10xx) set: a third of uuid4's time,
    # and every call makes one. An ID names a retrieve to continue, not a secret: a seeded
    # generator of its own (not the random module's, which a test may seed) is enough.
    h = "%032x" % (_random_bits(128) & _UUID_CLEAR | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # the version nibble, the variant's two bits
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, variant 10xx (RFC 4122)
_RANDOM = random.Random(os.urandom(32))
_random_bits = _RANDOM.getrandbits
if hasattr(os, "register_at_fork"):  # a forked process must not repeat its parent's IDs
    os.register_at_fork(after_in_child=lambda: _RANDOM.seed(os.urandom(32)))
