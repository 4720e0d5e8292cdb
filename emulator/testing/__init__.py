"""Test integration for client apps: the ``responses`` mock, pytest fixtures, a live server.

    from emulator.testing import mock_marketing_cloud

    with mock_marketing_cloud({"https://cloud.example.com/jwt-issuer": "token"}) as mc:
        requests.post("https://cloud.example.com/jwt-issuer", data=body)
        assert mc.rows("HTTPProperties")

Names are imported on first use, so that the pytest plugin (``emulator.testing.plugin``) loads
without Flask, ``requests`` or ``responses``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "mock_marketing_cloud": "emulator.testing.mock",
    "MarketingCloudMock": "emulator.testing.mock",
    "current_mock": "emulator.testing.mock",
    "MockHandle": "emulator.testing.handle",
    "EmulatorHandle": "emulator.testing.handle",
    "Call": "emulator.testing.calls",
    "CallFilterError": "emulator.testing.calls",
    "LiveServer": "emulator.testing.live",
    "MockError": "emulator.testing.errors",
    "NotEmulatedError": "emulator.errors",  # the root of URLNotEmulated
    "URLNotEmulated": "emulator.testing.errors",
    "NotStartedError": "emulator.testing.errors",
    "AlreadyStartedError": "emulator.testing.errors",
    "MockOrderError": "emulator.testing.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'emulator.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
