"""The key store ``GetJWTByKeyName`` reads: signing keys by name.

Where the keys come from (``keys/<KeyName>.json`` in fixture directories) is
``emulator.fixtures.keystore``'s business; this module only holds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


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
