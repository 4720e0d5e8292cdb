"""The ``mcemu`` command.

Every option is also read from ``MCEMU_<OPTION>`` (a list such as ``MCEMU_FIXTURES`` separated by
the OS path separator; booleans ``1``/``0``). Exit codes: 0 ok, 1 the data was refused, 2 usage.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any

import click

from emulator import __version__
from emulator.errors import ConfigError, EmulatorError, StoreLocked


class _PathList(click.Path):
    """A repeatable path option whose environment variable splits on os.pathsep."""

    envvar_list_splitter = os.pathsep


class _MountList(click.ParamType):
    name = "PATH=PAGE"
    envvar_list_splitter = os.pathsep

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from emulator.config import Mount

        try:
            return value if isinstance(value, Mount) else Mount.parse(value)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcemu")
def main() -> None:
    """mc-emulator: a local Salesforce Marketing Cloud CloudPage emulator."""


from emulator.cli_tokens import demo, jwt_group  # noqa: E402 -- issue 7's commands

main.add_command(demo)
main.add_command(jwt_group)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="MCEMU_HOST",
              help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, envvar="MCEMU_PORT",
              type=click.IntRange(0, 65535), help="Port to listen on (0 picks a free one).")
@click.option("--db", envvar="MCEMU_DB", type=click.Path(dir_okay=False),
              help="Keep the Data Extensions in this TinyDB file (default: in memory).")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=_PathList(exists=True, file_okay=False),
              help="A fixtures directory to add to the defaults (repeatable).")
@click.option("--no-default-fixtures", is_flag=True, envvar="MCEMU_NO_DEFAULT_FIXTURES",
              help="Start from no Data Extensions but those of --fixtures.")
@click.option("--mount", "mounts", multiple=True, envvar="MCEMU_MOUNT", type=_MountList(),
              help="Serve a page at a path, e.g. --mount /jwt-issuer=token (repeatable).")
@click.option("--pages", envvar="MCEMU_PAGES", type=click.Path(exists=True, file_okay=False),
              help="Serve the SSJS page files of DIR, each at /<file name without extension>.")
@click.option("--cors", envvar="MCEMU_CORS", metavar="ORIGIN",
              help="Send CORS headers for this origin ('*' for any). Off by default, as on SFMC.")
@click.option("--max-body", envvar="MCEMU_MAX_BODY", type=click.IntRange(min=1),
              help="Largest request body in bytes [default: 5242880].")
@click.option("--journal-size", envvar="MCEMU_JOURNAL_SIZE", type=click.IntRange(min=1),
              help="Requests kept in the request journal [default: 500].")
@click.option("--frozen-time", envvar="MCEMU_FROZEN_TIME", metavar="ISO-TIME",
              help="Freeze the platform clock at this instant.")
@click.option("--admin-token", envvar="MCEMU_ADMIN_TOKEN", metavar="TOKEN",
              help="Let any client that presents this token (Authorization: Bearer) use the "
                   "admin API; without it only this machine may.")
@click.option("--flush-interval", envvar="MCEMU_FLUSH_INTERVAL", type=click.FloatRange(min=0,
              min_open=True), metavar="SECONDS",
              help="With --db: write changes to disk at least this often; a hard kill loses at "
                   "most this window [default: 1.0].")
@click.option("--durable", is_flag=True, envvar="MCEMU_DURABLE",
              help="With --db: write each change to disk before answering (slower, no loss).")
@click.option("--reseed", is_flag=True, envvar="MCEMU_RESEED",
              help="With --db: replace the file's data by the fixtures (default: keep it).")
@click.option("--quiet", is_flag=True, help="Log warnings only, not every request.")
def serve(host: str, port: int, db: str | None, fixtures: tuple[str, ...],
          no_default_fixtures: bool, mounts: tuple[Any, ...], cors: str | None,
          max_body: int | None, journal_size: int | None, frozen_time: str | None,
          admin_token: str | None, flush_interval: float | None, durable: bool, reseed: bool,
          quiet: bool, pages: str | None = None) -> None:
    """Serve the emulator's pages over HTTP until Ctrl-C."""
    from emulator.app import create_app
    from emulator.server import serve as run_server

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # waitress warns "Task queue depth is N" whenever requests wait for a thread: under any load
    # that is a log line per request, costing throughput and drowning the page's own warnings.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    overrides: dict[str, Any] = {"db": db, "fixtures": fixtures,
                                 "no_default_fixtures": no_default_fixtures, "mount": mounts,
                                 "cors": cors, "admin_token": admin_token,
                                 "durable": durable, "reseed": reseed}
    for name, value in (("max_body", max_body), ("journal_size", journal_size),
                        ("frozen_time", frozen_time), ("flush_interval", flush_interval),
                        ("pages", pages)):
        if value is not None:
            overrides[name] = value
    app = _or_exit(lambda: create_app(overrides))
    # The app, its fixtures and every module loaded so far live as long as this process does:
    # moved out of the collector's reach, full collections no longer walk them again and again.
    gc.freeze()
    try:
        run_server(app, host, port, on_ready=lambda url: _print_banner(app, url))
    except OSError as error:
        click.echo(f"Error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        sys.exit(2)
    click.echo("mc-emulator stopped; the store was saved." if db else "mc-emulator stopped.")


def _or_exit(build: Any) -> Any:
    """Run ``build``; a bad setting exits 2, refused data (fixtures, store file) exits 1."""
    try:
        return build()
    except EmulatorError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2 if isinstance(error, (ConfigError, StoreLocked)) else 1)


def _print_banner(app: Any, url: str) -> None:
    from emulator.runtime import get_emulator

    emulator = get_emulator(app)
    lines = [f"mc-emulator {__version__} serving on {url}", "Pages:"]
    lines += [f"  {url}{path}  ({page.name}: {page.description})"
              for path, page in emulator.mounts.items()]
    demo = _demo_client(emulator.store)
    if demo:
        lines += ["Demo client (AppCredentials):",
                  f"  client_id={demo['client_id']}  client_secret={demo['client_secret']}",
                  f"  signing_secret={demo['signing_secret']}",
                  "Try:",
                  f"  curl -s -X POST {url}/token -H 'Content-Type: application/json' \\",
                  "    -d '{\"operation\":\"RequestToken\",\"grant_type\":\"client_credentials\","
                  f"\"client_id\":\"{demo['client_id']}\","
                  f"\"client_secret\":\"{demo['client_secret']}\"}}'"]
    store_text = emulator.settings.db or "in memory"
    lines += [f"Dashboard: {url}/_emulator/ui/", f"Store: {store_text}", "Press Ctrl-C to stop."]
    click.echo("\n".join(lines))
    sys.stdout.flush()


def _demo_client(store: Any) -> dict[str, str] | None:
    if not store.has("AppCredentials"):
        return None
    rows = store.retrieve("AppCredentials", {"Property": "client_id",
                                             "SimpleOperator": "equals",
                                             "Value": "demo-client"})
    return rows[0] if rows else None


# --- seed, export, reset: a --db file or a running emulator (--url) --------------------------

LARGE_LOAD = 1024 * 1024  # bytes of fixture files from which a terminal shows a progress bar
LARGE_ROWS = 5000  # rows from which a terminal shows a progress bar while they are stored

_db_option = click.option("--db", envvar="MCEMU_DB", type=click.Path(dir_okay=False),
                          help="The TinyDB file of 'mcemu serve --db'.")
_url_option = click.option("--url", envvar="MCEMU_URL", metavar="URL",
                           help="A running emulator, e.g. http://127.0.0.1:8080.")
_token_option = click.option("--admin-token", envvar="MCEMU_ADMIN_TOKEN", metavar="TOKEN",
                             help="The running emulator's --admin-token, if it has one.")


def _target(db: str | None, url: str | None) -> tuple[str | None, str | None]:
    """Return (db, url): exactly one, a command-line option winning over the environment."""
    ctx = click.get_current_context()
    if db and url:
        sources = {name: ctx.get_parameter_source(name) for name in ("db", "url")}
        given = [n for n, src in sources.items() if src == click.core.ParameterSource.COMMANDLINE]
        if len(given) != 1:
            raise click.UsageError("give either --db FILE or --url URL, not both")
        return (db, None) if given == ["db"] else (None, url)
    if not db and not url:
        raise click.UsageError("give --db FILE (a database file) or --url URL (a running "
                               "emulator)")
    return db, url


def _run(action: Any) -> Any:
    """Run ``action``; refused data exits 1, a usage problem or an unreachable --url exits 2."""
    from emulator.problems import FixtureProblems
    from emulator.remote import RemoteUnavailable

    try:
        return action()
    except FixtureProblems as error:
        click.echo(f"Error: refused, nothing was changed.\n{error.message}", err=True)
        sys.exit(1)
    except EmulatorError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2 if isinstance(error, (ConfigError, RemoteUnavailable, StoreLocked)) else 1)


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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@_db_option
@_url_option
@click.option("--mode", envvar="MCEMU_MODE", default="upsert", show_default=True,
              type=click.Choice(["upsert", "insert", "replace"]),
              help="upsert by primary key; insert refuses keys that exist; replace swaps "
                   "each DE's rows. A DE without a primary key is append-only.")
@click.option("--dry-run", is_flag=True, envvar="MCEMU_DRY_RUN",
              help="Check everything, change nothing.")
@_token_option
def seed(paths: tuple[str, ...], db: str | None, url: str | None, mode: str, dry_run: bool,
         admin_token: str | None) -> None:
    """Seed Data Extensions from PATH (fixtures dirs, folders of DE files, DE files).

    All or nothing: any problem leaves the target unchanged, and every problem is listed.
    """
    from emulator.remote import AdminClient, relocate
    from emulator.seeding import load_seed_paths, seed_db_file

    db, url = _target(db, url)
    progress = _Progress()

    def run() -> Any:
        from emulator.problems import FixtureProblems

        definitions = load_seed_paths(
            paths, lambda size: progress("Reading", size, size >= LARGE_LOAD))
        progress.close()
        if url is None:
            rows = sum(len(d.rows) for d in definitions)
            tick = progress("Seeding", rows, rows >= LARGE_ROWS)
            return seed_db_file(db or "", definitions, mode, dry_run=dry_run, progress=tick)
        try:
            return AdminClient(url, admin_token).seed(definitions, mode, dry_run)
        except FixtureProblems as error:
            raise relocate(error, definitions) from None

    try:
        report = _run(run)
    finally:
        progress.close()
    click.echo(report.describe())


@main.command()
@click.argument("names", nargs=-1, metavar="[DE]...")
@_db_option
@_url_option
@click.option("--format", "format_", envvar="MCEMU_FORMAT", default="json", show_default=True,
              type=click.Choice(["json", "csv"]),
              help="json: rows inside <Key>.json; csv: rows in <Key>.csv beside the schema.")
@click.option("--out", envvar="MCEMU_OUT", default="export", show_default=True,
              type=click.Path(file_okay=False), help="The fixtures directory to write.")
@_token_option
def export(names: tuple[str, ...], db: str | None, url: str | None, format_: str, out: str,
           admin_token: str | None) -> None:
    """Export Data Extensions (all, or the DEs named) as a fixtures directory.

    What it writes seeds back to the same store (mcemu seed --mode replace OUT).
    """
    from pathlib import Path

    from emulator.export import select, write_export
    from emulator.remote import AdminClient

    db, url = _target(db, url)

    def run() -> Any:
        dump = AdminClient(url, admin_token).state()["dataExtensions"] if url else _dump(db)
        return write_export(select(dump, names), Path(out), format_)

    report = _run(run)
    rows = sum(report.rows.values())
    click.echo(f"Exported {len(report.rows)} Data Extension(s), {rows} row(s), to "
               f"{Path(out) / 'data_extensions'}")
    if report.empty_as_null:
        click.echo(f"Warning: CSV has no empty string: {report.empty_as_null} empty value(s) "
                   "were written as empty cells, which seed back as null. Use --format json "
                   "to keep them.", err=True)


def _dump(db: str | None) -> Any:
    from pathlib import Path

    from emulator.seeding import SaveWhenArmed
    from emulator.store.persistence import SnapshotFile
    from emulator.store.store import Store

    if not db or not Path(db).is_file():
        raise ConfigError(f"--db {db}: no such database file")
    with Store(SaveWhenArmed(SnapshotFile(db))) as store:  # never written: exporting reads
        return store.dump()


@main.command()
@_db_option
@_url_option
@click.option("--empty", is_flag=True, envvar="MCEMU_EMPTY",
              help="Remove every row, keeping each DE's schema (default: back to the fixtures).")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=_PathList(exists=True, file_okay=False),
              help="A fixtures directory to add to the defaults (repeatable; --db only).")
@click.option("--no-default-fixtures", is_flag=True, envvar="MCEMU_NO_DEFAULT_FIXTURES",
              help="Reset to the DEs of --fixtures only (--db only).")
@_token_option
def reset(db: str | None, url: str | None, empty: bool, fixtures: tuple[str, ...],
          no_default_fixtures: bool, admin_token: str | None) -> None:
    """Reset a store to its fixture state, or empty every Data Extension with --empty."""
    from emulator.remote import AdminClient

    db, url = _target(db, url)
    target = "empty" if empty else "fixtures"
    if url:
        ctx = click.get_current_context()
        for name in ("fixtures", "no_default_fixtures"):
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to --db only: a "
                                       "running emulator resets to the fixtures it was "
                                       "started with")
        counts = _run(lambda: AdminClient(url, admin_token).reset(target))["dataExtensions"]
    else:
        counts = _run(lambda: _reset_file(db or "", target, fixtures, no_default_fixtures))
    summary = ", ".join(f"{key} ({count})" for key, count in counts.items()) or "none"
    click.echo(f"Reset to {target}: {summary}")


def _reset_file(db: str, target: str, fixtures: tuple[str, ...],
                no_default_fixtures: bool) -> dict[str, int]:
    from emulator.clock import Clock
    from emulator.config import load_settings
    from emulator.fixtures import load_fixture_dirs
    from emulator.journal import Journal
    from emulator.reset import reset as reset_store
    from emulator.runtime import Emulator
    from emulator.store.store import Store

    settings = load_settings({"db": db, "fixtures": fixtures,
                              "no_default_fixtures": no_default_fixtures}, environ={})
    definitions = load_fixture_dirs(settings.fixtures, include_default=not no_default_fixtures)
    emulator = Emulator(settings=settings, store=Store.open(db), clock=Clock(),
                        journal=Journal(), mounts={}, fixtures=definitions)
    try:
        reset_store(emulator, target)
        return {key: emulator.store.count(key) for key in emulator.store.keys()}
    finally:
        emulator.close()
