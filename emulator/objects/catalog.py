"""Every object type, registered: import this module to use :data:`REGISTRY` whole."""

from __future__ import annotations

from emulator.objects import (
    automations,
    dataextensions,
    events,
    folders,
    sends,
    subscribers,
)
from emulator.objects.model import REGISTRY, ObjectSession

__all__ = ["REGISTRY", "ObjectSession", "automations", "dataextensions", "events", "folders",
           "sends", "subscribers"]
