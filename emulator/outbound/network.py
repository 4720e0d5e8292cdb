"""Real outbound calls, only ever to hosts named by ``--allow-outbound``."""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit


class NetworkFailed(Exception):
    """The real call got no answer: refused, reset, timed out (``timed_out``), or bad TLS."""

    def __init__(self, reason: str, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


def fetch(method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float,
          limit: int) -> tuple[int, list[tuple[str, str]], bytes, bool]:
    """Make one HTTP call (no redirect followed); return status, headers, body, cut.

    At most ``limit`` bytes of the body are read (``cut`` is True when there was more);
    ``timeout`` bounds the connection and each read.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers=dict(headers))
        response = connection.getresponse()
        data = response.read(limit + 1)
        return response.status, list(response.getheaders()), data[:limit], len(data) > limit
    except TimeoutError as error:
        raise NetworkFailed(f"no answer within {timeout:g} s ({error})", timed_out=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise NetworkFailed(str(error) or type(error).__name__) from None
    finally:
        connection.close()
