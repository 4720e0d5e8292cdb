"""The AMPscript function table: every family module registers into the one :data:`FUNCTIONS`.

Families: ``string`` (Concat, Length, Substring, ...), ``regex`` (RegExMatch), ``math`` (Add ...
Mod), ``format`` (Format, FormatNumber, FormatDate), ``date`` (Now, DateAdd, DateDiff,
DateParse), ``encoding`` (Base64, hashes, GUID, URLEncode), ``jwt`` (GetJWT, GetJWTByKeyName),
``data`` (Lookup, LookupRows, Row, Field, RowCount), ``rowsets`` (LookupRowsCS, the ordered
lookups, BuildRowsetFromString, DataExtensionRowCount), ``jsonrows`` (BuildRowsetFromJSON),
``writes`` (InsertData ... DeleteDE), ``salesforce`` (the Sales Cloud functions),
``content`` (ContentBlockByKey ... ContentAreaByName), ``objects`` (CreateObject, SetObjectProperty,
AddObjectArrayItem, InvokeCreate/Update/Delete/Retrieve), ``validation`` (IsEmailAddress,
IsPhoneNumber, Domain),
``page`` (RequestParameter, Redirect, TreatAsContent, ...), ``attributes`` (AttributeValue)
and ``utility`` (v, Empty, IsNull, IsNullDefault, IIf, Output,
OutputLine, RaiseError). See ``emulator.ampscript.registry`` for how to add one.
"""

from __future__ import annotations

from emulator.ampscript.functions import (  # imported to register their functions
    attributes,
    cloudpages,
    content,
    data,
    date,
    encoding,
    format,
    http,
    jsonrows,
    jwt,
    math,
    objects,
    page,
    regex,
    rowsets,
    salesforce,
    string,
    utility,
    validation,
    writes,
)
from emulator.ampscript.registry import (
    FUNCTIONS,
    FunctionEntry,
    Runtime,
    ampscript_function,
    unknown_function,
)

__all__ = ["FUNCTIONS", "FunctionEntry", "Runtime", "ampscript_function", "unknown_function",
           "attributes", "cloudpages", "content", "data", "date", "encoding", "format", "http",
           "jsonrows", "jwt", "math", "objects", "page", "regex", "rowsets", "salesforce",
           "string", "utility", "validation", "writes"]
