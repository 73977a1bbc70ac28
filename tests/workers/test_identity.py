"""Resident identity numbers (GB 11643-1999): check digit, birth date, mask, keyed hash."""

from __future__ import annotations

from datetime import date

import pytest

from workers import identity
from workers.identity import InvalidNationalId

# The example number printed in GB 11643-1999 (Beijing Chaoyang, born 1949-12-31, check X).
STANDARD_EXAMPLE = "11010519491231002X"
# Yancheng numbers (3209xx): Tinghu 320902, and 320982 (Dafeng before it became a district).
YANCHENG = ["32090219900109123X", "320982198506010519", "320982198509200510"]


def iso7064_mod11_2(first17: str) -> str:
    """The check character as the standard defines it: weights 2^(i-1) mod 11, i = 18..2."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize("number", [STANDARD_EXAMPLE, *YANCHENG])
def test_known_valid_numbers(number: str) -> None:
    assert iso7064_mod11_2(number[:17]) == number[17]  # the fixtures are right
    assert identity.check_char(number[:17]) == number[17]
    assert identity.normalize(number) == number
    assert identity.normalize(f"  {number.lower()} ") == number  # lower-case x and spaces accepted


def test_check_char_matches_the_standard_for_many_numbers() -> None:
    # The standard's appendix example 44052418800101001-4, and a sweep of serials.
    assert identity.check_char("44052418800101001") == "4"
    for serial in range(0, 1000, 7):
        first17 = f"32090219880229{serial:03d}"
        assert identity.check_char(first17) == iso7064_mod11_2(first17)


@pytest.mark.parametrize("number", [*YANCHENG, STANDARD_EXAMPLE])
def test_every_wrong_check_digit_is_refused(number: str) -> None:
    for wrong in "0123456789X":
        if wrong == number[17]:
            continue
        with pytest.raises(InvalidNationalId, match="check digit"):
            identity.normalize(number[:17] + wrong)


def test_x_only_as_the_check_character() -> None:
    # An X in place of a digit of the body is not a number at all.
    with pytest.raises(InvalidNationalId, match="18 characters"):
        identity.normalize("3209021990010X123X")
    assert identity.normalize("32090219900109123x") == "32090219900109123X"


@pytest.mark.parametrize("number,why", [
    ("320902199002301239", "birth date"),   # 30 February
    ("320902199013011234", "birth date"),   # month 13
    ("320902199000001234", "birth date"),   # day 0
    ("320902209901011234", "birth date"),   # born in the future
    ("320902185001011234", "birth date"),   # implausibly old
    ("32090219900109123", "18 characters"),
    ("32090219900109123XX", "18 characters"),
    ("3209021990010912-X", "18 characters"),
    ("", "18 characters"),
])
def test_bad_numbers_say_why(number: str, why: str) -> None:
    # Fix the check digit where the body is well-formed, so the birth date alone is at fault.
    if len(number) == 18 and number[:17].isdigit():
        number = number[:17] + iso7064_mod11_2(number[:17])
    with pytest.raises(InvalidNationalId, match=why):
        identity.normalize(number, today=date(2026, 11, 29))


def test_leap_day_birth_date_is_real() -> None:
    first17 = "32090219880229051"
    number = first17 + iso7064_mod11_2(first17)
    assert identity.birth_date_of(number) == date(1988, 2, 29)


def test_birth_date_of() -> None:
    assert identity.birth_date_of(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert identity.birth_date_of(YANCHENG[0]) == date(1990, 1, 9)


def test_mask_format() -> None:
    # Province and city only: no birth, sequence or check digit (see test_id_reconstruction).
    assert identity.mask("32090219900109123X") == "3209**************"
    masked = identity.mask(YANCHENG[1])
    assert masked == "3209**************" and len(masked) == 18
    assert identity.remask("3209**********0519") == masked
    assert identity.mask(YANCHENG[1].lower()) == masked
    with pytest.raises(InvalidNationalId):
        identity.mask("320982198506010518")


def test_keyed_hash_depends_on_the_secret_and_the_number() -> None:
    a, b = "a" * 40, "b" * 40
    h = identity.keyed_hash(a, YANCHENG[0])
    assert len(h) == 64 and int(h, 16) >= 0
    assert identity.keyed_hash(a, YANCHENG[0]) == h  # deterministic: duplicates can be found
    assert identity.keyed_hash(a, YANCHENG[0].lower()) == h  # on the normalized number
    assert identity.keyed_hash(b, YANCHENG[0]) != h
    assert identity.keyed_hash(a, YANCHENG[1]) != h
    assert YANCHENG[0] not in h and YANCHENG[0][:17] not in h
    import hashlib
    assert h != hashlib.sha256(YANCHENG[0].encode()).hexdigest()  # not a plain, unkeyed hash
