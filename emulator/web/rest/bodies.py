"""Read a REST request's body under a limit, refused before it is read when it says more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from emulator import assumptions
from emulator.rest.errors import rest_error
from emulator.rest.hub import parse_json

CHUNK = 64 * 1024  # a body without a length is read in pieces of this size


def capped_body(most: int, refuse: Callable[[int], Exception]) -> bytes:
    """Return the request's body; raise ``refuse(size)`` when it has more than ``most`` bytes.

    A body that gives its length is refused before a byte is read, and read in one piece of
    exactly that size (a read sized by the limit would allocate the limit for every request);
    one without a length is read in pieces until the limit is passed.
    """
    size = request.content_length
    if size is not None:
        if size > most:
            raise refuse(size)
        return request.stream.read(size)
    pieces: list[bytes] = []
    read = 0
    while read <= most:
        piece = request.stream.read(min(CHUNK, most + 1 - read))
        if not piece:
            break
        pieces.append(piece)
        read += len(piece)
    if read > most:
        raise refuse(read)
    return b"".join(pieces)


def json_body(most: int) -> Any:
    """Return the request's JSON; 413 errorcode 10000 over ``most`` bytes, 400 10004 not JSON."""
    return parse_json(capped_body(most, lambda size: _too_large(size, most)))


def _too_large(size: int, most: int) -> Exception:
    return rest_error(413, 10000, assumptions.REST_BODY_TOO_LARGE.format(size=size, most=most))
