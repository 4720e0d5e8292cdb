"""How the object model refuses a request whose shape the API cannot read."""

from __future__ import annotations

from emulator.script.errors import FeatureNotEmulated


class RequestRefused(Exception):
    """A malformed request: the platform's call throws ``Error executing <verb> call.``.

    docs/fidelity.md#object-request-shapes: ``verb`` is the call (retrieve, create, update,
    delete); ``reason`` says what was wrong and what is accepted.
    """

    def __init__(self, verb: str, reason: str) -> None:
        super().__init__(f"Error executing {verb} call. {reason}")
        self.verb = verb
        self.reason = reason
        self.message = str(self)


class PerformNotEmulated(FeatureNotEmulated):
    """A perform on a type other than Automation and QueryDefinition (the ones it does)."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"Perform on {type_name} is not emulated by mc-emulator; it performs "
                         "Automation and QueryDefinition.")
        self.type_name = type_name
