"""AMPscript's content functions: ContentBlockByKey/ByName/ByID, ContentArea, ContentAreaByName.

Each takes 1 to 5 arguments: the block (key, name path or id), an impression region (accepted
and ignored: a CloudPage has no tracking context), errorOnMissing, defaultContent and a
variable for the status (docs/fidelity.md#content-blocks). A block found is rendered as content
sharing the page's variables and the status is 0; a missing block aborts the page unless
errorOnMissing is 0, when the default content is returned literally and the status is -1.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from emulator import assumptions
from emulator.ampscript.interpreter import render
from emulator.ampscript.parser import VariableRef
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.content import lookup
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.script.js import is_number
from emulator.store.store import Store

#: The blocks being rendered now on this thread (a page runs on one), outermost first.
_RENDERING: ContextVar[tuple[str, ...]] = ContextVar("content_blocks", default=())
FOUND, MISSING = 0, -1

Finder = Callable[[Store, Any], "dict[str, Any] | None"]


def render_block(block: dict[str, Any], run_render: Callable[[str], str]) -> str:
    """Render ``block``'s content with ``run_render``; refuse a block that includes itself."""
    chain = _RENDERING.get()
    if block["key"] in chain:
        steps = " -> ".join([*chain[chain.index(block["key"]):], block["key"]])
        raise AmpscriptError(assumptions.CONTENT_BLOCK_SELF.format(key=block["key"],
                                                                   chain=steps))
    if len(chain) >= assumptions.CONTENT_BLOCK_MAX_DEPTH:
        raise AmpscriptError(assumptions.CONTENT_BLOCK_DEPTH.format(
            limit=assumptions.CONTENT_BLOCK_MAX_DEPTH, key=block["key"]))
    token = _RENDERING.set((*chain, block["key"]))
    try:
        return run_render(block["content"])
    finally:
        _RENDERING.reset(token)


def _error_on_missing(value: Any) -> bool:
    """Return whether a missing block aborts: yes unless the argument is 0 or false."""
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    return clr_text(value).strip().lower() not in ("0", "false")


def _content(run: Runtime, nodes: tuple[Any, ...], function: str, what: str,
             find: Finder) -> str:
    if not 1 <= len(nodes) <= 5:
        raise AmpscriptError(assumptions.AMPSCRIPT_ARG_COUNT.format(
            name=function, given=len(nodes), expected="1 to 5"))
    status = nodes[4] if len(nodes) == 5 else None
    if status is not None and not isinstance(status, VariableRef):
        raise AmpscriptError(f"{function}: the fifth argument receives the status: give a "
                             "variable such as @status")
    reference = run.evaluate(nodes[0])
    if len(nodes) > 1:
        run.evaluate(nodes[1])  # the impression region: no tracking context on a page
    aborts = _error_on_missing(run.evaluate(nodes[2])) if len(nodes) > 2 else True
    default = clr_text(run.evaluate(nodes[3])) if len(nodes) > 3 else ""
    block = find(run.ctx.store, reference) if run.ctx.store is not None else None
    if block is None:
        if aborts:
            raise AmpscriptError(assumptions.CONTENT_BLOCK_MISSING.format(
                function=function, what=what, reference=clr_text(reference)[:200]))
        if status is not None:
            run.ctx.variables.set(status.name, MISSING)
        return default  # literally: AMPscript in the default content is not run (RT)
    text = render_block(block, lambda content: render(content, run.ctx))
    if status is not None:
        run.ctx.variables.set(status.name, FOUND)
    return text


def _by_key(store: Store, value: Any) -> dict[str, Any] | None:
    return lookup.by_key(store, clr_text(value))


def _by_name(store: Store, value: Any) -> dict[str, Any] | None:
    return lookup.by_name(store, clr_text(value))


@ampscript_function("ContentBlockByKey", args=(1, 5), tag="RT", lazy=True)
def content_block_by_key(run: Runtime, *nodes: Any) -> str:
    """Return the rendered block with the key given (customer key, any case)."""
    return _content(run, nodes, "ContentBlockByKey", "key", _by_key)


@ampscript_function("ContentBlockByName", args=(1, 5), tag="RT", lazy=True)
def content_block_by_name(run: Runtime, *nodes: Any) -> str:
    """Return the rendered block at the name path given (folders and name, backslashes)."""
    return _content(run, nodes, "ContentBlockByName", "name path", _by_name)


@ampscript_function("ContentBlockByID", args=(1, 5), tag="RT", lazy=True)
def content_block_by_id(run: Runtime, *nodes: Any) -> str:
    """Return the rendered block with the numeric id given."""
    return _content(run, nodes, "ContentBlockByID", "id", lookup.by_id)


@ampscript_function("ContentArea", args=(1, 5), tag="RT; classic areas ASSUMED", lazy=True)
def content_area(run: Runtime, *nodes: Any) -> str:
    """Return the rendered block with the id given (classic content areas are blocks here)."""
    return _content(run, nodes, "ContentArea", "id", lookup.by_id)


@ampscript_function("ContentAreaByName", args=(1, 5), tag="RT; classic areas ASSUMED",
                    lazy=True)
def content_area_by_name(run: Runtime, *nodes: Any) -> str:
    """Return the rendered block at the name path given (classic areas are blocks here)."""
    return _content(run, nodes, "ContentAreaByName", "name path", _by_name)
