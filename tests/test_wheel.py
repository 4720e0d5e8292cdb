"""An installed wheel, in a fresh venv, serves the default fixtures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from conftest import ServerProcess, token_body

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_serves_the_default_fixtures(installed_wheel, tmp_path):
    env_dir = installed_wheel
    python = env_dir / "bin" / "python"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed package, not the source tree, must answer: run from another folder.
    where = subprocess.run([str(python), "-c", "import emulator; print(emulator.__file__)"],
                           capture_output=True, text=True, check=True, cwd=elsewhere)
    assert str(env_dir) in where.stdout
    emu = ServerProcess(cwd=elsewhere, mcemu=str(env_dir / "bin" / "mcemu"))
    try:
        answer = requests.post(f"{emu.url}/token", data=token_body(), timeout=10)
        assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"
        health = requests.get(f"{emu.url}/_emulator/health", timeout=10).json()
        assert health["dataExtensions"]["AppCredentials"] == 1
    finally:
        assert emu.stop()[0] == 0
