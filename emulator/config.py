"""Settings: defaults, then ``MCEMU_*`` environment variables, then explicit overrides.

Read at call time, never at import. Each setting is declared once, as a field of
:class:`Settings` made by :func:`setting` (default, parser, help text); :data:`SETTINGS` lists
those rows, and the environment parsing, the ``mcemu serve`` options and ``docs/settings.md``
(``scripts/settings_table.py``) are all generated from them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from emulator.clock import DEFAULT_LOCAL_ZONE, zone_of
from emulator.errors import ConfigError

ENV_PREFIX = "MCEMU_"
DEFAULT_MAX_BODY = 5 * 1024 * 1024  # 5 MiB: the default request body limit

#: parse(label, value) -> the setting's value; label names where the value came from
#: (``MCEMU_PORT``, ``port``), or is empty when the caller names it already (a click option).
Parser = Callable[[str, Any], Any]


def _refusal(label: str, value: Any, expected: str) -> ConfigError:
    shown = f"{label}={value!r}" if label else repr(value)
    return ConfigError(f"{shown}: {expected}")


def _text(value: Any) -> str:
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def parse_optional_text(label: str, value: Any) -> str | None:
    """Return the text, or None when it is empty."""
    return _text(value).strip() or None


def parse_host(label: str, value: Any) -> str:
    host = _text(value).strip()
    if not host or any(ch.isspace() for ch in host):
        raise _refusal(label, value, "expected a host name or address, e.g. 127.0.0.1")
    return host


def parse_bool(label: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise _refusal(label, value, "expected 1 or 0")


def _whole_number(label: str, value: Any) -> int:
    if isinstance(value, bool):
        raise _refusal(label, value, "expected a whole number")
    try:
        return int(_text(value).strip())
    except ValueError:
        raise _refusal(label, value, "expected a whole number") from None


def parse_positive_int(label: str, value: Any) -> int:
    number = _whole_number(label, value)
    if number <= 0:
        raise _refusal(label, value, "expected a number above 0")
    return number


def parse_port(label: str, value: Any) -> int:
    number = _whole_number(label, value)
    if not 0 <= number <= 65535:
        raise _refusal(label, value, "expected a port number from 0 to 65535")
    return number


def parse_seconds(label: str, value: Any) -> float:
    if isinstance(value, bool):
        raise _refusal(label, value, "expected a number of seconds")
    try:
        number = float(_text(value).strip())
    except ValueError:
        raise _refusal(label, value, "expected a number of seconds") from None
    if not number > 0 or number == float("inf"):
        raise _refusal(label, value, "expected a number of seconds above 0")
    return number


def parse_async_completion(label: str, value: Any) -> str | float:
    """Return when REST async jobs run: ``immediate``, ``manual`` or seconds (0: immediate)."""
    expected = "expected immediate, manual or a number of seconds from 0 to 86400"
    text = _text(value).strip().lower() if not isinstance(value, (int, float)) else ""
    if text in ("immediate", "manual"):
        return text
    if isinstance(value, bool):
        raise _refusal(label, value, expected)
    try:
        seconds = float(value if isinstance(value, (int, float)) else text)
    except ValueError:
        raise _refusal(label, value, expected) from None
    if not 0 <= seconds <= 86_400:
        raise _refusal(label, value, expected)
    return "immediate" if seconds == 0 else seconds


def parse_frozen_time(name: str, text: Any) -> datetime:
    """Parse an ISO 8601 instant (or take a datetime); a value without zone is read as UTC."""
    if isinstance(text, datetime):
        moment = text
    else:
        try:
            moment = datetime.fromisoformat(_text(text).strip().replace("Z", "+00:00"))
        except ValueError:
            raise _refusal(name, text, "expected an ISO 8601 time such as "
                                       "2024-01-15T12:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_time_zone(label: str, value: Any) -> str:
    """Return a time zone name ``zone_of`` reads (``Europe/Berlin``, ``UTC+2``)."""
    text = _text(value).strip()
    try:
        zone_of(text)
    except ValueError:
        raise _refusal(label, value, "expected an IANA time zone such as Europe/Berlin, or "
                                     "UTC, UTC+2, UTC-05:30") from None
    return text


def _parse_optional_time(label: str, value: Any) -> datetime | None:
    if isinstance(value, str) and not value.strip():
        return None
    return parse_frozen_time(label, value)


@dataclass(frozen=True)
class Mount:
    """A page served at a path: ``--mount /jwt-issuer=token``."""

    path: str
    page: str

    @classmethod
    def parse(cls, text: str, label: str = "--mount") -> Mount:
        """Parse ``PATH=PAGE``; the page name is checked against the registry later."""
        path, sep, page = text.partition("=")
        path, page = path.strip(), page.strip()
        given = f"{label} {text!r}" if label else repr(text)
        if not sep or not path or not page:
            raise ConfigError(f"{given}: expected PATH=PAGE, e.g. /jwt-issuer=token")
        if not path.startswith("/"):
            raise ConfigError(f"{given}: the path must start with '/'")
        if path == "/_emulator" or path.startswith("/_emulator/"):
            raise ConfigError(f"{given}: paths under /_emulator/ belong to the emulator")
        if any(ch in path for ch in "?#<> \t\r\n") or "//" in path:
            raise ConfigError(f"{given}: the path may not contain '?', '#', spaces or '//'")
        return cls(path, page)


def parse_allowed_host(label: str, value: Any) -> Any:
    """Parse ``HOST[:PORT]`` of ``--allow-outbound`` into an ``Allowed`` host."""
    from emulator.outbound.send import Allowed, parse_allowed

    if isinstance(value, Allowed):
        return value
    try:
        return parse_allowed(_text(value))
    except ValueError as error:
        raise _refusal(label, value, str(error)) from None


def parse_mount(label: str, value: Any) -> Mount:
    return value if isinstance(value, Mount) else Mount.parse(_text(value), label)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: an option of ``mcemu serve`` and an ``MCEMU_*`` variable."""

    name: str
    default: Any
    parse: Parser  # of one value (one item, for a list)
    help: str  # one phrase; the default is shown apart, from ``default`` or ``default_text``
    metavar: str | None = None
    flag: bool = False  # an option without a value; its variable takes 1 or 0
    many: bool = False  # repeatable option; the variable separates items with os.pathsep
    path: str | None = None  # "file": a file path; "dir": an existing directory
    default_text: str | None = None  # how to say a default of None or () (e.g. "in memory")
    separator: str | None = None  # a list's separator in its variable (None: os.pathsep)

    @property
    def splitter(self) -> str:
        """Return what separates a list's items in its variable."""
        return self.separator or os.pathsep

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def shown_default(self) -> str | None:
        """The default as help texts and the docs say it, or None when there is nothing to say."""
        if self.default_text is not None:
            return self.default_text
        if self.flag:
            return None
        if self.default is None or self.default == ():
            return None
        return str(self.default)

    def read(self, label: str, value: Any) -> Any:
        """Turn ``value`` (text from the environment, or any override) into the setting's value."""
        if value is None:
            return self.default
        if not self.many:
            return self.parse(label, value)
        if isinstance(value, str):
            items: Iterable[Any] = _split_list(value, self.splitter)
        elif isinstance(value, (os.PathLike, Mount)):
            items = (value,)
        else:
            items = value
        return tuple(self.parse(label, item) for item in items)


def setting(default: Any, parse: Parser, help: str, **row: Any) -> Any:
    """Declare a field of :class:`Settings` and its row of the settings table."""
    return field(default=default, metadata={"setting": (parse, help, row)})


@dataclass(frozen=True)
class Settings:
    """Everything ``mcemu serve`` and ``create_app`` need; built by :func:`load_settings`."""

    host: str = setting("127.0.0.1", parse_host, "Address to listen on.", metavar="HOST")
    port: int = setting(8080, parse_port, "Port to listen on (0 picks a free one).",
                        metavar="PORT")
    db: str | None = setting(None, parse_optional_text,
                             "Keep the Data Extensions in this TinyDB file.", metavar="FILE",
                             path="file", default_text="in memory")
    fixtures: tuple[str, ...] = setting(
        (), parse_optional_text, "A fixtures directory to add to the defaults (repeatable).",
        metavar="DIR", many=True, path="dir")
    no_default_fixtures: bool = setting(
        False, parse_bool, "Start from no Data Extensions but those of --fixtures.", flag=True)
    mount: tuple[Mount, ...] = setting(
        (), parse_mount, "Serve a page at a path, e.g. --mount /jwt-issuer=token (repeatable).",
        metavar="PATH=PAGE", many=True)
    pages: str | None = setting(
        None, parse_optional_text,
        "Serve the SSJS page files of DIR, each at /<file name without extension>.",
        metavar="DIR", path="dir")
    cors: str | None = setting(
        None, parse_optional_text,
        "Send CORS headers for this origin ('*' for any); SFMC sends none.", metavar="ORIGIN",
        default_text="off")
    max_body: int = setting(DEFAULT_MAX_BODY, parse_positive_int,
                            "Largest request body in bytes.", metavar="BYTES")
    # web/server.py: waitress's limits, sized for a test server, not a public site
    connection_limit: int = setting(
        1000, parse_positive_int, "Most client connections open at once; more wait for one to "
        "close.", metavar="N")
    idle_timeout: int = setting(
        30, parse_positive_int, "Seconds a connection may sit idle (or send a request slowly) "
        "before it is closed.", metavar="SECONDS")
    drain_timeout: float = setting(
        5.0, parse_seconds, "On Ctrl-C or SIGTERM: seconds requests in flight may take before "
        "the server stops anyway.", metavar="SECONDS")
    journal_size: int = setting(500, parse_positive_int,
                                "Requests kept in the request journal.", metavar="N")
    frozen_time: datetime | None = setting(
        None, _parse_optional_time, "Freeze the platform clock at this ISO 8601 instant.",
        metavar="ISO-TIME", default_text="the real time")
    # AMPscript SystemDateToLocalDate/LocalDateToSystemDate (docs/fidelity.md#local-time)
    time_zone: str = setting(
        DEFAULT_LOCAL_ZONE, parse_time_zone, "The account's time zone, for "
        "SystemDateToLocalDate and LocalDateToSystemDate (IANA name or UTC offset).",
        metavar="ZONE")
    # the admin API then answers any client that presents it (web/admin/safety.py)
    admin_token: str | None = setting(
        None, parse_optional_text,
        "Let any client that presents this token (Authorization: Bearer) use the admin API; "
        "without it only this machine may.", metavar="TOKEN")
    # --db only: seconds of changes a hard kill may lose; --durable: none (fsync per change)
    flush_interval: float = setting(
        1.0, parse_seconds, "With --db: write changes to disk at least this often; a hard kill "
        "loses at most this window.", metavar="SECONDS")
    durable: bool = setting(
        False, parse_bool, "With --db: write each change to disk before answering (slower, no "
        "loss).", flag=True)
    reseed: bool = setting(
        False, parse_bool, "With --db: replace the file's data by the fixtures (default: keep "
        "it).", flag=True)
    ssjs_timeout: float = setting(
        10.0, parse_seconds, "Seconds an SSJS page may run before it is killed (HTTP 408).",
        metavar="SECONDS")
    # emulator/script/budget.py: what the server holds for one page run, beside its engine's heap
    page_memory_limit: int = setting(
        64 * 1024 * 1024, parse_positive_int, "Bytes of server memory one page run may hold "
        "(its variables, output, AMPscript text) before it fails (HTTP 500).", metavar="BYTES")
    ssjs_workers: int = setting(
        2, parse_positive_int, "SSJS worker processes: how many --pages requests run at once; "
        "as many more may wait up to 1 s for one, the rest get HTTP 503.", metavar="N")
    ssjs_allow_json: bool = setting(
        False, parse_bool, "Give SSJS pages a native JSON object (SFMC has none).", flag=True)
    debug: bool = setting(
        False, parse_bool, "Put a page error's text, file and line in the HTTP 500 body.",
        flag=True)
    quiet: bool = setting(False, parse_bool, "Log warnings only, not every request.", flag=True)
    # emulator/outbound: calls to these hosts go out for real, on any port (tests: a local one)
    allow_outbound: tuple[Any, ...] = setting(
        (), parse_allowed_host, "Let pages' outbound calls to this host (any port, or the one "
        "given) go out for real when no stub answers (repeatable; the variable separates hosts "
        "with commas).", metavar="HOST[:PORT]", many=True, separator=",")
    outbound_timeout: float = setting(
        30.0, parse_seconds, "Seconds a page's outbound HTTP call may take (never past the "
        "page's own time limit).", metavar="SECONDS")
    # emulator/rest/asyncjobs.py: when REST async row jobs run (docs/fidelity.md#rest-async-timing)
    rest_async_completion: str | float = setting(
        "immediate", parse_async_completion, "When REST async row jobs run: immediate (before "
        "the 202), a number of seconds on the emulator's clock, or manual (the admin API or "
        "the mock handle completes them).", metavar="WHEN")
    extra: Mapping[str, Any] = field(default_factory=dict)  # plain Flask config (e.g. TESTING)


def _rows() -> tuple[Setting, ...]:
    rows = []
    for item in fields(Settings):
        if "setting" in item.metadata:
            parse, help_text, row = item.metadata["setting"]
            rows.append(Setting(item.name, item.default, parse, help_text, **row))
    return tuple(rows)


#: the settings table, in the order ``mcemu serve --help`` and the docs list it
SETTINGS: tuple[Setting, ...] = _rows()
SETTINGS_BY_NAME: dict[str, Setting] = {row.name: row for row in SETTINGS}
SETTING_NAMES = tuple(SETTINGS_BY_NAME)


def _split_list(text: str, separator: str = os.pathsep) -> tuple[str, ...]:
    # a list in an environment variable is separated by the OS path separator, as PATH is
    return tuple(part for part in text.split(separator) if part.strip())


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Layer defaults, ``MCEMU_*`` variables and ``overrides`` (setting names, any case).

    Upper-case keys that are not settings pass through to the Flask config (``TESTING``). An
    empty variable counts as unset, as it does for the ``mcemu`` options.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for row in SETTINGS:
        text = environ.get(row.env)
        if text is not None and text.strip():
            values[row.name] = row.read(row.env, text)
    extra: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        name = key.lower().removeprefix("mcemu_")
        if name in SETTINGS_BY_NAME:
            values[name] = SETTINGS_BY_NAME[name].read(key, value)
        elif key.isupper():
            extra[key] = value
        else:
            known = ", ".join(SETTING_NAMES)
            raise ConfigError(f"unknown setting {key!r}; settings are: {known}")
    return Settings(extra=extra, **values)
