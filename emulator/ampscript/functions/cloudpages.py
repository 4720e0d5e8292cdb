"""AMPscript links to pages: CloudPagesURL and MicrositeURL (docs/fidelity.md#cloudpagesurl-qs).

A page gets its id from its file's first-line marker (``<!-- mcemu: html id=1234 -->``); the
link carries the name/value pairs in an opaque ``qs`` that RequestParameter on the target page
reads back.
"""

from __future__ import annotations

from typing import Any

from emulator.ampscript import links
from emulator.ampscript.arguments import Param, integer
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError


def _link(function: str, page_id: Any, pairs: tuple[Any, ...]) -> str:
    number = integer(page_id, Param(function, "PageID", 1))
    current = links.current()
    if current is None:
        raise AmpscriptError(f"{function} needs a page run with pages that have ids "
                             "(mcemu serve --pages DIR, <!-- mcemu: html id=N --> markers)")
    named = [(clr_text(pairs[i]), clr_text(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    url = current.link(number, named)
    if url is None:
        raise AmpscriptError(f"{function}: no page has the id {number}; give a page an id with "
                             "a first-line marker such as <!-- mcemu: html id=1234 -->")
    return url


@ampscript_function("CloudPagesURL", args=(1, None), tag="OFF; qs format ASSUMED",
                    pairs_after=1)
def cloud_pages_url(run: Runtime, page_id: Any, *pairs: Any) -> str:
    """Return the URL of page ``page_id`` carrying the name/value ``pairs``."""
    return _link("CloudPagesURL", page_id, pairs)


@ampscript_function("MicrositeURL", args=(1, None), tag="OFF; qs format ASSUMED",
                    pairs_after=1)
def microsite_url(run: Runtime, page_id: Any, *pairs: Any) -> str:
    """Return the URL of page ``page_id`` carrying ``pairs``, as CloudPagesURL does."""
    return _link("MicrositeURL", page_id, pairs)
