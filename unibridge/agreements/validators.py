"""Field validators for the EWP IIA v7 values of cooperation conditions."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .isced import is_known

# trm:AcademicYearId is [0-9]{4}/[0-9]{4}; we accept the northern form (second = first + 1).
ACADEMIC_YEAR = re.compile(r"([0-9]{4})/([0-9]{4})")
ISCED_CODE = re.compile(r"[0-9]{4}")  # the v7 `isced` type
ISCED_BROADER = re.compile(r"[0-9]{1,3}")  # what v6 allowed (now only the v6-value attribute)
CEFR_LEVEL = re.compile(r"[ABC][12]")  # recommended-language-skill/cefr-level
# xs:language, with the primary subtag narrowed to an ISO 639 code of two or three letters,
# so that a typed "english" is refused while "en", "kk" and "en-GB" pass.
LANGUAGE_CODE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*")

MESSAGES = {
    "academic_year_format": _("Enter an academic year such as 2026/2027."),
    "academic_year_sequence": _(
        "The second year must follow the first one, such as %(first)s/%(next)s."
    ),
    "isced_four_digits": _("Use a four-digit ISCED-F code, such as 0713."),
    "isced_format": _("Enter a four-digit ISCED-F code, such as 0713."),
    "isced_unknown": _("%(code)s is not an ISCED-F 2013 code."),
    "cefr": _("Enter a CEFR level from A1 to C2, such as B2."),
    "language": _("Enter a language code such as en, pl or en-GB."),
}


def validate_academic_year(value: str) -> None:
    """An EWP academic year id such as 2026/2027."""
    match = ACADEMIC_YEAR.fullmatch(value or "")
    if not match:
        raise ValidationError(MESSAGES["academic_year_format"], code="invalid")
    first, second = (int(year) for year in match.groups())
    if second != first + 1:
        raise ValidationError(
            MESSAGES["academic_year_sequence"],
            code="invalid_sequence",
            params={"first": match.group(1), "next": f"{first + 1:04d}"},
        )


def validate_isced_code(value: str) -> None:
    """A known four-digit ISCED-F 2013 code, the only kind EWP IIA v7 accepts."""
    value = value or ""
    if ISCED_BROADER.fullmatch(value):
        raise ValidationError(MESSAGES["isced_four_digits"], code="not_detailed")
    if not ISCED_CODE.fullmatch(value):
        raise ValidationError(MESSAGES["isced_format"], code="invalid")
    if not is_known(value):
        raise ValidationError(MESSAGES["isced_unknown"], code="unknown", params={"code": value})


def validate_cefr(value: str) -> None:
    """A CEFR level A1 to C2 (capital letter first, as EWP writes it)."""
    if not CEFR_LEVEL.fullmatch(value or ""):
        raise ValidationError(MESSAGES["cefr"], code="invalid")


def validate_language_code(value: str) -> None:
    """A language tag as in xml:lang: en, pl, kk, ru, en-GB."""
    if not LANGUAGE_CODE.fullmatch(value or ""):
        raise ValidationError(MESSAGES["language"], code="invalid")


def academic_year_start(value: str) -> int:
    """The first calendar year of a valid academic year id, for ordering ('2026/2027' -> 2026)."""
    return int(value[:4])
