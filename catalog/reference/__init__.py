"""Reference code lists (2022 classification, special operations) shipped with the package."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
NATIONAL_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
SPECIAL_OPERATION_CODE = re.compile(r"^SO-\d{1,2}\.\d{1,2}$")


@lru_cache(maxsize=1)
def national_codes() -> dict[str, str]:
    with open(HERE / "codes_detail_with_flags.csv", encoding="utf-8") as f:
        return {row["code"]: row["name_zh"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def special_operations() -> dict[str, str]:
    with open(HERE / "special_operations.csv", encoding="utf-8") as f:
        return {f"SO-{row['item_no']}": row["item"] for row in csv.DictReader(f) if row["item_no"]}


def occupation_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid occupation code, or None if it is."""
    if NATIONAL_CODE.match(code):
        return None if code in national_codes() else "not in the 2022 national classification"
    if SPECIAL_OPERATION_CODE.match(code):
        return None if code in special_operations() else "not in the special-operations catalogue"
    return "must look like 4-10-01-06 (national code) or SO-1.2 (special operation)"
