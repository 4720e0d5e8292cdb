"""Installed packages: the API integrations a REST client authenticates as (``packages.json``).

A package record (docs/fidelity.md#rest-packages)::

    {"name": "Demo app", "client_id": "demo-client-id", "client_secret": "demo-secret",
     "scopes": ["data_extensions_read", "data_extensions_write"],
     "mids": [100000001], "default_mid": 100000001}

``scopes`` defaults to every scope the platform names, in its order; ``mids`` to
``[default_mid]``, or without either to the default business unit; ``default_mid`` (the unit a
token is for when the request names no ``account_id``) to the first of ``mids``.
Whether each MID is a business unit is checked with the units (files.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.fixtures.records import RecordRefused, optional_text
from emulator.store.schema import describe_json_type
from emulator.units.model import check_mid

PACKAGES_TABLE = "_packages"
PACKAGE_FIELDS = ("name", "client_id", "client_secret", "scopes", "mids", "default_mid")
MAX_NAME_LENGTH = 200
MAX_CREDENTIAL_LENGTH = 200
#: Every scope a server-to-server package can hold, in the order the platform lists them
#: (captured: ``offline`` first, not sorted; docs/fidelity.md#rest-scope).
SCOPES: tuple[str, ...] = tuple("""
offline documents_and_images_read documents_and_images_write saved_content_read
saved_content_write automations_execute automations_read automations_write journeys_execute
journeys_read journeys_write email_read email_send email_write push_read push_send push_write
sms_read sms_send sms_write social_post social_publish social_read social_write web_publish
web_read web_write audiences_read audiences_write list_and_subscribers_read
list_and_subscribers_write data_extensions_read data_extensions_write file_locations_read
file_locations_write tracking_events_read calendar_read calendar_write campaign_read
campaign_write accounts_read accounts_write users_read users_write webhooks_read webhooks_write
workflows_write approvals_write tags_write approvals_read tags_read workflows_read
ott_chat_messaging_read ott_chat_messaging_send ott_channels_read ott_channels_write
marketing_cloud_connect_read marketing_cloud_connect_write marketing_cloud_connect_send
event_notification_callback_create event_notification_callback_read
event_notification_callback_update event_notification_callback_delete
event_notification_subscription_create event_notification_subscription_read
event_notification_subscription_update event_notification_subscription_delete
tracking_events_write key_manage_view key_manage_rotate key_manage_revoke dfu_configure
journeys_aspr journeys_delete package_manager_package package_manager_deploy
deep_linking_asset_read deep_linking_asset_write deep_linking_asset_delete
deep_linking_settings_read deep_linking_settings_write
""".split())
_KNOWN_SCOPES = frozenset(SCOPES)


@dataclass(frozen=True)
class Package:
    """One installed package, as a token request meets it."""

    name: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    mids: tuple[int, ...]
    default_mid: int

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Package:
        return cls(record["name"], record["client_id"], record["client_secret"],
                   tuple(record["scopes"]), tuple(record["mids"]), record["default_mid"])


def masked(secret: str) -> str:
    """Return how the admin API and the dashboard show a client secret: its last 4 characters.

    A secret of 8 characters or fewer shows none of them (docs/rest.md, "Packages").
    """
    return "****" + (secret[-4:] if len(secret) > 8 else "")


def _credential(raw: Mapping[str, Any], name: str) -> str:
    value = optional_text(raw, name, MAX_CREDENTIAL_LENGTH)
    if value is None or not value.strip():
        raise RecordRefused(f"{name} is missing or empty; give each package a {name}", name)
    if value != value.strip():
        raise RecordRefused(f"{name} has spaces at its start or end; a client sends it "
                            "without them", name)
    return value


def _list(raw: Mapping[str, Any], name: str) -> list[Any] | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordRefused(f"{name} is a JSON list, not {describe_json_type(value)}", name)
    return value


def check_package(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as a package record, or raise RecordRefused saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise RecordRefused("a package is a JSON object with client_id and client_secret, not "
                            f"{describe_json_type(raw)}")
    unknown = [str(name) for name in raw if name not in PACKAGE_FIELDS]
    if unknown:
        raise RecordRefused(f"a package has no {', '.join(map(repr, unknown))}; its fields are "
                            f"{', '.join(PACKAGE_FIELDS)}", unknown[0])
    client_id = _credential(raw, "client_id")
    client_secret = _credential(raw, "client_secret")
    name = optional_text(raw, "name", MAX_NAME_LENGTH) or client_id
    scopes = _list(raw, "scopes")
    if scopes is None:
        scopes = list(SCOPES)
    for scope in scopes:
        if not isinstance(scope, str) or scope not in _KNOWN_SCOPES:
            shown = repr(scope) if isinstance(scope, str) else describe_json_type(scope)
            raise RecordRefused(f"scopes holds {shown}, which is not a scope the platform "
                                "names (such as data_extensions_read; docs/rest.md lists them)",
                                "scopes")
    if len(set(scopes)) != len(scopes):
        raise RecordRefused("scopes names a scope twice", "scopes")
    mids = _list(raw, "mids")
    default_mid = raw.get("default_mid")
    if default_mid is not None:
        default_mid = check_mid(default_mid, "default_mid")
    if mids is None:  # the default unit's, filled in with the units (files.py)
        mids = None if default_mid is None else [default_mid]
    else:
        if not mids:
            raise RecordRefused("mids is empty; a package acts for at least one business "
                                "unit", "mids")
        mids = [check_mid(mid, "each of mids") for mid in mids]
        if len(set(mids)) != len(mids):
            raise RecordRefused("mids names a MID twice", "mids")
        if default_mid is None:
            default_mid = mids[0]
        elif default_mid not in mids:
            raise RecordRefused(f"default_mid {default_mid} is not one of mids "
                                f"({', '.join(map(str, mids))})", "default_mid")
    return {"name": name, "client_id": client_id, "client_secret": client_secret,
            "scopes": scopes, "mids": mids, "default_mid": default_mid}


def find(records: Sequence[Mapping[str, Any]], client_id: str) -> Package | None:
    """Return the package with ``client_id``, or None."""
    for record in records:
        if record["client_id"] == client_id:
            return Package.from_record(record)
    return None


def shown(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a package as the admin API and the dashboard show it: the secret masked."""
    return {"name": record["name"], "clientId": record["client_id"],
            "clientSecret": masked(record["client_secret"]), "scopes": list(record["scopes"]),
            "mids": list(record["mids"]), "defaultMid": record["default_mid"]}
