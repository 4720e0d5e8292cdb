"""Compile a page file into one program (docs/design.md, "How a page compiles").

The page's text, with every server script block replaced by a hole of the same length, is one
AMPscript program, so its ``IF``/``FOR`` may span literal text and script blocks alike. A page
without script blocks is that program and nothing more: it runs in the server process. A page
with script blocks becomes one SSJS program: each script block's code at its own file lines,
and between them calls that run the AMPscript around them where they stand in the flow
(``__emit("s", 3)``). An AMPscript ``IF`` or ``FOR`` that holds a script block is lowered to a
JavaScript ``if``/``for`` whose conditions the host evaluates, so a JavaScript ``try`` around
AMPscript and an AMPscript ``IF`` around a script block both work. A program with a ``return``
outside every function runs as a function's body (docs/fidelity.md#top-level-return).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from emulator.ampscript.parser import For, If, Item, Program, Text, compile_content
from emulator.ssjs.syntax import checked_program, parses_alone

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
#: Pairs of characters that mark a script block's hole in the AMPscript text (start, filler);
#: the first pair the page does not use is taken.
_MARKS = (("\x02", "\x03"), ("\ue000", "\ue001"), ("\U000f0000", "\U000f0001"))


def script_attributes(text: str) -> dict[str, str]:
    """Return a script tag's attributes, names lower-cased."""
    # findall gives "" for the quoting styles a value did not use
    return {name.lower(): "".join(values) for name, *values in _ATTRIBUTE.findall(text)}


def is_server_script(attributes: dict[str, str]) -> bool:
    """Return whether a tag with ``attributes`` is an SSJS block (not AMPscript, not browser)."""
    return (attributes.get("runat", "").lower() == "server"
            and attributes.get("language", "javascript").lower() != "ampscript")


@dataclass(frozen=True)
class ScriptBlock:
    """One ``<script runat="server">`` block: its code and the file line its code starts on."""

    text: str
    line: int
    standalone: bool  # parses alone: wrapped in { } so its functions hoist only within it


@dataclass(frozen=True)
class CompiledPage:
    """A page as one program.

    ``script`` is the page's SSJS program (None for an AMPscript-only page, which runs
    ``ampscript`` in-process); ``runs``, ``branches`` and ``loops`` are the AMPscript pieces
    its ``__emit`` calls name by index; ``blocks`` the file lines of its script blocks.
    """

    ampscript: Program
    script: str | None
    runs: tuple[tuple[Item, ...], ...] = ()
    branches: tuple[If, ...] = ()
    loops: tuple[For, ...] = ()
    blocks: tuple[tuple[int, int], ...] = ()


def compile_page(text: str, first_line: int = 1, where: str = "page") -> CompiledPage:
    """Return the program of page ``text`` whose first line is the file's ``first_line``.

    Raises ``AmpscriptError`` for AMPscript the platform would not compile and
    ``SsjsSyntaxError`` for a script Jint would refuse, both naming the file's line.
    """
    blocks: list[ScriptBlock] = []
    spans: list[tuple[int, int]] = []
    for match in _SCRIPT.finditer(text):
        if not is_server_script(script_attributes(match.group(1))):
            continue  # a browser script is text; an AMPscript tag is the AMPscript lexer's
        body = match.group(2)
        line = text.count("\n", 0, match.start(2)) + first_line
        blocks.append(ScriptBlock(body, line, parses_alone(body)))
        spans.append(match.span())
    hole, fill = next(pair for pair in _MARKS if pair[0] not in text and pair[1] not in text)
    source = _with_holes(text, spans, hole, fill)
    # Lines before the text (a marker's) come back as an AMPscript comment: no output, and the
    # program's lines and columns stay the file's.
    padding = f"%%[/*{chr(10) * (first_line - 1)}*/]%%" if first_line > 1 else ""
    program = compile_content(padding + source)
    if not blocks:
        return CompiledPage(program, None)
    # A hole ends on a fill character (the block's closing tag): the line breaks after it are
    # the page's text, not the block's.
    lowering = _Lowering(re.compile(
        re.escape(hole) + f"[{re.escape(fill)}\n]*{re.escape(fill)}"))
    pieces = list(lowering.lower(program.items))
    # A top-level return ends the page's script: the program then runs as a function's body.
    script = checked_program(_assemble(pieces, blocks), where)
    return CompiledPage(program, script, tuple(lowering.runs), tuple(lowering.branches),
                        tuple(lowering.loops),
                        tuple((b.line, b.line + b.text.count("\n")) for b in blocks))


def _with_holes(text: str, spans: list[tuple[int, int]], hole: str, fill: str) -> str:
    """Return ``text`` with each span replaced by a hole of its length, line breaks kept."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(hole + re.sub(r"[^\n]", fill, text[start + 1:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


class _Lowering:
    """Turn AMPscript items holding script blocks into JavaScript around those blocks."""

    def __init__(self, hole: re.Pattern[str]) -> None:
        self.hole = hole
        self.runs: list[tuple[Item, ...]] = []
        self.branches: list[If] = []
        self.loops: list[For] = []
        self.blocks = 0

    def holds(self, item: Item) -> bool:
        if isinstance(item, Text):
            return self.hole.search(item.text) is not None
        if isinstance(item, If):
            return any(self.holds(inner) for _, body in item.branches for inner in body) \
                or any(self.holds(inner) for inner in item.otherwise)
        if isinstance(item, For):
            return any(self.holds(inner) for inner in item.body)
        return False

    def lower(self, items: tuple[Item, ...]) -> Iterator[str | int]:
        """Yield JavaScript code (str) and script block numbers (int), in the page's order."""
        run: list[Item] = []
        for item in items:
            if not self.holds(item):
                run.append(item)
                continue
            if isinstance(item, Text):
                position = 0
                for found in self.hole.finditer(item.text):
                    if found.start() > position:
                        run.append(Text(item.text[position:found.start()]))
                    yield from self.flush(run)
                    yield self.blocks
                    self.blocks += 1
                    position = found.end()
                if position < len(item.text):
                    run.append(Text(item.text[position:]))
                continue
            yield from self.flush(run)
            if isinstance(item, If):
                yield from self.lower_if(item)
            elif isinstance(item, For):
                yield from self.lower_for(item)
        yield from self.flush(run)

    def flush(self, run: list[Item]) -> Iterator[str]:
        if run:
            self.runs.append(tuple(run))
            run.clear()
            yield f'__emit("s", {len(self.runs) - 1});'

    def lower_if(self, item: If) -> Iterator[str | int]:
        number = len(self.branches)
        self.branches.append(item)
        for index, (_, body) in enumerate(item.branches):
            yield f'{"} else " if index else ""}if (__emit("i", {json.dumps([number, index])})) {{'
            yield from self.lower(body)
        yield "} else {"
        yield from self.lower(item.otherwise)
        yield "}"

    def lower_for(self, item: For) -> Iterator[str | int]:
        number = len(self.loops)
        self.loops.append(item)
        phases = [f'__emit("f", {json.dumps([number, phase])})' for phase in range(3)]
        yield f"for ({phases[0]}; {phases[1]}; {phases[2]}) {{"
        yield from self.lower(item.body)
        yield "}"


def _assemble(pieces: list[str | int], blocks: list[ScriptBlock]) -> str:
    """Join the pieces so that each block's code stands on its own file lines.

    Generated code goes on the line where the next block starts, so it never shifts a line.
    Only when a block ends on the line the next one starts, after a ``//`` comment, does the
    generated code need a line of its own: U+2028 ends the comment and counts as one line.
    """
    out: list[str] = []
    line = 1
    pending: list[str] = []
    after_comment = False  # the last block's last line may hold a // comment
    for piece in pieces:
        if isinstance(piece, str):
            pending.append(piece)
            continue
        block = blocks[piece]
        if block.line > line:
            out.append("\n" * (block.line - line))
            line = block.line
        elif after_comment:
            out.append("\u2028")
            line += 1
        out.append(" ".join(pending))
        pending.clear()
        last_line = block.text.rsplit("\n", 1)[-1]
        after_comment = "//" in last_line
        if block.standalone:
            out.append(f"{{{block.text}{chr(0x2028) if after_comment else ''}}}")
            line += after_comment
            after_comment = False
        else:
            out.append(block.text)
        out.append(" ")
        line += block.text.count("\n")
    if pending:
        out.append("\n" + " ".join(pending))
    return "".join(out)
