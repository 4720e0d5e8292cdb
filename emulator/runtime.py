"""The emulator's state for one app: settings, store, clock, journal and the mount table.

Each part is reached through a getter (``get_store()``), never by holding the app
(docs/design.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask, current_app

from emulator.ampscript.keys import KeyStore
from emulator.automations.records import load_automation_dirs
from emulator.automations.records import tables as automation_tables
from emulator.clock import Clock, zone_of
from emulator.config import Settings
from emulator.content.blocks import CONTENT_TABLE, load_content_dirs
from emulator.errors import ConfigError
from emulator.events import records as event_records
from emulator.faults.files import load_fault_dirs
from emulator.faults.paths import package_check, page_path_check
from emulator.faults.registry import FaultRegistry
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.fixtures.documents import DataExtensionDefinition
from emulator.fixtures.keystore import load_key_dirs
from emulator.folders import data as folder_data
from emulator.folders.files import load_folder_dirs
from emulator.journal import Journal, WarningLog
from emulator.outbound.files import load_outbound_dirs
from emulator.outbound.send import Outbound
from emulator.pages import BUILTIN_MOUNTS, Page, get_page
from emulator.reset import snapshot
from emulator.rest.asyncjobs import AsyncJobs
from emulator.rest.files import load_package_dirs
from emulator.rest.files import tables as package_tables
from emulator.rest.messagekeys import MessageKeys
from emulator.rest.packages import PACKAGES_TABLE
from emulator.rest.paths import refusal as reserved_refusal
from emulator.rest.paths import reserved
from emulator.rest.rowsets import RowsetTokens
from emulator.rest.tokens import TokenStore
from emulator.salesforce.files import load_salesforce_dirs
from emulator.salesforce.records import OBJECTS_TABLE as SALESFORCE_OBJECTS
from emulator.sends import definitions as send_definitions
from emulator.sends.outbox import Outbox
from emulator.store.store import Definition, Store
from emulator.subscribers import data as subscriber_data
from emulator.subscribers.context import SubscriberContext
from emulator.subscribers.data import SubscriberData
from emulator.subscribers.files import load_subscriber_dirs
from emulator.units.files import load_unit_dirs
from emulator.units.model import UNITS_TABLE
from emulator.units.owner_files import load_owner_dirs
from emulator.units.owner_files import tables as owner_tables
from emulator.units.registry import from_records as units_from_records
from emulator.units.registry import tables as unit_tables

EXTENSION_KEY = "mcemu"


class Checkpointed(Protocol):
    """A part of the emulator's state that a test can change and a rollback puts back."""

    def checkpoint(self) -> None:
        """Remember the current state."""

    def rollback(self) -> None:
        """Go back to the state remembered by the last checkpoint."""


@dataclass
class Emulator:
    """Everything one emulator app owns."""

    settings: Settings
    store: Store
    clock: Clock
    journal: Journal
    mounts: dict[str, Page]  # what is served now; replaced whole when the --pages folder does
    fixtures: list[DataExtensionDefinition]
    keys: KeyStore = field(default_factory=KeyStore)  # GetJWTByKeyName's keys (fixtures keys/)
    ssjs_pool: Any = None  # the worker pool of the --pages SSJS pages (emulator.ssjs)
    pages: Any = None  # the --pages folder, read on each request (emulator.ssjs.mounts)
    warning_log: WarningLog = field(default_factory=WarningLog)  # page warnings in the log
    # The DEs as the app started, a reset's default target (emulator.reset); None: not known.
    start_state: Sequence[Definition] | None = None
    # Faults that answer instead of a page (emulator.faults): faults.json's, then run time's.
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    # Subscribers and lists of the fixtures (emulator.subscribers), a reset's "fixtures" target;
    # their start state is kept like the DEs' (None: not known).
    subscriber_fixtures: SubscriberData = field(default_factory=SubscriberData)
    subscriber_start: SubscriberData | None = None
    # The subscriber the next page requests run for (mc.subscriber); the header wins over it.
    subscriber: SubscriberContext = field(default_factory=SubscriberContext)
    # Folders and triggered send definitions (emulator.folders, emulator.sends) by record
    # table, as the fixtures give them and as the app started (None: not known).
    record_fixtures: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    record_start: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
    # What pages sent (TriggeredSend), captured and never delivered.
    outbox: Outbox = field(default_factory=Outbox)
    # Pages' outbound HTTP calls: the stubs that answer them and the calls made (emulator.outbound).
    outbound: Outbound = field(default_factory=Outbound)
    # The REST API's issued access tokens (emulator.rest.tokens).
    tokens: TokenStore = field(default_factory=TokenStore)
    # The REST rowset reads' continuation tokens (emulator.rest.rowsets).
    rowset_tokens: RowsetTokens = field(default_factory=RowsetTokens)
    # The REST API's async row jobs and when they run (emulator.rest.asyncjobs).
    rest_jobs: AsyncJobs = field(default_factory=AsyncJobs)
    # The messageKeys transactional sends used, per unit, for 72 hours (emulator.rest.messagekeys).
    message_keys: MessageKeys = field(default_factory=MessageKeys)

    def parts(self) -> list[Checkpointed]:
        """Return every part whose state a test can change: what checkpoint() covers.

        One per row of the reset table (docs/design.md): state added later (faults, stubs,
        the outbox, tokens) is listed here too, so that per-test isolation covers it. The
        settings, the mounts and the key store do not change after the app is built.
        """
        return [self.store, self.journal, self.warning_log, self.clock, self.faults,
                self.subscriber, self.outbox, self.outbound, self.tokens,
                self.rowset_tokens, self.rest_jobs, self.message_keys]

    def checkpoint(self) -> None:
        """Mark the state of every part for :meth:`rollback` (a memory store only)."""
        for part in self.parts():
            part.checkpoint()

    def rollback(self) -> None:
        """Put every part back as at :meth:`checkpoint`, at the cost of what changed since.

        The checkpoint stays, so a rollback after each test gives each the same start.
        """
        for part in reversed(self.parts()):
            part.rollback()

    def close(self) -> None:
        """Stop the SSJS workers, write the store's last state and release it."""
        if self.ssjs_pool is not None:
            self.ssjs_pool.close()
        self.store.close()


def build_mounts(settings: Settings) -> dict[str, Page]:
    """Return path -> page: the built-in mounts, then ``--mount`` ones."""
    mounts = {path: get_page(name) for path, name in BUILTIN_MOUNTS.items()}
    given: dict[str, str] = {}
    for mount in settings.mount:
        page = get_page(mount.page)
        if mount.path in given and given[mount.path] != mount.page:
            raise ConfigError(f"--mount {mount.path} is given twice: ={given[mount.path]} and "
                              f"={mount.page}")
        if mount.path in BUILTIN_MOUNTS and BUILTIN_MOUNTS[mount.path] != mount.page:
            raise ConfigError(f"--mount {mount.path}={mount.page}: {mount.path} serves the "
                              f"built-in page {BUILTIN_MOUNTS[mount.path]!r}")
        if reserved(mount.path):  # docs/fidelity.md#rest-reserved
            raise ConfigError(reserved_refusal(mount.path, f"--mount {mount.path}={mount.page}:"))
        given[mount.path] = mount.page
        mounts[mount.path] = page
    return mounts


def open_store(settings: Settings, definitions: list[DataExtensionDefinition],
               people: SubscriberData | None = None,
               records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> Store:
    """Open the store and seed it: a new store gets the fixtures; a kept file keeps its rows.

    A DE that the fixtures define and the ``--db`` file lacks is added with its fixture rows,
    and so are the fixtures' subscribers and lists when the file has none (written before they
    existed), and so are ``records`` (folders, triggered send definitions: record tables by
    name) each table the file lacks; ``reseed`` replaces whatever the file holds by the fixtures.
    """
    people = people or SubscriberData()
    store = Store.open(settings.db, flush_interval=settings.flush_interval,
                       durable=settings.durable)
    try:
        if not store.keys() or settings.reseed:
            store.replace_all(definitions, {**people.tables(), **(records or {})})
        else:
            for definition in definitions:
                if not store.has(definition.schema.key):
                    store.create(definition.schema, definition.rows)
            if not subscriber_data.held(store):
                subscriber_data.put(store, people)
            for table, items in (records or {}).items():
                if not store.has_records(table):
                    store.replace_records(table, items)
    except BaseException:
        store.close()
        raise
    return store


def init_app(app: Flask, settings: Settings) -> Emulator:
    """Build the emulator's state for ``app`` from ``settings``."""
    mounts = build_mounts(settings)
    pages = None
    if settings.pages:  # before the store opens: a colliding page file is a ConfigError
        from emulator.ssjs.mounts import open_pages

        pages = open_pages(settings, mounts)
    definitions = load_fixture_dirs([*settings.fixtures],
                                    include_default=not settings.no_default_fixtures)
    keys = load_key_dirs([*settings.fixtures], include_default=not settings.no_default_fixtures)
    people = load_subscriber_dirs([*settings.fixtures],
                                  include_default=not settings.no_default_fixtures)
    records = {
        **folder_data.tables(load_folder_dirs(
            [*settings.fixtures], include_default=not settings.no_default_fixtures,
            data_extensions={d.schema.key for d in definitions})),
        **send_definitions.tables(send_definitions.load_definition_dirs(
            [*settings.fixtures], include_default=not settings.no_default_fixtures)),
        **automation_tables(load_automation_dirs(
            [*settings.fixtures], include_default=not settings.no_default_fixtures)),
        # tracking events (events/<Type>.json)
        **event_records.tables(event_records.load_event_dirs(
            [*settings.fixtures], include_default=not settings.no_default_fixtures)),
        # business units: a table only when a business_units.json declares some
        **unit_tables(load_unit_dirs(
            [*settings.fixtures], include_default=not settings.no_default_fixtures,
            data_extensions=[d.schema.key for d in definitions])),
        # Sales Cloud objects and records (salesforce/), content blocks (content/)
        **load_salesforce_dirs([*settings.fixtures],
                               include_default=not settings.no_default_fixtures).tables(),
        CONTENT_TABLE: load_content_dirs([*settings.fixtures],
                                         include_default=not settings.no_default_fixtures),
    }
    # objects of other units (unit_objects.json, an export's), checked against the units above
    records.update(owner_tables(load_owner_dirs(
        [*settings.fixtures], include_default=not settings.no_default_fixtures,
        units=units_from_records(records.get(UNITS_TABLE, ())))))
    # REST API packages (packages.json), their MIDs checked against the units above
    records.update(package_tables(load_package_dirs(
        [*settings.fixtures], include_default=not settings.no_default_fixtures,
        units=units_from_records(records.get(UNITS_TABLE, ())))))
    store = open_store(settings, definitions, people, records)
    for table in (CONTENT_TABLE, SALESFORCE_OBJECTS):  # the fixtures' now, a --db file's too
        if store.records(table) != records[table]:
            store.replace_records(table, records[table])
    # A memory store starts as the fixtures (shared, not copied: the mock and the pytest
    # fixtures build one per test); a --db file as opened, so its seeded DEs come back.
    start = definitions if settings.db is None else snapshot(store)
    clock = Clock(settings.frozen_time, zone_of(settings.time_zone))
    emulator = Emulator(settings=settings, store=store, clock=clock,
                        journal=Journal(settings.journal_size),
                        mounts=mounts, fixtures=definitions, keys=keys, start_state=start,
                        subscriber_fixtures=people,
                        subscriber_start=people if settings.db is None
                        else subscriber_data.read(store),
                        record_fixtures=records,
                        record_start=records if settings.db is None
                        else {table: store.records(table) for table in records},
                        outbox=Outbox(clock.now_utc),
                        rest_jobs=AsyncJobs(settings.rest_async_completion),
                        outbound=Outbound(allowed=tuple(settings.allow_outbound),
                                          timeout=settings.outbound_timeout))
    app.extensions[EXTENSION_KEY] = emulator
    if pages is not None:
        from emulator.ssjs.mounts import start_pool

        emulator.pages = pages
        # A new table replaces the old, never changes in place: readers may be iterating it.
        pages.on_change = lambda table: setattr(emulator, "mounts", table)
        emulator.mounts = pages.mounts()
        start_pool(emulator, pages)
    # After the pages: a fault is refused on a path no page serves (the --pages folder too).
    emulator.faults.check_path = page_path_check(
        lambda: emulator.pages.mounts() if emulator.pages is not None else emulator.mounts)
    emulator.faults.check_package = package_check(
        lambda: emulator.store.records(PACKAGES_TABLE)
        if emulator.store.has_records(PACKAGES_TABLE) else [])
    try:
        load_fault_dirs(emulator.faults, [*settings.fixtures],
                        include_default=not settings.no_default_fixtures)
        load_outbound_dirs(emulator.outbound.stubs, [*settings.fixtures],
                           include_default=not settings.no_default_fixtures)
    except BaseException:
        emulator.close()
        raise
    return emulator


def get_emulator(app: Flask | None = None) -> Emulator:
    """Return the emulator state of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def get_store(app: Flask | None = None) -> Store:
    return get_emulator(app).store


def get_journal(app: Flask | None = None) -> Journal:
    return get_emulator(app).journal


def get_clock(app: Flask | None = None) -> Clock:
    return get_emulator(app).clock
