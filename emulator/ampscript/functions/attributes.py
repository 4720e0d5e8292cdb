"""AMPscript subscriber attributes: AttributeValue (docs/fidelity.md#ampscript-attributes)."""

from __future__ import annotations

from typing import Any

from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text


@ampscript_function("AttributeValue", args=1, tag="RT; without subscriber ASSUMED")
def attribute_value(run: Runtime, name: Any) -> Any:
    """Return the subscriber attribute ``name``; an unknown name gives empty text (RT)."""
    return run.ctx.attribute(clr_text(name))
