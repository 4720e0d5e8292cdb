"""The coverage page's table is generated from the function and member tables, never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.ampscript import FUNCTIONS
from emulator.ampscript.catalogue import KNOWN_FUNCTIONS
from emulator.platform.members import EMULATED, NOT_EMULATED, OWNERS, ssjs_names

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "coverage_table.py"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


def test_the_coverage_page_is_current() -> None:
    result = run_script("--check")
    assert result.returncode == 0, result.stderr + " (run: python scripts/coverage_table.py)"


def test_a_stale_page_is_detected_and_rewritten(tmp_path: Path) -> None:
    page = tmp_path / "coverage.md"
    page.write_text("# Title\n\nprose stays\n\n<!-- coverage:start (generated) -->\nold rows\n"
                      "<!-- coverage:end -->\n\nmore prose\n", encoding="utf-8")
    assert run_script("--check", "--page", str(page)).returncode == 1
    assert "old rows" in page.read_text(encoding="utf-8")  # --check changes nothing
    assert run_script("--page", str(page)).returncode == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nprose stays\n\n<!-- coverage:start (generated) -->\n")
    assert text.endswith("<!-- coverage:end -->\n\nmore prose\n")
    assert "old rows" not in text and "| `GetJWTByKeyName` | 3 | OFF, RT |" in text
    assert "`Platform.Response.Redirect`" in text
    assert run_script("--check", "--page", str(page)).returncode == 0


def test_a_page_without_the_block_is_a_usage_error(tmp_path: Path) -> None:
    page = tmp_path / "coverage.md"
    page.write_text("# no block\n", encoding="utf-8")
    result = run_script("--check", "--page", str(page))
    assert result.returncode == 2 and "coverage:start" in result.stderr


@pytest.mark.parametrize("owner", sorted(OWNERS))
def test_the_member_table_matches_the_shims(owner: str) -> None:
    listed = {member.name for member in EMULATED if member.owner == owner}
    absent = {path.rsplit(".", 1)[1] for path in NOT_EMULATED
              if path.rsplit(".", 1)[0] == owner}
    defined = ssjs_names(owner)
    assert listed <= defined, f"listed but not defined on {OWNERS[owner].__name__}"
    assert defined - listed <= absent, f"defined on {OWNERS[owner].__name__} but not listed"


def test_every_member_and_function_has_a_tag() -> None:
    tags = ("OFF", "RT", "3P", "ASSUMED")
    assert all(any(tag in member.tag for tag in tags) for member in EMULATED)
    assert all(any(tag in entry.tag for tag in tags) for entry in FUNCTIONS.values())


def test_the_catalogue_knows_every_emulated_function() -> None:
    known = {name.lower() for name in KNOWN_FUNCTIONS}
    assert {name for name in FUNCTIONS} <= known
