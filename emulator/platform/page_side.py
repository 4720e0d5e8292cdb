"""The page's request as the AMPscript page functions see it (RequestParameter, Redirect, ...).

docs/fidelity.md#ampscript-request-parameter: a parameter is looked up in the posted form first,
then in the URL's pairs; names ignore case and repeated values join with ",". The URL's pairs
come from :meth:`AmpscriptPageSide.url_pairs`, the one place where parameters carried in
another form of the URL (``CloudPagesURL``'s ``qs``) join those of the plain query string.
"""

from __future__ import annotations

from typing import NoReturn

from emulator.ampscript.links import query_pairs
from emulator.platform import headers
from emulator.platform.redirect import PageRedirect
from emulator.platform.request import Pairs, RequestSnapshot, lookup, parse_query
from emulator.script.errors import AmpscriptError, PlatformError

#: A name the platform fills in when the request does not carry it (RT): the page's own URL.
PAGE_URL = "pageurl"


class AmpscriptPageSide:
    """One page request, read by the AMPscript functions of that page."""

    def __init__(self, request: RequestSnapshot) -> None:
        self._request = request
        self._url_pairs: Pairs | None = None

    def url_pairs(self) -> Pairs:
        """Return the (name, value) pairs the URL carries, decoded, in order."""
        if self._url_pairs is None:
            self._url_pairs = query_pairs(parse_query(self._request.query_string))
        return self._url_pairs

    def parameter(self, name: str) -> str | None:
        """Return the form field ``name``, else the URL parameter, else None."""
        found = lookup(self._request.form, name)
        if found is None:
            found = lookup(self.url_pairs(), name)
        if found is None and name.strip().casefold() == PAGE_URL:
            return self._request.url
        return found

    def header(self, name: str) -> str | None:
        """Return the request header ``name`` (any case, repeats joined), or None."""
        return lookup(self._request.headers, name)

    def redirect(self, url: str) -> NoReturn:
        """End the page with a 302 to ``url``, sent as given bar percent-encoding (RT)."""
        try:
            location = headers.redirect_location(url)
        except PlatformError as error:  # an AMPscript failure: the page answers 422
            raise AmpscriptError(f"Redirect: {error.message}") from None
        raise PageRedirect(location, 302)
