"""National ID numbers (GB 11643-1999): validated, then kept only as a keyed hash and a mask.

The check digit is ISO 7064 MOD 11-2 over the first 17 digits. The hash is an HMAC keyed with the
service's secret, so equal numbers can be matched (one profile per person) while the database
alone does not reveal them, not even by brute force over the small space of valid numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidNationalId(ValueError):
    """The number is not a valid 18-digit resident identity number."""


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(number: str, *, today: date | None = None) -> str:
    """Return the number upper-cased, or raise InvalidNationalId saying what is wrong."""
    n = number.strip().upper()
    if len(n) != 18 or not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        raise InvalidNationalId("must be 18 characters: 17 digits and a check digit (0-9 or X)")
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise InvalidNationalId("digits 7-14 are not a real birth date") from None
    if born > (today or date.today()) or born.year < 1900:
        raise InvalidNationalId("digits 7-14 are not a plausible birth date")
    if check_char(n[:17]) != n[17]:
        raise InvalidNationalId("check digit does not match (GB 11643 / ISO 7064 MOD 11-2)")
    return n


def birth_date_of(number: str) -> date:
    n = normalize(number)
    return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def keyed_hash(secret_key: str, number: str) -> str:
    return hmac.new(secret_key.encode(), b"cn-id:" + normalize(number).encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    """``3209**********123X``: region prefix and last four only."""
    n = normalize(number)
    return n[:4] + "*" * 10 + n[-4:]
