"""What the REST prefixes answer for a path no REST route serves, and ``/Service.asmx``.

An unknown path under ``/data/``, ``/hub/`` or ``/messaging/`` answers 404 errorcode 30003 in
the REST error shape (docs/fidelity.md#rest-reserved), never the page 404; route rules win over
these, being more specific.
"""

from __future__ import annotations

from flask import Response, request

from emulator import assumptions
from emulator.rest.errors import not_found, rest_error
from emulator.web.rest import rest

_ALL = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SOAP_FAULT = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <soap:Fault>
      <faultcode>soap:Server</faultcode>
      <faultstring>{message}</faultstring>
    </soap:Fault>
  </soap:Body>
</soap:Envelope>
""".format(message="The SOAP API (Service.asmx) is not emulated yet; the emulator serves the "
                   "REST API (see docs/rest.md).")


#: Platform routes under the REST prefixes that the emulator knows of and does not serve yet
#: (docs/fidelity.md#rest-not-emulated): they answer "not emulated", not "not found".
NOT_EMULATED = (
    ("/data/v1/customobjects/category/", "GET /data/v1/customobjects/category/{categoryId}"),
    ("/data/v1/customobjectsasync/", "/data/v1/customobjectsasync/{id}/fields"),
    ("/hub/v1/dataeventsasync/", "/hub/v1/dataeventsasync (row deletes)"),
    ("/messaging/v1/email/definitions", "/messaging/v1/email/definitions"),
)


@rest.route("/data/<path:rest_path>", methods=_ALL)
@rest.route("/hub/<path:rest_path>", methods=_ALL)
@rest.route("/messaging/<path:rest_path>", methods=_ALL)
def unknown_rest_path(rest_path: str) -> Response:
    """Answer a REST path no route serves: not emulated for a known platform route, else 404."""
    path = request.path.lower()
    for prefix, route in NOT_EMULATED:
        if path.startswith(prefix.lower()):
            raise rest_error(501, 0, assumptions.REST_NOT_EMULATED.format(route=route))
    raise not_found("Not Found: no REST route of the emulator serves this path")


@rest.route("/Service.asmx", methods=_ALL)
def soap() -> Response:
    """Answer any SOAP call with a fault: the SOAP API is not emulated (yet)."""
    return Response(SOAP_FAULT, status=500, content_type="text/xml; charset=utf-8")
