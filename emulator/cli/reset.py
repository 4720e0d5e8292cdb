"""``mcemu reset``: a running emulator or a ``--db`` file back to a known state (emulator.reset)."""

from __future__ import annotations

import click

from emulator.cli.options import (
    PathList,
    admin_token_option,
    choose_target,
    db_option,
    run_or_exit,
    url_option,
)
from emulator.reset import RESET_TARGETS

#: What ``--to`` means when it is not given: a running emulator knows the state it started
#: with; an offline file does not (it may have changed since any serve), so it gets the fixtures.
URL_DEFAULT, DB_DEFAULT = "start", "fixtures"


@click.command(short_help="Reset a running emulator or a --db file.")
@db_option
@url_option
@click.option("--to", "to", type=click.Choice(RESET_TARGETS), envvar="MCEMU_TO",
              help="start: the Data Extensions as the running emulator started (the fixtures "
                   "plus what its --db held then; the default with --url). fixtures: the "
                   "fixture DEs only, DEs created since dropped, and the fixtures' "
                   "subscribers, lists, folders, triggered sends and automations (the default "
                   "with --db). empty: every DE kept, every row removed. --to start needs "
                   "--url.")
@click.option("--empty", is_flag=True, envvar="MCEMU_EMPTY", help="The same as --to empty.")
@click.option("--clear-journal", is_flag=True, envvar="MCEMU_CLEAR_JOURNAL",
              help="Clear the running emulator's request journal too; a reset keeps it "
                   "otherwise (--url only).")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=PathList(exists=True, file_okay=False),
              help="A fixtures directory to add to the defaults (repeatable; --db only).")
@click.option("--no-default-fixtures", is_flag=True, envvar="MCEMU_NO_DEFAULT_FIXTURES",
              help="Reset to the DEs of --fixtures only (--db only).")
@admin_token_option
def reset(db: str | None, url: str | None, to: str | None, empty: bool, clear_journal: bool,
          fixtures: tuple[str, ...], no_default_fixtures: bool, admin_token: str | None) -> None:
    """Reset the Data Extensions of a running emulator (--url) or of a --db file.

    \b
    With --url the emulator goes back to the state it started with, unless --to says
    otherwise; its request journal is kept unless --clear-journal, and its clock is not
    touched. With --db (no emulator serving the file) the default is --to fixtures: the
    state the file had when some emulator started is not known offline, so --to start is
    a usage error there.
    """
    from emulator.cli.remote import AdminClient

    db, url = choose_target(db, url)
    if empty and to not in (None, "empty"):
        raise click.UsageError(f"--empty is --to empty: give one of --empty and --to {to}")
    target = "empty" if empty else to or (URL_DEFAULT if url else DB_DEFAULT)
    ctx = click.get_current_context()
    if url:
        for name in ("fixtures", "no_default_fixtures"):
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to --db only: a "
                                       "running emulator resets to the fixtures it was "
                                       "started with")
        answer = run_or_exit(lambda: AdminClient(url, admin_token).reset(target, clear_journal))
        counts = answer["dataExtensions"]
    else:
        if target == "start":
            raise click.UsageError("--to start needs --url: only a running emulator knows the "
                                   "state it started with. With --db, reset --to fixtures (the "
                                   "default) or --to empty.")
        if clear_journal:
            raise click.UsageError("--clear-journal applies to --url only: a --db file holds "
                                   "no request journal")
        counts = run_or_exit(lambda: _reset_file(db or "", target, fixtures, no_default_fixtures))
    summary = ", ".join(f"{key} ({count})" for key, count in counts.items()) or "none"
    journal = "; the request journal was cleared" if clear_journal else ""
    click.echo(f"Reset to {target}: {summary}{journal}")


def _reset_file(db: str, target: str, fixtures: tuple[str, ...],
                no_default_fixtures: bool) -> dict[str, int]:
    from emulator.clock import Clock
    from emulator.config import load_settings
    from emulator.fixtures.discovery import load_fixture_dirs
    from emulator.fixtures.kinds import load_record_dirs
    from emulator.journal import Journal
    from emulator.reset import reset as reset_store
    from emulator.runtime import Emulator
    from emulator.store.store import Store
    from emulator.subscribers.data import SubscriberData
    from emulator.subscribers.model import LISTS_TABLE, SUBSCRIBERS_TABLE

    settings = load_settings({"db": db, "fixtures": fixtures,
                              "no_default_fixtures": no_default_fixtures}, environ={})
    definitions = load_fixture_dirs(settings.fixtures, include_default=not no_default_fixtures)
    records = load_record_dirs(settings.fixtures, include_default=not no_default_fixtures,
                               data_extensions={d.schema.key for d in definitions})
    people = SubscriberData(tuple(records.pop(SUBSCRIBERS_TABLE, ())),
                            tuple(records.pop(LISTS_TABLE, ())))
    # start_state stays None: offline, the file's start state is not known.
    emulator = Emulator(settings=settings, store=Store.open(db), clock=Clock(),
                        journal=Journal(), mounts={}, fixtures=definitions,
                        subscriber_fixtures=people,
                        record_fixtures={**records, **_runs_cleared()})
    try:
        reset_store(emulator, target)
        return {key: emulator.store.count(key) for key in emulator.store.keys()}
    finally:
        emulator.close()


def _runs_cleared() -> dict[str, list[dict[str, object]]]:
    """Return the record tables a reset to the fixtures empties (the automations' runs)."""
    from emulator.fixtures.kinds import kinds

    return {table: [] for kind in kinds() for table in kind.cleared}
