# Shared by scripts/serve and scripts/test: make .venv and (re)install the project in it.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS: "", "[test]" or "[test,docs]")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
extras="${1:-}"
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; install Python 3.10+ (Debian: apt-get install python3 python3-venv)" >&2
  exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV ..." >&2
  "$python" -m venv "$VENV"
fi
# Reinstall when pyproject.toml (or the extras asked for) changed since the last install.
# One stamp per set of extras: "[test,docs]" -> .mcemu-installed-test-docs.
stamp="$VENV/.mcemu-installed"
if [ -n "$extras" ]; then
  suffix="${extras#[}"; suffix="${suffix%]}"
  stamp="$stamp-${suffix//,/-}"
fi
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing mc-emulator$extras into $VENV (editable) ..." >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$extras" >&2
  echo "$want" > "$stamp"
fi
