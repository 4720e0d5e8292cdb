"""AMPscript function names the platform documents (its function reference and index), and why
each one the emulator lacks is not emulated.

The coverage page (docs/coverage.md) lists those missing from the function table with their
reason; a call to one raises a catchable "not emulated" error naming the emulated functions.
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
AuthenticatedMemberName GetSendTime LiveContentMicrositeURL WATP
GetPublishedSocialContent GetSocialPublishURL GetSocialPublishURLByName
AddMscrmListMember CreateMscrmRecord DescribeMscrmEntities DescribeMscrmEntityAttributes
RetrieveMscrmRecords RetrieveMscrmRecordsFetchXML SetStateMscrmRecord UpdateMscrmRecords
UpsertMscrmRecord
CreateSalesforceObject LongSFID RetrieveSalesforceJobSources RetrieveSalesforceObjects
UpdateSingleSalesforceObject
""".split())

_OUTSIDE = "outside systems"
_SEND = "email sends only"
_SUBSCRIBER = "needs a subscriber context"
_CONTENT = "needs Content Builder"
_SITES = "needs an authenticated Sites login"
_SMS = "MobileConnect SMS only"
_MSCRM = "outside systems (Microsoft Dynamics CRM)"
_SALESFORCE = "outside systems (Sales or Service Cloud)"
_SOCIAL = "outside systems (social publishing)"

#: Why each documented function the emulator lacks is not emulated (docs/coverage.md).
NOT_EMULATED_REASONS: dict[str, str] = {
    "UpsertContact": "outside systems (Contact Builder)",
    "AttachFile": _SEND, "BarcodeURL": "barcode image service", "BeginImpressionRegion": _SEND,
    "EndImpressionRegion": _SEND, "GetSendTime": _SEND, "WAT": _SEND, "WATP": _SEND,
    "WrapLongURL": "email click tracking only",
    "BuildOptionList": "output format unpublished",
    "BuildRowsetFromXML": "XPath dialect unpublished", "TransformXML": "XSLT engine unpublished",
    "ClaimRow": "row claiming (coupon DEs) not built yet",
    "ClaimRowValue": "row claiming (coupon DEs) not built yet",
    "ExecuteFilter": "needs data filters", "ExecuteFilterOrderedRows": "needs data filters",
    "ContentArea": _CONTENT, "ContentAreaByName": _CONTENT, "ContentBlockByID": _CONTENT,
    "ContentBlockByKey": _CONTENT, "ContentBlockByName": _CONTENT, "ContentImageByID": _CONTENT,
    "ContentImageByKey": _CONTENT, "GetPortfolioItem": _CONTENT, "Image": _CONTENT,
    "TreatAsContentArea": _CONTENT,
    "AuthenticatedEmployeeID": _SITES, "AuthenticatedEmployeeNotificationAddress": _SITES,
    "AuthenticatedEmployeeUserName": _SITES, "AuthenticatedEnterpriseID": _SITES,
    "AuthenticatedMemberID": _SITES, "AuthenticatedMemberName": _SITES,
    "IsCHTMLBrowser": "device detection table unpublished",
    "LiveContentMicrositeURL": "Live Content only",
    "CreateSmsConversation": _SMS, "EndSmsConversation": _SMS,
    "SetSmsConversationNextKeyword": _SMS,
    "HTTPPostWithRetry": _OUTSIDE,
    "EncryptSymmetric": "algorithm unknown (key derivation and a vector unpublished)",
    "DecryptSymmetric": "algorithm unknown (key derivation and a vector unpublished)",
    "GetPublishedSocialContent": _SOCIAL, "GetSocialPublishURL": _SOCIAL,
    "GetSocialPublishURLByName": _SOCIAL,
    "AddMscrmListMember": _MSCRM, "CreateMscrmRecord": _MSCRM, "DescribeMscrmEntities": _MSCRM,
    "DescribeMscrmEntityAttributes": _MSCRM, "RetrieveMscrmRecords": _MSCRM,
    "RetrieveMscrmRecordsFetchXML": _MSCRM, "SetStateMscrmRecord": _MSCRM,
    "UpdateMscrmRecords": _MSCRM, "UpsertMscrmRecord": _MSCRM,
    "CreateSalesforceObject": _SALESFORCE, "LongSFID": _SALESFORCE,
    "RetrieveSalesforceJobSources": _SALESFORCE, "RetrieveSalesforceObjects": _SALESFORCE,
    "UpdateSingleSalesforceObject": _SALESFORCE,
    # the page and request functions are another part of the work in progress
    "QueryParameter": "request functions not built yet",
    "RequestParameter": "request functions not built yet",
    "HTTPRequestHeader": "request functions not built yet",
    "Redirect": "request functions not built yet", "RedirectTo": "request functions not built yet",
    "TreatAsContent": "request functions not built yet",
}
#: Said of a documented function without a reason of its own.
NOT_EMULATED_DEFAULT = "not built yet"


def reason(name: str) -> str:
    """Return why the documented function ``name`` is not emulated."""
    folded = name.lower()
    for known, why in NOT_EMULATED_REASONS.items():
        if known.lower() == folded:
            return why
    return NOT_EMULATED_DEFAULT
