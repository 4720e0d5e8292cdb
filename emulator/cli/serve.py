"""``mcemu serve``: the emulator over HTTP on waitress."""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any

import click

from emulator import __version__
from emulator.cli.options import setting_options
from emulator.config import SETTINGS
from emulator.errors import ConfigError, StoreWriteFailed


def _epilog() -> str:
    # "\b" keeps click from re-wrapping the lines of the paragraph that follows it
    width = max(len(row.env) for row in SETTINGS)
    variables = [f"  {row.env:<{width}}  {row.option}" for row in SETTINGS]
    return "\n\n".join([
        "\b\nEnvironment variables (a list is separated by "
        f"'{os.pathsep}'; a flag takes 1 or 0):\n" + "\n".join(variables),
        "\b\nExit codes:\n  0  stopped cleanly\n  1  the fixtures or the --db file were "
        "refused,\n     or the store could not be saved at the stop (its log is kept)\n"
        "  2  usage error: a bad option or variable, a --db file in use, a port "
        "taken",
    ])


@click.command(short_help="Serve the emulator's pages over HTTP.", epilog=_epilog())
@setting_options()
def serve(**values: Any) -> None:
    """Serve the emulator's pages over HTTP until Ctrl-C.

    Each option's default is shown beside it; 'docs/settings.md' has the same table.
    """
    from emulator.app import create_app
    from emulator.web import logfold
    from emulator.web.server import serve as run_server

    settings = {row.name: values[row.name] for row in SETTINGS}
    logging.basicConfig(level=logging.WARNING if settings["quiet"] else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logfold.install()  # a client's 5 MB field name or path is logged cut, with its length
    # waitress warns "Task queue depth is N" whenever requests wait for a thread: under any load
    # that is a log line per request, costing throughput and drowning the page's own warnings.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(settings)
    # The app, its fixtures and every module loaded so far live as long as this process does:
    # moved out of the collector's reach, full collections no longer walk them again and again.
    gc.freeze()
    host, port = settings["host"], settings["port"]
    try:
        run_server(app, host, port, on_ready=lambda url: _print_banner(app, url))
    except OSError as error:
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except StoreWriteFailed as error:  # the last save at the stop: never say it was saved
        raise StoreWriteFailed(not_saved(settings["db"], error), reason=error.reason) from None
    click.echo("mc-emulator stopped; the store was saved." if settings["db"] else
               "mc-emulator stopped.")


def not_saved(db: str, error: StoreWriteFailed) -> str:
    """Return what ``mcemu serve`` says when the store's last save at the stop failed."""
    journal = f"{db}.journal"
    return (f"mc-emulator stopped, but the store could not be saved to {db} "
            f"({error.reason or error.message}). Every change it answered as done is in its "
            f"write-ahead log {journal}, which was kept: free some space (or make the file "
            "writable) and start it again, and the log is replayed and folded in.")


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
