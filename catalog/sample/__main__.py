"""``python -m catalog.sample``: regenerate (or ``--check``) the sample catalog."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog.sample import courses as course_builder
from catalog.sample.basis import DEFAULT_OCC_DIR, OUT_DIR
from catalog.sample.check import check
from catalog.sample.files import COLUMNS, ORDER, read_csv
from catalog.sample.institutions import (
    build_evaluation_institutions,
    build_institutions,
    build_satellite_sites,
)
from catalog.sample.lists import build_occupation_lists
from catalog.sample.occupations import build_occupations, load_reference
from catalog.sample.places import build_counties
from catalog.sample.readme import render_readme


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Regenerate (or check) the sample catalog in catalog/data.")
    ap.add_argument("--occupations-dir", type=Path, default=DEFAULT_OCC_DIR)
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--check", action="store_true", help="only validate the existing CSVs")
    args = ap.parse_args(argv)
    ref_codes, ref_so = load_reference(args.occupations_dir)

    if args.check:
        data = {k: read_csv(args.out_dir / f"{k}.csv") for k in ORDER}
        stats = check(data, ref_codes, ref_so)
        print("check OK:", ", ".join(f"{k} {v}" for k, v in stats["counts"].items()))
        return 0

    counties = build_counties()
    occupations = build_occupations(ref_codes, ref_so)
    occ_by_code = {o["code"]: o for o in occupations}
    institutions, inst_meta = build_institutions()
    evaluation = build_evaluation_institutions()
    lists = build_occupation_lists([o["code"] for o in occupations])
    courses = course_builder.build_courses(inst_meta, occ_by_code, build_satellite_sites())
    data = {"counties": counties, "occupations": occupations, "occupation_lists": lists,
            "institutions": institutions, "evaluation_institutions": evaluation, "courses": courses}
    # validate the exact text that will be written (round-trip through CSV)
    texts = {}
    for k in ORDER:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS[k], lineterminator="\n")
        w.writeheader()
        w.writerows(data[k])
        texts[k] = buf.getvalue()
    reread = {k: list(csv.DictReader(io.StringIO(texts[k]))) for k in ORDER}
    stats = check(reread, ref_codes, ref_so)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for k in ORDER:
        (args.out_dir / f"{k}.csv").write_bytes(texts[k].encode("utf-8"))
    (args.out_dir / "README.md").write_bytes(render_readme(stats).encode("utf-8"))
    print("wrote", ", ".join(f"{k}.csv ({v} rows)" for k, v in stats["counts"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
