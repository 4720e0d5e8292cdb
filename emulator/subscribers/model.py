"""What a subscriber and a list are, and the checks a record passes before it is kept.

A subscriber record (docs/fidelity.md#subscriber-record)::

    {"SubscriberKey": "s-1", "EmailAddress": "ann@example.org", "Status": "Active",
     "Attributes": {"First Name": "Ann"}, "Lists": [{"ID": 1, "Status": "Active"}]}

A list record (docs/fidelity.md#list-record)::

    {"ID": 1, "ListName": "Newsletter", "CustomerKey": "newsletter", "Type": "Public",
     "ListClassification": "ExactTargetList", "Description": ""}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.fixtures.records import RecordRefused, optional_text
from emulator.store.schema import describe_json_type

SUBSCRIBERS_TABLE = "_subscribers"
LISTS_TABLE = "_lists"

#: docs/fidelity.md#subscriber-status: the API's subscriber statuses.
STATUSES = ("Active", "Bounced", "Held", "Unsubscribed", "Deleted")
#: docs/fidelity.md#list-record
LIST_TYPES = ("Public", "Private", "SalesForce", "GlobalUnsubscribe", "Master")
DEFAULT_LIST_TYPE = "Private"
LIST_CLASSIFICATIONS = ("ExactTargetList", "PublicationList", "SuppressionList")
DEFAULT_LIST_CLASSIFICATION = "ExactTargetList"
#: Longest subscriber key and e-mail address kept (docs/fidelity.md#subscriber-record).
MAX_KEY_LENGTH = 254
MAX_EMAIL_LENGTH = 254
MAX_TEXT_LENGTH = 4000

SUBSCRIBER_FIELDS = ("SubscriberKey", "EmailAddress", "Status", "Attributes", "Lists")
LIST_FIELDS = ("ID", "ListName", "CustomerKey", "Type", "ListClassification", "Description")
MEMBERSHIP_FIELDS = ("ID", "Status")


def is_email(text: str) -> bool:
    """Return whether ``text`` is one local-part@domain.tld address.

    See docs/fidelity.md#subscriber-record.
    """
    local, at, domain = text.rpartition("@")
    return (bool(at and local and domain) and "@" not in local and "." in domain.strip(".")
            and not any(c.isspace() for c in text) and len(text) <= MAX_EMAIL_LENGTH)


def check_subscriber(raw: Any, list_ids: Callable[[int], bool] | None = None) -> dict[str, Any]:
    """Return ``raw`` as a subscriber record, or raise RecordRefused saying what is wrong.

    ``list_ids`` says whether a list ID exists (None: any ID is taken).
    """
    if not isinstance(raw, Mapping):
        raise RecordRefused(f"a subscriber is a JSON object with SubscriberKey and EmailAddress, "
                            f"not {describe_json_type(raw)}")
    _refuse_unknown(raw, SUBSCRIBER_FIELDS, "a subscriber")
    key = _text(raw, "SubscriberKey", MAX_KEY_LENGTH, required=True)
    if not key.strip():
        raise RecordRefused("SubscriberKey is empty; give each subscriber a key",
                            "SubscriberKey")
    email = _text(raw, "EmailAddress", MAX_EMAIL_LENGTH, required=True)
    if not is_email(email):
        raise RecordRefused(f"EmailAddress {email!r} is not an e-mail address (local-part@domain, "
                            f"at most {MAX_EMAIL_LENGTH} characters)", "EmailAddress")
    status = _choice(raw, "Status", STATUSES, "Active")
    attributes = raw.get("Attributes", {})
    if not isinstance(attributes, Mapping):
        raise RecordRefused('Attributes is an object of attribute name to value, e.g. '
                            f'{{"First Name": "Ann"}}, not {describe_json_type(attributes)}',
                            "Attributes")
    kept: dict[str, Any] = {}
    folded: set[str] = set()
    for name, value in attributes.items():
        if not str(name).strip():
            raise RecordRefused("an attribute name is empty", "Attributes")
        if str(name).strip().casefold() in folded:  # names ignore case on the platform
            raise RecordRefused(f"attribute {name!r} is given twice (names ignore case)",
                                "Attributes")
        folded.add(str(name).strip().casefold())
        if value is not None and not isinstance(value, str | int | float | bool):
            raise RecordRefused(f"attribute {name!r} is text, a number, true/false or null, not "
                                f"{describe_json_type(value)}", "Attributes")
        kept[str(name)] = value
    memberships = raw.get("Lists", [])
    if not isinstance(memberships, list):
        raise RecordRefused('Lists is a list of memberships, e.g. [{"ID": 1, "Status": '
                            f'"Active"}}], not {describe_json_type(memberships)}', "Lists")
    lists: list[dict[str, Any]] = []
    for membership in memberships:
        lists.append(_membership(membership, list_ids))
    seen = [m["ID"] for m in lists]
    if len(set(seen)) != len(seen):
        raise RecordRefused(f"subscriber {key!r} is on one list twice: Lists names each list "
                            "once", "Lists")
    return {"SubscriberKey": key, "EmailAddress": email, "Status": status,
            "Attributes": kept, "Lists": lists}


def check_list(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as a list record, or raise RecordRefused saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise RecordRefused("a list is a JSON object with ID and ListName, not "
                            f"{describe_json_type(raw)}")
    _refuse_unknown(raw, LIST_FIELDS, "a list")
    list_id = _list_id(raw.get("ID"), "ID")
    name = _text(raw, "ListName", MAX_TEXT_LENGTH, required=True)
    if not name.strip():
        raise RecordRefused("ListName is empty; give each list a name", "ListName")
    customer_key = _text(raw, "CustomerKey", MAX_KEY_LENGTH, default=name)
    return {"ID": list_id, "ListName": name, "CustomerKey": customer_key,
            "Type": _choice(raw, "Type", LIST_TYPES, DEFAULT_LIST_TYPE),
            "ListClassification": _choice(raw, "ListClassification", LIST_CLASSIFICATIONS,
                                          DEFAULT_LIST_CLASSIFICATION),
            "Description": _text(raw, "Description", MAX_TEXT_LENGTH, default="")}


def attributes_of(subscriber: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a page's personalization strings read for ``subscriber``.

    Its attributes, then the system strings ``emailaddr`` and ``_subscriberkey``
    (docs/fidelity.md#subscriber-context).
    """
    return {**subscriber["Attributes"], "emailaddr": subscriber["EmailAddress"],
            "_subscriberkey": subscriber["SubscriberKey"]}


def _membership(raw: Any, list_ids: Callable[[int], bool] | None) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise RecordRefused('a list membership is an object {"ID": <list ID>, "Status": '
                            f'"Active"}}, not {describe_json_type(raw)}', "Lists")
    _refuse_unknown(raw, MEMBERSHIP_FIELDS, "a list membership", "Lists")
    list_id = _list_id(raw.get("ID"), "Lists")
    if list_ids is not None and not list_ids(list_id):
        raise RecordRefused(f"list {list_id} does not exist; lists come from lists.json", "Lists")
    return {"ID": list_id, "Status": _choice(raw, "Status", STATUSES, "Active", "Lists")}


def _list_id(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        shown = "missing" if value is None else f"{value!r}"
        raise RecordRefused(f"a list ID is a whole number from 1 to {2**31 - 1}, not {shown}",
                            field)
    return value


def _refuse_unknown(raw: Mapping[str, Any], fields: tuple[str, ...], what: str,
                    field: str | None = None) -> None:
    unknown = [str(name) for name in raw if name not in fields]
    if unknown:
        raise RecordRefused(f"{what} has no {', '.join(map(repr, unknown))}; its fields are "
                            f"{', '.join(fields)}", field or unknown[0])


def _text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False,
          default: str = "") -> str:
    value = optional_text(raw, name, limit)
    if value is None:
        if required:
            raise RecordRefused(f"{name} is missing", name)
        return default
    return value


def _choice(raw: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str,
            field: str | None = None) -> str:
    value = raw.get(name)
    if value is None:
        return default
    if value in allowed:  # spelled as the API spells it, as the JSON Schema says
        return value
    raise RecordRefused(f"{name} {value!r} is not one of {', '.join(allowed)}", field or name)
