"""The one reset rule: back to the state the emulator started with, to the fixtures, or empty.

The admin API, the dashboard, the CLI, the mock and the pytest fixtures all reset through
:func:`reset`:

==========  ==================================================================================
``to``      Data Extensions (and subscribers, lists, folders, send definitions) afterwards
==========  ==================================================================================
start       as the emulator started: the fixtures plus whatever its ``--db`` file held then
            (the default, so a CI pipeline's seeded data comes back; a memory store starts as
            the fixtures)
fixtures    the fixture DEs whole (schemas and rows); every DE created since is dropped;
            the fixtures' subscribers, lists, folders, definitions and automations, no run;
            the fixtures' Sales Cloud records
empty       every DE kept with its schema, every row removed; the lists, folders, triggered
            send definitions, automations and query definitions kept, no subscriber and no
            automation run; the Sales Cloud objects kept, no record
==========  ==================================================================================

Content blocks are the fixtures' whatever the target. The outbox of captured sends is
cleared, whatever the target, and so are the REST API's tokens, async jobs and message
keys. Faults added
at run time are cleared, whatever the target; those of ``faults.json`` stay, their
counters back at zero. The request journal is kept unless ``journal=True`` asks to clear it; the
clock is never touched (a frozen clock stays frozen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from emulator.errors import ConfigError

if TYPE_CHECKING:  # types only: the CLI reads RESET_TARGETS without loading the store
    from emulator.runtime import Emulator
    from emulator.store.rows import StoredRow
    from emulator.store.schema import DataExtensionSchema
    from emulator.store.store import Definition, Store
    from emulator.subscribers.data import SubscriberData

ResetTarget = Literal["start", "fixtures", "empty"]
RESET_TARGETS: tuple[str, ...] = ("start", "fixtures", "empty")
DEFAULT_TARGET = "start"


@dataclass(frozen=True)
class SavedDataExtension:
    """A Data Extension as it was at one moment: its schema and a copy of its rows."""

    schema: DataExtensionSchema
    rows: tuple[StoredRow, ...] = ()


def snapshot(store: Store) -> tuple[SavedDataExtension, ...]:
    """Copy every Data Extension of ``store``, schema and rows, in creation order."""
    # rows() copies each row: updates edit the stored rows in place.
    return tuple(SavedDataExtension(store.schema(key), tuple(store.rows(key)))
                 for key in store.keys())


def targets_text() -> str:
    """Name the reset targets for a message: ``start (the default), fixtures or empty``."""
    names = [f"{name} (the default)" if name == DEFAULT_TARGET else name
             for name in RESET_TARGETS]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def reset(emulator: Emulator, to: str = DEFAULT_TARGET, *, journal: bool = False) -> None:
    """Reset the Data Extensions to ``to`` (see the module's table); ``journal``: clear it too.

    Raise ConfigError for an unknown target, or for ``start`` when the emulator's start state is
    not known (an offline ``--db`` file opened without serving it); nothing changes then.
    """
    store = emulator.store
    definitions: Sequence[Definition]
    if to == "start":
        if emulator.start_state is None:
            raise ConfigError("cannot reset to start: the state this store started with is not "
                              "known here (only a running emulator knows it); reset to fixtures "
                              "or empty")
        definitions = emulator.start_state
    elif to == "fixtures":
        definitions = emulator.fixtures
    elif to == "empty":
        definitions = [SavedDataExtension(store.schema(key)) for key in store.keys()]
    else:
        raise ConfigError(f"cannot reset to {to!r}; expected one of: {targets_text()}")
    store.replace_all(definitions, {**_subscribers(emulator, to).tables(),
                                    **_records(emulator, to)})
    emulator.outbox.clear()  # captured sends go, whatever the target
    emulator.faults.reset()  # the run time's faults go; faults.json's stay, counters at zero
    emulator.outbound.reset()  # the run time's stubs and the calls go; outbound/*.json's stay
    emulator.tokens.clear()  # issued REST tokens go, whatever the target
    emulator.rowset_tokens.clear()  # and the rowset continuation tokens
    emulator.rest_jobs.clear()  # and the async row jobs (their completion as the settings say)
    emulator.message_keys.clear()  # and the messageKeys transactional sends used
    if journal:
        emulator.journal.clear()


def _subscribers(emulator: Emulator, to: str) -> SubscriberData:
    """Return the subscribers and lists a reset to ``to`` leaves (the module's table)."""
    from emulator.subscribers.data import SubscriberData, read

    if to == "start":
        return emulator.subscriber_start or SubscriberData()
    if to == "fixtures":
        return emulator.subscriber_fixtures
    return read(emulator.store).emptied()


def _records(emulator: Emulator, to: str) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the folders, send definitions and automations a reset to ``to`` leaves.

    ``empty`` keeps them as the store holds them, as it keeps the Data Extensions' schemas.
    """
    if to == "start":
        return dict(emulator.record_start or emulator.record_fixtures)
    if to == "empty":
        from emulator.automations.records import AUTOMATIONS_TABLE, QUERIES_TABLE, RUNS_TABLE
        from emulator.content.blocks import CONTENT_TABLE
        from emulator.folders.model import FOLDERS_TABLE
        from emulator.salesforce.records import OBJECTS_TABLE, RECORDS_TABLE
        from emulator.sends.definitions import DEFINITIONS_TABLE

        kept = {table: emulator.store.records(table) for table in (FOLDERS_TABLE,
                                                                   DEFINITIONS_TABLE,
                                                                   AUTOMATIONS_TABLE,
                                                                   QUERIES_TABLE,
                                                                   OBJECTS_TABLE, CONTENT_TABLE)
                if emulator.store.has_records(table)}
        # the automations stay, their runs go; the Sales Cloud objects stay, their records go
        return {**kept, RUNS_TABLE: [], RECORDS_TABLE: []}
    return dict(emulator.record_fixtures)
