"""The key store ``GetJWTByKeyName`` reads: ``keys/<KeyName>.json`` in fixtures directories.

design.md "Fixtures": a key file holds ``{"name": "...", "type": "symmetric", "value": "..."}``.
Keys load from the default fixtures directory and every ``--fixtures`` directory; a given
directory's key replaces a default key of the same name, and a key defined twice among the given
directories is an error naming both files (the same rules as Data Extensions). Every error names
the file and what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.errors import FixtureError
from emulator.store.schema import describe_json_type

KEYS_DIR = "keys"
#: Key types a file may declare. Asymmetric (RS256) keys are not emulated (sfmc-facts 4.8).
KEY_TYPES = ("symmetric",)
_FILE_KEYS = ("name", "type", "value", "description")


@dataclass(frozen=True)
class SigningKey:
    """One Key Management key: its external key (name), type, secret string and file."""

    name: str
    type: str
    value: str
    source: Path
    description: str = ""

    def __repr__(self) -> str:  # never print the secret
        return f"SigningKey(name={self.name!r}, type={self.type!r}, source={str(self.source)!r})"


class KeyStore(Mapping[str, SigningKey]):
    """Keys by name; names match case-insensitively (ASSUMED "key-name-case")."""

    def __init__(self, keys: Iterable[SigningKey] = ()) -> None:
        self._keys: dict[str, SigningKey] = {}
        for key in keys:
            self._keys[key.name.casefold()] = key

    def __getitem__(self, name: str) -> SigningKey:
        return self._keys[name.casefold()]

    def __iter__(self) -> Iterator[str]:
        return (key.name for key in self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, name: str) -> SigningKey | None:
        """Return the key called ``name`` (any case), or None."""
        return self._keys.get(name.casefold())


def load_key_dirs(dirs: Iterable[str | Path], include_default: bool = True) -> KeyStore:
    """Return the keys of ``dirs`` over the default keys; a given key replaces a default one."""
    from emulator.fixtures import default_fixtures_dir  # the one place that knows where they are

    keys: dict[str, SigningKey] = {}
    if include_default:
        for key in load_key_folder(default_fixtures_dir() / KEYS_DIR):
            keys[key.name.casefold()] = key
    given: dict[str, SigningKey] = {}
    for directory in dirs:
        directory = Path(directory)
        if not directory.is_dir():
            raise FixtureError(f"{directory}: fixtures directory not found")
        for key in load_key_folder(directory / KEYS_DIR):
            earlier = given.get(key.name.casefold())
            if earlier is not None:
                raise FixtureError(f"key {key.name!r} is defined twice: in {earlier.source} "
                                   f"and in {key.source}")
            given[key.name.casefold()] = key
    keys.update(given)
    return KeyStore(keys.values())


def load_key_folder(folder: Path) -> list[SigningKey]:
    """Return the keys of every ``*.json`` file in ``folder`` (none when it does not exist)."""
    if not folder.is_dir():
        return []
    found: dict[str, SigningKey] = {}
    for path in sorted(folder.glob("*.json")):
        key = load_key_file(path)
        earlier = found.get(key.name.casefold())
        if earlier is not None:
            raise FixtureError(f"key {key.name!r} is defined twice: in {earlier.source} "
                               f"and in {key.source}")
        found[key.name.casefold()] = key
    return list(found.values())


def load_key_file(path: str | Path) -> SigningKey:
    """Return the key of one ``keys/<KeyName>.json`` file; raise FixtureError naming the file."""
    path = Path(path)
    document = _read_json(path)
    if not isinstance(document, dict):
        raise FixtureError(f'{path}: a key file must hold a JSON object {{"name", "type", '
                           f'"value"}}, not {describe_json_type(document)}')
    unknown = [name for name in document if name not in _FILE_KEYS]
    if unknown:
        raise FixtureError(f"{path}: unknown key {unknown[0]!r}; allowed keys: "
                           f"{', '.join(_FILE_KEYS)}")
    name = document.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise FixtureError(f'{path}: "name" (the key\'s external key) must be a non-empty string')
    if name.casefold() != path.stem.casefold():
        raise FixtureError(f'{path}: "name" is {name!r} but the file is {path.name}; name the '
                           f"file {name}.json")
    kind = document.get("type")
    if not isinstance(kind, str) or kind.casefold() not in KEY_TYPES:
        raise FixtureError(f'{path}: "type" must be "symmetric", not {kind!r} '
                           f"({assumptions.KEY_TYPE_NOT_EMULATED})")
    value = document.get("value")
    if not isinstance(value, str) or value == "":
        raise FixtureError(f'{path}: "value" (the secret, signed as its UTF-8 bytes) must be a '
                           "non-empty string")
    description = document.get("description", "")
    if not isinstance(description, str):
        raise FixtureError(f'{path}: "description" must be a string')
    return SigningKey(name=name, type=kind.casefold(), value=value, source=path,
                      description=description)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FixtureError(f"{path}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise FixtureError(f"{path}: not UTF-8 text (byte {error.start}); save the file as "
                           "UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FixtureError(f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: "
                           f"{error.msg}") from None
    except RecursionError:
        raise FixtureError(f"{path}: invalid JSON: nested too deeply") from None

