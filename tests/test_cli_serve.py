"""``mcemu serve`` for real: a process on a free port, answering real HTTP requests."""

from __future__ import annotations

import json
import re

import jwt
import pytest
import requests
from click.testing import CliRunner
from conftest import DEMO, token_body
from tinydb import TinyDB

from emulator.cli import main


@pytest.mark.slow
def test_serve_answers_real_http_and_stops_cleanly_on_sigterm(server):
    emu = server()
    assert any("client_id=demo-client" in line for line in emu.banner)
    assert any(f"{emu.url}/token" in line for line in emu.banner)
    assert f"Dashboard: {emu.url}/_emulator/ui/" in emu.banner
    session = requests.Session()
    body = token_body()
    answer = session.post(f"{emu.url}/token", data=body,
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    token = answer.json()["access_token"]
    assert jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"])["client_id"] == (
        DEMO["client_id"])
    forbidden = session.get(f"{emu.url}/token", timeout=10)
    assert (forbidden.status_code, forbidden.content) == (200, b'{"message":"403 Forbidden"}')
    head = session.head(f"{emu.url}/token", timeout=10)
    assert head.status_code == 200 and head.content == b""
    health = session.get(f"{emu.url}/_emulator/health", timeout=10).json()
    assert health["dataExtensions"]["HTTPProperties"] == 3
    code, out, err = emu.stop()
    assert code == 0, err
    assert "mc-emulator stopped" in out
    assert "POST /token 200" in err  # the request log


@pytest.mark.slow
def test_serve_with_a_db_keeps_every_row_after_sigterm(server, tmp_path):
    path = tmp_path / "emu.json"
    emu = server("--db", str(path), "--mount", "/jwt-issuer=token")
    for _ in range(5):
        assert requests.post(f"{emu.url}/jwt-issuer", data=token_body(), timeout=10).ok
    code, out, _ = emu.stop()
    assert code == 0 and "store was saved" in out
    with TinyDB(path) as db:
        assert len(db.table("HTTPProperties")) == 5
    assert not list(tmp_path.glob("*.tmp*"))


@pytest.mark.slow
def test_serve_reads_mcemu_variables(server, tmp_path):
    emu = server(env={"MCEMU_MOUNT": "/jwt=token", "MCEMU_MAX_BODY": "100"})
    assert requests.post(f"{emu.url}/jwt", data=b"{}", timeout=10).status_code == 200
    too_big = requests.post(f"{emu.url}/jwt", data=b"x" * 101, timeout=10)
    assert too_big.status_code == 413 and too_big.json()["limit"] == 100
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_serve_survives_hostile_requests(server):
    emu = server()
    import socket

    host, port = emu.url.removeprefix("http://").split(":")
    for raw in (b"GARBAGE\r\n\r\n", b"POST /token HTTP/1.1\r\nContent-Length: 10\r\n\r\n{",
                b"POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(5)
            try:
                while sock.recv(4096):
                    pass
            except OSError:
                pass
    answer = requests.post(f"{emu.url}/token", data=token_body(), timeout=10)
    assert answer.status_code == 200 and "access_token" in answer.json()
    assert emu.stop()[0] == 0


def test_help_names_the_options():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--db", "--fixtures", "--no-default-fixtures", "--mount",
                   "--cors", "--max-body"):
        assert option in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--mount", "token"], "expected PATH=PAGE"),
    (["--mount", "/_emulator/x=token"], "belong to the emulator"),
    (["--port", "70000"], "70000"),
    (["--fixtures", "/no/such/dir"], "does not exist"),
    (["--max-body", "-1"], "-1"),
])
def test_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_page_exits_2():
    result = CliRunner().invoke(main, ["serve", "--mount", "/x=nope"])
    assert result.exit_code == 2
    assert "no page called 'nope'; pages: api, hardened, token" in result.output


def test_refused_fixture_data_exits_1(tmp_path):
    bad = tmp_path / "data_extensions"
    bad.mkdir()
    (bad / "Broken.json").write_text('{"key": "Broken", "fields": []}', encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--fixtures", str(tmp_path)])
    assert result.exit_code == 1
    assert "Broken.json" in result.output


def test_a_port_in_use_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@pytest.mark.slow
def test_json_in_banner_example_is_valid(server):
    emu = server()
    command = "\n".join(emu.banner)
    body = re.search(r"-d '(\{.*\})'", command).group(1)
    assert json.loads(body)["client_id"] == "demo-client"
    assert requests.post(f"{emu.url}/token", data=body.encode(), timeout=10).json()[
        "access_token"]
    assert emu.stop()[0] == 0


@pytest.mark.slow
def test_concurrent_clients_lose_no_rows_and_leave_a_valid_file(server, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "busy.json"
    emu = server("--db", str(path), "--quiet")

    def client(worker: int) -> list[int]:
        with requests.Session() as session:
            return [session.post(f"{emu.url}/token?w={worker}&n={n}", data=token_body(),
                                 timeout=30).status_code for n in range(25)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [code for codes in pool.map(client, range(16)) for code in codes]
    assert statuses == [200] * 400
    assert emu.stop()[0] == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    queries = sorted(row["QueryString"] for row in document["HTTPProperties"].values())
    assert queries == sorted(f"?w={w}&n={n}" for w in range(16) for n in range(25))
