"""The settings table: one row per setting gives the MCEMU_* parsing, serve options and docs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from emulator.cli import main
from emulator.config import SETTINGS, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "settings_table.py"

#: setting -> a malformed value and a word of the message it must give. cors and admin_token are
#: left out: any text is a valid origin pattern or token to the emulator.
MALFORMED = {
    "host": ("a b", "expected a host name"),
    "port": ("abc", "expected a whole number"),
    "db": (str(ROOT), "is a directory"),
    "fixtures": ("/no/such/dir", "does not exist"),
    "no_default_fixtures": ("maybe", "expected 1 or 0"),
    "mount": ("token", "expected PATH=PAGE"),
    "pages": ("/no/such/dir", "does not exist"),
    "max_body": ("0", "expected a number above 0"),
    "connection_limit": ("0", "expected a number above 0"),
    "idle_timeout": ("1.5", "expected a whole number"),
    "drain_timeout": ("-1", "expected a number of seconds above 0"),
    "journal_size": ("-3", "expected a number above 0"),
    "frozen_time": ("yesterday", "expected an ISO 8601 time"),
    "time_zone": ("Mars/Olympus", "expected an IANA time zone"),
    "flush_interval": ("0", "expected a number of seconds above 0"),
    "durable": ("maybe", "expected 1 or 0"),
    "reseed": ("maybe", "expected 1 or 0"),
    "ssjs_timeout": ("soon", "expected a number of seconds"),
    "allow_outbound": ("localhost:http", "with a port from 1 to 65535"),
    "outbound_timeout": ("-1", "expected a number of seconds above 0"),
    "rest_async_completion": ("soon", "expected immediate, manual or a number of seconds"),
    "page_memory_limit": ("128M", "expected a whole number"),
    "ssjs_workers": ("two", "expected a whole number"),
    "ssjs_allow_json": ("maybe", "expected 1 or 0"),
    "debug": ("maybe", "expected 1 or 0"),
    "quiet": ("maybe", "expected 1 or 0"),
}
ROWS = {row.name: row for row in SETTINGS}


def test_every_field_of_settings_is_a_row_with_its_default():
    declared = [f for f in fields(Settings) if f.name != "extra"]
    assert [row.name for row in SETTINGS] == [f.name for f in declared]
    defaults = Settings()
    for row in SETTINGS:
        assert getattr(defaults, row.name) == row.default
        assert row.env == "MCEMU_" + row.name.upper()
        assert row.help.endswith(".")


def test_every_setting_has_a_malformed_case_here_unless_any_text_is_valid():
    assert set(MALFORMED) | {"cors", "admin_token"} == set(ROWS)


def test_serve_has_an_option_per_row_read_from_its_variable():
    serve = main.commands["serve"]
    options = {p.name: p for p in serve.params if isinstance(p, click.Option)}
    for row in SETTINGS:
        assert options[row.name].opts == [row.option]
        assert options[row.name].envvar == row.env


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_variable_is_a_usage_error_naming_it(name):
    value, message = MALFORMED[name]
    row = ROWS[name]
    result = CliRunner().invoke(main, ["serve"], env={row.env: value})
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{row.option}': {row.env}" in result.output
    assert message in result.output


@pytest.mark.parametrize("name", sorted(n for n in MALFORMED if not ROWS[n].flag))
def test_a_malformed_option_is_a_usage_error_naming_it(name):
    value, message = MALFORMED[name]
    row = ROWS[name]
    result = CliRunner().invoke(main, ["serve", row.option, value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{row.option}'" in result.output
    assert message in result.output


@pytest.mark.parametrize("name", sorted(n for n in MALFORMED if n not in ("db", "fixtures",
                                                                          "pages")))
def test_load_settings_refuses_the_same_values_naming_the_variable(name):
    from emulator.errors import ConfigError

    value, message = MALFORMED[name]
    row = ROWS[name]
    with pytest.raises(ConfigError, match=row.env) as refused:
        load_settings({}, environ={row.env: value})
    assert message in str(refused.value)


def test_typed_overrides_and_text_give_the_same_settings(tmp_path):
    typed = load_settings({"port": 0, "max_body": 10, "flush_interval": 2, "durable": True,
                           "fixtures": [tmp_path], "db": tmp_path / "a.json"}, environ={})
    text = load_settings({}, environ={"MCEMU_PORT": "0", "MCEMU_MAX_BODY": "10",
                                      "MCEMU_FLUSH_INTERVAL": "2", "MCEMU_DURABLE": "1",
                                      "MCEMU_FIXTURES": str(tmp_path),
                                      "MCEMU_DB": str(tmp_path / "a.json")})
    assert typed == text
    assert (typed.port, typed.max_body, typed.flush_interval) == (0, 10, 2.0)
    assert typed.fixtures == (str(tmp_path),) and typed.db == str(tmp_path / "a.json")


def test_an_empty_variable_counts_as_unset():
    assert load_settings({}, environ={"MCEMU_MAX_BODY": "", "MCEMU_PORT": " "}) == Settings()


def test_a_list_variable_splits_on_the_path_separator(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    both = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    result = CliRunner().invoke(main, ["serve", "--fixtures", str(tmp_path / "nope")],
                                env={"MCEMU_FIXTURES": both})
    assert result.exit_code == 2  # the option, not the variable: its directory is checked
    assert "nope" in result.output
    assert load_settings({}, environ={"MCEMU_FIXTURES": both}).fixtures == (
        str(tmp_path / "a"), str(tmp_path / "b"))


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def test_the_settings_doc_is_current():
    done = run_script("--check")
    assert done.returncode == 0, done.stderr


def test_the_check_finds_a_stale_doc_and_the_script_rewrites_it(tmp_path):
    doc = tmp_path / "settings.md"
    assert run_script("--out", str(doc)).returncode == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Settings\n")
    for row in SETTINGS:
        assert f"| `{row.env}` |" in text
    for variable in ("MCEMU_URL", "MCEMU_MODE", "MCEMU_JSON"):
        assert f"`{variable}`" in text
    assert run_script("--check", "--out", str(doc)).returncode == 0
    doc.write_text(text.replace("MCEMU_PORT", "MCEMU_PORTS"), encoding="utf-8")
    stale = run_script("--check", "--out", str(doc))
    assert stale.returncode == 1 and "stale" in stale.stderr
    assert run_script("--check", "--out", str(tmp_path / "missing.md")).returncode == 1
