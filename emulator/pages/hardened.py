"""The hardened token CloudPage, ported line by line from ``sources/hardened.ssjs``.

Same request format as the seed's page, flaws fixed: wrong or missing credentials answer
``{"Error": ...}`` (no token); the secret is compared exactly after a lookup by ``client_id``;
the payload is built from ``client_id``, ``iat``, ``exp`` and ``jti`` through the page clock
(AMPscript ``Now``/``GUID``, so a frozen clock gives exact bytes); tokens live
:data:`TOKEN_LIFETIME` seconds.
"""

from __future__ import annotations

from typing import Any

from emulator.pages.api import constant_time_equals, epoch_seconds
from emulator.platform.globals import PageGlobals
from emulator.script import js
from emulator.script.errors import ScriptError

TOKEN_LIFETIME = 3600  # seconds; the answer's expires_in
NOT_AUTHORIZED = "Not Authorized. Please validate your credentials."


def hardened_page(g: PageGlobals) -> None:
    """Run the hardened token page against the page globals ``g``."""
    Platform = g.Platform
    Platform.Load("core", "1")
    DataExtension, Variable, Write, Stringify = (
        g.DataExtension, g.Variable, g.Write, g.Stringify)
    errorLogDEInit = "CustomAppException"
    tokenLifetime = TOKEN_LIFETIME

    def IssueToken(credentials: Any) -> dict[str, Any]:
        if not js.strict_eq(js.get(credentials, "grant_type"), "client_credentials"):
            return {"Error": "Unsupported grant_type: use client_credentials."}
        client_id = js.get(credentials, "client_id")
        client_secret = js.get(credentials, "client_secret")
        if (not isinstance(client_id, str) or not js.truthy(client_id)
                or not isinstance(client_secret, str) or not js.truthy(client_secret)):
            return {"Error": "Missing credentials: client_id and client_secret are required."}
        appCredentialsDE = DataExtension.Init("AppCredentials")
        dataSet = appCredentialsDE.Rows.Retrieve({
            "Property": "client_id",
            "SimpleOperator": "equals",
            "Value": client_id,
        })
        if (not js.truthy(dataSet) or not js.strict_eq(js.get(dataSet, "length"), 1)
                or not constant_time_equals(js.get(dataSet[0], "client_secret"), client_secret)
                or not js.truthy(js.get(dataSet[0], "signing_secret"))):
            return {"Error": NOT_AUTHORIZED}
        now = epoch_seconds(g)
        Platform.Function.TreatAsContent("%%[SET @Jti = GUID()]%%")
        claims = {
            "client_id": js.get(dataSet[0], "client_id"),
            "iat": now,
            "exp": now + tokenLifetime,
            "jti": Variable.GetValue("@Jti"),
        }
        Variable.SetValue("@Payload", Stringify(claims))
        Variable.SetValue("@Secret", js.get(dataSet[0], "signing_secret"))
        Platform.Function.TreatAsContent(
            "%%[SET @JWT = GetJWT(@Secret, 'HS256', @Payload)]%%")
        return {
            "access_token": Variable.GetValue("@JWT"),
            "token_type": "Bearer",
            "expires_in": tokenLifetime,
        }

    try:
        jsonPost = Platform.Request.GetPostData()
        json = Platform.Function.ParseJSON(jsonPost)
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
        response: dict[str, Any]
        # ASSUMED "loose-equals", as on the seed page.
        if js.loose_eq(Platform.Request.Method, "GET"):
            response = {"Error": "Method not allowed: use POST."}
        elif not isinstance(json, dict):  # null, not an object, or an array
            response = {"Error": "The request body must be a JSON object."}
        elif js.strict_eq(js.get(json, "operation"), "RequestToken"):
            response = IssueToken(json)
        else:
            response = {"Error": "Invalid operation specified."}
        Write(Stringify(response))
    except ScriptError as ex:
        APIExceptionDE = DataExtension.Init(errorLogDEInit)
        APIExceptionDE.Rows.Add({
            "Message": ex.message,
            "Description": ex.description,
            "InnerException": ex.jintException,
            "FunctionName": "Main Block",
        })
        # The details stay in CustomAppException; the client learns nothing about the internals.
        Write(Stringify({"Error": "The token could not be issued."}))
