"""Every ASSUMED fidelity rule, in one place.

Where nobody has published how the real platform behaves, the emulator picks a rule and names it
here (``docs/fidelity.md`` tags these rules assumed, each under an anchor named by its key). Code
that implements such a rule reads the constant from this module, so that better evidence changes one
line, and the README's fidelity table lists each entry of :data:`ASSUMPTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    """One rule the emulator chose because the platform's behaviour is unknown."""

    key: str
    rule: str


# --- CLR rendering (docs/fidelity.md#clr-rendering) ----------------------------------------------
#: How a JavaScript object renders as text (Write, a Text field, an AMPscript argument).
CLR_OBJECT_TEXT = "System.Collections.Generic.Dictionary`2[System.String,System.Object]"

# --- SSJS exceptions (docs/fidelity.md#type-error-text) ------------------------------------------
#: Message of the TypeError raised by property access on null/undefined (QuickJS's wording).
TYPE_ERROR_READ_PROPERTY = "cannot read property '{name}' of {value}"

# --- Platform.Request (docs/fidelity.md#browser-names) -------------------------------------------
#: Browser fields for a User-Agent nobody recognises.
UNKNOWN_BROWSER = {
    "Platform": "Unknown",
    "Browser": "Unknown",
    "Version": "0.0",
    "MajorVersion": "0",
    "MinorVersion": ".0",
}

# --- Default response (docs/fidelity.md#charset) -------------------------------------------------
#: Charset added to the content type of every page response.
RESPONSE_CHARSET = "utf-8"
#: Body sent with HTTP 500 when an exception escapes the page (the real page's text is unknown).
UNCAUGHT_EXCEPTION_BODY = "500 - Internal Server Error: an exception escaped the page script."

# --- ParseJSON ------------------------------------------------------------------------------------
#: Nesting deeper than this makes ParseJSON return null, like any other text it cannot parse.
PARSE_JSON_MAX_DEPTH = 100
#: Stringify's text for -Infinity (untested; +Infinity's RT text is "-\u221e", so this matches it).
STRINGIFY_NEGATIVE_INFINITY = "-\u221e"
#: GetPostData(encoding) with an encoding name the platform does not know.
GETPOSTDATA_UNKNOWN_ENCODING = "'{name}' is not a supported encoding name."

# --- Data Extensions (docs/fidelity.md#de-error-texts) --------------------------------------------
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
#: Length of a Text field whose schema gives none (docs/fidelity.md#text-length).
TEXT_DEFAULT_LENGTH = 4000

# --- AMPscript ------------------------------------------------------------------------------------
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


# --- AMPscript functions (docs/fidelity.md#ampscript-error-texts) ---------------------------------
AMPSCRIPT_FEATURE_NOT_EMULATED = "{what} is not emulated by mc-emulator."
#: The text of a rowset or row where text is wanted (inline output, Concat, Length...).
AMPSCRIPT_ROWSET_TEXT = ""
#: An infinite arithmetic result is this text (RT renders Divide(100,0) as "\u221e").
AMPSCRIPT_INFINITY = "\u221e"
#: RegExMatch refuses longer patterns: Python's re compiles megabytes slowly (.NET's limit is
#: unpublished).
REGEX_MAX_PATTERN = 65_536
AMPSCRIPT_CULTURE_NOT_EMULATED = (
    "The culture {name} is not emulated by mc-emulator. Emulated cultures: {known}; a name that "
    "is no culture (zz-ZZ) formats as en-US, as on SFMC."
)
#: FormatDate(date) with neither a date nor a time pattern: the general date and time.
FORMATDATE_DEFAULT_PATTERN = "G"
AMPSCRIPT_UNKNOWN_KEY = (
    "GetJWTByKeyName: no key with the external key {name} exists in Key Management "
    "(the emulator's keys/ fixtures). Keys: {known}."
)

# --- Key store (docs/fidelity.md#asymmetric-keys) -------------------------------------------------
KEY_TYPE_NOT_EMULATED = "asymmetric keys (RS256/RS384/RS512) are not emulated"

# --- Platform.Response (docs/fidelity.md#redirect-response) ---------------------------------------
#: Body of a Platform.Response.Redirect answer: ASP.NET's "Object moved" page (text unpublished).
REDIRECT_BODY = (
    '<html><head><title>Object moved</title></head><body>\r\n'
    '<h2>Object moved to <a href="{url}">here</a>.</h2>\r\n</body></html>\r\n'
)
RESPONSE_BAD_HEADER = "Invalid response header {what}: {reason}."
RESPONSE_BAD_COOKIE = "Invalid cookie {what}: {reason}."
RESPONSE_UNKNOWN_CHARSET = "'{name}' is not a supported character set name."
DE_FUNCTION_ARRAYS = (
    "{function}: the column names and values must be arrays of the same length "
    "({columns} names, {values} values)."
)
#: Rows.Lookup returns at most this many rows when no limit is given (Retrieve's cap).
ROWS_LOOKUP_DEFAULT_LIMIT = 2500


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
    Assumption("ampscript-infinity", "An infinite AMPscript arithmetic result (Divide by zero) is "
               "the text `\u221e` / `-\u221e` the platform renders, so it is no longer a number."),
    Assumption("rowset-text", "A rowset or row used as text (inline output, Concat) renders "
               "empty."),
    Assumption("formatdate-default", "FormatDate(date) without patterns gives the general date "
               "and time (`G`)."),
    Assumption("formatdate-hours", "In FormatDate patterns `h` is the 12-hour and `H` the 24-hour "
               "clock; other tokens are case-insensitive (`mm` month in the date pattern, "
               "minutes in the time pattern)."),
    Assumption("ampscript-charsets", "Charset arguments know UTF-8, UTF-16, UTF-16BE, UTF-32, "
               "ASCII, ISO-8859-1 (RT) and US-ASCII, Windows-1252; other names abort."),
    Assumption("base64-whitespace", "Base64Decode skips spaces, tabs and line breaks inside the "
               "text, as .NET's Convert.FromBase64String does."),
    Assumption("urlencode-url", "URLEncode treats text as a URL when it starts with a scheme "
               "(`https://`)."),
    Assumption("raiseerror-message", "RaiseError inside TreatAsContent throws an exception whose "
               "message is the RaiseError message."),
    Assumption("regex-dialect", "RegExMatch compiles .NET patterns as Python `re` takes them "
               "after translating named groups, and runs them on the `regex` package; "
               "variable-length lookbehind, RightToLeft, ExplicitCapture and class subtraction "
               f"are not emulated, and patterns longer than {REGEX_MAX_PATTERN:,} characters "
               "abort."),
    Assumption("now-per-page", "One page request is one render: every Now() of the page, across "
               "TreatAsContent calls, gives the same instant."),
    Assumption("key-name-case", "GetJWTByKeyName matches key names case-insensitively; an "
               "unknown name throws the text in `emulator/assumptions.py`."),
    Assumption("de-name-case", "DE functions that take a name match it case-insensitively; the "
               "first DE created wins when two share a name."),
    Assumption("de-name-missing", "AMPscript Lookup/LookupRows on a missing DE abort with the "
               "SSJS text `A Data Extension of this name does not exist.`"),
    Assumption("typed-cell-fallback", "A stored value its field type cannot read (e.g. `abc` in a "
               "Number field) comes back from Lookup as its text."),
    Assumption("order-nulls", "Ordered lookups put empty cells first in ascending order (SQL "
               "Server's rule)."),
    Assumption("rows-lookup", f"Rows.Lookup returns at most {ROWS_LOOKUP_DEFAULT_LIMIT} rows "
               "without a limit, accepts a single name/value for one-element arrays, and orders "
               "by `orderBy` (`Field` or `Field DESC`); an empty cell reads null."),
    Assumption("lookuprows-values", "Platform.Function LookupRows/LookupOrderedRows rows carry "
               "typed values like Rows.Lookup (dates as ISO text); `_CustomObjectKey` and "
               "`_CreatedDate` are left out (the store keeps neither); LookupOrderedRows count < 1 "
               "means 2,000. Platform.Function.Lookup of an empty field gives plain null (the "
               "platform's throwing CLR null is not emulated)."),
    Assumption("de-function-values", "Platform.Function DE functions store non-string values as "
               "their CLR text; array length mismatches throw the text in "
               "`emulator/assumptions.py`."),
    Assumption("redirect-response", "Platform.Response.Redirect answers with ASP.NET's \"Object "
               "moved\" HTML body and keeps headers and cookies the page set before it."),
    Assumption("response-headers", "SetResponseHeader replaces an earlier header of the same name "
               "(Content-Type included); names must be HTTP tokens and values free of control "
               "characters and of characters beyond U+00FF, else a catchable error."),
    Assumption("response-charset", "CharacterSet sets the charset of Content-Type and encodes the "
               "body in it (unmappable characters become `?`); an unknown name throws."),
    Assumption("cookie-format", "SetCookie writes `name=value`, `expires=` (a CST time converted "
               "to GMT) and `secure`; a name or value with `;`, `,`, `=` (name only), whitespace "
               "or control characters throws."),
    Assumption("authorization-header", "GetRequestHeader(\"Authorization\") gives a CloudPage the "
               "header as the client sent it (no documentation says SFMC strips or rewrites it)."),
    Assumption("epoch-seconds", "The protected and hardened pages read Unix time as "
               "DateDiff('1969-12-31 18:00:00', Now(), 'MI') * 60 + FormatDate(Now(), 'ss'): "
               "whole seconds, exact because Now() is CST all year (RT) and DateDiff 'MI' counts "
               "whole minutes."),
    Assumption("retention", "A DE's retention is enforced when rows are added (not on a timer): "
               "maxRows drops the oldest rows beyond the limit, maxAgeDays the rows stored more "
               "than that many days ago by the machine's clock; an update keeps a row's age."),
    Assumption("decimal-digits", "A Decimal(p, s) value is rounded half away from zero to s "
               "decimals, then refused with more than p - s digits before the point (as SQL "
               "Server's decimal(p, s) rounds and overflows)."),
    Assumption("email-format", "An EmailAddress value must be local-part@domain: one '@' "
               "between two non-empty parts, no whitespace, at most 254 characters."),
    Assumption("typed-text", "Typed fields are stored typed (Number an integer, Decimal its "
               "canonical text, Boolean a boolean, Date zone-less ISO text to the millisecond); a "
               "typed field given empty text stores null; Rows.Retrieve renders a Date to the "
               "second, rounded."),
)

# --- SSJS pages run verbatim (docs/fidelity.md#ssjs-timeout-body) ---------------------------------
#: A page file's final line break is the editor's, not the page's: it is not sent.
PAGE_FILE_DROPS_FINAL_NEWLINE = True
#: The platform answers a page past its time limit with HTTP 408 (docs/fidelity.md#ssjs-timeout);
#: the body is ours.
SSJS_TIMEOUT_STATUS = 408
SSJS_TIMEOUT_BODY = "408 - Request Timeout: the page script ran past its time limit."
#: A page may write at most this many characters; the Write past it throws (catchable).
SSJS_OUTPUT_LIMIT = "The page output exceeds mc-emulator's limit of {limit} characters."
SSJS_OUTPUT_MAX = 64 * 1024 * 1024
#: A page request that finds every SSJS worker busy (and cannot wait for one) gets HTTP 503 with
#: ``Retry-After`` in seconds (docs/fidelity.md#ssjs-busy); how the platform answers is unknown.
SSJS_BUSY_STATUS = 503
SSJS_BUSY_RETRY_AFTER = 1
SSJS_BUSY_BODY = "503 - Service Unavailable: every page worker is busy; retry shortly."

ASSUMPTIONS += (
    Assumption("page-file-final-newline", "A page file's final line break (the editor's) is not "
               "part of the page's output."),
    Assumption("ssjs-timeout-body", "A page past the SSJS time limit answers 408 with a short "
               "fixed text; one past the memory limit answers 500 like an uncaught exception."),
    Assumption("ssjs-output-limit", f"A page writing more than {SSJS_OUTPUT_MAX} characters gets "
               "a catchable error from the Write that passes the limit."),
    Assumption("ssjs-busy", f"A page request that finds every SSJS worker busy, with as many "
               f"requests already waiting, answers {SSJS_BUSY_STATUS} with `Retry-After: "
               f"{SSJS_BUSY_RETRY_AFTER}` and a short fixed text."),
    Assumption("ssjs-engine-errors", "Engine errors carry `description` = message and "
               "`jintException` = `<Name>: <message>`; Jint's other deviations (`typeof` "
               "\"clr\", `new Error().message` undefined, ...) are not emulated."),
)

# --- One budget per page run (docs/fidelity.md#page-budget) -------------------------------------
#: Format, FormatNumber and FormatDate abort on a longer pattern (formatting walks it in Python).
FORMAT_MAX_PATTERN = 65_536
#: What a platform call given a Date .NET cannot hold (invalid, or outside years 1 to 9999) throws.
DATE_OUT_OF_RANGE = ("Invalid date {value}: a date must be valid and between 1/1/0001 and "
                     "12/31/9999.")

ASSUMPTIONS += (
    Assumption("page-budget", "A page's server-side work (AMPscript, platform calls, variables, "
               "output) keeps to the page's time limit and a memory allowance: past the time it "
               "answers 408, past the memory 500 like an uncaught exception; the page's own "
               "try/catch cannot stop either."),
    Assumption("regex-timeout", "RegExMatch matches with a timeout of the page's remaining time "
               "(the platform's is unpublished); a match past it ends the page as its time limit "
               "does."),
    Assumption("format-pattern-limit", f"Format, FormatNumber and FormatDate patterns longer "
               f"than {FORMAT_MAX_PATTERN:,} characters abort."),
    Assumption("date-range", "A Date that is invalid or outside years 1 to 9999, given to a "
               "platform function, throws a catchable error."),
)

# --- AMPscript control flow and attributes (docs/fidelity.md#ampscript-for) ----------------------
#: The platform's text for a function name it does not know (seen from the Email Preview API).
AMPSCRIPT_NO_SUCH_FUNCTION = (
    "The function call uses an unrecognized function name. Function Name: {name}"
)
#: A FOR loop that runs more often than this stops with the convergence error; the platform's
#: limit is unpublished.
AMPSCRIPT_FOR_MAX_ITERATIONS = 100_000
AMPSCRIPT_FOR_CONVERGENCE = (
    "The FOR loop at {where} did not converge: it would run more than {limit} times."
)
AMPSCRIPT_FOR_BOUND = (
    "The FOR loop at {where} needs whole numbers for its counter and bounds; got {value}."
)
AMPSCRIPT_CONDITION = (
    "The condition at {where} is not a boolean: {value} (accepted: true/false, 1/0, their text, "
    "or null)."
)

ASSUMPTIONS += (
    Assumption("ampscript-for-limit", f"A FOR loop that would run more than "
               f"{AMPSCRIPT_FOR_MAX_ITERATIONS:,} times stops with a convergence error (the "
               "platform names the error; its limit is unpublished)."),
    Assumption("ampscript-attributes-empty", "A personalization string, attribute reference or "
               "AttributeValue whose name the page's subscriber attributes lack (all of them, "
               "when there are none) gives empty text."),
    Assumption("ampscript-condition-errors", "A condition value that is not boolean-like, and "
               "a FOR bound that is not a whole number, abort with the emulator's own texts "
               "(`AMPSCRIPT_CONDITION`, `AMPSCRIPT_FOR_BOUND`)."),
    Assumption("ampscript-string-order", "Ordering two texts (`<`, `>`) ignores case and "
               "accents and expands ligatures (`ß` = `ss`), then compares code points: an "
               "approximation of the platform's culture-aware order."),
)

# --- AMPscript page functions, SSJS details (docs/fidelity.md#ampscript-request-parameter) -------
#: What HTTPRequestHeader aborts with for a name no header can have (CR/LF, spaces, empty).
AMPSCRIPT_BAD_HEADER_NAME = (
    "HTTPRequestHeader: {name} is no HTTP header name; a name is one or more letters, digits "
    "and !#$%&'*+-.^_`|~."
)
#: What a page function that needs the page's request aborts with outside a page run.
AMPSCRIPT_NO_PAGE = "{function} needs a page request; this content is not rendered by a page."
#: TreatAsContent nested deeper than this (content that renders itself) aborts.
TREATASCONTENT_MAX_DEPTH = 20
AMPSCRIPT_TREATASCONTENT_DEPTH = "TreatAsContent is nested more than {limit} levels deep."
#: GetPostData's number argument: a .NET code page; 0 is the server's default, Windows-1252.
GETPOSTDATA_DEFAULT_CODE_PAGE = 1252

ASSUMPTIONS += (
    Assumption("request-parameter-order", "RequestParameter and QueryParameter read a posted "
               "form field before a URL parameter of the same name."),
    Assumption("http-request-header", "HTTPRequestHeader returns any header the client sent "
               "(names in any case, repeats joined with `,`), empty text when absent; a name "
               "that is no HTTP field name (CR, LF, spaces, empty) aborts."),
    Assumption("redirect-location-checks", "AMPscript Redirect sends its URL as given, with "
               "spaces and non-ASCII characters percent-encoded; an empty URL or one with "
               "control characters (CR, LF) aborts."),
    Assumption("treatascontent-depth", f"AMPscript TreatAsContent nested more than "
               f"{TREATASCONTENT_MAX_DEPTH} levels deep aborts."),
    Assumption("getpostdata-code-page", "GetPostData with a number reads it as a .NET code page: "
               "0 is the server's default (Windows-1252), 65001 UTF-8, 1200/1201 UTF-16, 20127 "
               "US-ASCII, 28591-28599 ISO-8859-1 to 9, others `cp<number>`; an unknown or "
               "fractional number throws."),
    Assumption("stringify-errors", "Stringify of a caught engine error, or of a thrown `new "
               "Error(...)`, gives `{\"message\":...,\"jintException\":...}`."),
    Assumption("core-request", "The Core library's `Request` object answers as "
               "`Platform.Request` does, member for member."),
    Assumption("not-emulated-objects", "Platform objects the emulator lacks (`Script.Util` "
               "members such as `WSProxy`, Core objects such as `Subscriber` and `HTTPHeader`) "
               "exist and throw a catchable not-emulated error naming the member when used; "
               "`Script` needs no Platform.Load."),
)

# --- AMPscript functions without outside systems (docs/fidelity.md#ampscript-rowsets) ----------
#: An ordering clause LookupOrderedRows cannot read.
AMPSCRIPT_BAD_ORDER = (
    "Invalid order '{order}': {problem} (accepted: \"Column ASC|DESC[, Column ASC|DESC ...]\")."
)
#: A JSONPath BuildRowsetFromJSON cannot read, and a document that is not JSON.
AMPSCRIPT_BAD_JSONPATH = (
    "Invalid JSONPath {path}: {problem} (accepted: $, .name, ['name'], [n], [a:b], *, ..name)."
)
AMPSCRIPT_BAD_JSON = "The JSON data could not be read: {problem}."
#: UpdateData/UpsertData: the count of search pairs must leave at least one value pair.
AMPSCRIPT_SEARCH_COUNT = (
    "{name}: the search pair count {count} must be a whole number from 1 to one less than the "
    "{pairs} column/value pairs given."
)

ASSUMPTIONS += (
    Assumption("local-time-zone", "The account's time zone (SystemDateToLocalDate, "
               "LocalDateToSystemDate) is the `time_zone` setting, by default UTC-6, the system "
               "time itself."),
    Assumption("stringtohex", "StringToHex gives the UTF-8 bytes of the text in lower-case hex, "
               "two digits a byte."),
    Assumption("replacelist", "ReplaceList replaces each find in turn, ignoring case as "
               "Replace does."),
    Assumption("random-bounds", "Random(low, high) can return both bounds; low above high "
               "aborts."),
    Assumption("ampscript-validation", "IsEmailAddress accepts one local@domain.tld address of "
               "at most 254 characters; IsPhoneNumber a North American number (optional +1, "
               "area code and exchange starting 2-9, separators space, dot or dash); Domain "
               "gives what follows the last @."),
    Assumption("isnulldefault", "IsNullDefault returns its fallback for a Data Extension "
               "null, the only null a page sees."),
    Assumption("ordered-count", "A LookupOrderedRows count above 2,000 is cut to 2,000; an "
               "ordering clause it cannot read aborts with `AMPSCRIPT_BAD_ORDER`."),
    Assumption("rowset-from-string", "BuildRowsetFromString keeps empty parts as .NET's Split "
               "does (\"\" is one empty row), takes an empty delimiter as none, and names its "
               "column `Value`."),
    Assumption("buildrowsetfromjson-texts", "BuildRowsetFromJSON reads JSON null as empty text; "
               "its abort texts are `AMPSCRIPT_BAD_JSONPATH` and `AMPSCRIPT_BAD_JSON`."),
    Assumption("de-forms-on-pages", "UpdateDE, UpsertDE and DeleteDE on a CloudPage write like "
               "their ...Data twins and return empty text, as InsertDE does (runtime-tested); "
               "a search pair count that leaves no value pair aborts with "
               "`AMPSCRIPT_SEARCH_COUNT`."),
)

# --- A page is one program (docs/fidelity.md#ampscript-abort-body) -------------------------------
#: An AMPscript failure the page does not catch answers 422 (RT) with this body; the platform's
#: notice is short and fixed, its exact text unpublished.
AMPSCRIPT_ABORT_STATUS = 422
AMPSCRIPT_ABORT_BODY = "422 - Unprocessable Entity: the page's AMPscript could not be processed."

ASSUMPTIONS += (
    Assumption("ampscript-abort-body", f"A page whose AMPscript fails answers "
               f"{AMPSCRIPT_ABORT_STATUS} with a short fixed text/plain notice, the same for "
               "every cause."),
    Assumption("page-one-program", "A page with script blocks runs as one SSJS program: the "
               "text and AMPscript between blocks run where they stand in its flow, an AMPscript "
               "IF or FOR around a block decides whether (and how often) it runs, and a function "
               "declared in a block that parses alone is hoisted only within that block."),
    Assumption("cloudpagesurl-qs", "CloudPagesURL and MicrositeURL give "
               "`<scheme>://<host>/<page path>?qs=<opaque>`, the opaque part being the base64url "
               "of the URL-encoded pairs and an HMAC-SHA256 (a secret made when the emulator "
               "starts); a qs that fails the check carries no parameters."),
)

# --- A top-level return (docs/fidelity.md#top-level-return) --------------------------------------
ASSUMPTIONS += (
    Assumption("top-level-return", "A return outside every function ends the whole page's "
               "script: later blocks and the text and AMPscript after it do not run, and the "
               "value returned is not printed."),
)

# --- The object model (docs/fidelity.md#object-model) --------------------------------------------
#: The MID of the one business unit (``Client.ID`` of every object).
DEFAULT_MID = 100000001
#: The folder every Data Extension sits in, and the default folder tree (ids assumed; the
#: ContentTypes and the Shared Items key are captured ones).
DATA_EXTENSIONS_FOLDER_ID = 1001
DEFAULT_FOLDERS: tuple[dict[str, object], ...] = (
    {"ID": DATA_EXTENSIONS_FOLDER_ID, "Name": "Data Extensions", "ParentID": 0,
     "ContentType": "dataextension", "CustomerKey": "dataextension_default",
     "ObjectID": "0b0f3a8e-1c7e-4d2a-9a51-0a7f1d000001"},
    {"ID": 1002, "Name": "Shared Items", "ParentID": 0, "ContentType": "shared_data",
     "CustomerKey": "shared_data_default", "ObjectID": "0b0f3a8e-1c7e-4d2a-9a51-0a7f1d000002"},
    {"ID": 1003, "Name": "Shared Data Extensions", "ParentID": 1002,
     "ContentType": "shared_dataextension", "CustomerKey": "shared_dataextension_default",
     "ObjectID": "0b0f3a8e-1c7e-4d2a-9a51-0a7f1d000003"},
)
#: Items a create/update/delete batch may hold: more refuses the whole call, nothing written.
OBJECT_BATCH_LIMIT = 2500
#: ErrorCode of a failed write item whose code the facts do not give.
OBJECT_ERROR_CODE = 2
OBJECT_TYPE_UNKNOWN = "Error: The object type '{type}' is not known to the API."
OBJECT_NOT_WRITABLE = "The object type {type} does not support {verb}."
OBJECT_CONTINUE_UNKNOWN = ("Error: The request {id!r} has no more rows: continue only a "
                           "retrieve of this page that answered MoreDataAvailable.")
#: docs/fidelity.md#wsproxy-client-id: a call acting as a unit above or beside the page's (RT:
#: names the executing MID and ID[<mid>]; the rest of the wording is assumed).
UNIT_DENIED = ("Error: Member {executing} has no access to the requested client "
               "ID[{mid}]: a unit reaches only itself and the units beneath it.")
#: docs/fidelity.md#unit-objects: an update or delete, acting as one unit, of another unit's
#: folder, list, subscriber, ... that the acting unit does not reach (a failed item; ASSUMED).
UNIT_OBJECT_OUT_OF_REACH = ("{type} {key!r} belongs to business unit {owner}, which unit {mid} "
                            "cannot {verb}: call setClientId with {owner} (or a unit above it) "
                            "first")
OBJECT_DE_MISSING = "Error: The Data Extension '{key}' does not exist."
OBJECT_DE_NAMES = "A Data Extension needs CustomerKey and Name as strings."
OBJECT_DE_NO_FIELDS = ("A Data Extension needs Fields: a non-empty array of {Name, FieldType, "
                       "MaxLength, IsPrimaryKey, IsRequired}.")
OBJECT_DE_CREATED = "Data Extension created."
OBJECT_DE_DELETED = "Data Extension deleted."
OBJECT_ROW_NO_KEY = "A DataExtensionObject needs CustomerKey, the Data Extension's key."
OBJECT_ROW_PAIRS = "A DataExtensionObject needs {member}: a non-empty array of {{Name, Value}}."
OBJECT_ROW_NO_PRIMARY_KEY = ("The Data Extension '{key}' has no primary key given: an update or "
                             "delete names every primary-key field.")
OBJECT_ROW_MISSING = "No row of the Data Extension has that primary key."
OBJECT_ROW_CREATED = "Created DataExtensionObject"
OBJECT_ROW_UPDATED = "Updated DataExtensionObject"

ASSUMPTIONS += (
    Assumption("object-ids", f"One business unit, MID {DEFAULT_MID}; Data Extensions sit in "
               f"the folder {DATA_EXTENSIONS_FOLDER_ID} (\"Data Extensions\"); a DE's ObjectID is "
               "a UUID5 of its key."),
    Assumption("page-unit", "With business_units.json, pages run in the unit marked default "
               "(else the enterprise) and its DEs keep bare table names; a unit reaches itself "
               "and the units beneath it (setClientId, QueryAllAccounts); the ENT. prefix is "
               "read by every function that finds a DE by name, and in a store of one unit it "
               "reads that unit; the setClientId denial text is the emulator's own."),
    Assumption("unit-objects", "Folders, subscribers, lists, triggered send definitions, "
               "automations, query definitions and events of the fixtures belong to the unit "
               "pages run in; an object a page creates after setClientId belongs to the unit it "
               "acted as until deleted (mcemu export writes that as unit_objects.json, which a "
               "start and a seed read back). An update or delete acting as a unit that does "
               "not reach the object's unit (itself or one above it) fails for that item and "
               "changes nothing; the message is the emulator's own. A triggered send acting as "
               "another unit is that unit's (its SentEvents' Client.ID)."),
    Assumption("object-texts", "Status texts the facts do not capture (an unknown object type, "
               "a missing DE, DE created/deleted, a row updated or missing) are the emulator's "
               f"own; a failed item's ErrorCode is {OBJECT_ERROR_CODE} unless captured."),
    Assumption("object-batch-limit", f"A write batch of more than {OBJECT_BATCH_LIMIT} items "
               "throws \"Error executing <verb> call.\" and writes nothing."),
    Assumption("object-continue", "A retrieve's continuation lives for the page run that made "
               "it; getNextBatch with another id answers an Error status."),
    Assumption("object-de-create", "createItem DataExtension without CustomerKey makes an "
               "upper-case GUID key; the fields are checked as a DE file's fields are."),
)

# --- Subscribers and lists (docs/fidelity.md#subscriber-record) ---------------------------------
ASSUMPTIONS += (
    Assumption("subscriber-record", "A subscriber's key and e-mail address hold at most 254 "
               "characters, the address is one local-part@domain.tld without spaces, and "
               "attribute values are text, numbers, true/false or null; a list without Type is "
               "Private, without ListClassification an ExactTargetList, without CustomerKey "
               "keyed by its ListName."),
    Assumption("subscriber-status", "Besides Active and Unsubscribed (seen at run time), a "
               "subscriber or list membership may be Held, Bounced or Deleted, the other values "
               "of the API's enumeration; a status is spelled as the API spells it."),
    Assumption("subscriber-context", "A page runs for the subscriber its request names "
               "(X-Mcemu-Subscriber, or mc.subscriber): its attributes, and the system strings "
               "emailaddr and _subscriberkey, are what personalization strings and "
               "AttributeValue read. An unknown key answers 400 with the emulator's message."),
)

#: docs/fidelity.md#object-subscriber: texts of Subscriber writes the facts do not capture.
OBJECT_SUBSCRIBER_CREATED = "Created Subscriber."
OBJECT_SUBSCRIBER_UPDATED = "Updated Subscriber."
OBJECT_SUBSCRIBER_DELETED = "Subscriber deleted."
OBJECT_SUBSCRIBER_EXISTS = "The subscriber already exists."

ASSUMPTIONS += (
    Assumption("object-subscriber", "Subscriber write texts the facts do not capture "
               "(created, updated, deleted, a key that exists) are the emulator's own; a "
               "Subscriber's ID is its place among the subscribers; an update merges "
               "Attributes and Lists into what the subscriber has."),
)

# --- AMPscript's SOAP-object functions (docs/fidelity.md#ampscript-objects) ---------------------
#: What a CreateObject handle renders as where text is wanted ("nothing useful", RT).
AMPSCRIPT_OBJECT_TEXT = ""
AMPSCRIPT_OBJECT_TYPE = ("CreateObject: {type} is not an API object type the emulator knows "
                         "(a dotted name or PerformRequest never is). Types: {known}.")
AMPSCRIPT_OBJECT_TOO_BIG = "An API object handle cannot be sent: it holds {what}."
AMPSCRIPT_OBJECT_NO_STORE = ("The Invoke functions need the emulator's store: call them from a "
                             "page run.")

ASSUMPTIONS += (
    Assumption("ampscript-object-types", "CreateObject knows the object types of the object model "
               "and the request parts RetrieveRequest, SimpleFilterPart, ComplexFilterPart, "
               "APIProperty, Attribute, SubscriberList, the Options and SaveOption, "
               "ExecuteRequest and QueryDefinition, names in any case; another name aborts the "
               "page. A handle renders as empty text; property names match in any case."),
    Assumption("ampscript-object-out-parameters", "An out-parameter of an Invoke function that "
               "is not a variable aborts the page as an invalid parameter; a malformed request "
               "(Error executing <verb> call.) aborts it too."),
    Assumption("ampscript-invoke-retrieve", "InvokeRetrieve returns one batch (at most 2,500 "
               "objects) with MoreDataAvailable in the status and continues with the "
               "RetrieveRequest's ContinueRequest; every value is text, booleans true/false, "
               "an absent one empty."),
)

# --- Folders and captured sends (docs/fidelity.md#object-folder-create, #outbox) ----------------
OBJECT_FOLDER_CREATED = "Folder created."
OBJECT_FOLDER_NO_PARENT = ("ParentFolder.ID {id!r} is no folder's ID: a folder is created under "
                           "an existing one")
OBJECT_FOLDER_NO_CHILDREN = "The folder {name!r} allows no child folders."
OBJECT_FOLDER_KEY_USED = "A folder with the CustomerKey {key!r} exists already."
OBJECT_FOLDER_NAME_USED = "A folder named {name!r} exists already under this parent."
#: Messages the outbox keeps; past it the oldest go, so a page sending in a loop stays bounded.
OUTBOX_LIMIT = 10000
SEND_CREATED = "Created TriggeredSend"
SEND_NO_DEFINITION = "The TriggeredSendDefinition {key!r} does not exist."
SEND_NOT_ACTIVE = ("The TriggeredSendDefinition {key!r} is {status}: only an Active definition "
                   "sends")
SEND_NO_SUBSCRIBERS = ("A TriggeredSend needs Subscribers: at least one {EmailAddress, "
                       "SubscriberKey}")

ASSUMPTIONS += (
    Assumption("folder-record", "folders.json adds folders to the default tree (whose ids stay); "
               "a DE no folder names sits in \"Data Extensions\"; a folder's CustomerKey "
               "defaults to its ObjectID, a UUID5 of its ID; a new folder's ID is one more than "
               "the largest; the create texts and the rule that sibling names differ (in any "
               "case) are the emulator's own."),
    Assumption("outbox", "A TriggeredSend is captured once per subscriber, never delivered; its "
               "SubscriberKey defaults to its EmailAddress; a definition of triggered_sends.json "
               f"is Active unless it says otherwise; the outbox keeps the latest {OUTBOX_LIMIT} "
               "messages; the send texts and SentEvent's fields (SendID the message's id, "
               "EventType \"Sent\") are the emulator's own."),
)

# --- The Core library's objects (docs/fidelity.md#core-objects) -----------------------------------
ASSUMPTIONS += (
    Assumption("core-retrieve", "A Core retrieve returns one batch of at most 2,500 objects; a "
               "filter that is not an object, or on a property the type lacks, throws a "
               "catchable error with the emulator's text."),
    Assumption("core-subscriber-lists", "Subscriber.Init(key).Lists.Retrieve() rows are the "
               "ListSubscriber object's ListID, SubscriberKey and Status."),
    Assumption("core-list-members", "List.Subscribers.Add of a member behaves as Upsert; an "
               "object without SubscriberKey is keyed by its address; an unknown list key "
               "makes writes \"Error\" and Retrieve empty."),
    Assumption("core-attribute", "Attribute.GetValue reads the page's subscriber context as "
               "AttributeValue does."),
)

# --- Automations and query definitions (docs/fidelity.md#automation-runs) ----------------------
#: The status an automation of automations.json has unless it says otherwise.
AUTOMATION_DEFAULT_STATUS = "Ready"
#: The statuses automations.json may give (Running comes from a run only).
AUTOMATION_FIXTURE_STATUSES = ("Ready", "Scheduled", "Paused", "Inactive")
#: What performItem("Automation", ..., "start") does in each status: the status it moves to,
#: or None when the start fails the item. A run ends when its RunSeconds have passed.
AUTOMATION_START: dict[str, str | None] = {
    "Ready": "Running", "Scheduled": "Running", "Paused": None, "Inactive": None,
    "Running": None,
}
AUTOMATION_CANNOT_START = ("The automation '{key}' is {status}: only a Ready or Scheduled "
                           "automation starts.")
AUTOMATION_NOT_FOUND = "The {type} '{key}' does not exist."
AUTOMATION_NO_KEY = ("The {type} to perform is named by CustomerKey or ObjectID; the item has "
                     "neither.")
#: Captured for a SOAP Perform on Automation (docs/fidelity.md#automation-perform).
AUTOMATION_STARTED = "Performed Activity"
#: Runtime-tested text of a QueryDefinition perform (docs/fidelity.md#automation-perform).
QUERY_PERFORMED = "QueryDefinition perform called successfully"
#: The shape of the runtime-tested text for an action a type cannot perform; QueryDefinition
#: is reported as InteractionDefinition there (docs/fidelity.md#automation-perform).
PERFORM_BAD_ACTION = "{action} is not an action that can be Performed on a {type}."
AUTOMATION_RUN_LIMIT = 10_000

ASSUMPTIONS += (
    Assumption("automation-runs", "automations.json gives automations (Status Ready unless "
               "said: Ready, Scheduled, Paused or Inactive) and their query definitions; a "
               "start of a Ready or Scheduled automation records a run with the emulator "
               "clock's time and reads Running for its RunSeconds (default 0), then its own "
               "status again; another status fails the item; no activity runs and a query's "
               "SQL is never executed; the latest 10,000 runs are kept; the not-found and "
               "cannot-start texts and the run record are the emulator's."),
)

# --- Outbound HTTP (docs/fidelity.md#outbound-limits) --------------------------------------------
#: Seconds an outbound call may take: the outbound_timeout setting's default (the official pages
#: give 30 s for Script.Util.HttpGet; the other doors are assumed to share it).
OUTBOUND_TIMEOUT = 30.0
#: The largest request body a page may send, in bytes; a larger call fails before it is made.
OUTBOUND_REQUEST_LIMIT = 4 * 1024 * 1024
#: The most bytes of an answer a page gets; the rest is cut (and a warning says so).
OUTBOUND_RESPONSE_LIMIT = 10 * 1024 * 1024
#: Redirects followed for one call; one more fails the call as a loop.
OUTBOUND_MAX_REDIRECTS = 10
#: The ports the platform calls out on; hosts named by --allow-outbound may use any.
OUTBOUND_PORTS = (80, 443)
#: What a door throws (SSJS) or aborts with (AMPscript) when a call gets no answer: no stub,
#: an unreachable host, a timeout, a port refused, a redirect loop, a body too large.
OUTBOUND_FAILED = "An error occurred when attempting to retrieve content from {url}: {reason}"

ASSUMPTIONS += (
    Assumption("outbound-limits", f"An outbound call may take {OUTBOUND_TIMEOUT:g} s (the "
               "outbound_timeout setting, never past the page's own time limit); its request "
               f"body may hold {OUTBOUND_REQUEST_LIMIT} bytes, its answer is cut at "
               f"{OUTBOUND_RESPONSE_LIMIT} bytes, {OUTBOUND_MAX_REDIRECTS} redirects are "
               "followed (301/302/303 as GET); a failed call's text is the emulator's; a body "
               "that is not valid in its charset decodes with U+FFFD for the bad bytes."),
)

ASSUMPTIONS += (
    Assumption("script-util-http", "Script.Util.HttpRequest: a failed call or a non-2xx answer "
               "throws the emulator's text unless continueOnError is true; then a failed call "
               "answers statusCode 0 and returnStatus -2; retries more attempts follow a call "
               "that got no answer; emptyContentHandling changes nothing; Script.Util.HttpPost "
               "starts with method POST; the bare ContentBlockBy* globals exist after "
               "Platform.Load like Write."),
)

# --- Core TriggeredSend, execute and events (docs/fidelity.md#core-triggered-send) -------------
#: Runtime-tested texts the Core TriggeredSend throws as bare strings.
CORE_SEND_USAGE = "Usage: Send(EmailAddress [, sendTimeAttributes])"
CORE_TSD_ADD_ERROR = "Error adding TSD."
CORE_TSD_UPDATE_ERROR = "Error Updating TSD."
CORE_TSD_UPDATE_MESSAGE = "Invalid cast from 'Char' to 'Double'."
#: LastMessage of a Send on a definition that is not Active (the platform's words, in part).
CORE_SEND_NOT_ACTIVE = ("The triggered send '{key}' is not completely configured: it has the "
                        "{status} status, and only an Active (started) definition sends.")
CORE_SEND_BAD_ATTRIBUTES = ("The send-time attributes are an object such as {{\"First Name\": "
                            "\"Ann\"}}, not {given}.")
#: The status each Core TriggeredSend action leaves (Pause reads Inactive, documented).
CORE_TSD_ACTIONS = {"Start": "Active", "Pause": "Inactive", "Publish": None}
SEND_DEFINITION_UPDATED = "TriggeredSendDefinition updated."
SEND_DEFINITION_FIXED = ("An update of a TriggeredSendDefinition may change {fields}; not "
                         "{names}.")
#: Event records the store keeps (seeded and logged); past it the oldest go.
EVENTS_LIMIT = 100_000
#: execute: the runtime-tested texts, and the request names the emulator handles.
EXECUTE_POSTED = "Event posted"
EXECUTE_NO_HANDLER = "Unable to find a handler for the {name} method."
EXECUTE_BAD_PARAMETERS = ("execute takes a flat array of {Name, Value} parameters and a request "
                          "name, such as execute([{Name: \"SubscriberKey\", Value: \"ann\"}], "
                          "\"LogUnsubEvent\")")
EXECUTE_UNSUB_NEEDS = ("LogUnsubEvent needs a SubscriberKey or an EmailAddress of a known "
                       "subscriber; {given}")

ASSUMPTIONS += (
    Assumption("core-triggered-send", "Core TriggeredSend.Init(key).Send(address[, attributes]) "
               "sends as createItem(\"TriggeredSend\") does, keyed by the one subscriber "
               "with that address, else by the address; LastRequestID is the request's id, "
               "LastMessage its item's text (\"Created TriggeredSend\", or why it failed: the "
               "wording is the emulator's); Start makes the definition Active, Pause Inactive, "
               "Publish leaves the status as it is; each answers "
               "\"OK\", or \"Error\" for a key no definition has; Retrieve rows carry the "
               "TriggeredSendDefinition properties."),
    Assumption("event-records", "Tracking events come from events/<Type>.json (SubscriberKey, "
               "EventDate, SendID, TriggeredSendDefinitionObjectID, ListID, BatchID, URL for "
               "clicks, BounceCategory for bounces); each outbox message is also a SentEvent "
               "and each LogUnsubEvent an UnsubEvent; the store keeps the latest 100,000 "
               "events; the field set is the emulator's choice."),
    Assumption("execute-unsub", "execute(..., \"LogUnsubEvent\") records an UnsubEvent for the "
               "subscriber named by SubscriberKey (or EmailAddress) with its JobID, ListID and "
               "BatchID, and changes no status (as the probe with ids 0 saw); a subscriber "
               "nobody has fails the item with the emulator's text; LogUnsubEvent is the only "
               "request name handled."),
)

# --- Sales Cloud records and content blocks (docs/fidelity.md#salesforce-functions,
# docs/fidelity.md#content-blocks) ---------------------------------------------------------------
#: A content block rendering blocks nested deeper than this aborts (one including itself sooner).
CONTENT_BLOCK_MAX_DEPTH = 10
CONTENT_BLOCK_SELF = "Content block {key!r} includes itself: {chain}."
CONTENT_BLOCK_DEPTH = ("Content blocks are nested more than {limit} levels deep (at {key!r}); "
                       "a block may include others only that deep.")
CONTENT_BLOCK_MISSING = ("{function}: no content block has the {what} {reference!r}. Add it under "
                         "content/ in a fixtures directory, or pass errorOnMissing 0 and a default "
                         "content.")

ASSUMPTIONS += (
    Assumption("salesforce-org", "The Sales Cloud functions work on a local org: Lead, Contact, "
               "Account, Campaign, CampaignMember and Task with the fields pages commonly use "
               "(required: Lead LastName and Company, Contact LastName, Account Name, Campaign "
               "Name, CampaignMember CampaignId) plus what salesforce/<Object>.json declares; "
               "new ids are the object's key prefix, MC and a counter, with the LongSFID "
               "checksum; the abort texts are the emulator's."),
    Assumption("salesforce-comparisons", "RetrieveSalesforceObjects compares text in any case, "
               "numbers as numbers and dates as ISO text; an empty value equals empty text; "
               "< <= > >= never match an empty value."),
    Assumption("content-block-lookup", "Content block keys and name paths match in any case; "
               "ContentArea and ContentAreaByName read the same blocks as ContentBlockByID and "
               "ContentBlockByName; the impression region argument is ignored; a block including "
               f"itself, or blocks nested more than {CONTENT_BLOCK_MAX_DEPTH} deep, abort."),
)

# --- The REST API's front door (docs/fidelity.md#rest-token-checks) ---------------------------
#: The status of the captured ``unsupported_grant_type`` body (no capture shows it; OAuth's 400).
REST_BAD_GRANT_STATUS = 400
#: The status of a token request for a MID the package may not act for (no capture found).
REST_UNKNOWN_MID_STATUS = 400
#: The largest token request body, in bytes (no published limit).
REST_TOKEN_BODY_LIMIT = 64 * 1024

ASSUMPTIONS += (
    Assumption("rest-token-checks", "A v2/token request is checked in this order: grant_type "
               "(anything but client_credentials, or none, answers the captured "
               "unsupported_grant_type body with status 400), then the client (the captured 401 "
               "invalid_client), then scope and account_id; an account_id the package may not "
               "act for answers 400 invalid_grant; a body that is not a JSON object or a form, "
               "a field of the wrong type or a body over 64 KB answers 400 (413 for the size) "
               "invalid_request with the emulator's text, in the OAuth error shape."),
    Assumption("rest-token-forms", "Besides JSON, v2/token accepts a form-encoded body and "
               "client credentials in HTTP Basic (what OAuth client libraries send); account_id "
               "is a number or a string of digits. Every package may use both v2/token and the "
               "legacy v1/requestToken, which answers its captured 401 for any request it "
               "cannot use."),
    Assumption("rest-legacy-token-form", "The legacyToken that v1/requestToken?legacy=1 adds "
               "is a second opaque token of the same package, unit and scopes, lasting an hour "
               "(also a valid bearer); only the value 1 asks for it."),
    Assumption("rest-bearer", "A bearer check reads only the Authorization header: a token in "
               "the query or body is not looked for; missing, malformed, unknown and expired "
               "tokens all answer the captured 401."),
)
#: Texts of the List and DataFolder writes the Core library's List and Folder make.
OBJECT_LIST_CREATED = "List created."
OBJECT_LIST_DELETED = "List deleted."
OBJECT_LIST_KEY_USED = "A list with the CustomerKey {key!r} exists already."
OBJECT_LIST_NOT_FOUND = "No list has the CustomerKey {key!r}."
OBJECT_FOLDER_UPDATED = "Folder updated."
OBJECT_FOLDER_DELETED = "Folder deleted."
OBJECT_FOLDER_NOT_FOUND = "No folder has the CustomerKey {key!r}."
OBJECT_FOLDER_FIXED = "The folder {name!r} is not editable."
OBJECT_FOLDER_CHANGES = "An update of a folder may change Name and Description; not {names}."
OBJECT_FOLDER_NOT_EMPTY = "The folder {name!r} holds folders or Data Extensions; empty it first."

ASSUMPTIONS += (
    Assumption("core-list-folder-writes", "List.Add gives the new list the next ID and the "
               "Type Private unless said; List.Init(key).Remove drops the list and every "
               "membership of it; Folder.Init(key).Update changes Name and Description only; "
               "Remove refuses a folder holding folders or Data Extensions, and the default "
               "folders are not editable; the texts are the emulator's."),
    Assumption("ssjs-object-functions", "Platform.Function.CreateObject and the Invoke "
               "functions run as the AMPscript ones; their out-parameters are arrays the call "
               "fills (a write's message and code, a retrieve's or an execute's status and "
               "request id, a perform's message); InvokeRetrieve returns WSProxy's Results."),
    Assumption("core-subscriber-statistics", "Subscriber.Init(key).Statistics() counts the "
               "subscriber's SentEvent, OpenEvent, ClickEvent, BounceEvent and UnsubEvent "
               "objects as Sent, Opens, Clicks, Bounces and Unsubscribes; the field names are "
               "the emulator's."),
)

# --- Faults on REST routes (docs/fidelity.md#rest-fault-answers) --------------------------------
#: The errorcode of a REST fault's answer whose status has none documented (500, 502, ...).
REST_FAULT_ERRORCODE = 0
#: The message of a 503 errorcode 50300 (documented code, no captured text).
REST_FAULT_UNAVAILABLE_MESSAGE = "Service Unavailable"

ASSUMPTIONS += (
    Assumption("rest-fault-answers", "A fault on a REST route answers in the REST error shape: "
               "a 503 is errorcode 50300 'Service Unavailable' with Retry-After (5 s unless the "
               "fault says), a status without a documented code (500, 502, ...) errorcode 0 with "
               "the status's reason phrase; path faults are asked before the bearer check, "
               "package faults once the token (or the token request's client_id) is known."),
)

# --- REST Data Extension rows (docs/fidelity.md#rest-rowset-envelope and the rows after it) -----
#: Rows a rowset page holds at most, and when ``$pageSize`` is not given.
REST_ROWSET_MAX_PAGE_SIZE = 2500
REST_ROWSET_DEFAULT_PAGE_SIZE = 2500
#: Minutes a rowset continuation token answers.
REST_ROWSET_TOKEN_MINUTES = 20
#: The longest ``$filter`` read.
REST_FILTER_MAX_LENGTH = 10_000
REST_DE_KEY_MISSING = "Data Extension with key '{key}' was not found."
REST_DE_ID_MISSING = "Data Extension with id '{id}' was not found."
REST_ROWSET_TOKEN_MISSING = ("Request token '{token}' was not found or has expired; read the "
                             "rowset by its key again for a new token.")
REST_BAD_WHOLE = ("{name} must be a whole number from 1 (up to {most} rows a page), not "
                  "'{value}'.")
REST_UNKNOWN_COLUMN = ("{parameter}: unknown column '{name}' in Data Extension {key}; columns "
                       "are {known}.")
REST_BAD_ORDER = ("$orderBy part '{value}' is not '<column> [asc|desc]' (several separated by "
                  "commas).")
REST_NOT_JSON = "The request body is not valid JSON: {reason}."
REST_BODY_TOO_LARGE = "The request body of {size} bytes is larger than the {most} bytes accepted."
REST_BAD_SHAPE = "{where} must be {expected}, not {found}."
#: The captured text (lower-cased name) for a name in ``keys`` that is no primary key.
REST_NOT_PRIMARY_KEY = "Primary key '{name}' does not exist."
REST_PRIMARY_KEY_MISSING = "Primary key '{name}' is missing from the keys of {where}."
#: The captured text of the aggregate 400 (errorcode 10006).
REST_SAVE_FAILED = "Unable to save rows for data extension ID {id}"
REST_BAD_PATH_KEY = ("The row path part '{part}' is not '<primary key>:<value>' (several "
                     "separated by commas).")
REST_INCREMENT_COLUMN = ("Column '{column}' cannot be incremented: increment a Number or Decimal "
                         "column that is not a primary key.")
REST_INCREMENT_RANGE = "The incremented value of {column} leaves the Number range {low}..{high}."
REST_BAD_STEP = "step must be a whole number such as 1 or -2, not '{value}'."
REST_ROW_MISSING = "No row has the primary key {keys}."
REST_PATH_KEY_TWICE = "The row path names the primary key '{name}' twice."

ASSUMPTIONS += (
    Assumption("rest-rowset-page-size", f"A rowset page holds {REST_ROWSET_MAX_PAGE_SIZE} rows "
               f"when $pageSize is not given and at most that many when more are asked (the "
               f"answer's pageSize says {REST_ROWSET_MAX_PAGE_SIZE}); $page and $pageSize must "
               "be whole numbers from 1, anything else is a 400 errorcode 10005; a page past "
               "the end answers the envelope without items."),
    Assumption("rest-rowset-token", f"A rowset's requestToken continues the same query (filter, "
               f"order, fields, page size) for {REST_ROWSET_TOKEN_MINUTES} minutes on the "
               "emulator's clock, for the same business unit; an unknown or expired token is a "
               "404 errorcode 30003. links.previous is given from page 2 on."),
    Assumption("rest-rowset-fields", "$fields picks the value columns of each item; the "
               "primary-key columns always come in keys. $orderBy is '<column> [asc|desc]', "
               "several separated by commas, empty cells first ascending; without it rows come "
               "in insertion order. An unknown column in either is a 400 errorcode 10005. "
               "$top and $offset are ignored."),
    Assumption("rest-filter-errors", "A $filter that does not parse, names an unknown column or "
               "gives a value its column cannot hold is a 400 errorcode 10003 whose message "
               "names the offending token and its position; keywords are read in any case; "
               "'' is a quote inside a quoted value; like matches as Rows.Retrieve's like does "
               "(the value anywhere in the cell, % and _ wildcards); parentheses group."),
    Assumption("rest-de-not-found", "A Data Extension key or id no DE visible to the token's "
               "business unit has is a 404 errorcode 30003 in the REST error shape."),
    Assumption("rest-hub-keys", "A hub row without one of the DE's primary keys is a 400 "
               "errorcode 10000 naming it; a body that is not JSON is errorcode 10004, a body "
               "or member of the wrong JSON type errorcode 10000; each refused row's problems "
               "come in additionalErrors as '<Column>: <reason>' (the reasons are the "
               "emulator's words); a key given twice in one rowset is one row, the later values "
               "winning."),
    Assumption("rest-hub-limits", "A hub rowset body over 5 MiB (5,242,880 bytes) is refused "
               "with 413 errorcode 10000 before it is read."),
    Assumption("rest-hub-path-keys", "Several primary keys in a hub row path are "
               "'Col1:v1,Col2:v2'; increment needs a Number or Decimal column and an existing "
               "row (404 errorcode 30003 otherwise), an empty cell counting as 0; step is a "
               "whole number, default 1."),
)

# --- REST async rows (docs/fidelity.md#rest-async and the rows after it) -------------------------
#: The largest async row body in bytes: 5.9 MB, the figure a client library keeps under.
REST_ASYNC_MAX_BODY = 5_900_000
#: Async jobs that may wait to run at once (manual or clock-timed completion).
REST_ASYNC_MAX_PENDING = 1000
#: Finished async jobs kept for their status and results.
REST_ASYNC_JOBS_KEPT = 10_000
REST_ASYNC_TOO_MANY = ("{most} async requests are waiting to run already; complete some "
                       "(POST /_emulator/rest-jobs/complete) or retry later.")
REST_ASYNC_BAD_COMPLETION = ("The async completion must be 'immediate', 'manual' or a number of "
                             "seconds from 0 to 86400, not {value}.")
REST_ASYNC_DE_GONE = "The Data Extension {table} was deleted before the request ran."
REST_ASYNC_DUPLICATE = ("Violation of PRIMARY KEY constraint. Cannot insert duplicate key in "
                        "object '{key}'. The duplicate key value is ({values}).\r\nThe "
                        "statement has been terminated.")
REST_ASYNC_BAD_BODY = "The body must be an object {{\"items\": [...]}}, not {found}."
REST_ASYNC_NO_ITEMS = "The body's items must be a non-empty array of row objects, not {found}."
REST_ASYNC_BAD_ITEM = "items[{index}] must be an object of column: value, not {found}."
REST_ASYNC_BAD_CELL = ("items[{index}].{name} must be a string, number, boolean or null, not "
                       "{found}.")
#: The documented text of a DE the request cannot resolve.
REST_ASYNC_NOT_RESOLVED = ("Failed to resolve the Custom Object from the provided "
                           "ObjectReferenceIdentifier [Id: {id}, Key: {key}].")
REST_ASYNC_UNKNOWN_ID = "No async request has the id '{id}'."

ASSUMPTIONS += (
    Assumption("rest-async-refusals", "An async row request whose Data Extension the token's "
               "unit cannot see answers the documented CustomObjectNotFound resultMessages body "
               "with status 400 (the documentation's example says 200); a body that is not "
               "{\"items\": [row objects]} answers 400 in the same shape, resultCode "
               "InvalidRequest; a body that is not JSON is errorcode 10004 and a body over "
               f"{REST_ASYNC_MAX_BODY:,} bytes is 413 errorcode 10000, refused before it is "
               "read."),
    Assumption("rest-async-results", "When a job runs each row is written or refused on its "
               "own: POST adds (a primary key taken already is an UnexpectedError item worded "
               "like the platform's duplicate-key text), PUT upserts; any other refusal is a "
               "ValidationError item '<Column>: <reason>'. The job is Complete when a row was "
               "written or none was refused, Error when every row was refused or its Data "
               "Extension was deleted; resultStatus is OK or Error, null while Pending, as are "
               "pickupDateTime and completionDateTime. Times are CST without a zone. results "
               "pages with page and pageSize (default 50); includeDetail is ignored."),
    Assumption("rest-async-timing", "An async job runs before its 202 by default; with "
               "rest_async_completion a number of seconds it runs once the emulator's clock has "
               "passed that delay and the next REST call, admin view or handle call looks; "
               "'manual' jobs wait for the admin API or the mock handle."),
    Assumption("rest-async-limits", f"At most {REST_ASYNC_MAX_PENDING} async jobs wait at once "
               "(more answer 429 errorcode 50100 with Retry-After 1); the last "
               f"{REST_ASYNC_JOBS_KEPT:,} finished jobs answer status and results; an unknown "
               "request id, or another unit's, is a 404 errorcode 30003."),
)

# --- The REST Data Extension API (docs/fidelity.md#rest-customobjects) ----------------------------
#: The text reported for an {id} that is not a GUID (a key, with or without key:).
REST_CO_ID_INVALID = "Id is invalid"
REST_CO_SEARCH_REQUIRED = ("$search is required: the text to find in the Data Extensions' names "
                           "and keys, e.g. ?$search=Orders.")

ASSUMPTIONS += (
    Assumption("rest-customobjects-shapes", "GET /data/v1/customobjects without $search (or "
               "with an empty one) is a 400 errorcode 10002; the list matches the text in any "
               "case in the name or key and answers {count, page, pageSize, links, items: [{id, "
               "name, key, rowCount}]} (default 25 a page, at most 500); fields answer {id, "
               "fields: [{name, type, length, scale, isNullable, isPrimaryKey, ordinal}]} with "
               "ordinal from 0, a Decimal's precision as its length; an id that is not a GUID is "
               "a 400 errorcode 10000 'Id is invalid'; cleardata answers an empty 200."),
)

# --- REST Data Extension API writes (docs/fidelity.md#rest-customobjects-create) ----------------
#: The captured text of a create without a valid folder (facts 3.5, 3P).
REST_CO_CATEGORY = "A valid categoryId must be provided"
#: Captured texts (3P) of an EmailAddress field without length and a Text key without length.
REST_CO_EMAIL_LENGTH = ("Length is invalid for field EmailAddress because it does not have a data "
                        "type of Text")
REST_CO_TEXT_KEY_LENGTH = "A text field with no length specified cannot be used as a primary key"
REST_CO_MISSING = "{name} is required."
REST_CO_TOO_LONG = "{name} has at most {most} characters, not {length}."
REST_CO_UNKNOWN_MEMBERS = "{where} has no {names}; its members are {known}."
REST_CO_SENDABLE = ("{name}: sendable and testable Data Extensions are not emulated yet; send "
                    "false or leave it out.")
REST_CO_FIELD_TYPE = "{where}.type {found!r} is invalid: one of {known}."
REST_CO_NO_FIELDS = "fields must be a non-empty array of field objects, not {found}."
REST_CO_ORDINALS = "Two fields have the same ordinal: give each field its own."
REST_CO_KEY_TAKEN = "A Data Extension with the key '{key}' exists already."

ASSUMPTIONS += (
    Assumption("rest-customobjects-create", "POST /data/v1/customobjects needs name, categoryId "
               "(the ID of a folder whose ContentType is dataextension or shared_dataextension; "
               "else the captured 400 'A valid categoryId must be provided') and fields, each "
               "with name, type, ordinal and every flag; key is optional (an upper-case GUID is "
               "made); members the API does not name are refused; columns take the order of "
               "their ordinals; a key the unit has already is 409 errorcode 30004; missing "
               "members are errorcode 10002, wrong values 10005, wrong JSON types 10000; the "
               "answer is 201 with the single read's shape. The template, hidden, override, "
               "inherit and read-only flags are checked and not kept (reads say false), nor is "
               "description (reads say ''); isSendable and isTestable true are refused; a body "
               "over 1 MiB is 413."),
    Assumption("rest-customobjects-object", "GET /data/v1/customobjects/{id} answers {id, key, "
               "name, description, categoryId, isSendable, isTestable, rowCount, fieldCount, "
               "fields}; PATCH takes name, description, categoryId, isSendable and isTestable "
               "(false) and answers the same shape; DELETE drops the DE with its rows and "
               "answers an empty 200."),
)

# --- REST transactional messaging (docs/fidelity.md#rest-messaging) ------------------------------
REST_MSG_MISSING = "{name} is required."
REST_MSG_UNKNOWN = "{where} has no {names}; its members are {known}."
REST_MSG_BOTH = "recipient and recipients cannot both be given: send one recipient or a list."
REST_MSG_FORM = ("This route takes {wanted}, not {given}: POST /messaging/v1/email/messages/"
                 "{{messageKey}} sends to one recipient, /messaging/v1/email/messages/ to "
                 "recipients.")
REST_MSG_NO_RECIPIENTS = "No {name} given: a send needs at least one recipient with a contactKey."
REST_MSG_TOO_MANY = "A request holds at most {most} recipients, not {count}."
REST_MSG_KEY_LENGTH = "A messageKey has at most {most} characters, not {length}."
REST_MSG_BAD_KEY = "{where}.messageKey must be non-empty text."
REST_MSG_KEY_USED = ("The messageKey '{key}' was used in the last 72 hours: give each message "
                     "its own key.")
REST_MSG_NO_DEFINITION = "No triggered send definition has the key '{key}'."
REST_MSG_NOT_ACTIVE = "The triggered send definition '{key}' is {status}: only an Active one sends."
REST_MSG_NO_ADDRESS = ("{where} has no 'to' and no subscriber has the key '{key}': give the "
                       "recipient's address in 'to'.")
REST_MSG_BAD_ADDRESS = "{where}.to {found!r} is not an e-mail address."
REST_MSG_SOME_FAILED = "Some recipients were not sent: see responses."
REST_MSG_NONE_SENT = "No recipient was sent: see responses."

ASSUMPTIONS += (
    Assumption("rest-messaging-answer", "A send answers 202 {requestId, errorcode, responses: "
               "[{messageKey}]} with errorcode 0 when every recipient went; a recipient that "
               "cannot go (contactKey missing: 10002, a messageKey taken or repeated: 30004, "
               "too long: 10005, a bad address: 5) carries errorcode and message in its "
               "response and the others go, the top level then saying 109001 and a message; "
               "when none goes the answer is 400 with 109103. A request without definitionKey "
               "(10002), with recipient and recipients (10005), with none (109102) or with more "
               "than 2,000 (109101) is a 400 in the REST error shape, nothing sent; an unknown "
               "definition is 404 errorcode 30003, one not Active 409 errorcode 30002."),
    Assumption("rest-messaging-keys", "A messageKey is unique per business unit (the token's) "
               "over 72 hours on the emulator's clock; a generated key is 22 URL-safe base64 "
               "characters; the single form's recipient may name its own messageKey instead of "
               "the path's. Without 'to' the address is the subscriber's of that contactKey; "
               "top-level attributes apply to every recipient, a recipient's own win. A body "
               "over 5 MiB is 413."),
)

#: A platform REST route the emulator knows and does not serve yet
#: (docs/fidelity.md#rest-not-emulated).
REST_NOT_EMULATED = ("{route} is a Marketing Cloud REST route that mc-emulator does not emulate "
                     "yet.")

ASSUMPTIONS += (
    Assumption("rest-not-emulated", "A platform REST route the emulator knows of and does not "
               "serve (the category listing and the async field routes of the Data Extension "
               "API, hub row deletes, email definitions) answers 501 in the REST error shape "
               "with errorcode 0 and a message naming the route, so a client sees 'not "
               "emulated' rather than 'not found'."),
)
