"""Write the coverage page's table of emulated platform members and AMPscript functions.

The table is built from the tables the emulator runs on — the AMPscript function registry
(``emulator.ampscript.FUNCTIONS``, each entry with its fidelity tag) and the SSJS member registry
(``emulator.platform.members``) — so it cannot drift from the code. Only the block between
``<!-- coverage:start ... -->`` and ``<!-- coverage:end -->`` is rewritten.

    python scripts/coverage_table.py            # rewrite the block in docs/coverage.md
    python scripts/coverage_table.py --check    # exit 1 when docs/coverage.md is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without an install too

from emulator.ampscript import FUNCTIONS  # noqa: E402
from emulator.ampscript.catalogue import KNOWN_FUNCTIONS, reason  # noqa: E402
from emulator.platform.members import EMULATED, NOT_EMULATED  # noqa: E402

BLOCK = re.compile(r"(<!-- coverage:start[^\n]*-->\n)(.*?)(<!-- coverage:end -->)", re.DOTALL)


def table() -> str:
    """Return the markdown of the coverage block."""
    lines = [
        "Each row carries the fidelity tag of its rule (OFF, RT, 3P, ASSUMED).",
        "Anything else raises a catchable \"not emulated\" error.",
        "",
        "**SSJS platform members**",
        "",
        "| member | tag |",
        "|---|---|",
    ]
    lines += [f"| `{member.path}` | {member.tag} |" for member in EMULATED]
    lines += ["", "**AMPscript functions**", "", "| function | arguments | tag |", "|---|---|---|"]
    for entry in sorted(FUNCTIONS.values(), key=lambda entry: entry.name.lower()):
        lines.append(f"| `{entry.name}` | {entry.expected()} | {entry.tag} |")
    emulated = {entry.name.lower() for entry in FUNCTIONS.values()}
    missing = sorted((name for name in KNOWN_FUNCTIONS if name.lower() not in emulated),
                     key=str.lower)
    lines += ["", "**Known but not emulated**", "",
              "- SSJS: " + ", ".join(f"`{name}`" for name in NOT_EMULATED), "",
              "| AMPscript function | why not |", "|---|---|"]
    lines += [f"| `{name}` | {reason(name)} |" for name in missing]
    return "\n".join(lines) + "\n"


def rewrite(page: str) -> str:
    """Return ``page`` with its coverage block replaced; raise ValueError without one."""
    if BLOCK.search(page) is None:
        raise ValueError("no <!-- coverage:start ... --> ... <!-- coverage:end --> block")
    return BLOCK.sub(lambda match: match.group(1) + table() + match.group(3), page, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the page's block is stale, change nothing")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "coverage.md",
                        help="the Markdown page to rewrite or check (default: docs/coverage.md)")
    options = parser.parse_args(argv)
    current = options.page.read_text(encoding="utf-8")
    try:
        wanted = rewrite(current)
    except ValueError as error:
        print(f"{options.page}: {error}", file=sys.stderr)
        return 2
    if options.check:
        if wanted != current:
            print(f"{options.page}: the coverage table is stale; run "
                  "python scripts/coverage_table.py", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        options.page.write_text(wanted, encoding="utf-8")
        print(f"{options.page}: coverage table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
