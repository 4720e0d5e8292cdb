"""The signal that ends a page with a redirect, raised by SSJS and AMPscript alike."""

from __future__ import annotations


class PageRedirect(BaseException):
    """Stop the page and answer with a redirect.

    docs/fidelity.md#redirect: a surrounding ``try`` does not regain control. It derives from
    BaseException, so ``except ScriptError`` (an SSJS ``catch``) and ``except Exception`` in a
    page port let it pass; only the runner handles it.
    """

    def __init__(self, location: str, status: int) -> None:
        super().__init__(location)
        self.location = location
        self.status = status
