"""The seed article's token CloudPage, ported line by line from ``sources/token.ssjs``.

Every statement mirrors the SSJS beside it, flaws included
(docs/fidelity.md#seed-script): the token payload is the raw POST body, wrong credentials still get
a token (signed with the CLR text of an error object), GET answers HTTP 200 with a "403" body, and
every request first logs an ``HTTPProperties`` row. Do not "fix" anything here: the hardened
page is a separate page.
"""

from __future__ import annotations

from typing import Any

from emulator.platform.globals import PageGlobals
from emulator.script import js
from emulator.script.errors import ScriptError


def token_page(g: PageGlobals) -> None:
    """Run the token page against the page globals ``g``."""
    Platform = g.Platform
    Platform.Load("core", "1")
    DataExtension, Variable, Write, Stringify = (
        g.DataExtension, g.Variable, g.Write, g.Stringify)
    errorLogDEInit = "CustomAppException"

    def GetAccessToken(credentials: Any, errorLogDEInit: str) -> Any:
        try:
            if (not js.truthy(js.get(credentials, "grant_type"))
                    or not js.truthy(js.get(credentials, "client_id"))
                    or not js.truthy(js.get(credentials, "client_secret"))):
                return {
                    "errorcode": 0,
                    "message": "missing credentials, make sure you have add grant_type, "
                               "client id and secret.",
                }
            else:
                appCredentialsDE = DataExtension.Init("AppCredentials")
                complexfilter = {
                    "LeftOperand": {
                        "Property": "client_id",
                        "SimpleOperator": "equals",
                        "Value": js.get(credentials, "client_id"),
                    },
                    "LogicalOperator": "AND",
                    "RightOperand": {
                        "Property": "client_secret",
                        "SimpleOperator": "equals",
                        "Value": js.get(credentials, "client_secret"),
                    },
                }
                dataSet = appCredentialsDE.Rows.Retrieve(complexfilter)
                if not js.truthy(dataSet) or js.strict_eq(js.get(dataSet, "length"), 0):
                    response = {
                        "message": "Not Authorized. Please validate your credentials.",
                        "code": 400,
                    }
                    return response
                else:
                    return js.get(js.get(dataSet, 0), "signing_secret")
        except ScriptError as ex:
            APIExceptionDE = DataExtension.Init(errorLogDEInit)
            APIExceptionDE.Rows.Add({
                "Message": ex.message,
                "Description": ex.description,
                "InnerException": ex.jintException,
                "FunctionName": "GetAccessToken",
            })
            raise

    def GetJWT(payload: Any, signingSecret: Any, errorLogDEInit: str) -> Any:
        try:
            Variable.SetValue("@JSON", payload)
            Variable.SetValue("@Secret", signingSecret)
            # The SSJS literal "\%\%[...]\%\%" is this string: `\%` is just `%` in JavaScript.
            ampScriptBlock = "%%[SET @JWT = GetJWT(@Secret, 'HS256', @JSON)]%%"
            Platform.Function.TreatAsContent(ampScriptBlock)
            return Variable.GetValue("@JWT")
        except ScriptError as ex:
            APIExceptionDE = DataExtension.Init(errorLogDEInit)
            APIExceptionDE.Rows.Add({
                "Message": ex.message,
                "Description": ex.description,
                "InnerException": ex.jintException,
                "FunctionName": "GetJWT",
            })
            raise

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
        # ASSUMED "loose-equals": the CLR Method string == "GET" when they match.
        if js.loose_eq(Platform.Request.Method, "GET"):
            response: Any = {
                "message": "403 Forbidden",
            }
        else:
            operation = js.get(json, "operation")  # switch (json.operation): throws on null
            if js.strict_eq(operation, "RequestToken"):  # `case` compares with ===
                secret = GetAccessToken(json, errorLogDEInit)
                jwt = GetJWT(jsonPost, secret, errorLogDEInit)
                response = {
                    "access_token": jwt,
                    "token_type": "Bearer",
                }
            else:  # default:
                response = {
                    "Error": "Invalid operation specified.",
                }
        Write(Stringify(response))
    except ScriptError as ex:
        APIExceptionDE = DataExtension.Init(errorLogDEInit)
        APIExceptionDE.Rows.Add({
            "Message": ex.message,
            "Description": ex.description,
            "InnerException": ex.jintException,
            "FunctionName": "Main Block",
        })
        response = {
            "Error": ex.message,
        }
        Write(Stringify(response))
