"""The pytest plugin from an installed wheel (no extras), in a fresh venv, from another folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("flask", "tinydb", "responses", "waitress", "requests", "werkzeug")

UNRELATED_TESTS = '''
import sys


def test_unrelated_tests_pay_nothing(request):
    assert request.config.pluginmanager.has_plugin("mcemu")
    assert [m for m in HEAVY if m in sys.modules] == []
'''

CLIENT_TESTS = '''
import pytest
import requests

from emulator.testing import mock_marketing_cloud

BODY = b'{"operation":"RequestToken","client_id":"demo-client","client_secret":"demo-secret"}'


@pytest.mark.mcemu_fixtures(pages={"https://cloud.example.com/jwt-issuer": "token"})
def test_fixtures(mcemu_mock, mcemu_server, mcemu_store):
    mock_answer = requests.post("https://cloud.example.com/jwt-issuer", data=BODY)
    live_answer = requests.post(mcemu_server.url + "/jwt-issuer", data=BODY, timeout=10)
    assert mock_answer.content == live_answer.content
    assert mock_answer.json()["token_type"] == "Bearer"
    assert mcemu_store.rows("AppCredentials")[0]["client_id"] == "demo-client"


@mock_marketing_cloud("cloud.example.com")
def test_decorator():
    assert requests.post("https://cloud.example.com/token", data=BODY).ok
'''


@pytest.mark.slow
def test_the_plugin_works_from_a_wheel_installed_without_extras(installed_wheel, tmp_path):
    env_dir = installed_wheel  # the wheel as a user installs it, then only pytest: no test extra
    python = str(env_dir / "bin" / "python")
    project = tmp_path / "client-project"
    project.mkdir()
    imported = subprocess.run(
        [python, "-c", "import emulator.testing.plugin, sys; "
         f"print(emulator.testing.plugin.__file__, sorted(m for m in {HEAVY!r} "
         "if m in sys.modules))"],
        capture_output=True, text=True, check=True, cwd=project)
    where, heavy = imported.stdout.split(" ", 1)
    assert where.startswith(str(env_dir)) and heavy.strip() == "[]"
    for name, source in (("test_unrelated.py", UNRELATED_TESTS), ("test_client.py", CLIENT_TESTS)):
        (project / name).write_text(f"HEAVY = {HEAVY!r}\n" + source, encoding="utf-8")
        # One run per file: the client's file imports requests, which the first must not see.
        run = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
                              "error", name], capture_output=True, text=True, cwd=project,
                             timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert ("1 passed" if name == "test_unrelated.py" else "2 passed") in run.stdout
