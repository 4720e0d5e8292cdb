"""The README's commands: scripts/serve and the venv set-up they share, with a stand-in venv.

The stand-in ``.venv`` records what it is asked to do instead of installing, so the test checks
the scripts' own logic (stamps, arguments, exit status) quickly and offline.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$(dirname "$0")/../calls.log"
"""
FAKE_MCEMU = """#!/usr/bin/env bash
echo "mcemu $*" >> "$(dirname "$0")/../calls.log"
echo "served: $*"
"""


def checkout(tmp_path: Path) -> Path:
    """Copy the scripts and pyproject.toml beside a stand-in .venv."""
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "scripts", work / "scripts")
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    bin_dir = work / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("python", FAKE_PYTHON), ("mcemu", FAKE_MCEMU)):
        path = bin_dir / name
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return work


def calls(work: Path) -> list[str]:
    log = work / ".venv" / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_serve_installs_once_then_serves_with_the_arguments_given(tmp_path):
    work = checkout(tmp_path)
    first = subprocess.run(["bash", "scripts/serve", "--port", "9999"], cwd=work,
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "served: serve --port 9999" in first.stdout
    assert any(c.startswith("python -m pip install") and c.endswith(str(work))
               for c in calls(work))  # editable install, no extras
    assert (work / ".venv" / ".mcemu-installed").exists()
    installs = len([c for c in calls(work) if "pip install" in c])
    again = subprocess.run(["bash", "scripts/serve"], cwd=work, capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 0 and "served: serve" in again.stdout
    assert len([c for c in calls(work) if "pip install" in c]) == installs  # stamp unchanged


def test_a_changed_pyproject_reinstalls(tmp_path):
    work = checkout(tmp_path)
    subprocess.run(["bash", "scripts/serve"], cwd=work, check=True, capture_output=True,
                   timeout=60)
    before = len([c for c in calls(work) if "pip install" in c])
    (work / "pyproject.toml").write_text((work / "pyproject.toml").read_text() + "\n# x\n")
    subprocess.run(["bash", "scripts/serve"], cwd=work, check=True, capture_output=True,
                   timeout=60)
    assert len([c for c in calls(work) if "pip install" in c]) > before


def test_the_test_extra_has_its_own_stamp(tmp_path):
    work = checkout(tmp_path)
    result = subprocess.run(["bash", "-c", 'source scripts/_venv.sh "[test]"; echo "ok $stamp"'],
                            cwd=work, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(".mcemu-installed-test")
    assert any(c.endswith(f"{work}[test]") for c in calls(work))


def test_the_stop_benchmark_refuses_bad_arguments_before_starting_anything() -> None:
    import sys

    for args, text in ((["--signals", "SIGHUP"], "--signals takes SIGKILL, SIGTERM and SIGINT"),
                       (["--seconds", "0"], "must be above 0"),
                       (["--connections", "0"], "--connections >= 1")):
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "stop", *args],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and text in done.stderr, (args, done.stderr)
