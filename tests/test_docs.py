"""The README is a short front door, and docs/ builds as a strict MkDocs site.

MkDocs checks the links and anchors between the pages of docs/; the README lives outside it,
so its links into docs/ are checked here, against the `<a id="..."></a>` anchors of each page.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"

FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
NAV_PAGE = re.compile(r"^\s+- [^:\n]+:\s*(\S+\.md)\s*$", re.MULTILINE)
needs_mkdocs = pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None,
                                  reason="mkdocs is not installed (the docs extra)")


def prose(path: Path) -> str:
    """Return the text of a Markdown file without its fenced code blocks."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def relative_links(path: Path) -> list[str]:
    """Return the links of a Markdown file that point into the repository."""
    return [link for link in LINK.findall(prose(path))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


def nav_pages() -> list[str]:
    return NAV_PAGE.findall(MKDOCS_YML.read_text(encoding="utf-8"))


def build(docs_dir: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` with the repository's mkdocs.yml over ``docs_dir``."""
    config = docs_dir.parent / "mkdocs.yml"
    if config != MKDOCS_YML:
        shutil.copy(MKDOCS_YML, config)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(config), "--site-dir", str(site_dir)],
                          capture_output=True, text=True, cwd=docs_dir.parent, timeout=120,
                          check=False)


def test_the_readme_is_a_short_front_door() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move the detail into docs/"


def test_the_readme_says_how_to_install_and_run() -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(r"^## Install\b", text, re.MULTILINE), "no Install section"
    install = text.split("## Install", 1)[1].split("\n## ", 1)[0]
    for needed in ("./scripts/serve", "pip install", ".venv/bin/mcemu", "mcemu serve"):
        assert needed in install, f"the Install section does not mention {needed}"
    assert "./scripts/test" in text


def test_every_readme_link_reaches_a_file_and_its_anchor() -> None:
    links = relative_links(README)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        target, _, anchor = link.partition("#")
        path = (ROOT / target) if target else README
        assert path.exists(), f"README.md links to {target}, which does not exist"
        if anchor:
            anchors = set(ANCHOR.findall(path.read_text(encoding="utf-8")))
            assert anchor in anchors, f'README.md links to {link}: no <a id="{anchor}"></a>'


def test_the_readme_links_every_docs_page() -> None:
    linked = {link.partition("#")[0] for link in relative_links(README)}
    for page in nav_pages():
        assert f"docs/{page}" in linked, f"README.md does not link docs/{page}"


def test_every_docs_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    pages = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
    nav = nav_pages()
    assert len(nav) == len(set(nav)), "a page is listed twice in the nav"
    assert sorted(nav) == pages


def test_anchors_are_html_not_attribute_lists() -> None:
    """An attribute list ({#id}) shows as text on the forge; <a id> works in both places."""
    for path in [README, *DOCS.rglob("*.md")]:
        assert not re.search(r"\{\s*#[\w-]+[^}]*\}", prose(path)), f"{path}: use <a id>"


def test_link_and_anchor_problems_are_warnings_that_strict_mode_fails_on() -> None:
    text = MKDOCS_YML.read_text(encoding="utf-8")
    block = text.split("validation:", 1)[1]
    for key in ("not_found", "anchors", "unrecognized_links"):
        assert re.search(rf"^\s+{key}: warn\s*$", block, re.MULTILINE), key


@needs_mkdocs
def test_the_docs_site_builds_strictly(tmp_path: Path) -> None:
    done = build(DOCS, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "ci" / "index.html").exists()


@needs_mkdocs
def test_a_broken_anchor_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    page = docs / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](ci.md#no-such-anchor)\n",
                    encoding="utf-8")
    done = build(docs, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-anchor" in done.stdout + done.stderr
