"""``Platform.Request.Browser``: what the platform makes of the User-Agent header.

The object and its five string fields are documented and runtime-tested
(docs/fidelity.md#request-browser); the values the platform picks for each agent are not published.
ASSUMED (assumptions "browser-names"):

- ``Browser`` is one of ``Edge``, ``Opera``, ``Chrome``, ``Firefox``, ``Safari``,
  ``InternetExplorer``, first match wins in the order of :data:`BROWSER_RULES`;
- ``Platform`` is one of ``WinNT``, ``iOS``, ``Android``, ``MacOSX``, ``UNIX`` (Linux, BSD,
  ChromeOS), first match wins in the order of :data:`PLATFORM_RULES`;
- ``Version`` is ``major.minor`` of the matched version (``"120.0"`` for ``Chrome/120.0.6099.109``),
  ``MajorVersion`` its major part, ``MinorVersion`` the minor part with its leading dot (``".0"``
  when the agent gives none), as the official example ``"9.0"``/``"9"``/``".0"`` shows;
- anything not recognised keeps the values of ``assumptions.UNKNOWN_BROWSER``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass
from typing import Any

from emulator import assumptions
from emulator.script.jsontext import stringify
from emulator.script.undefined import UNDEFINED

#: (Browser name, pattern whose ``version`` group is the version). Order matters: Edge and Opera
#: agents also name Chrome, and Chrome agents also name Safari.
BROWSER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(?P<version>\d+(?:\.\d+)?)")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/(?P<version>\d+(?:\.\d+)?)")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS)/(?P<version>\d+(?:\.\d+)?)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(?P<version>\d+(?:\.\d+)?)")),
    ("Safari", re.compile(r"\bVersion/(?P<version>\d+(?:\.\d+)?)(?=.*\bSafari/)")),
    ("InternetExplorer", re.compile(r"\bMSIE (?P<version>\d+(?:\.\d+)?)")),
    ("InternetExplorer", re.compile(r"\bTrident/.*\brv:(?P<version>\d+(?:\.\d+)?)")),
)

#: (Platform name, pattern). iOS before MacOSX (iPads say "like Mac OS X"), Android before UNIX.
PLATFORM_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("WinNT", re.compile(r"\bWindows NT\b")),
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("MacOSX", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("UNIX", re.compile(r"\bLinux\b|\bX11\b|\bCrOS\b|\bBSD\b")),
)


@dataclass(frozen=True)
class Browser:
    """The ``Browser`` host object: five strings read like JavaScript properties."""

    Platform: str
    Browser: str
    Version: str
    MajorVersion: str
    MinorVersion: str

    def fields(self) -> dict[str, str]:
        """Return the five fields in their documented order."""
        return asdict(self)

    def js_get(self, name: str) -> Any:
        """Return the field ``name``, or ``undefined`` for any other property."""
        return self.fields().get(name, UNDEFINED)

    def clr_text(self) -> str:
        """Return the text ``Write`` gives the object (docs/fidelity.md#clr-browser)."""
        return self.js_stringify()

    @functools.cached_property
    def _stringified(self) -> str:
        return stringify(self.fields())

    def js_stringify(self) -> str:
        """Return the object as Stringify writes it: compact JSON of the five fields."""
        return self._stringified


CACHED_AGENT_LIMIT = 1024  # longer (hostile) agents are parsed every time, never kept


def parse_user_agent(user_agent: str | None) -> Browser:
    """Return the ``Browser`` object the platform builds from a User-Agent header."""
    if user_agent is not None and len(user_agent) > CACHED_AGENT_LIMIT:
        return _parse_user_agent(user_agent)
    return _cached_parse(user_agent)


@functools.lru_cache(maxsize=512)  # clients send the same few agents; a Browser is immutable
def _cached_parse(user_agent: str | None) -> Browser:
    return _parse_user_agent(user_agent)


def _parse_user_agent(user_agent: str | None) -> Browser:
    found = dict(assumptions.UNKNOWN_BROWSER)
    text = user_agent or ""
    for name, pattern in BROWSER_RULES:
        match = pattern.search(text)
        if match is not None:
            major, _, minor = match.group("version").partition(".")
            found.update(Browser=name, MajorVersion=major, MinorVersion=f".{minor or '0'}")
            found["Version"] = found["MajorVersion"] + found["MinorVersion"]
            break
    for name, pattern in PLATFORM_RULES:
        if pattern.search(text):
            found["Platform"] = name
            break
    return Browser(**found)
