"""The Core library's object doors: ``Subscriber``, ``List``, ``Folder``, ``Attribute``,
``TriggeredSend`` and ``DataExtension.Retrieve``.

docs/fidelity.md#core-objects: ``X.Init(key)`` never fetches and never throws (RT); retrieves
return arrays (RT); write methods return the strings ``"OK"`` or ``"Error"`` and do not throw
(RT). Every method is a call of the object model (emulator/objects) under the Core library's
names, so Core, WSProxy and AMPscript share one implementation of each object type.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from emulator import assumptions
from emulator.objects.catalog import ObjectSession
from emulator.objects.errors import RequestRefused
from emulator.platform.calls import arity, padded
from emulator.platform.context import PageContext
from emulator.script.clr import clr_text
from emulator.script.errors import FeatureNotEmulated, PlatformError
from emulator.script.js import is_nullish
from emulator.script.undefined import UNDEFINED
from emulator.store.schema import describe_json_type
from emulator.subscribers import data as subscriber_data

OK, ERROR = "OK", "Error"  # docs/fidelity.md#core-writes (RT)
NOT_BUILT = "{path} is not emulated by mc-emulator."
#: Owners below a Core object, as a page reaches them: ``Subscriber.Init(key).Lists``.
INIT = "Init(key)"
FILTER_SHAPE = ("a filter is an object such as {Property: \"SubscriberKey\", SimpleOperator: "
                "\"equals\", Value: \"s-1\"} or a ComplexFilterPart {LeftOperand, "
                "LogicalOperator, RightOperand}")


class ThrownText(PlatformError):
    """What the platform throws as a bare string (``catch (e)`` gets the text itself, RT).

    The SSJS host answers it so (``thrown``); a Python port catches it as a ScriptError whose
    message is the text.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.thrown = text


def reach(globals_: Any, owner: str, key: Any) -> Any:
    """Return the Core object a host call of ``owner`` (``List.Init(key).Subscribers``) means.

    The first name is read from the page's globals, so a call before ``Platform.Load`` fails as
    the bare name does.
    """
    base, _, rest = owner.partition(".")
    target = getattr(globals_, base)
    if base == "TriggeredSend" and rest.startswith(INIT):
        # the page's stub (key, number): its LastRequestID and LastMessage outlive one call
        key, number = key if isinstance(key, list) and len(key) == 2 else (key, 0)
        target = target.stub(key, number)
        rest = rest[len(INIT):].lstrip(".")
    elif rest.startswith(INIT):
        target = target.Init(key)
        rest = rest[len(INIT):].lstrip(".")
    for part in filter(None, rest.split(".")):
        target = getattr(target, part)
    return target


def _session(context: PageContext) -> ObjectSession:
    # A Core retrieve answers in one call, so no continuation needs to outlive it.
    return ObjectSession(context.store, context.budget,  # type: ignore[arg-type]
                         outbox=context.outbox,  # a Core send is captured as WSProxy's is
                         now=context.clock.now_utc, record_rows=context.record_rows)


def _filter(method: str, given: Any) -> Mapping[str, Any] | None:
    """Return a Core retrieve's filter (None: every object), or raise saying what is accepted."""
    if is_nullish(given):
        return None
    if not isinstance(given, Mapping):
        raise PlatformError(f"{method}: {FILTER_SHAPE}, not {describe_json_type(given)}.")
    return given


def _retrieve(context: PageContext, type_name: str, names: list[str] | None,
              filter: Mapping[str, Any] | None,
              request: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Return the first batch of ``type_name`` objects (docs/fidelity.md#core-retrieve).

    A request the object model refuses, or answers with an error status, throws its text.
    """
    session = _session(context)
    if names is None:
        found = session.registry.get(type_name, context.store)
        assert not isinstance(found, str), type_name
        names = [p.name for p in found.properties if p.retrievable]
    try:
        answer = session.retrieve(type_name, names, filter, None, request)
    except RequestRefused as refused:
        raise PlatformError(refused.message) from None
    if answer["Status"] not in ("OK", "MoreDataAvailable"):
        raise PlatformError(answer["Status"])
    return answer["Results"]


def _write(context: PageContext, verb: str, type_name: str, item: Mapping[str, Any]) -> str:
    """Run one write of the object model; answer ``"OK"`` or ``"Error"`` as the Core does."""
    try:
        answer = getattr(_session(context), verb)(type_name, [item])
    except RequestRefused:
        return ERROR
    return OK if answer["Status"] == OK else ERROR


def _equals(name: str, value: Any) -> dict[str, Any]:
    return {"Property": name, "SimpleOperator": "equals", "Value": value}


def _both(left: Mapping[str, Any], right: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if right is None:
        return left
    return {"LeftOperand": left, "LogicalOperator": "AND", "RightOperand": right}


def _exists(context: PageContext, key: str) -> bool:
    return bool(_retrieve(context, "Subscriber", ["SubscriberKey"],
                          _equals("SubscriberKey", key)))


def _attributes(given: Any) -> list[dict[str, Any]] | None:
    """Return Core ``Attributes`` as the object model takes them.

    docs/fidelity.md#core-subscriber-attributes: a plain object keyed by attribute name writes
    (RT); the documented array of ``{Name, Value}`` answers "OK" and writes nothing (RT).
    """
    if isinstance(given, Mapping):
        return [{"Name": str(name), "Value": value} for name, value in given.items()]
    return None


def _lists(given: Any) -> Any:
    """Return Core ``Lists`` (one membership object, or an array of them) as an array.

    Anything else is passed on for the object model to refuse.
    """
    if isinstance(given, Mapping):
        given = [given]
    if not isinstance(given, list):
        return given
    # The documented Action member ("Create") says what the write does; the model infers it.
    return [{k: v for k, v in m.items() if k in ("ID", "Status")} if isinstance(m, Mapping)
            else m for m in given]


def _subscriber_item(props: Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
    """Return the object model's Subscriber item for Core properties ``props``."""
    item: dict[str, Any] = {name: props[name] for name in ("SubscriberKey", "EmailAddress",
                                                             "Status")
                            if name in props and not is_nullish(props[name])}
    if key is not None:
        item["SubscriberKey"] = key
    attributes = _attributes(props.get("Attributes"))
    if attributes:
        item["Attributes"] = attributes
    if "Lists" in props:
        item["Lists"] = _lists(props["Lists"])
    return item


# --- DataExtension.Retrieve ----------------------------------------------------------------------

def retrieve_data_extensions(context: PageContext, *args: Any) -> list[dict[str, Any]]:
    """``DataExtension.Retrieve(filter[, queryAllAccounts])``: DE definitions.

    docs/fidelity.md#core-de-retrieve: rows carry the DataExtension object's properties
    (``CustomerKey``, ``Name``, ``CategoryID``, ...); the second argument, true, lists the DEs
    of every unit the page's reaches (docs/fidelity.md#business-units).
    """
    arity(args, 0, 2)
    filter, all_accounts = padded(args, 2, UNDEFINED)
    if not (is_nullish(all_accounts) or isinstance(all_accounts, bool)):
        raise PlatformError("DataExtension.Retrieve: the second argument, queryAllAccounts, is "
                            f"true or false, not {clr_text(all_accounts)!r}.")
    return _retrieve(context, "DataExtension", None,
                     _filter("DataExtension.Retrieve", filter),
                     {"QueryAllAccounts": True} if all_accounts is True else None)


# --- Folder --------------------------------------------------------------------------------------

class FolderStatics:
    """The Core ``Folder``: ``Init``, ``Add``, ``Retrieve`` (docs/fidelity.md#core-folder)."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Init(self, key: Any = UNDEFINED, *extra: Any) -> FolderObject:
        return FolderObject(self._context, "" if is_nullish(key) else clr_text(key))

    def Add(self, *args: Any) -> str:
        """Add a folder: ``{Name, CustomerKey, Description, ContentType, AllowChildren,
        ParentFolderID}``; ``Add()`` and ``Add({})`` throw (RT)."""
        props = args[0] if args else UNDEFINED
        if not isinstance(props, Mapping) or not props:
            raise PlatformError(FOLDER_ADD_SHAPE.format(given=describe_json_type(
                None if is_nullish(props) else props) if not isinstance(props, Mapping)
                else "an empty object"))
        item: dict[str, Any] = {name: props[name] for name in (
            "Name", "CustomerKey", "Description", "ContentType", "AllowChildren")
            if name in props and not is_nullish(props[name])}
        item["ParentFolder"] = {"ID": props.get("ParentFolderID")}
        return _write(self._context, "create", "DataFolder", item)

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the folders matching the filter; dot paths such as ``ParentFolder.Name`` work.

        See docs/fidelity.md#core-folder.
        """
        arity(args, 0, 1)
        filter = _filter("Folder.Retrieve", padded(args, 1, UNDEFINED)[0])
        return _retrieve(self._context, "DataFolder", None, filter)


FOLDER_ADD_SHAPE = ("Folder.Add takes an object such as {{Name: \"Campaigns\", CustomerKey: "
                    "\"campaigns\", ContentType: \"dataextension\", ParentFolderID: 1001}}, "
                    "not {given}.")


class FolderObject:
    """``Folder.Init(key)``, the folder whose CustomerKey is ``key``: ``Update``, ``Remove``."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key

    def SetID(self, *args: Any) -> Any:
        raise FeatureNotEmulated(NOT_BUILT.format(path="Folder.Init(key).SetID"))

    def Remove(self, *args: Any) -> str:
        """Delete the folder; a missing key, or one holding folders or DEs, is "Error"."""
        return _write(self._context, "delete", "DataFolder", {"CustomerKey": self._key})

    def Update(self, *args: Any) -> str:
        """Change the folder's ``Name`` or ``Description``; a missing key is "Error" (RT)."""
        props = args[0] if args else UNDEFINED
        if not isinstance(props, Mapping):
            return ERROR
        return _write(self._context, "update", "DataFolder", {**props, "CustomerKey": self._key})


# --- Subscriber ----------------------------------------------------------------------------------

class SubscriberStatics:
    """The Core ``Subscriber``: ``Init``, ``Add``, ``Retrieve`` (docs/fidelity.md#core-subscriber).

    Statics and instance methods are apart (RT): an instance has no ``Add`` or ``Retrieve``.
    """

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Init(self, key: Any = UNDEFINED, *extra: Any) -> SubscriberObject:
        # RT: Init never fetches, so an unknown key gives the same stub.
        return SubscriberObject(self._context, "" if is_nullish(key) else clr_text(key))

    def Add(self, *args: Any) -> str:
        """Add a subscriber: ``{EmailAddress, SubscriberKey[, Attributes][, Lists]}``."""
        if not args or not isinstance(args[0], Mapping):
            return ERROR  # RT: Add() is "Error", no throw
        return _write(self._context, "create", "Subscriber", _subscriber_item(args[0]))

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return ``{SubscriberKey, EmailAddress, Status}`` of each match (RT)."""
        arity(args, 0, 1)
        filter = _filter("Subscriber.Retrieve", padded(args, 1, UNDEFINED)[0])
        return _retrieve(self._context, "Subscriber", ["SubscriberKey", "EmailAddress",
                                                       "Status"], filter)


class SubscriberObject:
    """``Subscriber.Init(key)``: its writes, and ``Lists``."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key
        self.Lists = SubscriberLists(context, key)
        self.Attributes = SubscriberAttributes(context, key)

    def Update(self, *args: Any) -> str:
        """Change the subscriber; ``Update()`` leaves it as it is. A missing one is "Error"."""
        props = args[0] if args and not is_nullish(args[0]) else {}
        if not isinstance(props, Mapping):
            return ERROR
        return _write(self._context, "update", "Subscriber", _subscriber_item(props, self._key))

    def Upsert(self, *args: Any) -> str:
        """Update the subscriber, or add it when its key is new (RT: "OK" on both paths)."""
        props = args[0] if args and not is_nullish(args[0]) else {}
        if not isinstance(props, Mapping):
            return ERROR
        verb = "update" if _exists(self._context, self._key) else "create"
        return _write(self._context, verb, "Subscriber", _subscriber_item(props, self._key))

    def Unsubscribe(self, *args: Any) -> str:
        """Set the subscriber's status to Unsubscribed; the subscriber stays (RT)."""
        return _write(self._context, "update", "Subscriber",
                      {"SubscriberKey": self._key, "Status": "Unsubscribed"})

    def Remove(self, *args: Any) -> str:
        """Delete the subscriber; a missing key is "Error", no throw (RT)."""
        return _write(self._context, "delete", "Subscriber", {"SubscriberKey": self._key})

    def Statistics(self, *args: Any) -> dict[str, Any]:
        """Return one object of the subscriber's event counts (RT: one object, not an array).

        docs/fidelity.md#core-subscriber-statistics: the counters are the event types' for the
        key (ASSUMED "core-subscriber-statistics"); an unknown key counts nothing.
        """
        counts: dict[str, Any] = {"SubscriberKey": self._key}
        for name, type_name in STATISTICS.items():
            counts[name] = len(_retrieve(self._context, type_name, ["SubscriberKey"],
                                         _equals("SubscriberKey", self._key)))
        return counts


#: The counters of Subscriber.Init(key).Statistics() and the event type each counts.
STATISTICS = {"Sent": "SentEvent", "Opens": "OpenEvent", "Clicks": "ClickEvent",
              "Bounces": "BounceEvent", "Unsubscribes": "UnsubEvent"}


class SubscriberAttributes:
    """``Subscriber.Init(key).Attributes``."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the subscriber's attributes as ``{Name, Value}`` (RT); none for a missing one.

        See docs/fidelity.md#core-subscriber-attributes-retrieve.
        """
        try:
            record = subscriber_data.find(self._context.store, self._key)  # type: ignore[arg-type]
        except subscriber_data.SubscriberNotFound:
            return []
        return [{"Name": name, "Value": value} for name, value in record["Attributes"].items()]


class SubscriberLists:
    """``Subscriber.Init(key).Lists``."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the subscriber's memberships as ``{ListID, SubscriberKey, Status}``.

        See docs/fidelity.md#core-subscriber-lists.
        """
        return _retrieve(self._context, "ListSubscriber", ["ListID", "SubscriberKey", "Status"],
                         _equals("SubscriberKey", self._key))


# --- List ----------------------------------------------------------------------------------------

LIST_PROPERTIES = ["ID", "ListName", "CustomerKey", "Type", "ListClassification", "Description"]


class ListStatics:
    """The Core ``List``: ``Init``, ``Add`` and ``Retrieve``."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Init(self, key: Any = UNDEFINED, *extra: Any) -> ListObject:
        return ListObject(self._context, "" if is_nullish(key) else clr_text(key))

    def Add(self, *args: Any) -> str:
        """Add a list: ``{CustomerKey, Name, Type, Description}`` (RT: "OK"); else "Error"."""
        props = args[0] if args else UNDEFINED
        if not isinstance(props, Mapping) or not props:
            return ERROR
        item = {"ListName" if name == "Name" else name: value for name, value in props.items()
                if name in ("CustomerKey", "Name", "ListName", "Type", "ListClassification",
                            "Description") and not is_nullish(value)}
        return _write(self._context, "create", "List", item)

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the lists matching the filter (docs/fidelity.md#core-list)."""
        arity(args, 0, 1)
        filter = _filter("List.Retrieve", padded(args, 1, UNDEFINED)[0])
        return _retrieve(self._context, "List", LIST_PROPERTIES, filter)


class ListObject:
    """``List.Init(key)``, the list whose CustomerKey is ``key``: its ``Subscribers``."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key
        self.Subscribers = ListSubscribers(context, key)

    def Remove(self, *args: Any) -> str:
        """Delete the list and its memberships (RT: "OK"); a missing key is "Error"."""
        return _write(self._context, "delete", "List", {"CustomerKey": self._key})


class ListSubscribers:
    """``List.Init(key).Subscribers`` (docs/fidelity.md#core-list-subscribers)."""

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the members as ``{SubscriberKey, EmailAddress, Status}`` (membership status).

        RT: a filter on ``EmailAddress`` finds nothing, even for a member.
        """
        arity(args, 0, 1)
        filter = _filter("List.Subscribers.Retrieve", padded(args, 1, UNDEFINED)[0])
        list_id = self._list_id()
        if list_id is None or (filter is not None and _names_email(filter)):
            return []
        members = _retrieve(self._context, "ListSubscriber", ["SubscriberKey", "Status"],
                            _both(_equals("ListID", list_id), filter))
        if not members:
            return []
        keys = [m["SubscriberKey"] for m in members]
        emails = {s["SubscriberKey"]: s["EmailAddress"] for s in _retrieve(
            self._context, "Subscriber", ["SubscriberKey", "EmailAddress"],
            {"Property": "SubscriberKey", "SimpleOperator": "IN", "Value": keys})}
        return [{"SubscriberKey": m["SubscriberKey"],
                 "EmailAddress": emails.get(m["SubscriberKey"], ""), "Status": m["Status"]}
                for m in members]

    def Add(self, *args: Any) -> str:
        """Put a subscriber on the list, Active; a new subscriber is created (RT: "OK")."""
        return self.Upsert(*args)

    def Upsert(self, *args: Any) -> str:
        """Add or update a subscriber and make it an Active member (RT: "OK" on both paths)."""
        subscriber, attributes = padded(args, 2, UNDEFINED)[:2]
        return self._save(subscriber, "Active", attributes, create=True)

    def Update(self, *args: Any) -> str:
        """Set a member's status on the list; a subscriber not on it is "Error" (RT)."""
        subscriber, status = padded(args, 2, UNDEFINED)[:2]
        if not isinstance(status, str):
            return ERROR
        return self._save(subscriber, status, UNDEFINED, create=False)

    def Unsubscribe(self, *args: Any) -> str:
        """Set a member's status to Unsubscribed; the membership stays (RT)."""
        return self._save(padded(args, 1, UNDEFINED)[0], "Unsubscribed", UNDEFINED,
                          create=False)

    def _save(self, subscriber: Any, status: str, attributes: Any, create: bool) -> str:
        who = _member(subscriber)
        list_id = self._list_id()
        if who is None or list_id is None:
            return ERROR
        key = who["SubscriberKey"]
        item: dict[str, Any] = {"SubscriberKey": key,
                                "Lists": [{"ID": list_id, "Status": status}]}
        extra = _attributes(attributes)
        if extra:
            item["Attributes"] = extra
        if _exists(self._context, key):
            if not create and not self._is_member(list_id, key):
                return ERROR
            return _write(self._context, "update", "Subscriber", item)
        if not create:
            return ERROR
        return _write(self._context, "create", "Subscriber",
                      {**item, "EmailAddress": who["EmailAddress"]})

    def _list_id(self) -> int | None:
        found = _retrieve(self._context, "List", ["ID"], _equals("CustomerKey", self._key))
        return found[0]["ID"] if found else None

    def _is_member(self, list_id: int, key: str) -> bool:
        return bool(_retrieve(self._context, "ListSubscriber", ["ListID"],
                              _both(_equals("ListID", list_id), _equals("SubscriberKey", key))))


def _member(given: Any) -> dict[str, str] | None:
    """Return who a List.Subscribers method names: an address, or ``{EmailAddress,
    SubscriberKey}``.

    A bare address is also the subscriber key, so it fails for a subscriber keyed otherwise
    (RT); an object without SubscriberKey is keyed by its address
    (ASSUMED "core-list-member-key").
    """
    if isinstance(given, str) and given:
        return {"SubscriberKey": given, "EmailAddress": given}
    if not isinstance(given, Mapping):
        return None
    email, key = given.get("EmailAddress"), given.get("SubscriberKey")
    if not isinstance(email, str) or not email:
        return None
    if is_nullish(key):
        key = email
    return {"SubscriberKey": clr_text(key), "EmailAddress": email}


def _names_email(filter: Mapping[str, Any]) -> bool:
    """Return whether ``filter`` (or one of its operands) is on ``EmailAddress``."""
    if str(filter.get("Property", "")).casefold() == "emailaddress":
        return True
    return any(isinstance(filter.get(side), Mapping) and _names_email(filter[side])
               for side in ("LeftOperand", "RightOperand"))


# --- Attribute -----------------------------------------------------------------------------------

class AttributeObject:
    """The Core ``Attribute``: the page's subscriber attributes."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def GetValue(self, *args: Any) -> Any:
        """Return the attribute ``name`` (any case); empty text without it or a subscriber.

        See docs/fidelity.md#core-attribute: the same reading as AMPscript's ``AttributeValue``.
        """
        arity(args, 1, 1)
        return self._context.ampscript().attribute(clr_text(args[0]))


# --- TriggeredSend -------------------------------------------------------------------------------

#: Stubs a page keeps state for; past it the oldest is forgotten (its fields read null again).
STUB_LIMIT = 1000


class TriggeredSendStatics:
    """The Core ``TriggeredSend``: ``Init``, ``Add``, ``Retrieve``.

    See docs/fidelity.md#core-triggered-send.
    """

    def __init__(self, context: PageContext) -> None:
        self._context = context
        self._stubs: OrderedDict[Any, TriggeredSendObject] = OrderedDict()

    def Init(self, key: Any = UNDEFINED, *extra: Any) -> TriggeredSendObject:
        # RT: Init never fetches; LastRequestID and LastMessage are null on a new stub.
        return TriggeredSendObject(self._context, "" if is_nullish(key) else clr_text(key))

    def stub(self, key: Any, number: Any) -> TriggeredSendObject:
        """Return the stub ``number`` of a page's script (made once, kept for its fields)."""
        found = self._stubs.get(number)
        if found is None:
            found = self._stubs[number] = self.Init(key)
            while len(self._stubs) > STUB_LIMIT:
                self._stubs.popitem(last=False)
        return found

    def Add(self, *args: Any) -> Any:
        """Throw the string "Error adding TSD." (RT: Add does not work; use WSProxy)."""
        raise ThrownText(assumptions.CORE_TSD_ADD_ERROR)

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the definitions matching the filter, ``TriggeredSendStatus`` and all (RT)."""
        arity(args, 0, 1)
        filter = _filter("TriggeredSend.Retrieve", padded(args, 1, UNDEFINED)[0])
        return _retrieve(self._context, "TriggeredSendDefinition", None, filter)


class TriggeredSendObject:
    """``TriggeredSend.Init(key)``: ``Send``, ``Start``, ``Pause``, ``Publish``, ``Update``.

    ``LastRequestID`` and ``LastMessage`` say what the last call did (null until one).
    """

    def __init__(self, context: PageContext, key: str) -> None:
        self._context = context
        self._key = key
        self._last: tuple[Any, Any] = (None, None)

    @property
    def LastRequestID(self) -> Any:
        return self._last[0]

    @LastRequestID.setter
    def LastRequestID(self, value: Any) -> None:
        self._last = (value, self._last[1])

    @property
    def LastMessage(self) -> Any:
        return self._last[1]

    @LastMessage.setter
    def LastMessage(self, value: Any) -> None:
        self._last = (self._last[0], value)

    def Send(self, *args: Any) -> str:
        """Send the definition to an address; "OK" or "Error".

        ``Send()`` throws the usage string (RT); a definition that is not Active answers
        "Error" with the reason in LastMessage (RT).
        """
        if not args or is_nullish(args[0]):
            raise ThrownText(assumptions.CORE_SEND_USAGE)
        address = clr_text(args[0])
        attributes = args[1] if len(args) > 1 else UNDEFINED
        if not is_nullish(attributes) and not isinstance(attributes, Mapping):
            self._last = (None, assumptions.CORE_SEND_BAD_ATTRIBUTES.format(
                given=describe_json_type(attributes)))
            return ERROR
        definition = self._definition()
        if definition is not None and definition["TriggeredSendStatus"] != "Active":
            self._last = (None, assumptions.CORE_SEND_NOT_ACTIVE.format(
                key=self._key, status=definition["TriggeredSendStatus"]))
            return ERROR
        pairs = [{"Name": str(name), "Value": value}
                 for name, value in (attributes if isinstance(attributes, Mapping) else {}).items()]
        item = {"TriggeredSendDefinition": {"CustomerKey": self._key},
                "Subscribers": [{"EmailAddress": address, "SubscriberKey": self._keyed(address),
                                 "Attributes": pairs}]}
        return self._run("create", "TriggeredSend", item)

    def Start(self, *args: Any) -> str:
        """Make the definition Active (it sends from now on)."""
        return self._move("Start")

    def Pause(self, *args: Any) -> str:
        """Make the definition Inactive (documented to read back so, not "Paused")."""
        return self._move("Pause")

    def Publish(self, *args: Any) -> str:
        """Publish the definition's changes; its status stays (ASSUMED)."""
        return self._move("Publish")

    def Update(self, *args: Any) -> Any:
        """Throw the string "Error Updating TSD." (RT: Update does not work; use WSProxy)."""
        if args and isinstance(args[0], str):
            self._last = (self._last[0], assumptions.CORE_TSD_UPDATE_MESSAGE)
        raise ThrownText(assumptions.CORE_TSD_UPDATE_ERROR)

    def _move(self, action: str) -> str:
        status = assumptions.CORE_TSD_ACTIONS[action]
        item: dict[str, Any] = {"CustomerKey": self._key}
        if status is not None:
            item["TriggeredSendStatus"] = status
        return self._run("update", "TriggeredSendDefinition", item)

    def _run(self, verb: str, type_name: str, item: Mapping[str, Any]) -> str:
        try:
            answer = getattr(_session(self._context), verb)(type_name, [item])
        except RequestRefused as refused:
            self._last = (None, refused.message)
            return ERROR
        self._last = (answer["RequestID"], answer["Results"][0]["StatusMessage"])
        return OK if answer["Status"] == OK else ERROR

    def _keyed(self, address: str) -> str:
        """Return the key of the one subscriber with ``address``, else the address itself.

        Send takes no subscriber key (OFF); ASSUMED "core-triggered-send".
        """
        found = _retrieve(self._context, "Subscriber", ["SubscriberKey"],
                          _equals("EmailAddress", address))
        return str(found[0]["SubscriberKey"]) if len(found) == 1 else address

    def _definition(self) -> dict[str, Any] | None:
        found = _retrieve(self._context, "TriggeredSendDefinition",
                          ["CustomerKey", "TriggeredSendStatus"],
                          _equals("CustomerKey", self._key))
        return found[0] if found else None


#: The host objects a page reaches, by the path it reaches them on (a key after ``Init``).
CORE_OWNERS: dict[str, type] = {
    "Subscriber": SubscriberStatics,
    "Subscriber.Init(key)": SubscriberObject,
    "Subscriber.Init(key).Lists": SubscriberLists,
    "List": ListStatics,
    "List.Init(key)": ListObject,
    "List.Init(key).Subscribers": ListSubscribers,
    "Folder": FolderStatics,
    "Folder.Init(key)": FolderObject,
    "Attribute": AttributeObject,
    "Subscriber.Init(key).Attributes": SubscriberAttributes,
    "TriggeredSend": TriggeredSendStatics,
    "TriggeredSend.Init(key)": TriggeredSendObject,
}
