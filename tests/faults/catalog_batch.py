"""A large catalog batch for the killed-import test: the sample catalog's reference files plus a
courses file that updates every sample course and adds many new ones."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from tests.conftest import SAMPLE_CATALOG


def write_large_batch(folder: Path, new_courses: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for src in SAMPLE_CATALOG.iterdir():
        if src.suffix == ".csv" and src.name != "courses.csv":
            shutil.copyfile(src, folder / src.name)
    text = (SAMPLE_CATALOG / "courses.csv").read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames is not None
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in rows:  # every existing course changes: an update the DB must not keep
        writer.writerow({**row, "title_en": row["title_en"] + " (revised)"})
    for i in range(new_courses):
        row = rows[i % len(rows)]
        writer.writerow({**row, "code": f"YC-KILL-{i:06d}", "title_en": f"{row['title_en']} copy {i}"})
    (folder / "courses.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder
