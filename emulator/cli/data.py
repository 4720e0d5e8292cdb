"""``mcemu seed`` and ``mcemu export``: a ``--db`` file or a running emulator."""

from __future__ import annotations

import sys
from typing import Any

import click

from emulator.cli.options import (
    admin_token_option,
    choose_target,
    db_option,
    mcemu_option,
    url_option,
)
from emulator.errors import ConfigError

LARGE_LOAD = 1024 * 1024  # bytes of fixture files from which a terminal shows a progress bar
LARGE_ROWS = 5000  # rows from which a terminal shows a progress bar while they are stored


class _Progress:
    """Click progress bars on a terminal, for large loads only; elsewhere nothing."""

    def __init__(self) -> None:
        self.bars: list[Any] = []

    def __call__(self, label: str, total: int, large: bool) -> Any:
        """Start a bar of ``total`` steps and return its update, or None when not shown."""
        if not large or not sys.stdout.isatty():
            return None
        bar = click.progressbar(length=total, label=label)
        bar.__enter__()
        self.bars.append(bar)
        return bar.update

    def close(self) -> None:
        for bar in self.bars:
            bar.__exit__(None, None, None)
        self.bars.clear()


@click.command(short_help="Seed Data Extensions from fixture files.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@db_option
@url_option
@mcemu_option("--mode", default="upsert", show_default=True,
              type=click.Choice(["upsert", "insert", "replace"]),
              help="upsert by primary key; insert refuses keys that exist; replace swaps "
                   "each DE's rows. A DE without a primary key is append-only.")
@mcemu_option("--dry-run", is_flag=True, help="Check everything, change nothing.")
@admin_token_option
def seed(paths: tuple[str, ...], db: str | None, url: str | None, mode: str, dry_run: bool,
         admin_token: str | None) -> None:
    """Seed Data Extensions from PATH (fixtures dirs, folders of DE files, DE files).

    A fixtures dir's subscribers.json (or .csv), lists.json, folders.json,
    triggered_sends.json, automations.json and the other record files are seeded too (into
    a --db file or, with --url, a running emulator), in the same mode, by SubscriberKey,
    list or folder ID, or CustomerKey. All or nothing: any problem leaves
    the target unchanged, and every problem is listed (exit 1).
    """
    from pathlib import Path

    from emulator.cli.remote import AdminClient, relocate
    from emulator.fixtures.seed_body import read_record_files
    from emulator.fixtures.seeding import load_seed_paths, load_seed_records, seed_db_file

    db, url = choose_target(db, url)
    progress = _Progress()

    def run() -> Any:
        from emulator.fixtures.problems import FixtureProblems

        definitions = load_seed_paths(
            paths, lambda size: progress("Reading", size, size >= LARGE_LOAD))
        records = load_seed_records(paths)
        progress.close()
        if url is None:
            rows = sum(len(d.rows) for d in definitions)
            tick = progress("Seeding", rows, rows >= LARGE_ROWS)
            return seed_db_file(db or "", definitions, mode, dry_run=dry_run, progress=tick,
                                records=records)
        # checked here already; the server reads the same files again against its state
        sent = read_record_files([Path(path) for path in paths]) if records else []
        try:
            return AdminClient(url, admin_token).seed(definitions, mode, dry_run, sent)
        except FixtureProblems as error:
            raise relocate(error, definitions) from None

    try:
        report = run()
    finally:
        progress.close()
    click.echo(report.describe())


@click.command(short_help="Export Data Extensions and object data as a fixtures directory.")
@click.argument("names", nargs=-1, metavar="[DE]...")
@db_option
@url_option
@mcemu_option("--format", "format_", default="json", show_default=True,
              type=click.Choice(["json", "csv"]),
              help="json: rows inside <Key>.json; csv: rows in <Key>.csv beside the schema.")
@mcemu_option("--out", default="export", show_default=True, type=click.Path(file_okay=False),
              help="The fixtures directory to write.")
@admin_token_option
def export(names: tuple[str, ...], db: str | None, url: str | None, format_: str, out: str,
           admin_token: str | None) -> None:
    """Export Data Extensions (all, or the DEs named) as a fixtures directory.

    \b
    A whole export (no DE named) also writes the subscribers and lists, folders, triggered
    send definitions and automations (subscribers.json, lists.json, folders.json,
    triggered_sends.json, automations.json), and the business units with the objects made
    in another unit (business_units.json, unit_objects.json); naming DEs exports those DEs
    only. What it
    writes seeds back to the same store (mcemu seed --mode replace OUT), and is a fixtures
    directory (mcemu reset --to fixtures --fixtures OUT).
    """
    from pathlib import Path

    from emulator.cli.remote import AdminClient
    from emulator.fixtures.export import select, write_export
    from emulator.fixtures.kinds import write_record_files

    db, url = choose_target(db, url)
    state = AdminClient(url, admin_token).state() if url else _dump(db)
    report = write_export(select(state["dataExtensions"], names), Path(out), format_)
    written = [] if names else write_record_files(state, Path(out))
    rows = sum(report.rows.values())
    click.echo(f"Exported {len(report.rows)} Data Extension(s), {rows} row(s), to "
               f"{Path(out) / 'data_extensions'}")
    for counted, files in written:
        click.echo(f"Exported {counted}")
        for path in files:
            click.echo(f"Exported {path}")
    if report.empty_as_null:
        click.echo(f"Warning: CSV has no empty string: {report.empty_as_null} empty value(s) "
                   "were written as empty cells, which seed back as null. Use --format json "
                   "to keep them.", err=True)


def _dump(db: str | None) -> Any:
    from pathlib import Path

    from emulator.fixtures.kinds import export_state
    from emulator.store.persistence import SnapshotFile, WriteWhenArmed
    from emulator.store.store import Store

    if not db or not Path(db).is_file():
        raise ConfigError(f"--db {db}: no such database file")
    with Store(WriteWhenArmed(SnapshotFile(db))) as store:  # never written: exporting reads
        return {"dataExtensions": store.dump(), **export_state(store)}
