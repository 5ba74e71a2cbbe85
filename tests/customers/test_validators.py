from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from customers.validators import (
    ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)


def make_uscc(first17: str = "91110108MA01ABCD1") -> str:
    return first17 + uscc_check_character(first17)


def make_id(first17: str = "11010819850312123") -> str:
    return first17 + resident_id_check_character(first17)


def test_weights_reproduce_the_standards_table():
    # GB 32100-2015 table 3 and GB 11643-1999 weights, derived rather than copied.
    assert USCC_WEIGHTS[:6] == [1, 3, 9, 27, 19, 26]
    assert ID_WEIGHTS[:6] == [7, 9, 10, 5, 8, 4]
    assert len(USCC_ALPHABET) == 31 and not set("IOZSV") & set(USCC_ALPHABET)


@pytest.mark.parametrize("first17", ["91110108MA01ABCD1", "91310115MA1K3XYW2", "12100000400000006"])
def test_valid_uscc_passes(first17):
    validate_uscc(make_uscc(first17))
    validate_uscc(make_uscc(first17).lower())  # typed in lower case


def test_uscc_wrong_check_character():
    code = make_uscc()
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31]
    with pytest.raises(ValidationError) as err:
        validate_uscc(code[:17] + wrong)
    assert err.value.code == "check"


@pytest.mark.parametrize("value", ["", "9111010", make_uscc() + "0"])
def test_uscc_wrong_length(value):
    with pytest.raises(ValidationError) as err:
        validate_uscc(value)
    assert err.value.code == "length"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "-"])
def test_uscc_bad_characters(bad):
    with pytest.raises(ValidationError) as err:
        validate_uscc("9111010" + bad + "MA01ABCD1X")
    assert err.value.code == "characters"


@pytest.mark.parametrize("first17", ["11010819850312123", "31011520000229004", "44030619991231567"])
def test_valid_resident_id_passes(first17):
    validate_resident_id(make_id(first17))


def test_resident_id_with_x_check_digit():
    # Find a real X among valid numbers rather than trusting one from the web.
    first17 = next(f"1101081985031210{i}" for i in range(10)
                   if resident_id_check_character(f"1101081985031210{i}") == "X")
    validate_resident_id(first17 + "X")
    validate_resident_id(first17 + "x")


def test_resident_id_wrong_check_digit():
    code = make_id()
    wrong = "0" if code[-1] != "0" else "1"
    with pytest.raises(ValidationError) as err:
        validate_resident_id(code[:17] + wrong)
    assert err.value.code == "check"


@pytest.mark.parametrize("birth", ["19850230", "19851301", "18991231", "20990101"])
def test_resident_id_impossible_birth_date(birth):
    with pytest.raises(ValidationError) as err:
        validate_resident_id(make_id("110108" + birth + "123"), today=date(2026, 1, 1))
    assert err.value.code == "birth_date"


@pytest.mark.parametrize("value", ["1101081985031212", make_id() + "1"])
def test_resident_id_wrong_length(value):
    with pytest.raises(ValidationError) as err:
        validate_resident_id(value)
    assert err.value.code == "length"


def test_resident_id_bad_characters():
    with pytest.raises(ValidationError) as err:
        validate_resident_id("1101081985A312123X")
    assert err.value.code == "characters"


@pytest.mark.parametrize("value", ["²10108198503121234", "11010819850312123²", "①10108198503121234",
                                   "１１０１０８１９８５０３１２１２３４"])
def test_resident_id_with_digits_that_are_not_ascii_is_refused(value):
    # str.isdigit() admits these; the check digit's arithmetic (int()) does not.
    with pytest.raises(ValidationError) as err:
        validate_resident_id(value)
    assert err.value.code == "characters"
