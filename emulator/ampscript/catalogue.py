"""AMPscript function names the platform documents.

The coverage page (docs/coverage.md) lists those missing from the function table as not
emulated; a call to one raises a catchable "not emulated" error naming the emulated functions.
"""

from __future__ import annotations

KNOWN_FUNCTIONS: tuple[str, ...] = tuple("""
Add AttributeValue Base64Decode Base64Encode BeginImpressionRegion BuildRowsetFromJSON
BuildRowsetFromString Char ClaimRowValue CloudPagesURL Concat ContentBlockByID
ContentBlockByName DateAdd DateDiff DateParse DatePart DecryptSymmetric DeleteData Divide Empty
EncryptSymmetric Field Format FormatDate FormatNumber GetJWT GetJWTByKeyName GUID HTTPGet
HTTPPost2 IIf IndexOf InsertData InsertDE IsEmailAddress IsNull IsNullDefault Length
LocalDateToSystemDate Lookup LookupOrderedRows LookupOrderedRowsCS LookupRows LookupRowsCS
Lowercase MD5 Mod Multiply Now Output OutputLine ProperCase QueryParameter RaiseError Random
Redirect RedirectTo RegExMatch Replace RequestParameter Row RowCount SHA1 SHA256 SHA512
StringToDate Substring Subtract SystemDateToLocalDate TreatAsContent Trim UpdateData Uppercase
UpsertData URLEncode V
""".split())
