"""JSON Schema documents shipped with the package (the DE file format, for editors and CI)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DATA_EXTENSION_SCHEMA = "data-extension.schema.json"
FAULTS_SCHEMA = "faults.schema.json"
SUBSCRIBERS_SCHEMA = "subscribers.schema.json"
LISTS_SCHEMA = "lists.schema.json"
FOLDERS_SCHEMA = "folders.schema.json"
TRIGGERED_SENDS_SCHEMA = "triggered-sends.schema.json"
AUTOMATIONS_SCHEMA = "automations.schema.json"
EVENTS_SCHEMA = "events.schema.json"
OUTBOUND_SCHEMA = "outbound.schema.json"
BUSINESS_UNITS_SCHEMA = "business-units.schema.json"


def _schema(name: str) -> dict[str, Any]:
    """Return the shipped JSON Schema in the file ``name`` beside this module."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def data_extension_schema() -> dict[str, Any]:
    """Return the JSON Schema of a Data Extension file (``data_extensions/<Key>.json``)."""
    return _schema(DATA_EXTENSION_SCHEMA)


def faults_schema() -> dict[str, Any]:
    """Return the JSON Schema of a faults file (``faults.json`` in a fixtures directory)."""
    return _schema(FAULTS_SCHEMA)


def subscribers_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``subscribers.json`` in a fixtures directory."""
    return _schema(SUBSCRIBERS_SCHEMA)


def lists_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``lists.json`` in a fixtures directory."""
    return _schema(LISTS_SCHEMA)


def folders_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``folders.json`` in a fixtures directory."""
    return _schema(FOLDERS_SCHEMA)


def triggered_sends_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``triggered_sends.json`` in a fixtures directory."""
    return _schema(TRIGGERED_SENDS_SCHEMA)


def automations_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``automations.json`` in a fixtures directory."""
    return _schema(AUTOMATIONS_SCHEMA)


def outbound_schema() -> dict[str, Any]:
    """Return the JSON Schema of an outbound stubs file (``outbound/*.json``)."""
    return _schema(OUTBOUND_SCHEMA)


def business_units_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``business_units.json`` in a fixtures directory."""
    return _schema(BUSINESS_UNITS_SCHEMA)


def events_schema() -> dict[str, Any]:
    """Return the JSON Schema of an ``events/<Type>.json`` file in a fixtures directory."""
    return _schema(EVENTS_SCHEMA)


SALESFORCE_OBJECT_SCHEMA = "salesforce-object.schema.json"
CONTENT_BLOCK_SCHEMA = "content-block.schema.json"


def salesforce_object_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``salesforce/<Object>.json`` in a fixtures directory."""
    return _schema(SALESFORCE_OBJECT_SCHEMA)


def content_block_schema() -> dict[str, Any]:
    """Return the JSON Schema of a content block's sidecar (``content/<name>.json``)."""
    return _schema(CONTENT_BLOCK_SCHEMA)


PACKAGES_SCHEMA = "packages.schema.json"


def packages_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``packages.json`` in a fixtures directory."""
    return _schema(PACKAGES_SCHEMA)
