"""National ID numbers (GB 11643-1999): validated, then kept only as a keyed hash and a mask.

The check digit is ISO 7064 MOD 11-2 over the first 17 digits. The hash is an HMAC keyed with the
service's secret, so equal numbers can be matched (one profile per person) while the database
alone does not reveal them, not even by brute force over the small space of valid numbers.

A number is 6 region digits, 8 birth-date digits, 3 sequence digits (odd for men) and a check
digit. The space is small, so what we store *beside* the hash must not narrow it: a mask showing
the sequence and check digit next to a clear birth date and the hukou county left two county
digits, and the check digit picked the right ones. So the mask shows only the province and city
(first four digits, implied by the hukou county anyway) and the birth date is kept to the month
(:func:`birth_month`): region code × ~30 days × 500 sequence numbers of the stored gender leaves
at least 14,000 candidates (28 × 500 in February) even when the region code is known exactly.
``tests/security/test_id_reconstruction.py`` brute-forces it from the stored fields.
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


MASK_VISIBLE = 4


def mask(number: str) -> str:
    """``3209**************``: province and city only; no birth, sequence or check digit."""
    n = normalize(number)
    return n[:MASK_VISIBLE] + "*" * (18 - MASK_VISIBLE)


def remask(old_mask: str) -> str:
    """The current mask from an older one (migration): the visible prefix is the same digits."""
    return old_mask[:MASK_VISIBLE] + "*" * (18 - MASK_VISIBLE)


def birth_month(born: date) -> date:
    """A birth date as stored: the first day of its month (the day would narrow the ID number)."""
    return born.replace(day=1)


def matches(secret_key: str, number: str, stored_hash: str | None) -> bool:
    """Whether a number a person presents is the one on file (a counselor confirming identity)."""
    if stored_hash is None:
        return False
    try:
        return hmac.compare_digest(keyed_hash(secret_key, number), stored_hash)
    except InvalidNationalId:
        return False
