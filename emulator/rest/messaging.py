"""Transactional email sends (no HTTP here): each accepted message lands in the outbox.

docs/fidelity.md#rest-messaging: ``definitionKey`` names a triggered send definition; one
``recipient`` (the ``{messageKey}`` form) or ``recipients`` (the batch form, at most 2,000),
never both; each recipient needs ``contactKey``. docs/fidelity.md#rest-messaging-answer: the
answer is ``{requestId, errorcode, responses: [{messageKey}]}``; a recipient that cannot be sent
carries its own ``errorcode`` and ``message`` in ``responses`` and the others still go.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.rest.errors import RestError, rest_error
from emulator.rest.messagekeys import MessageKeys
from emulator.sends import definitions
from emulator.sends.outbox import Outbox
from emulator.store.schema import describe_json_type
from emulator.store.store import Store
from emulator.subscribers import data as subscriber_data
from emulator.subscribers.model import is_email

#: The most recipients one request may carry (facts 5.3).
MAX_RECIPIENTS = 2000
#: The longest messageKey (facts 5.2).
MAX_KEY_LENGTH = 100
#: The largest request body, in bytes (ASSUMED: no published limit).
MAX_BODY_BYTES = 5 * 1024 * 1024
BODY_KEYS = ("definitionKey", "recipient", "recipients", "attributes")
RECIPIENT_KEYS = ("contactKey", "to", "messageKey", "attributes")
#: Response-level and recipient-level error codes (facts 5.5).
HAS_ERRORS, TOO_MANY, NO_SUBSCRIBERS, NO_VALID = 109001, 109101, 109102, 109103
MISSING_FIELD, BAD_VALUE, NOT_FOUND, EXISTS = 10002, 10005, 30003, 30004
INVALID_EMAIL = 5


@dataclass(frozen=True)
class SendContext:
    """What a send works with: the store, outbox, used keys, the unit, the clock's now/GUIDs."""

    store: Store
    outbox: Outbox
    keys: MessageKeys
    mid: int
    now: datetime
    new_guid: Callable[[], str]


def _bad(errorcode: int, message: str, status: int = 400) -> RestError:
    return rest_error(status, errorcode, message)


def _shape(where: str, expected: str, found: Any) -> RestError:
    return _bad(10000, assumptions.REST_BAD_SHAPE.format(where=where, expected=expected,
                                                         found=describe_json_type(found)))


def _attributes(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or any(
            isinstance(v, (Mapping, list)) for v in raw.values()):
        raise _shape(where, "an object of name: text", raw)
    return {str(name): "" if value is None else _text_of(value) for name, value in raw.items()}


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def new_message_key(new_guid: Callable[[], str]) -> str:
    """Return a generated messageKey: 22 characters, as the platform's look."""
    return base64.urlsafe_b64encode(uuid.UUID(new_guid()).bytes).decode()[:22]


def send(context: SendContext, body: Any, path_key: str | None) -> tuple[int, dict[str, Any]]:
    """Send what ``body`` asks; return (status, answer). ``path_key``: the single form's key.

    Raise RestError for a refusal of the whole request (nothing sent).
    """
    single = path_key is not None
    if not isinstance(body, Mapping):
        raise _shape("The body", "an object {definitionKey, recipient"
                     f"{'' if single else 's'}: ...}}", body)
    unknown = [str(name) for name in body if name not in BODY_KEYS]
    if unknown:
        raise _bad(10000, assumptions.REST_MSG_UNKNOWN.format(
            where="The body", names=", ".join(unknown), known=", ".join(BODY_KEYS)))
    definition_key = body.get("definitionKey")
    if definition_key is None or definition_key == "":
        raise _bad(MISSING_FIELD, assumptions.REST_MSG_MISSING.format(name="definitionKey"))
    if not isinstance(definition_key, str):
        raise _shape("definitionKey", "text", definition_key)
    if "recipient" in body and "recipients" in body:
        raise _bad(BAD_VALUE, assumptions.REST_MSG_BOTH)
    if single and "recipients" in body:
        raise _bad(BAD_VALUE, assumptions.REST_MSG_FORM.format(given="recipients",
                                                               wanted="recipient"))
    if not single and "recipient" in body:
        raise _bad(BAD_VALUE, assumptions.REST_MSG_FORM.format(given="recipient",
                                                               wanted="recipients"))
    shared = _attributes(body.get("attributes"), "attributes")
    recipients = _recipients(body, single)
    if single and len(path_key) > MAX_KEY_LENGTH:
        raise _bad(BAD_VALUE, assumptions.REST_MSG_KEY_LENGTH.format(
            most=MAX_KEY_LENGTH, length=len(path_key)))
    definition = definitions.find(context.store, definition_key)
    if definition is None:
        raise _bad(NOT_FOUND, assumptions.REST_MSG_NO_DEFINITION.format(key=definition_key),
                   404)
    if definition["TriggeredSendStatus"] != "Active":
        raise _bad(30002, assumptions.REST_MSG_NOT_ACTIVE.format(
            key=definition_key, status=definition["TriggeredSendStatus"]), 409)
    return _send_each(context, definition_key, shared, recipients, path_key)


def _recipients(body: Mapping[str, Any], single: bool) -> list[Mapping[str, Any]]:
    if single:
        recipient = body.get("recipient")
        if recipient is None:
            raise _bad(NO_SUBSCRIBERS, assumptions.REST_MSG_NO_RECIPIENTS.format(
                name="recipient"))
        if not isinstance(recipient, Mapping):
            raise _shape("recipient", "an object {contactKey, to, attributes}", recipient)
        return [recipient]
    recipients = body.get("recipients")
    if recipients is None or recipients == []:
        raise _bad(NO_SUBSCRIBERS, assumptions.REST_MSG_NO_RECIPIENTS.format(name="recipients"))
    if not isinstance(recipients, list):
        raise _shape("recipients", "an array of {contactKey, to, messageKey, attributes}",
                     recipients)
    if len(recipients) > MAX_RECIPIENTS:
        raise _bad(TOO_MANY, assumptions.REST_MSG_TOO_MANY.format(
            most=MAX_RECIPIENTS, count=len(recipients)))
    for index, recipient in enumerate(recipients):
        if not isinstance(recipient, Mapping):
            raise _shape(f"recipients[{index}]", "an object {contactKey, to, messageKey, "
                         "attributes}", recipient)
    return recipients


def _send_each(context: SendContext, definition_key: str, shared: Mapping[str, str],
               recipients: list[Mapping[str, Any]], path_key: str | None
               ) -> tuple[int, dict[str, Any]]:
    responses: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    keys: list[str] = []
    seen: set[str] = set()
    for index, recipient in enumerate(recipients):
        where = "recipient" if path_key is not None else f"recipients[{index}]"
        unknown = [str(name) for name in recipient if name not in RECIPIENT_KEYS]
        if unknown:
            raise _bad(10000, assumptions.REST_MSG_UNKNOWN.format(
                where=where, names=", ".join(unknown), known=", ".join(RECIPIENT_KEYS)))
        attributes = {**shared, **_attributes(recipient.get("attributes"),
                                              f"{where}.attributes")}
        key, problem = _message_key(context, recipient, path_key, where, seen)
        if problem is None:
            address, problem = _address(context.store, recipient, where)
        if problem is not None:
            responses.append({"messageKey": key, **problem})
            continue
        seen.add(key)
        keys.append(key)
        responses.append({"messageKey": key})
        messages.append({"definitionKey": definition_key,
                         "definitionObjectID": definitions.object_id(definition_key),
                         "subscriberKey": recipient["contactKey"], "emailAddress": address,
                         "attributes": attributes, "messageKey": key})
    request_id = context.new_guid()
    for message in messages:
        message["requestId"] = request_id
    if messages:
        context.keys.use(context.mid, keys, context.now)
        context.outbox.record(messages)
    failed = len(messages) < len(responses)
    answer: dict[str, Any] = {"requestId": request_id,
                              "errorcode": (NO_VALID if not messages else
                                            HAS_ERRORS if failed else 0)}
    if failed:
        answer["message"] = (assumptions.REST_MSG_NONE_SENT if not messages
                             else assumptions.REST_MSG_SOME_FAILED)
    answer["responses"] = responses
    return (202 if messages else 400), answer


def _message_key(context: SendContext, recipient: Mapping[str, Any], path_key: str | None,
                 where: str, seen: set[str]) -> tuple[str, dict[str, Any] | None]:
    given = path_key if path_key is not None else recipient.get("messageKey")
    if path_key is not None and "messageKey" in recipient:
        given = recipient["messageKey"] if recipient["messageKey"] else path_key
    if given is None:
        return new_message_key(context.new_guid), None
    if not isinstance(given, str) or not given.strip():
        return str(given), _problem(BAD_VALUE, assumptions.REST_MSG_BAD_KEY.format(where=where))
    if len(given) > MAX_KEY_LENGTH:
        return given, _problem(BAD_VALUE, assumptions.REST_MSG_KEY_LENGTH.format(
            most=MAX_KEY_LENGTH, length=len(given)))
    if given in seen or context.keys.taken(context.mid, given, context.now):
        return given, _problem(EXISTS, assumptions.REST_MSG_KEY_USED.format(key=given))
    return given, None


def _address(store: Store, recipient: Mapping[str, Any], where: str
             ) -> tuple[str, dict[str, Any] | None]:
    contact = recipient.get("contactKey")
    if contact is None or contact == "":
        return "", _problem(MISSING_FIELD, assumptions.REST_MSG_MISSING.format(
            name=f"{where}.contactKey"))
    if not isinstance(contact, str):
        return "", _problem(BAD_VALUE, assumptions.REST_BAD_SHAPE.format(
            where=f"{where}.contactKey", expected="text", found=describe_json_type(contact)))
    address = recipient.get("to")
    if address is None:
        known = store.find_record(subscriber_data.SUBSCRIBERS_TABLE, "SubscriberKey", contact)
        if known is None:
            return "", _problem(MISSING_FIELD, assumptions.REST_MSG_NO_ADDRESS.format(
                where=where, key=contact))
        address = known["EmailAddress"]
    if not isinstance(address, str) or not is_email(address):
        return "", _problem(INVALID_EMAIL, assumptions.REST_MSG_BAD_ADDRESS.format(
            where=where, found=address if isinstance(address, str) else
            describe_json_type(address)))
    return address, None


def _problem(errorcode: int, message: str) -> dict[str, Any]:
    return {"errorcode": errorcode, "message": message}
