"""The repository's scripts: scripts/serve and its venv set-up, and scripts/bench.py.

The stand-in ``.venv`` records what it is asked to do instead of installing, so the test checks
the scripts' own logic (stamps, arguments, exit status) quickly and offline.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

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
    for args, text in ((["--signals", "SIGHUP"], "--signals takes SIGKILL, SIGTERM and SIGINT"),
                       (["--seconds", "0"], "must be above 0"),
                       (["--connections", "0"], "--connections >= 1")):
        done = run_bench("stop", *args, timeout=60)
        assert done.returncode == 2 and text in done.stderr, (args, done.stderr)


FAKE_TOOL = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$(dirname "$0")/../calls.log"
exit_var="FAKE_EXIT_$(basename "$0" | tr a-z A-Z)"
exit "${!exit_var:-0}"
"""


def run_tests_script(tmp_path: Path, **env: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run scripts/test in a stand-in checkout: fake ruff and mkdocs, and a dpkg that finds
    Chromium installed. ``FAKE_EXIT_RUFF`` / ``FAKE_EXIT_MKDOCS`` make that tool fail."""
    work = checkout(tmp_path)
    for name in ("ruff", "mkdocs"):
        path = work / ".venv" / "bin" / name
        path.write_text(FAKE_TOOL, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    shims = tmp_path / "shims"
    shims.mkdir()
    dpkg = shims / "dpkg"
    dpkg.write_text("#!/usr/bin/env bash\nexit 0\n", encoding="utf-8")
    dpkg.chmod(dpkg.stat().st_mode | stat.S_IEXEC)
    done = subprocess.run(["bash", "scripts/test", "-k", "x"], cwd=work, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", **env})
    return work, done


def test_the_test_script_installs_the_docs_extra_and_builds_the_docs_before_pytest(tmp_path):
    work, done = run_tests_script(tmp_path)
    assert done.returncode == 0, done.stderr
    log = calls(work)
    assert any(c.startswith("python -m pip install") and c.endswith(f"{work}[test,docs]")
               for c in log)
    assert (work / ".venv" / ".mcemu-installed-test-docs").exists()
    steps = [" ".join(c.split()[:2]) for c in log if not c.startswith("python -m pip")]
    assert steps == ["ruff check", "mkdocs build", "python -m"], log
    build = next(c for c in log if c.startswith("mkdocs build")).split()
    assert "--strict" in build
    assert "--quiet" not in build and "-q" not in build  # quiet drops what strict counts
    site = Path(build[build.index("--site-dir") + 1])
    assert not site.exists()  # a temporary folder, removed again
    assert log[-1] == "python -m pytest -k x"


def test_a_docs_build_failure_stops_the_tests_before_pytest(tmp_path):
    work, done = run_tests_script(tmp_path, FAKE_EXIT_MKDOCS="1")
    assert done.returncode == 1
    assert "mkdocs build --strict" in done.stderr
    log = calls(work)
    assert any(c.startswith("mkdocs build") for c in log)
    assert not any(c.startswith("python -m pytest") for c in log)


BENCH = ROOT / "scripts" / "bench.py"
#: subcommand -> (tiny arguments, text each printed figure line of it holds)
BENCH_SMOKE = {
    "page": (["--requests", "3", "--sizes", "0,5"], ["baseline (bare Flask endpoint)",
                                                    "token page, memory store,      5 log rows",
                                                    "token page, file   store,      0 log rows"]),
    "mock": (["--requests", "3"], ["Flask test client (baseline)", "requests.post through the mock",
                                   "Session.post through the mock"]),
    "ssjs": (["--requests", "3"], ["cold: app with --pages", "token ", "api ", "hardened "]),
    "seed": (["--rows", "20", "--runs", "1"], ["baseline json.load + json.dump",
                                               "mcemu seed, JSON rows", "mcemu seed, CSV rows"]),
    "growth": (["--sizes", "0,5", "--requests", "3"], ["     0 rows: in-process p50",
                                                      "     5 rows: in-process p50", "target:"]),
    "tests": (["--tests", "3", "--rows", "0,5"], ["bare responses stub (baseline)",
                                                 "mcemu_client       0 fixture rows",
                                                 "mcemu_mock         5 fixture rows",
                                                 "mcemu_server       5 fixture rows",
                                                 "setup+teardown per test after the first"]),
}


def run_bench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.mark.parametrize("name", ["http", "growth", "seed", "stop", "page", "mock", "ssjs",
                                  "hostile", "tests"])
def test_every_bench_subcommand_has_its_help(name: str) -> None:
    done = run_bench(name, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: bench.py {name} ")
    assert name in run_bench("--help").stdout


@pytest.mark.parametrize("name", [
    # growth starts mcemu serve, ssjs its worker processes, tests 9 pytest runs: seconds each
    pytest.param(name, marks=pytest.mark.slow if name in ("growth", "ssjs", "tests") else ())
    for name in BENCH_SMOKE])
def test_each_in_process_benchmark_runs_with_tiny_counts(name: str) -> None:
    args, lines = BENCH_SMOKE[name]
    done = run_bench(name, *args)
    assert done.returncode == 0, done.stderr
    for text in lines:
        line = next((line for line in done.stdout.splitlines() if text in line), None)
        assert line is not None, (text, done.stdout)
        assert re.search(r"\d", line.replace(text, "")), line  # each carries a figure
    if name != "growth":  # growth compares sizes, the others a baseline of the same run
        assert re.search(r"ratio|x\d", done.stdout), done.stdout


#: the section headings of ``bench.py hostile``'s output
HOSTILE_SECTIONS = ["[1] 2 of 2 x POST /token with a 100,000-byte",
                    "[2a] /token while 4 endless loops and 1 catastrophic regex run",
                    "[2b] /token while a catastrophic regex runs alone",
                    "[2c] /token while a string bomb (10 doublings) runs",
                    "[3] a new client's POST /token", "[4] peak RSS"]
#: lines that must carry a figure after the text given
HOSTILE_FIGURES = ["server RSS before", "server log meanwhile:", "journal:", "  /token: ",
                   "endless loop 4:", "catastrophic regex (16 a's):",
                   "string bomb (to 2,048 chars):", "the next /token once",
                   "with    0 idle connections open:", "with   10 idle connections open",
                   "server VmHWM"]


@pytest.mark.slow  # starts mcemu serve and lets hostile pages run into a 1 s page limit
def test_the_hostile_benchmark_prints_every_section_with_tiny_counts() -> None:
    done = run_bench("hostile", "--requests", "2", "--payload", "100000", "--idle", "10",
                     "--page-limit", "1", "--samples", "3", "--regex-length", "16",
                     "--bomb-doublings", "10", "--deadline", "20", timeout=240)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = out.splitlines()
    for heading in HOSTILE_SECTIONS:
        assert any(line.startswith(heading) for line in lines), (heading, out)
    for text in HOSTILE_FIGURES:
        line = next((line for line in lines if text in line), None)
        assert line is not None, (text, out)
        assert re.search(r"\d", line.replace(text, "")), line  # each carries a figure
    assert out.count("(target <= ") == 10, out  # /token thrice, each of 7 hostile requests
    assert out.count("(target < 400 MB)") == 2, out  # RSS after the flood, peak RSS


@pytest.mark.parametrize("args", [["--tests", "0"], ["--rows", "-1"], ["--rows", "many"]])
def test_the_tests_benchmark_refuses_bad_arguments_before_running_anything(
        args: list[str]) -> None:
    done = run_bench("tests", *args, timeout=60)
    assert done.returncode == 2
    assert "--tests must be at least 1 and --rows counts >= 0" in done.stderr or (
        "invalid _sizes value: 'many'" in done.stderr), done.stderr
