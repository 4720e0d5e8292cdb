"""The AMPscript function table: every family module registers into the one :data:`FUNCTIONS`.

Families: ``functions_string`` (Concat, Length, Substring, ...), ``functions_regex``
(RegExMatch), ``functions_math`` (Add ... Mod), ``functions_format`` (Format, FormatNumber,
FormatDate), ``functions_date`` (Now, DateAdd, DateDiff, DateParse), ``functions_encoding``
(Base64, hashes, GUID, URLEncode), ``functions_jwt`` (GetJWT, GetJWTByKeyName),
``functions_data`` (Lookup, LookupRows, Row, Field, RowCount) and ``functions_utility`` (v,
Empty, IsNull, IIf, Output, OutputLine, RaiseError). See ``registry`` for how to add one.
"""

from __future__ import annotations

from emulator.ampscript import (  # noqa: F401 -- imported to register their functions
    functions_data,
    functions_date,
    functions_encoding,
    functions_format,
    functions_jwt,
    functions_math,
    functions_regex,
    functions_string,
    functions_utility,
)
from emulator.ampscript.registry import (
    FUNCTIONS,
    FunctionEntry,
    Runtime,
    ampscript_function,
    unknown_function,
)

__all__ = ["FUNCTIONS", "FunctionEntry", "Runtime", "ampscript_function", "unknown_function"]
