"""``GET /_emulator/openapi.json``: built from the route table, so no route can be missing."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from emulator.web.admin import ROUTES

IMPLICIT = {"HEAD", "OPTIONS"}


def test_every_admin_route_is_documented_and_every_documented_route_exists(
        memory_app: Any) -> None:
    document = memory_app.test_client().get("/_emulator/openapi.json").json
    served = set()
    for rule in memory_app.url_map.iter_rules():
        # The dashboard's pages and its redirect share the prefix but are not the API.
        if (rule.rule.startswith("/_emulator/") and rule.rule != "/_emulator/"
                and not rule.rule.startswith("/_emulator/ui/")):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, method.lower()) for method in rule.methods - IMPLICIT}
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item}
    assert served == documented
    assert ("/_emulator/data-extensions/{key}/rows", "delete") in documented
    assert ("/_emulator/faults/{fault_id}", "delete") in documented
    assert ("/_emulator/subscribers", "get") in documented
    assert ("/_emulator/lists", "get") in documented
    assert ("/_emulator/outbox", "get") in documented
    assert ("/_emulator/automations", "get") in documented
    assert ("/_emulator/business-units", "get") in documented
    assert len(documented) == len(ROUTES) == 37


def test_the_document_is_openapi_3_1_with_valid_schemas(memory_app: Any) -> None:
    document = memory_app.test_client().get("/_emulator/openapi.json").json
    assert document["openapi"] == "3.1.0" and document["info"]["title"]
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"',
                      memory_app.json.dumps(document))
    assert refs and set(refs) <= set(schemas)
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["summary"] and operation["responses"]
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in ("path", "query")


def test_the_request_schemas_accept_what_the_api_accepts(memory_app: Any) -> None:
    document = memory_app.test_client().get("/_emulator/openapi.json").json
    root = {"components": document["components"]}

    def valid(name: str, value: Any) -> bool:
        schema = {**root, "$ref": f"#/components/schemas/{name}"}
        return jsonschema.Draft202012Validator(schema).is_valid(value)

    de = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True}], "rows": [{"Id": 1}]}
    assert valid("Seed", de) and valid("Seed", [de, de])
    assert not valid("Seed", {"key": "Users", "fields": [{"name": "Id", "bad": 1}]})
    assert valid("Rows", {"Id": "x"}) and valid("Rows", [{"Id": None}])
    assert valid("Reset", {"to": "empty"}) and not valid("Reset", {"to": "nowhere"})
