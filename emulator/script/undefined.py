"""JavaScript's ``undefined``: a value of its own, apart from ``null`` (Python's ``None``).

Its own module because both the JavaScript semantics (``js.py``) and the exceptions a page can
catch (``errors.py``) need it, and neither should import the other for it.
"""

from __future__ import annotations

from typing import Any


class _Undefined:
    """The JavaScript ``undefined`` value: a falsy singleton."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()
