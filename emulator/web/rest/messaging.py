"""Transactional email sends: ``POST /messaging/v1/email/messages/{messageKey}`` and the batch.

Each view checks the bearer token first (scope ``email_send``, docs/fidelity.md#rest-scope); the
logic is ``emulator.rest.messaging``'s (docs/fidelity.md#rest-messaging). Accepted messages go
to the outbox every other send uses.
"""

from __future__ import annotations

from flask import Response

from emulator.rest import messaging
from emulator.runtime import get_emulator
from emulator.web.rest import json_response, rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.bodies import json_body
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute

SEND = "email_send"
BASE = "/messaging/v1/email/messages"


def _send(message_key: str | None) -> Response:
    grant = require_token(SEND)
    emulator = get_emulator()
    body = json_body(messaging.MAX_BODY_BYTES)
    context = messaging.SendContext(emulator.store, emulator.outbox, emulator.message_keys,
                                    grant.mid, emulator.clock.now_utc(),
                                    emulator.clock.new_guid)
    status, answer = messaging.send(context, body, message_key)
    return json_response(answer, status)


@rest.post(f"{BASE}/<message_key>")
def message_send(message_key: str) -> Response:
    return _send(message_key)


@rest.post(f"{BASE}/", strict_slashes=False)
def messages_send() -> Response:
    return _send(None)


_RECIPIENT = {"type": "object", "required": ["contactKey"], "properties": {
    "contactKey": {"type": "string"}, "to": {"type": "string"},
    "messageKey": {"type": "string", "maxLength": messaging.MAX_KEY_LENGTH},
    "attributes": {"type": "object"}}}
_ANSWERS = {202: "MessagesSent", 400: "MessagesSent", 404: "Error", 409: "Error", 413: "Error"}
SCHEMAS.update({
    "MessageRecipient": _RECIPIENT,
    "MessageSend": {"type": "object", "required": ["definitionKey", "recipient"],
                    "properties": {"definitionKey": {"type": "string"},
                                   "recipient": {"$ref": "#/components/schemas/MessageRecipient"},
                                   "attributes": {"type": "object"}}},
    "MessagesSend": {"type": "object", "required": ["definitionKey", "recipients"],
                     "properties": {"definitionKey": {"type": "string"},
                                    "recipients": {"type": "array", "minItems": 1,
                                                   "maxItems": messaging.MAX_RECIPIENTS,
                                                   "items": {"$ref": "#/components/schemas/"
                                                                     "MessageRecipient"}},
                                    "attributes": {"type": "object"}}},
    "MessagesSent": {
        "type": "object", "description": "Or, for a refusal of the whole request, the REST "
        "error shape {message, errorcode, documentation}.",
        "properties": {"requestId": {"type": "string"}, "errorcode": {"type": "integer"},
                       "message": {"type": "string"},
                       "responses": {"type": "array", "items": {"type": "object", "properties": {
                           "messageKey": {"type": "string"}, "errorcode": {"type": "integer"},
                           "message": {"type": "string"}}}}}},
})
REST_ROUTES.extend([
    RestRoute("POST", f"{BASE}/{{message_key}}", "Send a triggered send definition's email to "
              "one recipient; the message goes to the outbox", _ANSWERS, SEND,
              (("message_key", "path", "The message's key: at most 100 characters, unique in "
                "the business unit over 72 hours"),), body="MessageSend",
              operation_id="message_send"),
    RestRoute("POST", f"{BASE}/", "Send to up to 2,000 recipients, each with its own "
              "messageKey or a generated one", _ANSWERS, SEND, body="MessagesSend",
              operation_id="messages_send"),
])
