"""``salesforce/<Object>.json|.csv`` in fixtures directories: objects and their records.

``salesforce/Lead.json`` adds fields to a shipped object or declares a new one, and gives
records (the JSON Schema ``salesforce-object.schema.json`` describes it)::

    {"prefix": "a01", "fields": [{"name": "Score__c", "type": "number"}],
     "records": [{"LastName": "Ng", "Company": "Acme"}]}

``salesforce/Lead.csv`` gives records too: the header names fields, an empty cell is empty.
A record may carry its ``Id`` (15 or 18 characters, the object's prefix); the others get the
next ids in order. Every problem is listed at once with file, line and field; nothing loads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import (
    JsonRowLocator,
    Problem,
    Problems,
    read_json_file,
    read_text,
)
from emulator.fixtures.records import fixture_folders
from emulator.salesforce import ids
from emulator.salesforce.objects import (
    FIELD_NAME,
    MAX_LENGTH,
    OBJECT_NAME,
    PREFIX,
    SHIPPED,
    TYPES,
    SalesforceField,
    SalesforceObject,
)
from emulator.salesforce.records import (
    OBJECTS_TABLE,
    RECORDS_TABLE,
    SalesforceRefused,
    check_values,
    object_records,
)
from emulator.store.schema import describe_json_type

SALESFORCE_DIR = "salesforce"
DOCUMENT_KEYS = ("prefix", "fields", "records")
FIELD_KEYS = ("name", "type", "required", "length")
MAX_RECORDS = 100_000


@dataclass
class SalesforceData:
    """The org the fixtures give: every object, and the records in the order they were read."""

    objects: dict[str, SalesforceObject] = field(default_factory=lambda: dict(SHIPPED))
    records: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Return the record tables that hold this org (for Store.replace_all)."""
        return {OBJECTS_TABLE: object_records(self.objects.values()),
                RECORDS_TABLE: [dict(item) for item in self.records]}


class _Refused(ValueError):
    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field_name


def load_salesforce_dirs(dirs: Iterable[str | Path], include_default: bool = True
                         ) -> SalesforceData:
    """Return the org of every fixtures directory given; raise FixtureProblems if any is bad."""
    problems = Problems()
    data = SalesforceData()
    declared: dict[str, Path] = {}
    pending: list[tuple[SalesforceObject, dict[str, Any], Path, str, JsonRowLocator | None,
                        int]] = []
    for folder in fixture_folders(dirs, include_default):
        directory = folder / SALESFORCE_DIR
        if not directory.is_dir():
            continue
        # An object's JSON (its fields) before its CSV, which may use them.
        for path in sorted(directory.iterdir(), key=lambda p: (p.stem, p.suffix != ".json")):
            if path.suffix not in (".json", ".csv") or path.name.startswith("."):
                continue
            name = path.stem
            if not OBJECT_NAME.fullmatch(name):
                problems.add(Problem(f"{path.name}: an object's name starts with a letter and "
                                     "holds letters, digits and _ (at most 40)",
                                     "bad-salesforce-object", file=str(path)))
                continue
            if path.suffix == ".json":
                if name.casefold() in declared:
                    problems.add(Problem(f"the object {name} is declared twice (also in "
                                         f"{declared[name.casefold()]})",
                                         "duplicate-salesforce-object", file=str(path)))
                    continue
                declared[name.casefold()] = path
                pending += _read_json(path, name, data, problems)
            else:
                pending += _read_csv(path, name, data, problems)
    _add_records(data, pending, problems)
    problems.raise_if_any()
    return data


def _read_json(path: Path, name: str, data: SalesforceData, problems: Problems) -> list[Any]:
    read = read_json_file(path, problems)
    if read is None:
        return []
    text, document = read
    top = JsonRowLocator(lambda: text, None)

    def refuse(message: str, key: str | None) -> None:
        line, column = top.locate_in_document([key] if key else [])
        problems.add(Problem(message, "bad-salesforce-object", file=str(path), line=line,
                             column=column, field=key))

    if not isinstance(document, dict):
        refuse(f"{path.name} holds a JSON object (prefix, fields, records), not "
               f"{describe_json_type(document)}", None)
        return []
    unknown = [key for key in document if key not in DOCUMENT_KEYS]
    if unknown:
        refuse(f"an object file has no {', '.join(map(repr, unknown))}; its keys are "
               f"{', '.join(DOCUMENT_KEYS)}", unknown[0])
        return []
    shipped = next((o for o in data.objects.values() if o.name.casefold() == name.casefold()),
                   None)
    prefix = document.get("prefix")
    if shipped is not None and prefix not in (None, shipped.prefix):
        refuse(f"{shipped.name}'s key prefix is {shipped.prefix}, not {prefix!r}", "prefix")
        return []
    if shipped is None:
        if not isinstance(prefix, str) or not PREFIX.fullmatch(prefix):
            refuse(f"a new object needs a prefix: 3 letters or digits, not {prefix!r}",
                   "prefix")
            return []
        owner = next((o.name for o in data.objects.values() if o.prefix == prefix), None)
        if owner is not None:
            refuse(f"the prefix {prefix} is {owner}'s; give {name} its own", "prefix")
            return []
        if "fields" not in document:
            refuse(f"a new object needs its fields ({name} is none of "
                   f"{', '.join(SHIPPED)})", None)
            return []
    try:
        fields = [_field(entry, index) for index, entry in enumerate(document.get("fields", []))]
    except _Refused as refused:
        refuse(refused.message, "fields")
        return []
    except TypeError:
        refuse(f"fields is a list, not {describe_json_type(document['fields'])}", "fields")
        return []
    base = shipped or SalesforceObject(name, str(prefix), ())
    data.objects[base.name] = base.with_fields(fields)
    rows = document.get("records", [])
    if not isinstance(rows, list):
        refuse(f"records is a list of objects, not {describe_json_type(rows)}", "records")
        return []
    locator = JsonRowLocator(lambda: text, ["records"])
    return [(data.objects[base.name], row, path, f"records [{index}]", locator, index)
            for index, row in enumerate(rows)]


def _field(entry: Any, index: int) -> SalesforceField:
    where = f"fields [{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise _Refused(f"{where} is an object with a name, not {describe_json_type(entry)}")
    unknown = [key for key in entry if key not in FIELD_KEYS]
    if unknown:
        raise _Refused(f"{where} has no {', '.join(map(repr, unknown))}; a field has "
                       f"{', '.join(FIELD_KEYS)}")
    name = entry["name"]
    if not FIELD_NAME.fullmatch(name) or name.casefold() == "id":
        raise _Refused(f"{where}: {name[:50]!r} is no field name (a letter, then letters, "
                       "digits and _; Id is the org's)")
    kind = entry.get("type", "text")
    if kind not in TYPES:
        raise _Refused(f"{where}: type {kind!r} is not one of {', '.join(TYPES)}")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise _Refused(f"{where}: required is true or false, not {required!r}")
    length = entry.get("length", 255)
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= MAX_LENGTH:
        raise _Refused(f"{where}: length is a whole number from 1 to {MAX_LENGTH}, not "
                       f"{length!r}")
    return SalesforceField(name, kind, required, length)


def _read_csv(path: Path, name: str, data: SalesforceData, problems: Problems) -> list[Any]:
    text = read_text(path, problems)
    if text is None:
        return []
    found = next((o for o in data.objects.values() if o.name.casefold() == name.casefold()),
                 None)
    if found is None:
        problems.add(Problem(f"no object {name}: declare it in {name}.json beside the CSV (or "
                             f"use one of {', '.join(SHIPPED)})", "bad-salesforce-object",
                             file=str(path)))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    pending = []
    for cells in reader:
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.add(Problem(f"the line has {len(cells)} cells, the header {len(header)}",
                                 "bad-salesforce-record", file=str(path),
                                 line=reader.line_num))
            continue
        row = {column: (cell if cell != "" else None) for column, cell in zip(header, cells,
                                                                                strict=True)}
        pending.append((found, row, path, f"line {reader.line_num}", None, reader.line_num))
    return pending


def _add_records(data: SalesforceData, pending: list[Any], problems: Problems) -> None:
    """Check each record; give an id to each that has none, after every given id is known."""
    checked: list[tuple[SalesforceObject, dict[str, Any]]] = []
    taken: dict[str, str] = {}
    for declared, row, path, where, locator, index in pending:
        current = data.objects[declared.name]  # fields a later file added count too
        try:
            values = _record(current, row)
        except _Refused as refused:
            line = index if locator is None else None
            problem = Problem(refused.message, "bad-salesforce-record", file=str(path),
                              line=line, where=where, field=refused.field,
                              row=index if locator is not None else None)
            problems.add(problem, locator)
            continue
        given = values.get("Id")
        if given is not None:
            if given in taken:
                problems.add(Problem(f"the Id {given} is given twice (also at {taken[given]})",
                                     "duplicate-salesforce-id", file=str(path), where=where,
                                     line=index if locator is None else None))
                continue
            taken[given] = f"{path}, {where}"
        checked.append((current, values))
    if len(checked) > MAX_RECORDS:
        problems.add(Problem(f"the fixtures hold {len(checked)} Sales Cloud records; at most "
                             f"{MAX_RECORDS}", "too-many-salesforce-records"))
        return
    counts: dict[str, int] = {}
    for current, values in checked:
        record_id = values.pop("Id", None)
        if record_id is None:  # the next number of the object no given id holds
            number = counts.get(current.name, 0) + 1
            while ids.new_id(current.prefix, number) in taken:
                number += 1
            counts[current.name] = number
            record_id = ids.new_id(current.prefix, number)
            taken[record_id] = "made"
        data.records.append({"Id": record_id, "object": current.name, "values": {
            "Id": record_id, **{f.name: values.get(f.name) for f in current.fields}}})


def _record(found: SalesforceObject, row: Any) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        raise _Refused(f"a record is a JSON object of field values, not "
                       f"{describe_json_type(row)}")
    given = {str(name): value for name, value in row.items() if str(name).casefold() != "id"}
    record_id = next((value for name, value in row.items() if str(name).casefold() == "id"),
                     None)
    values: dict[str, Any] = {}
    for name, value in given.items():
        try:
            values.update(check_values(found, [(name, value)]))
        except SalesforceRefused as refused:
            raise _Refused(str(refused), name) from None
    missing = [name for name in found.required() if values.get(name) is None]
    if missing:
        raise _Refused(f"a {found.name} needs {', '.join(found.required())}; missing: "
                       f"{', '.join(missing)}", None)
    if record_id is not None:
        canonical = ids.canonical(record_id) if isinstance(record_id, str) else None
        if canonical is None or not canonical.startswith(found.prefix):
            raise _Refused(f"Id is a {found.name} id: 15 or 18 letters and digits starting "
                           f"{found.prefix}, not {str(record_id)[:40]!r}", "Id")
        values["Id"] = canonical
    return values
