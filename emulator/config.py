"""Settings: defaults, then ``MCEMU_*`` environment variables, then explicit overrides.

Read at call time, never at import (style.md, "Nothing at import time"). Every setting has one
entry in :data:`SETTINGS`, which the CLI, the app factory and the README all follow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from emulator.errors import ConfigError

ENV_PREFIX = "MCEMU_"
DEFAULT_MAX_BODY = 5 * 1024 * 1024  # 5 MiB: the default body limit


@dataclass(frozen=True)
class Mount:
    """A page served at a path: ``--mount /jwt-issuer=token``."""

    path: str
    page: str

    @classmethod
    def parse(cls, text: str) -> Mount:
        """Parse ``PATH=PAGE``; the page name is checked against the registry later."""
        path, sep, page = text.partition("=")
        path, page = path.strip(), page.strip()
        if not sep or not path or not page:
            raise ConfigError(f"--mount {text!r}: expected PATH=PAGE, e.g. /jwt-issuer=token")
        if not path.startswith("/"):
            raise ConfigError(f"--mount {text!r}: the path must start with '/'")
        if path == "/_emulator" or path.startswith("/_emulator/"):
            raise ConfigError(f"--mount {text!r}: paths under /_emulator/ belong to the emulator")
        if any(ch in path for ch in "?#<> \t\r\n") or "//" in path:
            raise ConfigError(f"--mount {text!r}: the path may not contain '?', '#', spaces "
                              "or '//'")
        return cls(path, page)


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs; built by :func:`load_settings`."""

    db: str | None = None
    fixtures: tuple[str, ...] = ()
    no_default_fixtures: bool = False
    mount: tuple[Mount, ...] = ()
    cors: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    journal_size: int = 500
    frozen_time: datetime | None = None
    # --admin-token: the admin API then answers any client that presents it (web/admin/safety.py)
    admin_token: str | None = field(default=None, repr=False)
    # --db only: seconds of changes a hard kill may lose; --durable: none (fsync per change)
    flush_interval: float = 1.0
    durable: bool = False
    reseed: bool = False  # --reseed: replace a kept --db file's data by the fixtures
    pages: str | None = None  # --pages DIR: SSJS page files served at /<file name> (issue 9)
    ssjs_timeout: float = 10.0  # seconds an SSJS page may run before it is killed (408)
    ssjs_allow_json: bool = False  # give SSJS pages a native JSON object (Jint has none)
    debug: bool = False  # --debug: a page error's text, file and line in the 500 body
    extra: Mapping[str, Any] = field(default_factory=dict)  # plain Flask config (e.g. TESTING)


def _parse_bool(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={text!r}: expected 1 or 0")


def _parse_positive_int(name: str, text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ConfigError(f"{name}={text!r}: expected a whole number") from None
    if value <= 0:
        raise ConfigError(f"{name}={text!r}: expected a number above 0")
    return value


def _parse_positive_float(name: str, text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ConfigError(f"{name}={text!r}: expected a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name}={text!r}: expected a number of seconds above 0")
    return value


def parse_frozen_time(name: str, text: str) -> datetime:
    """Parse an ISO 8601 instant; a value without zone is read as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{name}={text!r}: expected an ISO 8601 time such as "
                          "2024-01-15T12:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _split_list(text: str) -> tuple[str, ...]:
    # design.md: a list in an environment variable is separated by the OS path separator
    return tuple(part for part in text.split(os.pathsep) if part.strip())


#: name -> parser of the environment text (lists are split before parsing each part)
_ENV_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "db": lambda n, t: t.strip() or None,
    "fixtures": lambda n, t: _split_list(t),
    "no_default_fixtures": _parse_bool,
    "mount": lambda n, t: tuple(Mount.parse(part) for part in _split_list(t)),
    "cors": lambda n, t: t.strip() or None,
    "max_body": _parse_positive_int,
    "journal_size": _parse_positive_int,
    "frozen_time": lambda n, t: parse_frozen_time(n, t) if t.strip() else None,
    "admin_token": lambda n, t: t.strip() or None,
    "flush_interval": _parse_positive_float,
    "durable": _parse_bool,
    "reseed": _parse_bool,
    "pages": lambda n, t: t.strip() or None,
    "ssjs_timeout": _parse_positive_float,
    "ssjs_allow_json": _parse_bool,
    "debug": _parse_bool,
}
SETTING_NAMES = tuple(_ENV_PARSERS)


def _coerce(name: str, value: Any) -> Any:
    """Normalise an explicit override to the type the setting holds."""
    if isinstance(value, str):
        return _ENV_PARSERS[name](name, value)
    if name in ("fixtures",) and value is not None:
        return tuple(str(item) for item in value)
    if name == "mount" and value is not None:
        return tuple(m if isinstance(m, Mount) else Mount.parse(str(m)) for m in value)
    if name in ("max_body", "journal_size"):
        return _parse_positive_int(name, str(value))
    if name in ("flush_interval", "ssjs_timeout"):
        return _parse_positive_float(name, str(value))
    if name == "pages" and value is not None:
        return os.fspath(value)
    if name == "db" and value is not None:
        return os.fspath(value)
    if name == "frozen_time" and isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Layer defaults, ``MCEMU_*`` variables and ``overrides`` (setting names, any case).

    Upper-case keys that are not settings pass through to the Flask config (``TESTING``).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, parse in _ENV_PARSERS.items():
        env_name = ENV_PREFIX + name.upper()
        if env_name in environ:
            values[name] = parse(env_name, environ[env_name])
    extra: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        name = key.lower().removeprefix("mcemu_")
        if name in _ENV_PARSERS:
            values[name] = _coerce(name, value)
        elif key.isupper():
            extra[key] = value
        else:
            known = ", ".join(SETTING_NAMES)
            raise ConfigError(f"unknown setting {key!r}; settings are: {known}")
    known_fields = {f.name for f in fields(Settings)}
    return Settings(extra=extra, **{k: v for k, v in values.items() if k in known_fields})
