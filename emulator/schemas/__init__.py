"""JSON Schema documents shipped with the package (the fixture file formats, for editors and CI).

``schema(name)`` returns one, by its file name; the constants name every shipped file::

    from emulator.schemas import DATA_EXTENSION_SCHEMA, schema
    jsonschema.validate(document, schema(DATA_EXTENSION_SCHEMA))
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DATA_EXTENSION_SCHEMA = "data-extension.schema.json"  # data_extensions/<Key>.json
FAULTS_SCHEMA = "faults.schema.json"  # faults.json
SUBSCRIBERS_SCHEMA = "subscribers.schema.json"  # subscribers.json
LISTS_SCHEMA = "lists.schema.json"  # lists.json
FOLDERS_SCHEMA = "folders.schema.json"  # folders.json
TRIGGERED_SENDS_SCHEMA = "triggered-sends.schema.json"  # triggered_sends.json
AUTOMATIONS_SCHEMA = "automations.schema.json"  # automations.json
EVENTS_SCHEMA = "events.schema.json"  # events/<Type>.json
OUTBOUND_SCHEMA = "outbound.schema.json"  # outbound/*.json (stubs)
BUSINESS_UNITS_SCHEMA = "business-units.schema.json"  # business_units.json
SALESFORCE_OBJECT_SCHEMA = "salesforce-object.schema.json"  # salesforce/<Object>.json
CONTENT_BLOCK_SCHEMA = "content-block.schema.json"  # content/<name>.json (a block's sidecar)
PACKAGES_SCHEMA = "packages.schema.json"  # packages.json
SCHEMAS = (DATA_EXTENSION_SCHEMA, FAULTS_SCHEMA, SUBSCRIBERS_SCHEMA, LISTS_SCHEMA, FOLDERS_SCHEMA,
           TRIGGERED_SENDS_SCHEMA, AUTOMATIONS_SCHEMA, EVENTS_SCHEMA, OUTBOUND_SCHEMA,
           BUSINESS_UNITS_SCHEMA, SALESFORCE_OBJECT_SCHEMA, CONTENT_BLOCK_SCHEMA, PACKAGES_SCHEMA)


def schema(name: str) -> dict[str, Any]:
    """Return the shipped JSON Schema in the file ``name`` (one of ``SCHEMAS``)."""
    if name not in SCHEMAS:
        raise ValueError(f"no shipped JSON Schema {name!r}; the schemas are "
                         f"{', '.join(SCHEMAS)}")
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
