"""The protected CloudPage (steps 4-5), ported line by line from ``sources/api.ssjs``.

It verifies ``Authorization: Bearer <token>`` the SFMC way: SFMC has no JWT verify function, so
the page recomputes the signature with AMPscript ``GetJWT`` through ``TreatAsContent`` and
compares. Every refusal is HTTP 200 with ``{"Error": "<reason>"}``
(docs/fidelity.md#no-status-setter);
 success answers the verified claims without their secret-named fields.

String methods the SSJS calls (``replace``, ``split``, ``toLowerCase``, ``charCodeAt``, regex
``test``) are written with their Python equivalents; each line names the SSJS it mirrors.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.platform.globals import PageGlobals
from emulator.script import js
from emulator.script.errors import ScriptError
from emulator.tokens import SECRET_NAME

MAX_TOKEN_LENGTH = 8192
ALGORITHMS = ["HS256", "HS384", "HS512"]
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")  # /^[A-Za-z0-9_-]+$/
_SPACES = re.compile(r"\s+")
#: Now() is CST; 12/31/1969 6 PM CST is the Unix epoch (docs/fidelity.md#epoch-seconds).
EPOCH_SECONDS_AMPSCRIPT = (
    "%%[SET @Now = Now() "
    "SET @Epoch = Add(Multiply(DateDiff('1969-12-31 18:00:00', @Now, 'MI'), 60), "
    "FormatDate(@Now, 'ss'))]%%")


def epoch_seconds(g: PageGlobals) -> float:
    """Return the page clock's Unix time in whole seconds, read through AMPscript."""
    # SSJS: function EpochSeconds() -- shared by the protected and the hardened page.
    g.Platform.Function.TreatAsContent(EPOCH_SECONDS_AMPSCRIPT)
    return js.to_number(g.Variable.GetValue("@Epoch"))


def is_plain_object(value: Any) -> bool:
    """Return whether ``value`` is a JavaScript object that is not an array (IsPlainObject)."""
    return isinstance(value, dict)


def constant_time_equals(left: Any, right: str) -> bool:
    """Compare two strings without stopping at the first difference (ConstantTimeEquals)."""
    if not isinstance(left, str) or js.get(left, "length") != js.get(right, "length"):
        return False
    # charCodeAt reads UTF-16 code units: compare those, two bytes each.
    left_units = left.encode("utf-16-le", "surrogatepass")
    right_units = right.encode("utf-16-le", "surrogatepass")
    difference = 0
    for i in range(len(left_units)):
        difference |= left_units[i] ^ right_units[i]
    return difference == 0


def api_page(g: PageGlobals) -> None:
    """Run the protected page against the page globals ``g``."""
    Platform = g.Platform
    Platform.Load("core", "1")
    DataExtension, Variable, Write, Stringify = (
        g.DataExtension, g.Variable, g.Write, g.Stringify)
    errorLogDEInit = "CustomAppException"

    def Reject(reason: str) -> dict[str, Any]:
        return {"Error": reason}

    def VerifyRequest(authorization: Any) -> dict[str, Any]:
        if not js.truthy(authorization):
            return Reject("Missing Authorization header.")
        # HTTP authentication schemes are case-insensitive; spaces around the token do not count.
        parts = _SPACES.split(js.to_string(authorization).strip())
        if parts[0].lower() != "bearer":
            return Reject("Authorization scheme must be Bearer.")
        if len(parts) < 2:
            return Reject("Missing bearer token.")
        if len(parts) > 2:
            return Reject("Authorization header must carry exactly one token.")
        return VerifyToken(parts[1])

    def VerifyToken(token: str) -> dict[str, Any]:
        if js.get(token, "length") > MAX_TOKEN_LENGTH:
            return Reject("Token too large.")
        segments = token.split(".")
        if len(segments) != 3:
            return Reject("Malformed token: expected three dot-separated segments.")
        for segment in segments:
            if not _BASE64URL.fullmatch(segment):
                return Reject("Malformed token: segments must be unpadded Base64url.")
        headerText = Base64UrlDecode(segments[0])
        header = Platform.Function.ParseJSON(headerText)
        if not is_plain_object(header):
            return Reject("Malformed token: the header is not a JSON object.")
        alg = js.get(header, "alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:  # typeof, Contains (===)
            return Reject("Unsupported algorithm: only HS256, HS384 and HS512 are accepted.")
        # GetJWT always writes this exact header (docs/fidelity.md#getjwt-header).
        if headerText != '{"alg":"' + alg + '","typ":"JWT"}':
            return Reject("Invalid token header.")
        payloadText = Base64UrlDecode(segments[1])
        claims = Platform.Function.ParseJSON(payloadText)
        if not is_plain_object(claims):
            return Reject("Malformed token: the payload is not a JSON object.")
        clientId = js.get(claims, "client_id")
        if js.is_nullish(clientId) or js.strict_eq(clientId, ""):
            return Reject("Token has no client_id claim.")
        if not isinstance(clientId, str):
            return Reject("The client_id claim must be a string.")
        signingSecret = FindSigningSecret(clientId)
        if not js.truthy(signingSecret):
            return Reject("Unknown client.")
        if not constant_time_equals(SignLike(signingSecret, alg, payloadText), token):
            return Reject("Invalid token signature.")
        exp = js.get(claims, "exp")
        if exp is not js.UNDEFINED:
            if not js.is_number(exp):
                return Reject("The exp claim must be a number.")
            if exp <= epoch_seconds(g):
                return Reject("Token has expired.")
        return {"verified": True, "claims": WithoutSecrets(claims)}

    def Base64UrlDecode(segment: str) -> Any:
        text = segment.replace("-", "+").replace("_", "/")
        while len(text) % 4 != 0:
            text += "="
        Variable.SetValue("@Segment", text)
        try:
            Platform.Function.TreatAsContent(
                "%%[SET @Decoded = Base64Decode(@Segment, 'UTF-8')]%%")
        except ScriptError:
            return None  # not Base64: the caller reports a malformed token
        return Variable.GetValue("@Decoded")

    def FindSigningSecret(clientId: str) -> Any:
        appCredentialsDE = DataExtension.Init("AppCredentials")
        dataSet = appCredentialsDE.Rows.Retrieve({
            "Property": "client_id",
            "SimpleOperator": "equals",
            "Value": clientId,
        })
        if not js.truthy(dataSet) or js.strict_eq(js.get(dataSet, "length"), 0):
            return None
        return js.get(js.get(dataSet, 0), "signing_secret")

    def SignLike(signingSecret: Any, alg: str, payloadText: Any) -> Any:
        Variable.SetValue("@Secret", signingSecret)
        Variable.SetValue("@Alg", alg)
        Variable.SetValue("@Payload", payloadText)
        Platform.Function.TreatAsContent(
            "%%[SET @Expected = GetJWT(@Secret, @Alg, @Payload)]%%")
        return Variable.GetValue("@Expected")

    def WithoutSecrets(value: Any) -> Any:
        if isinstance(value, list):  # Object.prototype.toString.call(value) === "[object Array]"
            return [WithoutSecrets(item) for item in value]
        if not is_plain_object(value):
            return value
        kept: dict[str, Any] = {}
        for name in value:  # for (var name in value)
            if not SECRET_NAME.search(name):  # docs/fidelity.md#seed-warnings
                kept[name] = WithoutSecrets(value[name])
        return kept

    try:
        HTTPPropertiesDE = DataExtension.Init("HTTPProperties")
        HTTPPropertiesDE.Rows.Add({
            "Browser": Platform.Request.Browser,
            "ClientIP": Platform.Request.ClientIP,
            "HasSSL": Platform.Request.HasSSL,
            "IsSSL": Platform.Request.IsSSL,
            "Method": Platform.Request.Method,
            "QueryString": Platform.Request.QueryString,
            "ReferrerURL": Platform.Request.ReferrerURL,
            "RequestURL": Platform.Request.RequestURL,
            "UserAgent": Platform.Request.UserAgent,
        })
        response = VerifyRequest(Platform.Request.GetRequestHeader("Authorization"))
        Write(Stringify(response))
    except ScriptError as ex:
        APIExceptionDE = DataExtension.Init(errorLogDEInit)
        APIExceptionDE.Rows.Add({
            "Message": ex.message,
            "Description": ex.description,
            "InnerException": ex.jintException,
            "FunctionName": "Main Block",
        })
        Write(Stringify({"Error": ex.message}))
