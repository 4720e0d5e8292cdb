"""The SSJS members the emulator implements, each with its fidelity tag (docs/fidelity.md).

The coverage page (docs/coverage.md) is written from :data:`EMULATED` and :data:`NOT_EMULATED` by
``scripts/coverage_table.py``; a test checks both against the shim classes (:data:`OWNERS`), so
the table cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.platform.core_objects import CORE_OWNERS
from emulator.platform.data_extension import DataExtensionFactory, Rows
from emulator.platform.function import PlatformFunction
from emulator.platform.globals import PageGlobals, PlatformObject
from emulator.platform.http import HttpObject, ScriptHttpRequest
from emulator.platform.output import PlatformResponse
from emulator.platform.request import PlatformRequest
from emulator.platform.variable import VariableObject
from emulator.platform.wsproxy import ScriptUtil, WSProxy


@dataclass(frozen=True)
class Member:
    """One SSJS member: the object that owns it, its name, its fidelity tag."""

    owner: str
    name: str
    tag: str

    @property
    def path(self) -> str:
        return f"{self.owner}.{self.name}" if self.owner else self.name


#: Where each owner's members live: the shim class a page reaches them through.
OWNERS: dict[str, type] = {
    "": PageGlobals,
    "Platform": PlatformObject,
    "Platform.Request": PlatformRequest,
    "Platform.Function": PlatformFunction,
    "Platform.Response": PlatformResponse,
    "Platform.Variable": VariableObject,
    "Variable": VariableObject,
    "DataExtension": DataExtensionFactory,
    "DataExtension.Init(key).Rows": Rows,
    "Script.Util": ScriptUtil,
    "Script.Util.WSProxy": WSProxy,
    "Script.Util.HttpRequest": ScriptHttpRequest,
    **CORE_OWNERS,
    "HTTP": HttpObject,
}
#: Attributes that hold other members rather than being members themselves.
CONTAINERS = frozenset({"Platform", "DataExtension", "Variable", "Subscriber", "List", "Folder",
                        "Attribute", "TriggeredSend", "HTTP"})


def _members(owner: str, tagged: str) -> tuple[Member, ...]:
    """Read ``"Name: tag; Name: tag"`` lines into members of ``owner``."""
    found = []
    for line in tagged.strip().splitlines():
        name, _, tag = line.partition(":")
        found.append(Member(owner, name.strip(), tag.strip()))
    return tuple(found)


EMULATED: tuple[Member, ...] = (
    *_members("", """
        Write: RT
        Stringify: RT
        Now: OFF
        GUID: OFF
        Request: RT; members ASSUMED
        ContentBlockByKey: RT, 3P; after Platform.Load ASSUMED
        ContentBlockByName: RT, 3P; after Platform.Load ASSUMED
        ContentBlockByID: RT, 3P; after Platform.Load ASSUMED"""),
    *_members("Platform", "Load: OFF, RT"),
    *_members("Platform.Request", """
        Method: OFF, RT
        ClientIP: OFF, RT
        QueryString: OFF, RT
        RequestURL: OFF, RT
        HasSSL: OFF, RT
        IsSSL: OFF, RT
        ReferrerURL: OFF
        UserAgent: OFF
        Browser: OFF, RT; names ASSUMED
        GetPostData: OFF, RT; code pages ASSUMED
        GetQueryStringParameter: RT
        GetFormField: RT
        GetRequestHeader: RT
        GetCookieValue: RT"""),
    *_members("Platform.Function", """
        ParseJSON: RT
        Stringify: RT
        TreatAsContent: OFF, RT; error texts ASSUMED
        ContentBlockByKey: RT; missing block ASSUMED
        ContentBlockByName: RT; missing block ASSUMED
        ContentBlockByID: RT; missing block ASSUMED
        Now: OFF; instant ASSUMED
        GUID: OFF
        Lookup: OFF, RT
        LookupRows: OFF, RT; row values ASSUMED
        LookupOrderedRows: OFF; count and values ASSUMED
        InsertData: OFF, RT
        UpdateData: OFF, RT
        UpsertData: OFF, RT
        DeleteData: OFF, RT
        HTTPGet: RT; error texts ASSUMED
        HTTPPost: 3P; error texts ASSUMED
        CreateObject: RT; SSJS form ASSUMED
        SetObjectProperty: RT; SSJS form ASSUMED
        AddObjectArrayItem: RT; SSJS form ASSUMED
        InvokeCreate: RT; out-arrays ASSUMED
        InvokeUpdate: RT; out-arrays ASSUMED
        InvokeDelete: RT; out-arrays ASSUMED
        InvokeRetrieve: RT; out-arrays ASSUMED
        InvokePerform: RT; out-arrays ASSUMED
        InvokeExecute: RT; LogUnsubEvent only, out-arrays ASSUMED"""),
    *_members("Platform.Response", """
        Write: RT
        ContentType: RT
        CharacterSet: RT; body encoding ASSUMED
        SetResponseHeader: OFF, RT; checks ASSUMED
        Redirect: RT; body ASSUMED
        SetCookie: OFF, 3P; header form ASSUMED"""),
    *_members("Platform.Variable", """
        SetValue: OFF, RT
        GetValue: OFF, RT"""),
    *_members("Variable", """
        SetValue: OFF, RT
        GetValue: OFF, RT"""),
    *_members("DataExtension", """
        Init: OFF, RT
        Retrieve: OFF, 3P; one business unit ASSUMED"""),
    *_members("DataExtension.Init(key).Rows", """
        Add: OFF, RT
        Retrieve: OFF, RT
        Lookup: RT; limit and order ASSUMED
        Update: RT
        Remove: OFF, RT"""),
    *_members("Subscriber", """
        Init: RT
        Add: RT; spam-blocked domains not emulated
        Retrieve: OFF, RT"""),
    *_members("Subscriber.Init(key)", """
        Update: RT
        Upsert: RT
        Unsubscribe: RT
        Remove: RT
        Statistics: RT; counters ASSUMED"""),
    *_members("Subscriber.Init(key).Lists", "Retrieve: OFF, RT; row shape ASSUMED"),
    *_members("Subscriber.Init(key).Attributes", "Retrieve: RT"),
    *_members("List", """
        Init: RT
        Add: RT; texts ASSUMED
        Retrieve: OFF, RT"""),
    *_members("List.Init(key)", "Remove: RT; memberships ASSUMED"),
    *_members("List.Init(key).Subscribers", """
        Add: RT; an existing member ASSUMED
        Retrieve: RT
        Update: OFF, RT
        Unsubscribe: RT
        Upsert: RT"""),
    *_members("Folder", """
        Init: RT
        Add: RT; texts ASSUMED
        Retrieve: RT"""),
    *_members("Folder.Init(key)", """
        Update: RT; changes ASSUMED
        Remove: ASSUMED"""),
    *_members("TriggeredSend", """
        Init: RT
        Add: RT
        Retrieve: RT"""),
    *_members("TriggeredSend.Init(key)", """
        Send: OFF, RT; success texts ASSUMED
        Start: OFF; ASSUMED
        Pause: OFF, 3P; ASSUMED
        Publish: OFF; ASSUMED
        Update: RT
        LastRequestID: RT; ASSUMED
        LastMessage: RT; texts ASSUMED"""),
    *_members("Attribute", "GetValue: RT; with a subscriber ASSUMED"),
    *_members("HTTP", """
        Get: RT, OFF; failure ASSUMED
        Post: RT; failure ASSUMED"""),
    *_members("Script.Util", """
        WSProxy: 3P, RT
        HttpRequest: RT; failures ASSUMED
        HttpGet: RT, OFF; failures ASSUMED
        HttpPost: OFF; method POST ASSUMED"""),
    *_members("Script.Util.HttpRequest", """
        method: RT
        contentType: RT
        encoding: RT
        timeout: RT
        emptyContentHandling: RT; effect ASSUMED
        retries: RT; effect ASSUMED
        continueOnError: RT, OFF; failed call ASSUMED
        postData: RT
        setHeader: RT
        removeHeader: RT
        clearHeaders: RT
        send: RT; non-2xx text ASSUMED"""),
    *_members("Script.Util.WSProxy", """
        retrieve: OFF, RT; error texts RT, others ASSUMED
        getNextBatch: OFF, RT; per page run ASSUMED
        createItem: RT; DE texts ASSUMED
        createBatch: RT; batch limit ASSUMED
        updateItem: RT
        updateBatch: RT
        deleteItem: RT
        deleteBatch: RT
        describe: RT; property fields ASSUMED
        execute: RT; LogUnsubEvent only, ASSUMED
        performItem: RT, CAP; Automation and QueryDefinition only, runs ASSUMED
        performBatch: RT; Automation and QueryDefinition only, runs ASSUMED
        setClientId: RT; denial wording ASSUMED
        resetClientIds: RT"""),
)

#: SSJS names the platform documents that the emulator does not implement. Those that the
#: shims define raise a catchable "not emulated" error; the others are simply absent.
NOT_EMULATED: tuple[str, ...] = (
    "Platform.Request.GetUserLanguages",
    "Platform.Response.RemoveCookie",
    "Platform.Response.RemoveResponseHeader",
    "Platform.Function.InsertDE",
    "Platform.Function.UpdateDE",
    "Platform.Function.UpsertDE",
    "Platform.Function.DeleteDE",
    "Platform.Function.RaiseError",
    "Platform.Function.BeginImpressionRegion",
    "Platform.Function.LocalDateToSystemDate",
    "Platform.Function.SystemDateToLocalDate",
    "DataExtension.Init(key).Fields",
    "HTTPHeader (Core)",
    "ErrorUtil (Core)",
    "Send.Definition (Core)",
    "DataExtension.Add (Core)",
    "List.Init(key).Subscribers.Tracking",
    "TriggeredSend.Init(key).Tracking",
    "Folder.Init(key).SetID",
)


def ssjs_names(owner: str) -> set[str]:
    """Return the SSJS-named members the shim class of ``owner`` defines."""
    cls = OWNERS[owner]
    listed = getattr(cls, "SSJS_MEMBERS", None)  # lower-case API names (WSProxy)
    if listed:
        return set(listed)
    return {name for name in dir(cls) if name[:1].isupper() and name not in CONTAINERS}
