"""AMPscript function names the platform documents (its function reference and index).

The coverage page (docs/coverage.md) lists those missing from the function table as not
emulated; a call to one raises a catchable "not emulated" error naming the emulated functions.
A call to a name in neither list is the platform's "unrecognized function name" compile error
(docs/fidelity.md#ampscript-unknown-function).
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
AddObjectArrayItem AttachFile AuthenticatedEmployeeID AuthenticatedEmployeeNotificationAddress
AuthenticatedEmployeeUserName AuthenticatedEnterpriseID AuthenticatedMemberID BarcodeURL
BuildOptionList BuildRowsetFromXML ClaimRow ContentArea ContentAreaByName ContentBlockByKey
ContentImageByID ContentImageByKey CreateObject CreateSmsConversation DataExtensionRowCount
DeleteDE Domain EndImpressionRegion EndSmsConversation ExecuteFilter ExecuteFilterOrderedRows
FormatCurrency GetPortfolioItem HTTPPost HTTPPostWithRetry HTTPRequestHeader Image InvokeCreate
InvokeDelete InvokeExecute InvokePerform InvokeRetrieve InvokeUpdate IsCHTMLBrowser
IsPhoneNumber MicrositeURL ReplaceList SetObjectProperty SetSmsConversationNextKeyword
StringToHex TransformXML TreatAsContentArea UpdateDE UpsertContact UpsertDE WAT WrapLongURL
""".split())
