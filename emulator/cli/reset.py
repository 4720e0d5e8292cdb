"""``mcemu reset``: a ``--db`` file or a running emulator back to a known state."""

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


@click.command()
@db_option
@url_option
@click.option("--empty", is_flag=True, envvar="MCEMU_EMPTY",
              help="Remove every row, keeping each DE's schema (default: back to the fixtures).")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=PathList(exists=True, file_okay=False),
              help="A fixtures directory to add to the defaults (repeatable; --db only).")
@click.option("--no-default-fixtures", is_flag=True, envvar="MCEMU_NO_DEFAULT_FIXTURES",
              help="Reset to the DEs of --fixtures only (--db only).")
@admin_token_option
def reset(db: str | None, url: str | None, empty: bool, fixtures: tuple[str, ...],
          no_default_fixtures: bool, admin_token: str | None) -> None:
    """Reset a store to its fixture state, or empty every Data Extension with --empty."""
    from emulator.cli.remote import AdminClient

    db, url = choose_target(db, url)
    target = "empty" if empty else "fixtures"
    if url:
        ctx = click.get_current_context()
        for name in ("fixtures", "no_default_fixtures"):
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to --db only: a "
                                       "running emulator resets to the fixtures it was "
                                       "started with")
        counts = run_or_exit(lambda: AdminClient(url, admin_token).reset(target))["dataExtensions"]
    else:
        counts = run_or_exit(lambda: _reset_file(db or "", target, fixtures, no_default_fixtures))
    summary = ", ".join(f"{key} ({count})" for key, count in counts.items()) or "none"
    click.echo(f"Reset to {target}: {summary}")


def _reset_file(db: str, target: str, fixtures: tuple[str, ...],
                no_default_fixtures: bool) -> dict[str, int]:
    from emulator.clock import Clock
    from emulator.config import load_settings
    from emulator.fixtures.discovery import load_fixture_dirs
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
