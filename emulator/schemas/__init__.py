"""JSON Schema documents shipped with the package (the DE file format, for editors and CI)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DATA_EXTENSION_SCHEMA = "data-extension.schema.json"
FAULTS_SCHEMA = "faults.schema.json"
SUBSCRIBERS_SCHEMA = "subscribers.schema.json"
LISTS_SCHEMA = "lists.schema.json"


def data_extension_schema() -> dict[str, Any]:
    """Return the JSON Schema of a Data Extension file (``data_extensions/<Key>.json``)."""
    text = resources.files(__name__).joinpath(DATA_EXTENSION_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


def faults_schema() -> dict[str, Any]:
    """Return the JSON Schema of a faults file (``faults.json`` in a fixtures directory)."""
    text = resources.files(__name__).joinpath(FAULTS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


def subscribers_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``subscribers.json`` in a fixtures directory."""
    text = resources.files(__name__).joinpath(SUBSCRIBERS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


def lists_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``lists.json`` in a fixtures directory."""
    text = resources.files(__name__).joinpath(LISTS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


FOLDERS_SCHEMA = "folders.schema.json"
TRIGGERED_SENDS_SCHEMA = "triggered-sends.schema.json"


def folders_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``folders.json`` in a fixtures directory."""
    text = resources.files(__name__).joinpath(FOLDERS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


def triggered_sends_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``triggered_sends.json`` in a fixtures directory."""
    text = resources.files(__name__).joinpath(TRIGGERED_SENDS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)


AUTOMATIONS_SCHEMA = "automations.schema.json"


def automations_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``automations.json`` in a fixtures directory."""
    text = resources.files(__name__).joinpath(AUTOMATIONS_SCHEMA).read_text(encoding="utf-8")
    return json.loads(text)
