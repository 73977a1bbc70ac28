"""The CSV files of the sample catalog: their columns, and reading and writing them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from catalog.sample.basis import Row

COLUMNS = {
    "counties": ["code", "name_zh", "name_en", "lat", "lon"],
    "occupations": ["code", "name_zh", "name_en", "category", "access_restricted", "special_operation", "levels"],
    "occupation_lists": ["kind", "county", "effective_date", "occupation_code", "shortage_level"],
    "institutions": ["code", "name_zh", "name_en", "type", "county", "address", "lat", "lon",
                     "credit_rating", "disability_base", "phone"],
    "evaluation_institutions": ["code", "name_zh", "name_en", "county", "address", "lat", "lon",
                                "certificate_types", "occupation_codes"],
    "courses": ["code", "title_zh", "title_en", "institution_code", "occupation_code", "level",
                "training_type", "certificate_type", "hours", "online_hours", "start_date", "end_date",
                "enrol_deadline", "seats", "seats_taken", "county", "address", "lat", "lon",
                "delivery_mode", "subsidy_cny", "target_groups", "reserved_for", "stage",
                "free_for_key_groups", "accessible", "project_based"],
}
ORDER = ["counties", "occupations", "occupation_lists", "institutions", "evaluation_institutions", "courses"]


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Row]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def read_csv(path: Path) -> list[Row]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
