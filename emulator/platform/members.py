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
    **CORE_OWNERS,
}
#: Attributes that hold other members rather than being members themselves.
CONTAINERS = frozenset({"Platform", "DataExtension", "Variable", "Subscriber", "List", "Folder",
                        "Attribute"})


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
        Request: RT; members ASSUMED"""),
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
        Now: OFF; instant ASSUMED
        GUID: OFF
        Lookup: OFF, RT
        LookupRows: OFF, RT; row values ASSUMED
        LookupOrderedRows: OFF; count and values ASSUMED
        InsertData: OFF, RT
        UpdateData: OFF, RT
        UpsertData: OFF, RT
        DeleteData: OFF, RT"""),
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
        Remove: RT"""),
    *_members("Subscriber.Init(key).Lists", "Retrieve: OFF, RT; row shape ASSUMED"),
    *_members("List", """
        Init: RT
        Retrieve: OFF, RT"""),
    *_members("List.Init(key).Subscribers", """
        Add: RT; an existing member ASSUMED
        Retrieve: RT
        Update: OFF, RT
        Unsubscribe: RT
        Upsert: RT"""),
    *_members("Folder", """
        Init: RT
        Retrieve: RT"""),
    *_members("Attribute", "GetValue: RT; with a subscriber ASSUMED"),
    *_members("Script.Util", "WSProxy: 3P, RT"),
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
        performItem: RT, CAP; Automation and QueryDefinition only, runs ASSUMED
        performBatch: RT; Automation and QueryDefinition only, runs ASSUMED"""),
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
    "Platform.Function.HTTPGet",
    "Platform.Function.ContentBlockByID",
    "Platform.Function.ContentBlockByName",
    "Platform.Function.BeginImpressionRegion",
    "Platform.Function.LocalDateToSystemDate",
    "Platform.Function.SystemDateToLocalDate",
    "DataExtension.Init(key).Fields",
    "HTTP (Core)",
    "HTTPHeader (Core)",
    "ErrorUtil (Core)",
    "Send.Definition (Core)",
    "TriggeredSend (Core)",
    "DataExtension.Add (Core)",
    "Subscriber.Init(key).Statistics",
    "Subscriber.Init(key).Attributes",
    "List.Add",
    "List.Init(key).Remove",
    "List.Init(key).Subscribers.Tracking",
    "Folder.Add",
    "Folder.Init(key).SetID",
    "Folder.Init(key).Remove",
    "Folder.Init(key).Update",
    "Script.Util.WSProxy.execute",
    "Script.Util.WSProxy.setClientId",
    "Script.Util.WSProxy.resetClientIds",
    "Script.Util.HttpRequest",
)


def ssjs_names(owner: str) -> set[str]:
    """Return the SSJS-named members the shim class of ``owner`` defines."""
    cls = OWNERS[owner]
    listed = getattr(cls, "SSJS_MEMBERS", None)  # lower-case API names (WSProxy)
    if listed:
        return set(listed)
    return {name for name in dir(cls) if name[:1].isupper() and name not in CONTAINERS}
