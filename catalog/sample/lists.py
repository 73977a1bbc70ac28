"""Published lists: the city shortage list (two versions) and county subsidized lists."""

from __future__ import annotations

from catalog.sample.basis import Row

# Subsidized-occupation lists per county: (county, effective_date, excluded occupation codes).
SUBSIDIZED_LISTS = [
    ("dafeng", "2026-01-01", ["6-17-02-02", "6-17-09-02", "6-17-01-06", "6-25-02-05", "4-03-02-07",
                              "4-10-03-01", "6-29-02-08", "SO-9.4", "4-13-01-05", "4-01-06-02",
                              "5-05-06-07", "6-30-05-05"]),
    ("dongtai", "2025-07-01", ["2-02-38-06", "6-17-02-02", "6-17-09-02", "6-17-01-06", "4-10-03-01",
                               "4-03-02-07", "6-18-04-01", "4-13-01-05", "4-01-06-02", "SO-9.2",
                               "6-24-04-00", "4-12-01-03"]),
    ("dongtai", "2026-09-01", ["2-02-38-06", "6-17-02-02", "6-17-09-02", "6-17-01-06", "4-10-03-01",
                               "4-03-02-07", "6-18-04-01", "SO-9.2", "5-05-06-07", "6-31-03-05",
                               "4-09-08-01"]),
    ("sheyang", "2026-04-01", ["6-25-02-03", "6-25-02-05", "6-17-01-06", "4-10-03-01", "4-04-05-01",
                               "6-29-03-03", "SO-9.14", "4-03-02-07", "6-18-03-03", "4-06-01-01",
                               "6-30-01-00", "5-03-02-02"]),
    ("binhai", "2025-10-01", ["6-24-02-04", "6-28-01-10", "6-25-02-03", "4-10-03-01", "4-10-03-02",
                              "4-14-06-02", "6-09-03-01", "4-03-02-07", "6-18-03-03", "5-01-02-03",
                              "6-29-01-04", "SO-9.3"]),
]

# City-wide shortage list: older (2025-01-01) and newer (2026-07-01).
SHORTAGE_OLD = {
    # plan-named
    "4-10-01-06": 1, "4-10-01-05": 1, "4-10-01-03": 1, "4-10-01-01": 2, "4-07-05-01": 2,
    "4-01-06-01": 1, "4-12-01-01": 2, "6-31-01-03": 1, "6-09-03-11": 3, "6-05-01-06": 3,
    "6-09-03-17": 3, "2-02-38-01": 1, "2-02-38-02": 1, "2-02-38-03": 1, "2-02-38-04": 1,
    "6-31-07-03": 1, "6-31-07-01": 1, "6-18-02-04": 1,
    # clusters
    "6-22-02-01": 2, "6-22-01-01": 2, "6-18-01-07": 1, "6-20-01-01": 2, "6-31-01-02": 2,
    "6-31-01-10": 2, "6-20-02-04": 2, "6-28-01-12": 1, "6-24-02-04": 2, "6-28-01-10": 2,
    "6-25-04-07": 3, "6-25-02-03": 2, "6-17-01-06": 3, "6-17-09-02": 3, "6-11-01-03": 1,
    "6-11-01-02": 2, "4-14-01-02": 1, "4-03-02-01": 2, "4-10-03-02": 3, "4-02-06-03": 2,
    "4-04-05-03": 3, "4-10-08-01": 3, "5-05-05-01": 2, "5-05-01-02": 2, "5-04-02-01": 3,
    "6-29-01-06": 2, "6-29-04-01": 3,
}
SHORTAGE_REMOVED = ("6-17-01-06", "4-10-08-01", "6-25-02-03", "6-29-04-01")
SHORTAGE_ADDED = {"4-12-01-03": 1, "2-02-38-05": 1, "4-04-05-05": 2, "5-05-01-03": 2,
                  "6-24-04-00": 1, "4-14-01-03": 2}
SHORTAGE_CHANGED = {"4-01-06-01": 2, "6-25-04-07": 2, "4-10-01-01": 1, "6-28-01-10": 1,
                    "4-03-02-01": 3}


def build_occupation_lists(occ_codes: list[str]) -> list[Row]:
    rows = []
    for code, lvl in SHORTAGE_OLD.items():
        rows.append({"kind": "shortage", "county": "", "effective_date": "2025-01-01",
                     "occupation_code": code, "shortage_level": str(lvl)})
    new = {c: lvl for c, lvl in SHORTAGE_OLD.items() if c not in SHORTAGE_REMOVED}
    new.update(SHORTAGE_CHANGED)
    new.update(SHORTAGE_ADDED)
    for code, lvl in new.items():
        rows.append({"kind": "shortage", "county": "", "effective_date": "2026-07-01",
                     "occupation_code": code, "shortage_level": str(lvl)})
    for county, date, excluded in SUBSIDIZED_LISTS:
        for code in occ_codes:
            if code in excluded:
                continue
            rows.append({"kind": "subsidized", "county": county, "effective_date": date,
                         "occupation_code": code, "shortage_level": ""})
    return rows
