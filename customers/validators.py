"""Chinese identifier checks, as pure functions (no database), used by forms, services and imports.

- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
  alphabet (digits and capitals without I, O, Z, S, V); the last is a check character over the
  first 17 with weights 3^i mod 31.
- Resident identity number (公民身份号码), GB 11643-1999: 17 digits and a check character (0-9 or X,
  ISO 7064 MOD 11-2); digits 7-14 are the birth date.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
ID_CHECK = "10X98765432"


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def resident_id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_identifier(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    code = normalise_identifier(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length", params={"n": len(code)})
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="characters", params={"chars": " ".join(bad)})
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: a typing "
              "error?"), code="check")


def birth_date_of(resident_id: str) -> date | None:
    try:
        return date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str, *, today: date | None = None) -> None:
    code = normalise_identifier(value)
    if len(code) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(n)d."),
            code="length", params={"n": len(code)})
    # ASCII digits only: str.isdigit() also admits "²" and "①", which int() refuses.
    if not (code[:17].isascii() and code[:17].isdigit()) or code[17] not in "0123456789X":
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."),
            code="characters")
    born = birth_date_of(code)
    today = today or date.today()
    if born is None or born.year < 1900 or born > today:
        raise ValidationError(
            _("The birth date inside this resident ID number (%(digits)s) is not a real date."),
            code="birth_date", params={"digits": code[6:14]})
    if resident_id_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit of this resident ID number is wrong: a typing error?"),
            code="check")
