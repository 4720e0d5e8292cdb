"""The names a CloudPage script sees: ``Platform`` always, the Core library after ``Platform.Load``.

docs/fidelity.md#platform-load: ``DataExtension``, ``Variable``, ``Write``, ``Stringify``, ``Now``,
``GUID`` and ``Request`` are ``undefined`` until ``Platform.Load("core", ...)``;
``Platform.Request`` and ``Platform.Function`` work without it.
"""

from __future__ import annotations

from typing import Any

from emulator.platform.context import PageContext
from emulator.platform.core_objects import (
    AttributeObject,
    FolderStatics,
    ListStatics,
    SubscriberStatics,
    TriggeredSendStatics,
)
from emulator.platform.data_extension import DataExtensionFactory
from emulator.platform.function import PlatformFunction
from emulator.platform.http import HttpObject
from emulator.platform.output import PlatformResponse, Writer
from emulator.platform.request import PlatformRequest
from emulator.platform.variable import VariableObject
from emulator.platform.wsproxy import ScriptObject
from emulator.script.clr import clr_text
from emulator.script.errors import JSTypeError, PlatformError

CORE_LIBRARY_VERSIONS = ("1", "1.1", "1.1.1", "1.1.5")  # OFF examples use "1"; community 1.1.x
NOT_LOADED = "{name} is not defined (call Platform.Load(\"core\", \"1\") first)"
#: The Core library's names the emulator implements (``undefined`` until Platform.Load).
CORE_GLOBALS = ("DataExtension", "Variable", "Write", "Stringify", "Now", "GUID", "Request",
                "Subscriber", "List", "Folder", "Attribute", "TriggeredSend", "HTTP",
                "ContentBlockByKey", "ContentBlockByName", "ContentBlockByID")
#: Core library objects the emulator lacks: after Platform.Load each exists and every member
#: throws a catchable "not emulated" error (docs/fidelity.md#not-emulated-objects).
CORE_NOT_EMULATED = (
    "HTTPHeader", "ErrorUtil", "Send",
    "Account", "AccountUser", "ContentAreaObj", "DeliveryProfile", "Email", "FilterDefinition",
    "Portfolio", "QueryDefinition", "SendClassification", "SenderProfile", "Template",
    "BounceEvent", "ClickEvent", "OpenEvent", "SentEvent", "NotSentEvent", "UnsubEvent",
)


class PlatformObject:
    """The global ``Platform``."""

    def __init__(self, context: PageContext) -> None:
        self._core_loaded = False
        self.Request = PlatformRequest(context.request)
        self.Function = PlatformFunction(context)
        self.Response = PlatformResponse(context)
        self.Variable = VariableObject(context.variables)

    def Load(self, library: Any, version: Any = "1") -> None:
        name, wanted = clr_text(library).lower(), clr_text(version)
        if name != "core":
            raise PlatformError(f"Platform.Load: the library {clr_text(library)!r} is not "
                                "emulated; only \"core\" is.")
        if wanted not in CORE_LIBRARY_VERSIONS:
            raise PlatformError(f"Platform.Load: core version {wanted!r} is not emulated; "
                                f"versions: {', '.join(CORE_LIBRARY_VERSIONS)}.")
        self._core_loaded = True


class PageGlobals:
    """The global scope of one page run."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.Platform = PlatformObject(context)
        # docs/fidelity.md#wsproxy: Script.Util needs no Platform.Load
        self.Script = ScriptObject(context)
        self._core = {
            "DataExtension": DataExtensionFactory(context),
            "Variable": self.Platform.Variable,
            "Write": Writer(context),
            "Stringify": self.Platform.Function.Stringify,
            "Now": self.Platform.Function.Now,
            "GUID": self.Platform.Function.GUID,
            # docs/fidelity.md#core-request: the Core Request object answers as Platform.Request
            "Request": self.Platform.Request,
            # docs/fidelity.md#core-objects: doors to the object model (emulator/objects)
            "Subscriber": SubscriberStatics(context),
            "List": ListStatics(context),
            "Folder": FolderStatics(context),
            "Attribute": AttributeObject(context),
            "TriggeredSend": TriggeredSendStatics(context),
            "HTTP": HttpObject(context),  # docs/fidelity.md#ssjs-http
            # docs/fidelity.md#content-blocks: the bare globals are Platform.Function's
            "ContentBlockByKey": self.Platform.Function.ContentBlockByKey,
            "ContentBlockByName": self.Platform.Function.ContentBlockByName,
            "ContentBlockByID": self.Platform.Function.ContentBlockByID,
        }

    def _core_member(self, name: str) -> Any:
        if not self.Platform._core_loaded:
            raise JSTypeError(NOT_LOADED.format(name=name))
        return self._core[name]

    @property
    def DataExtension(self) -> DataExtensionFactory:
        return self._core_member("DataExtension")

    @property
    def Variable(self) -> VariableObject:
        return self._core_member("Variable")

    @property
    def Write(self) -> Writer:
        return self._core_member("Write")

    @property
    def Stringify(self) -> Any:
        return self._core_member("Stringify")

    @property
    def Now(self) -> Any:
        return self._core_member("Now")

    @property
    def GUID(self) -> Any:
        return self._core_member("GUID")

    @property
    def Request(self) -> PlatformRequest:
        return self._core_member("Request")

    @property
    def ContentBlockByKey(self) -> Any:
        return self._core_member("ContentBlockByKey")

    @property
    def ContentBlockByName(self) -> Any:
        return self._core_member("ContentBlockByName")

    @property
    def ContentBlockByID(self) -> Any:
        return self._core_member("ContentBlockByID")

    @property
    def Subscriber(self) -> SubscriberStatics:
        return self._core_member("Subscriber")

    @property
    def List(self) -> ListStatics:
        return self._core_member("List")

    @property
    def Folder(self) -> FolderStatics:
        return self._core_member("Folder")

    @property
    def Attribute(self) -> AttributeObject:
        return self._core_member("Attribute")

    @property
    def TriggeredSend(self) -> TriggeredSendStatics:
        return self._core_member("TriggeredSend")

    @property
    def HTTP(self) -> HttpObject:
        return self._core_member("HTTP")
