"""AMPscript checks on text: IsEmailAddress, IsPhoneNumber, Domain
(docs/fidelity.md#ampscript-validation).

The platform documents what each one tests but not its exact rule; the rules here are the
emulator's (ASSUMED "ampscript-validation"), anchored patterns without nested repetition and a
length check first, so hostile input costs nothing.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function

#: RFC 5321's longest address; anything longer is no address.
MAX_EMAIL = 254
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
#: North American Numbering Plan: optional +1/1, area code and exchange starting 2-9.
_PHONE = re.compile(r"(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .-]?"
                    r"[2-9][0-9]{2}[ .-]?[0-9]{4}")
MAX_PHONE = 32


@ampscript_function("IsEmailAddress", args=1, tag="OFF; rule ASSUMED")
def is_email_address(run: Runtime, value: Any) -> bool:
    """Return whether the text is one well-formed address: ``local@domain.tld``."""
    text = arg.text(value).strip()
    return len(text) <= MAX_EMAIL and _EMAIL.fullmatch(text) is not None


@ampscript_function("IsPhoneNumber", args=1, tag="OFF; rule ASSUMED")
def is_phone_number(run: Runtime, value: Any) -> bool:
    """Return whether the text is a North American number: 10 digits, optional +1 and separators."""
    text = arg.text(value).strip()
    return len(text) <= MAX_PHONE and _PHONE.fullmatch(text) is not None


@ampscript_function("Domain", args=1, tag="OFF; rule ASSUMED")
def domain(run: Runtime, value: Any) -> str:
    """Return what follows the last ``@`` of an address; empty text without one."""
    text = arg.text(value).strip()
    local, at, rest = text.rpartition("@")
    return rest if at and local else ""
