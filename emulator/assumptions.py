"""Every ASSUMED fidelity rule, in one place.

Where nobody has published how the real platform behaves, the emulator picks a rule and names it
here (``../shared/spec/fidelity.md`` tags these rules ASSUMED). Code that implements such a rule
reads the constant from this module, so that better evidence changes one line, and the README's
fidelity table lists each entry of :data:`ASSUMPTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    """One rule the emulator chose because the platform's behaviour is unknown."""

    key: str
    rule: str


# --- CLR rendering (fidelity.md, "CLR rendering") -----------------------------------------------
#: How a JavaScript object renders as text (Write, a Text field, an AMPscript argument).
CLR_OBJECT_TEXT = "System.Collections.Generic.Dictionary`2[System.String,System.Object]"

# --- SSJS exceptions (fidelity.md, "SSJS exceptions a page can catch") --------------------------
#: Message of the TypeError raised by property access on null/undefined (QuickJS's wording).
TYPE_ERROR_READ_PROPERTY = "cannot read property '{name}' of {value}"

# --- Platform.Request (fidelity.md, "Platform.Request") -----------------------------------------
#: Browser fields for a User-Agent nobody recognises.
UNKNOWN_BROWSER = {
    "Platform": "Unknown",
    "Browser": "Unknown",
    "Version": "0.0",
    "MajorVersion": "0",
    "MinorVersion": ".0",
}

# --- Default response (fidelity.md, "Default response") -----------------------------------------
#: Charset added to the content type of every page response.
RESPONSE_CHARSET = "utf-8"
#: Body sent with HTTP 500 when an exception escapes the page (the real page's text is unknown).
UNCAUGHT_EXCEPTION_BODY = "500 - Internal Server Error: an exception escaped the page script."

# --- ParseJSON ----------------------------------------------------------------------------------
#: Nesting deeper than this makes ParseJSON return null, like any other text it cannot parse.
PARSE_JSON_MAX_DEPTH = 100
#: Stringify's text for -Infinity (untested; +Infinity's RT text is "-\u221e", so this matches it).
STRINGIFY_NEGATIVE_INFINITY = "-\u221e"
#: GetPostData(encoding) with an encoding name the platform does not know.
GETPOSTDATA_UNKNOWN_ENCODING = "'{name}' is not a supported encoding name."

# --- Data Extensions (fidelity.md, "Data Extensions") -------------------------------------------
DE_MISSING = "A Data Extension with key {key} does not exist."
DE_UNKNOWN_FIELD = "Invalid field name {field} for Data Extension {key}."
DE_REQUIRED_FIELD = (
    "The field {field} of Data Extension {key} is required and was not given a value."
)
DE_DUPLICATE_KEY = (
    "Violation of PRIMARY KEY constraint on Data Extension {key}: "
    "a row with {field} = '{value}' already exists."
)
DE_VALUE_TOO_LONG = (
    "The value for field {field} of Data Extension {key} is {length} characters long; "
    "the field holds at most {limit}."
)
DE_BAD_FILTER = "Invalid filter for Data Extension {key}: {reason}"
DE_FIELD_TWICE = "The field {field} of Data Extension {key} is given more than once: {names}."
DE_ADD_NOT_OBJECT = "Rows.Add expects a row object or an array of row objects."
#: Bounds on a filter's nesting and number of parts (the platform's are unpublished).
FILTER_MAX_DEPTH = 100
FILTER_MAX_PARTS = 10_000
#: Length of a Text field whose schema gives none (design.md: "Text default 4000, ASSUMED").
TEXT_DEFAULT_LENGTH = 4000

# --- AMPscript ----------------------------------------------------------------------------------
AMPSCRIPT_UNKNOWN_FUNCTION = (
    "The AMPscript function {name} is not emulated by mc-emulator. Emulated functions: {known}."
)
AMPSCRIPT_NOT_EMULATED = "{what} at {where} is not emulated by mc-emulator."
#: Nesting of calls deeper than this is a syntax error (the real engine's limit is unpublished).
AMPSCRIPT_MAX_NESTING = 100
AMPSCRIPT_SYNTAX = "AMPscript syntax error: {reason}"
AMPSCRIPT_ARG_COUNT = (
    "Invalid number of parameters for function {name}: {given} given, {expected} expected."
)
AMPSCRIPT_BAD_PARAMETER = (
    "Invalid value specified for function parameter. Function Name: {name} "
    "Parameter Name: {parameter} Parameter Ordinal: {ordinal} Submitted Value: {value}"
)


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("loose-equals", "The script's loose `==` between `Method` and a string literal is "
               "true when they match."),
    Assumption("cp1252-undefined-bytes", "Bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D decode to U+0081, "
               "U+008D, U+008F, U+0090, U+009D."),
    Assumption("browser-names", "`Browser` field names and values come from a small User-Agent "
               "table; an unknown agent gives Platform/Browser `Unknown`, Version `0.0`."),
    Assumption("charset", "Page responses carry `charset=utf-8`."),
    Assumption("uncaught-exception-body", "The body of the HTTP 500 sent when an exception escapes "
               "the page is a short fixed text."),
    Assumption("parsejson-depth", f"ParseJSON returns null past {PARSE_JSON_MAX_DEPTH} levels of "
               "nesting."),
    Assumption("clr-object", f"A JavaScript object renders as `{CLR_OBJECT_TEXT}`."),
    Assumption("clr-browser", "The `Browser` host object renders as its five fields in compact "
               "JSON."),
    Assumption("de-missing", "Rows.Add/Retrieve on a missing DE throw `A Data Extension with key "
               "<key> does not exist.`"),
    Assumption("text-clr-value", "A non-string value written to a Text field is stored as its CLR "
               "text; `null` and `undefined` are stored empty."),
    Assumption("filter-value-types", "A filter Value that is a number or boolean compares by its "
               "text; an object, array (outside between/IN) or null throws."),
    Assumption("case-insensitive-retrieve", "Rows.Retrieve compares Text case-insensitively and "
               "matches field names case-insensitively."),
    Assumption("type-error-text", "Property access on null/undefined throws a TypeError with "
               "QuickJS's text, `cannot read property '<name>' of null`."),
    Assumption("js-semantics", "Truthiness and `==` follow ECMAScript; Jint's deviations are not "
               "emulated."),
    Assumption("ampscript-error-texts", "AMPscript error messages (unknown function, argument "
               "count, bad parameter) use the texts in `emulator/assumptions.py`."),
    Assumption("de-error-texts", "Data Extension errors (unknown field, required field, duplicate "
               "key, value too long, bad filter) use the texts in `emulator/assumptions.py`."),
    Assumption("parsejson-scalar", "A top-level scalar comes back unchanged only when it is the "
               "whole text (bar whitespace); `42 x` gives null."),
    Assumption("stringify-negative-infinity", "Stringify writes -Infinity as `-\u221e`, like "
               "+Infinity."),
    Assumption("query-piece-without-equals", "A query piece without `=` (`?flag`) has no name: "
               "GetQueryStringParameter finds nothing for it."),
    Assumption("getpostdata-encoding", "GetPostData with an unknown encoding name throws; Python-"
               "only codecs (base64, rot13) count as unknown."),
    Assumption("empty-cells", "An empty or null cell matches no comparison but isNull (SQL's "
               "rule), not even notEquals or like."),
    Assumption("filter-bounds", f"A filter nested deeper than {FILTER_MAX_DEPTH} levels or with "
               f"more than {FILTER_MAX_PARTS} parts throws."),
    Assumption("text-length-units", "Text lengths count UTF-16 code units, as SQL Server's "
               "nvarchar does."),
    Assumption("ampscript-nesting", f"AMPscript nested deeper than {AMPSCRIPT_MAX_NESTING} levels "
               "is a syntax error."),
    Assumption("ampscript-int64", "AMPscript integer literals outside the int64 range read as 0 "
               "(SF Labs vectors)."),
    Assumption("ampscript-inline-comments", "Comments inside `%%= =%%` are a syntax error "
               "(comments belong in blocks)."),
    Assumption("lone-surrogates", "A lone UTF-16 surrogate becomes U+FFFD when text is encoded "
               "as UTF-8 (signing, the response body)."),
    Assumption("text-length", f"A Text field without a length holds {TEXT_DEFAULT_LENGTH} "
               "characters."),
)
