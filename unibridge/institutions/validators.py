"""Validators for institution identifiers, each with a message that says what is expected."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEI_ID_RE = re.compile(
    r"^(?=.{3,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)
ERASMUS_CODE_RE = re.compile(r"^[A-Z]{1,3} {1,3}[A-Z][A-Z-]{0,9}[0-9]{2,3}$")
PIC_RE = re.compile(r"^[0-9]{9}$")
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def validate_hei_id(value: str) -> None:
    if not HEI_ID_RE.match(value or ""):
        raise ValidationError(
            _("A SCHAC/EWP hei-id is a lower-case internet domain such as 'agh.edu.pl'."),
            code="invalid_hei_id",
        )


def validate_erasmus_code(value: str) -> None:
    if not ERASMUS_CODE_RE.match(value or ""):
        raise ValidationError(
            _(
                "An Erasmus code is the country letters, spaces, the city and a number, "
                "in capitals, such as 'PL KRAKOW02'."
            ),
            code="invalid_erasmus_code",
        )


def validate_pic(value: str) -> None:
    if not PIC_RE.match(value or ""):
        raise ValidationError(
            _("A PIC (Participant Identification Code) has exactly 9 digits."), code="invalid_pic"
        )


def ror_checksum(body: str) -> str:
    """ISO 7064 Mod 97-10 check digits of the 7-character ROR body (leading '0' included)."""
    number = 0
    for char in body:
        number = number * 32 + CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def normalize_ror(value: str) -> str:
    """'https://ror.org/03YRM5C26' → '03yrm5c26'."""
    value = (value or "").strip().lower()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def validate_ror_id(value: str) -> None:
    if not ROR_RE.match(value or ""):
        raise ValidationError(
            _("A ROR id has 9 characters: '0', six letters or digits and two check digits."),
            code="invalid_ror",
        )
    if ror_checksum(value[:7]) != value[7:]:
        raise ValidationError(
            _("This ROR id's check digits are wrong; copy it again from ror.org."),
            code="invalid_ror_checksum",
        )


def validate_domain(value: str) -> None:
    if not HEI_ID_RE.match(value or ""):
        raise ValidationError(
            _("'%(value)s' is not an internet domain such as 'agh.edu.pl'."),
            code="invalid_domain",
            params={"value": value},
        )
