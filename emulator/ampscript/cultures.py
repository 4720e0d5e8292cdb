"""The .NET Framework cultures that Format, FormatNumber and FormatDate emulate.

docs/fidelity.md#cultures: ``en-US``, ``en_US``, ``de``, ``de-DE``, ``fr-FR`` and ``ja-JP`` change
separators, currency and names; an unknown name (``zz-ZZ``, ``""``) formats as en-US. A real
language the table lacks (``es-ES``, ``uk-UA``) is not emulated and says so, rather than quietly
formatting as en-US (docs/fidelity.md#not-emulated).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator import assumptions
from emulator.script.errors import FeatureNotEmulated

NBSP = "\u00a0"


@dataclass(frozen=True)
class Culture:
    """Number and date conventions of one culture (patterns use ``n`` and ``$``, as .NET's)."""

    name: str
    decimal: str
    group: str
    currency: str
    currency_digits: int
    currency_positive: str
    currency_negative: str
    percent_positive: str
    percent_negative: str
    months: tuple[str, ...]
    months_abbr: tuple[str, ...]
    days: tuple[str, ...]  # Sunday first, as .NET's DayOfWeek
    days_abbr: tuple[str, ...]
    short_date: str
    long_date: str
    short_time: str
    long_time: str
    month_day: str
    year_month: str
    am: str = ""
    pm: str = ""


_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")
_ENGLISH_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_JAPANESE_MONTHS = tuple(f"{month}月" for month in range(1, 13))

EN_US = Culture(
    "en-US", ".", ",", "$", 2, "$n", "($n)", "n%", "-n%",
    _ENGLISH_MONTHS, tuple(name[:3] for name in _ENGLISH_MONTHS),
    _ENGLISH_DAYS, tuple(name[:3] for name in _ENGLISH_DAYS),
    "M/d/yyyy", "dddd, MMMM d, yyyy", "h:mm tt", "h:mm:ss tt", "MMMM d", "MMMM yyyy",
    "AM", "PM")
DE_DE = Culture(
    "de-DE", ",", ".", "€", 2, "n $", "-n $", "n %", "-n %",
    ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
     "Oktober", "November", "Dezember"),
    ("Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
    ("Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"),
    ("So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"),
    "dd.MM.yyyy", "dddd, d. MMMM yyyy", "HH:mm", "HH:mm:ss", "d. MMMM", "MMMM yyyy")
FR_FR = Culture(
    "fr-FR", ",", NBSP, "€", 2, "n $", "-n $", "n %", "-n %",
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"),
    ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
     "déc."),
    ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
    ("dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."),
    "dd/MM/yyyy", "dddd d MMMM yyyy", "HH:mm", "HH:mm:ss", "d MMMM", "MMMM yyyy")
JA_JP = Culture(
    "ja-JP", ".", ",", "¥", 0, "$n", "-$n", "n%", "-n%",
    _JAPANESE_MONTHS, _JAPANESE_MONTHS,
    ("日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"),
    ("日", "月", "火", "水", "木", "金", "土"),
    "yyyy/MM/dd", "yyyy'年'M'月'd'日'", "H:mm", "H:mm:ss", "M'月'd'日'", "yyyy'年'M'月'",
    "午前", "午後")

CULTURES = {
    "en-us": EN_US, "en": EN_US, "de-de": DE_DE, "de": DE_DE, "fr-fr": FR_FR, "fr": FR_FR,
    "ja-jp": JA_JP, "ja": JA_JP,
}

#: ISO 639-1 language codes: a culture name starting with one of these names a real culture.
LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz
ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln
lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi
pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti
tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split())


def culture(name: str | None) -> Culture:
    """Return the culture called ``name`` (``de_DE`` = ``de-DE``, any case); unknown → en-US."""
    if not name:
        return EN_US
    key = name.strip().replace("_", "-").lower()
    found = CULTURES.get(key)
    if found is not None:
        return found
    if key.split("-")[0] in LANGUAGES:
        raise FeatureNotEmulated(assumptions.AMPSCRIPT_CULTURE_NOT_EMULATED.format(
            name=name, known=", ".join(c.name for c in (EN_US, DE_DE, FR_FR, JA_JP))))
    return EN_US  # RT: zz-ZZ and other names that are no culture format as en-US
