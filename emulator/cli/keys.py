"""Find an app's signing secret for ``mcemu jwt decode`` and ``mcemu demo``.

From a ``--db`` file (read, never written), a running emulator's admin API (``--url``) or the
fixture directories, the defaults first, as the server loads them.
"""

from __future__ import annotations

from typing import Any

from emulator.errors import ConfigError, EmulatorError


def secret_from_rows(rows: list[dict[str, Any]], client_id: str, where: str) -> str:
    """Return the exact client's ``signing_secret`` among AppCredentials rows."""
    for row in rows:
        if row.get("client_id") == client_id and row.get("signing_secret"):
            return str(row["signing_secret"])
    raise ConfigError(f"no AppCredentials row for client_id {client_id!r} in {where}")


def secret_from_url(url: str, client_id: str, admin_token: str | None = None) -> str:
    """Read the secret through a running emulator's admin API."""
    from emulator.cli.remote import AdminClient

    client = AdminClient(url, admin_token)
    answer = client._call("GET", "/_emulator/data-extensions/AppCredentials/rows",
                          params={"client_id": client_id})
    return secret_from_rows(answer.get("rows", []), client_id, url)


def client_ids_from_url(url: str, admin_token: str | None = None) -> list[str]:
    """Return the client_ids of a running emulator's AppCredentials; none when unreadable."""
    from emulator.cli.remote import AdminClient

    try:
        answer = AdminClient(url, admin_token)._call(
            "GET", "/_emulator/data-extensions/AppCredentials/rows")
    except EmulatorError:
        return []
    rows = answer.get("rows", []) if isinstance(answer, dict) else []
    return [str(row["client_id"]) for row in rows
            if isinstance(row, dict) and row.get("client_id")]


def secret_from_db(db: str, client_id: str) -> str:
    """Read the secret from a ``--db`` file, without writing it."""
    from pathlib import Path

    from emulator.store.persistence import SnapshotFile, WriteWhenArmed
    from emulator.store.store import Store

    if not Path(db).is_file():
        raise ConfigError(f"--db {db}: no such database file")
    with Store(WriteWhenArmed(SnapshotFile(db))) as store:  # opened to read, never saved
        rows = store.rows("AppCredentials") if store.has("AppCredentials") else []
        return secret_from_rows([dict(row) for row in rows], client_id, db)


def secret_from_fixtures(fixtures: tuple[str, ...], client_id: str,
                         include_default: bool = True) -> str:
    """Read the secret from fixture directories (the defaults first, as the server does)."""
    from emulator.fixtures.discovery import load_fixture_dirs

    for definition in load_fixture_dirs(fixtures, include_default=include_default):
        if definition.schema.key == "AppCredentials":
            return secret_from_rows([dict(r) for r in definition.rows], client_id, "the fixtures")
    raise ConfigError("the fixtures have no AppCredentials Data Extension")
