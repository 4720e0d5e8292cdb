"""``mcemu seed/export/reset --url`` against a real ``mcemu serve`` process, over real HTTP."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from conftest import MCEMU

USERS = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True},
                                    {"name": "Name", "length": 5}]}


def mcemu(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MCEMU, *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", **(env or {})})


def write(folder: Path, doc: dict, indent: int | None = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc['key']}.json"
    path.write_text(json.dumps(doc, indent=indent), encoding="utf-8")
    return path


@pytest.mark.slow
def test_seed_export_and_reset_a_running_emulator(server, tmp_path: Path) -> None:
    emu = server("--quiet")
    source = write(tmp_path / "fx", {**USERS, "rows": [{"Id": "u1", "Name": "Ann"}]})
    seeded = mcemu("seed", str(source), "--url", emu.url)
    assert seeded.returncode == 0, seeded.stderr
    assert "Users: created, 1 added" in seeded.stdout
    rows = requests.get(f"{emu.url}/_emulator/data-extensions/Users/rows", timeout=10).json()
    assert rows["rows"] == [{"Id": "u1", "Name": "Ann"}]

    out = tmp_path / "out"
    exported = mcemu("export", "Users", "--url", emu.url, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads((out / "data_extensions" / "Users.json").read_text())["rows"] == [
        {"Id": "u1", "Name": "Ann"}]
    missing = mcemu("export", "Nope", "--url", emu.url, "--out", str(out))
    assert missing.returncode == 1 and "the store has: AppCredentials" in missing.stderr

    reset = mcemu("reset", "--url", emu.url)
    assert reset.returncode == 0 and "Reset to start" in reset.stdout  # seeded after start
    assert requests.get(f"{emu.url}/_emulator/data-extensions/Users",
                        timeout=10).status_code == 404
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_problems_the_server_finds_point_into_the_local_files(server, tmp_path: Path) -> None:
    emu = server("--quiet")
    first = write(tmp_path / "a", {**USERS, "rows": [{"Id": "u1", "Name": "Ann"}]})
    assert mcemu("seed", str(first), "--url", emu.url).returncode == 0
    before = requests.get(f"{emu.url}/_emulator/state", timeout=10).json()["dataExtensions"]
    again = write(tmp_path / "b", {**USERS, "rows": [{"Id": "u2", "Name": "Bob"},
                                                     {"Id": "U1", "Name": "Ann"}]})
    refused = mcemu("seed", str(again), "--url", emu.url, "--mode", "insert")
    assert refused.returncode == 1
    text = again.read_text()
    offset = text.index('"U1"')
    line, column = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    assert f"{again}: Data Extension 'Users': line {line}, column {column}: rows[1]: " \
           "field 'Id'" in refused.stderr
    after = requests.get(f"{emu.url}/_emulator/state", timeout=10).json()["dataExtensions"]
    assert after == before
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_an_admin_token_guards_the_admin_api_but_not_the_pages(server, tmp_path: Path) -> None:
    emu = server("--quiet", env={"MCEMU_ADMIN_TOKEN": "t0ken"})
    source = write(tmp_path / "fx", {**USERS, "rows": []})
    refused = mcemu("seed", str(source), "--url", emu.url)
    assert refused.returncode == 2 and "admin token" in refused.stderr
    allowed = mcemu("seed", str(source), "--url", emu.url, env={"MCEMU_ADMIN_TOKEN": "t0ken"})
    assert allowed.returncode == 0, allowed.stderr
    page = requests.post(f"{emu.url}/token", data=b"{}", timeout=10,
                         headers={"Origin": "http://attacker.example"})
    assert page.status_code == 200
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_a_rebound_host_name_cannot_reach_the_admin_api(server) -> None:
    emu = server("--quiet")
    evil = requests.get(f"{emu.url}/_emulator/state", headers={"Host": "attacker.example"},
                        timeout=10)
    assert evil.status_code == 403 and evil.json()["emulator_error"] == "admin_host_refused"
    page = requests.get(f"{emu.url}/token", headers={"Host": "attacker.example"}, timeout=10)
    assert page.status_code == 200
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_an_unreachable_url_is_a_clear_usage_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = write(tmp_path / "fx", {**USERS, "rows": []})
    for args in (["seed", str(source)], ["export"], ["reset"]):
        result = mcemu(*args, "--url", f"http://127.0.0.1:{port}")
        assert result.returncode == 2
        assert f"no emulator answers at http://127.0.0.1:{port}" in result.stderr
