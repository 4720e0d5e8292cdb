"""Seed Data Extensions into a store, all or nothing: ``mcemu seed`` and ``POST /_emulator/seed``.

Modes: ``upsert`` (the default: by primary key, so seeding twice changes nothing), ``insert``
(a primary key already in the file or in the target is refused) and ``replace`` (the DE's rows
are replaced). A DE without a primary key is append-only: upsert and insert append, replace swaps
all rows. A DE the target lacks is created; a DE whose schema differs from the target's is
refused, saying what differs. Everything is checked before anything changes, and every problem
is reported at once; then the changes are made in one store transaction (one save).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, NoReturn

from emulator.errors import EmulatorError, StoreError
from emulator.fixtures import (
    DataExtensionDefinition,
    Progress,
    add_once,
    check_rules,
    definition_from_document,
    find_data_extension_files,
    read_data_extension_file,
)
from emulator.problems import FixtureProblems, JsonRowLocator, Problem, Problems
from emulator.store.persistence import Persistence, SnapshotFile
from emulator.store.rows import normalise, primary_key
from emulator.store.schema import DataExtensionSchema, Field, describe_json_type
from emulator.store.store import Store

SEED_MODES = ("upsert", "insert", "replace")
REQUEST_BODY = "request body"


@dataclass
class Outcome:
    """What seeding did (or, in a dry run, would do) to one Data Extension."""

    key: str
    created: bool = False
    added: int = 0
    updated: int = 0
    appended: int = 0
    removed: int = 0  # rows a replace took away

    def describe(self) -> str:
        """Return a summary line such as ``Users: 3 added, 2 updated``."""
        counts = [f"{value} {name}" for name, value in (
            ("added", self.added), ("updated", self.updated), ("appended", self.appended),
            ("removed", self.removed)) if value]
        what = ", ".join(counts) or "no rows"
        return f"{self.key}: {'created, ' if self.created else ''}{what}"


@dataclass
class SeedReport:
    """The outcome of one seed: its mode, whether it was a dry run, and each DE's outcome."""

    mode: str
    dry_run: bool
    outcomes: list[Outcome]

    def to_json(self) -> dict[str, Any]:
        """Return the report as ``POST /_emulator/seed`` answers it."""
        return {"mode": self.mode, "dryRun": self.dry_run,
                "dataExtensions": [asdict(outcome) for outcome in self.outcomes]}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> SeedReport:
        """Rebuild a report from the admin API's answer."""
        names = {f.name for f in fields(Outcome)}
        outcomes = [Outcome(**{k: v for k, v in item.items() if k in names})
                    for item in doc.get("dataExtensions", [])]
        return cls(str(doc.get("mode")), bool(doc.get("dryRun")), outcomes)

    def describe(self) -> str:
        """Return the summary printed at the end of ``mcemu seed``."""
        head = "Dry run, nothing changed; seeding would do:" if self.dry_run else (
            f"Seeded ({self.mode}):")
        return "\n".join([head, *(f"  {o.describe()}" for o in self.outcomes)])


# --- Reading what to seed -------------------------------------------------------------------------


def load_seed_paths(paths: Iterable[str | Path],
                    progress: Callable[[int], Progress] | None = None
                    ) -> list[DataExtensionDefinition]:
    """Read every DE file the ``paths`` name (fixtures dirs, folders, files); all or nothing.

    ``progress``, when given, is called with the bytes to read and returns the callback told
    how many more bytes are done (rows are checked in proportion to their file's size).
    """
    problems = Problems()
    files = [file for path in paths for file in find_data_extension_files(Path(path), problems)]
    tick = None if progress is None else progress(_total_size(files))
    found: dict[str, DataExtensionDefinition] = {}
    for file in files:
        definition = read_data_extension_file(file, problems, tick, check_rules=False)
        if definition is not None:
            add_once(found, definition, problems)
    _raise_with_rules(problems, found.values())
    return list(found.values())


def _raise_with_rules(problems: Problems, loaded: Iterable[DataExtensionDefinition]) -> None:
    """Raise when there are problems, adding the row rules the good files break (all at once)."""
    if problems:
        for definition in loaded:
            check_rules(definition, problems)
        problems.raise_if_any()


def definitions_from_body(body: bytes) -> list[DataExtensionDefinition]:
    """Read a request body holding one DE document or a list of them; all or nothing."""
    problems = Problems()
    text = decode_body(body, problems)
    document = None if text is None else parse_body(text, problems)
    problems.raise_if_any()
    many = isinstance(document, list)
    documents = document if many else [document]
    if not documents:
        problems.add(Problem("an empty list: no Data Extension documents to seed",
                             "no-fixtures", file=REQUEST_BODY))
    found: dict[str, DataExtensionDefinition] = {}
    for index, doc in enumerate(documents):
        source = f"{REQUEST_BODY}[{index}]" if many else REQUEST_BODY
        if not isinstance(doc, dict):
            problems.add(Problem("a Data Extension document must be a JSON object with key, "
                                 f"fields and rows, not {describe_json_type(doc)}",
                                 "document-type", file=source))
            continue
        locator = JsonRowLocator(lambda: text or "", (index, "rows") if many else ("rows",))
        definition = definition_from_document(doc, problems, source=source, locator=locator,
                                              check_rules=False)
        if definition is not None:
            add_once(found, definition, problems)
    _raise_with_rules(problems, found.values())
    return list(found.values())


def decode_body(body: bytes, problems: Problems) -> str | None:
    """Return a request body as text (UTF-8, a BOM tolerated), or None with a problem."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(Problem(f"not UTF-8 text (byte {error.start} is 0x{body[error.start]:02X})",
                             "not-utf8", file=REQUEST_BODY))
        return None


def parse_body(text: str, problems: Problems) -> Any:
    """Return the JSON value of ``text``, or None with a problem naming line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problems.add(Problem(f"invalid JSON at line {error.lineno}, column {error.colno}: "
                             f"{error.msg}", "invalid-json", file=REQUEST_BODY))
    except RecursionError:
        problems.add(Problem("invalid JSON: nested too deeply", "invalid-json",
                             file=REQUEST_BODY))
    return None


def _total_size(files: Sequence[Path]) -> int:
    return sum(path.stat().st_size for file in files
               for path in (file, file.with_suffix(".csv")) if path.is_file())


# --- Seeding a store ------------------------------------------------------------------------------


def seed_store(store: Store, definitions: Sequence[DataExtensionDefinition], mode: str = "upsert",
               *, dry_run: bool = False, progress: Progress | None = None) -> SeedReport:
    """Seed ``definitions`` into ``store`` in ``mode``: every check first, then one transaction.

    Raise FixtureProblems (and change nothing) when anything is refused. The row rules are
    checked by the store as the rows go in; when it refuses one, the transaction is undone
    and every row is checked again to list each problem with its position.
    """
    if mode not in SEED_MODES:
        raise StoreError(f"unknown seed mode {mode!r}; modes: {', '.join(SEED_MODES)}")
    with store.transaction(dry_run=dry_run):
        problems = _plan_problems(store, definitions, mode)
        if problems:
            _refuse(problems, definitions)
        outcomes = []
        for definition in definitions:
            try:
                outcomes.append(_apply(store, definition, mode))
            except EmulatorError as error:
                _refuse(Problems(), definitions, error, definition)
            if progress is not None:
                progress(len(definition.rows))
    return SeedReport(mode, dry_run, outcomes)


def _refuse(problems: Problems, definitions: Sequence[DataExtensionDefinition],
            error: EmulatorError | None = None,
            failed: DataExtensionDefinition | None = None) -> NoReturn:
    """Raise FixtureProblems with ``problems`` and every row rule broken in ``definitions``."""
    for definition in definitions:
        check_rules(definition, problems)
    if error is not None and not problems:  # a rule only the store knows: its own words
        problems.add(Problem(error.message, getattr(error, "rule", "refused"),
                             file=str(failed.source) if failed else None,
                             data_extension=failed.schema.key if failed else None))
    raise FixtureProblems(problems)


def seed_db_file(db: str | Path, definitions: Sequence[DataExtensionDefinition],
                 mode: str = "upsert", *, dry_run: bool = False,
                 progress: Progress | None = None) -> SeedReport:
    """Seed a ``--db`` file; a refusal or a dry run leaves it byte for byte as it was."""
    persistence = SaveWhenArmed(SnapshotFile(db))
    store = Store(persistence)  # a new file is not created until the seed is saved
    try:
        persistence.armed = True
        return seed_store(store, definitions, mode, dry_run=dry_run, progress=progress)
    finally:
        persistence.armed = False  # the transaction saved already: close must not save again
        store.close()


def schema_differences(target: DataExtensionSchema, given: DataExtensionSchema) -> list[str]:
    """Return how ``given`` differs from the ``target`` schema (empty when they agree)."""
    differences = []
    if given.name != target.name:
        differences.append(f"name {given.name!r} (target: {target.name!r})")
    theirs = {f.name.casefold(): f for f in target.fields}
    ours = {f.name.casefold(): f for f in given.fields}
    differences += [f"field {f.name!r} is missing" for f in target.fields
                    if f.name.casefold() not in ours]
    differences += [f"field {f.name!r} is not in the target" for f in given.fields
                    if f.name.casefold() not in theirs]
    for field in given.fields:
        other = theirs.get(field.name.casefold())
        if other is not None:
            differences += _field_differences(other, field)
    same_set = [f.name.casefold() for f in given.fields if f.name.casefold() in theirs]
    if not differences and same_set != [f.name.casefold() for f in target.fields]:
        order = ", ".join(target.field_names)
        differences.append(f"the fields are in another order (target: {order})")
    if given.retention != target.retention:
        def show(schema: DataExtensionSchema) -> str:
            return json.dumps(schema.retention.to_json()) if schema.retention else "none"
        differences.append(f"retention {show(given)} (target: {show(target)})")
    return differences


_FIELD_ATTRIBUTES = (("name", "name"), ("type", "type"), ("length", "length"),
                     ("primary_key", "primaryKey"), ("nullable", "nullable"),
                     ("precision", "precision"), ("scale", "scale"),
                     ("default_value", "defaultValue"))


def _field_differences(target: Field, given: Field) -> list[str]:
    return [f"field {target.name!r}: {label} {getattr(given, attr)!r} "
            f"(target: {getattr(target, attr)!r})"
            for attr, label in _FIELD_ATTRIBUTES if getattr(given, attr) != getattr(target, attr)]


def _plan_problems(store: Store, definitions: Sequence[DataExtensionDefinition],
                   mode: str) -> Problems:
    """Return what the target makes impossible: another schema, a key it holds (insert)."""
    problems = Problems()
    for definition in definitions:
        schema = definition.schema
        if not store.has(schema.key):
            continue
        differences = schema_differences(store.schema(schema.key), schema)
        if differences:
            problems.add(Problem(
                "the schema differs from the target's: " + "; ".join(differences)
                + ". Make the file match the target (mcemu export writes it), or delete the "
                "Data Extension first", "schema-mismatch", file=str(definition.source),
                data_extension=schema.key))
        elif mode == "insert" and schema.primary_keys:
            _refuse_taken_keys(store, definition, problems)
    return problems


def _refuse_taken_keys(store: Store, definition: DataExtensionDefinition,
                       problems: Problems) -> None:
    schema = definition.schema
    taken: set[Hashable] = {primary_key(schema, row) for row in store.rows(schema.key)}
    names = [f.name for f in schema.primary_keys]
    for index, row in enumerate(definition.rows):
        if primary_key(schema, normalise(schema, row)) in taken:
            values = ", ".join(str(row.get(name)) for name in names)
            problems.add(Problem(
                f"field {', '.join(names)!r}: the target has a row with this primary key "
                f"({values}) already; seed in upsert mode to update it", "duplicate-key",
                file=definition.rows_source or str(definition.source),
                data_extension=schema.key, row=index, field=names[0]), definition.locator)


def _apply(store: Store, definition: DataExtensionDefinition, mode: str) -> Outcome:
    key, rows = definition.schema.key, definition.rows
    appends = not definition.schema.primary_keys  # design.md: such a DE is append-only
    if not store.has(key):
        store.create(definition.schema, rows)
        return Outcome(key, created=True, added=len(rows))
    if mode == "replace":
        removed = store.count(key)
        store.replace_rows(key, rows)
        return Outcome(key, added=len(rows), removed=removed)
    if mode == "insert" or appends:
        store.add_rows(key, rows)
        return Outcome(key, appended=len(rows)) if appends else Outcome(key, added=len(rows))
    added, updated = store.upsert_rows(key, rows)
    return Outcome(key, added=added, updated=updated)


class SaveWhenArmed:
    """A persistence that saves only while armed: opening and closing the store write nothing."""

    def __init__(self, inner: Persistence) -> None:
        self.inner = inner
        self.location = inner.location
        self.armed = False

    def load(self) -> Any:
        """Return the inner persistence's document."""
        return self.inner.load()

    def save(self, document: Mapping[str, Any]) -> None:
        """Save through the inner persistence while armed; else do nothing."""
        if self.armed:
            self.inner.save(document)

    def close(self) -> None:
        """Release the inner persistence."""
        self.inner.close()
