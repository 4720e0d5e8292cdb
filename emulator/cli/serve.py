"""``mcemu serve``: the emulator over HTTP on waitress."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any

import click

from emulator import __version__
from emulator.cli.options import MountList, PathList
from emulator.errors import ConfigError, EmulatorError, StoreLocked


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="MCEMU_HOST",
              help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, envvar="MCEMU_PORT",
              type=click.IntRange(0, 65535), help="Port to listen on (0 picks a free one).")
@click.option("--db", envvar="MCEMU_DB", type=click.Path(dir_okay=False),
              help="Keep the Data Extensions in this TinyDB file (default: in memory).")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=PathList(exists=True, file_okay=False),
              help="A fixtures directory to add to the defaults (repeatable).")
@click.option("--no-default-fixtures", is_flag=True, envvar="MCEMU_NO_DEFAULT_FIXTURES",
              help="Start from no Data Extensions but those of --fixtures.")
@click.option("--mount", "mounts", multiple=True, envvar="MCEMU_MOUNT", type=MountList(),
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
    from emulator.web.server import serve as run_server

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


