"""``mcemu`` help, ``python -m emulator``, MCEMU_* on every option, and the exit-code plumbing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from emulator.cli import main
from emulator.config import SETTINGS

COMMANDS = ("demo", "export", "jwt", "reset", "seed", "serve")


def every_command(group: click.Group = main, prefix: str = "mcemu") -> Iterator[
        tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from every_command(command, f"{prefix} {name}")


def test_every_summary_is_a_whole_phrase_in_mcemu_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split("\n\n")[0].strip().splitlines()
    assert [line.split()[0] for line in listed] == list(COMMANDS)
    for line in listed:
        assert line.endswith(".") and not line.endswith("..."), line
    assert "MCEMU_<OPTION>" in result.output and "2  usage error" in result.output


def test_every_subcommand_summary_is_whole():
    for name, command in every_command():
        summary = command.get_short_help_str(limit=45)
        assert summary.endswith(".") and not summary.endswith("..."), (name, summary)


def test_every_option_is_read_from_its_mcemu_variable():
    for name, command in every_command():
        for param in command.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            long_name = next(o for o in param.opts if o.startswith("--"))
            expected = "MCEMU_" + long_name[2:].replace("-", "_").upper()
            assert param.envvar == expected, (name, long_name, param.envvar)


def test_serve_help_lists_every_variable_and_the_exit_codes():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    epilog = result.output.split("Environment variables")[1]
    for row in SETTINGS:
        assert any(line.split() == [row.env, row.option] for line in epilog.splitlines()), row
    assert "Exit codes:" in epilog
    for code in ("0  stopped cleanly", "1  the fixtures or the --db file were refused",
                 "2  usage error"):
        assert code in epilog
    # each default is said once, from the settings table
    assert result.output.count("5242880") == 1 and "[default: in memory]" in result.output


@pytest.mark.parametrize("module", ["emulator", "emulator.cli"])
def test_python_dash_m_runs_the_cli(module):
    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: mcemu ")
    for command in COMMANDS:
        assert f"\n  {command} " in done.stdout


def test_python_dash_m_passes_exit_codes_on():
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "abc"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Invalid value for '--port'" in done.stderr


def test_an_emulator_error_is_reported_once_with_its_exit_code(tmp_path):
    missing = str(tmp_path / "none.json")
    result = CliRunner().invoke(main, ["export", "--db", missing])  # ConfigError: exit 2
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: --db {missing}: no such database file"
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json", encoding="utf-8")
    refused = CliRunner().invoke(main, ["export", "--db", str(corrupt)])  # the data: exit 1
    assert refused.exit_code == 1, refused.output
    assert refused.output.startswith("Error: ") and "Traceback" not in refused.output
