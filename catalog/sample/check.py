"""Self-check of the generated files: counts, enums, references, ranges and coverage.

The generator refuses to write files that fail it, and ``--check`` runs it on files in place.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from catalog import vocabulary as V
from catalog.sample.basis import CATEGORIES, KEY_GROUPS, TODAY, Row, months_range
from catalog.sample.courses import ENTRE_SUBSIDY, LEVEL_SUBSIDY, SO_SUBSIDY
from catalog.sample.occupations import PLAN_NAMED
from catalog.sample.places import km_between
from policy.catalog_check import reserved_group_refusals
from policy.profile import CourseFacts


def check(data: dict[str, list[Row]], ref_codes: dict[str, str], ref_so: dict[str, str]) -> dict[str, Any]:
    def b(x: str) -> bool:
        assert x in ("true", "false"), x
        return x == "true"

    def lst(x: str) -> list[str]:
        return [p for p in x.split("|") if p] if x else []

    counties = data["counties"]
    assert [c["code"] for c in counties] == list(V.COUNTIES), "county codes differ from vocabulary"
    assert len(counties) == 11
    cc = {c["code"]: c for c in counties}

    occ = {o["code"]: o for o in data["occupations"]}
    assert len(occ) == len(data["occupations"]) >= 60
    so_count = 0
    for code, o in occ.items():
        assert o["category"] in CATEGORIES, o
        levels = [int(x) for x in lst(o["levels"])]
        assert levels and all(lv in (1, 2, 3, 4, 5) for lv in levels), o
        if code.startswith("SO-"):
            so_count += 1
            item = code[3:]
            assert item in ref_so and o["name_zh"] == ref_so[item], o
            assert b(o["special_operation"]) and o["category"] == "safety" and levels == [5], o
            assert b(o["access_restricted"]), o
        else:
            assert ref_codes.get(code) == o["name_zh"], f"{code}: name/code not in the 2022 classification"
            assert not b(o["special_operation"])
            if code.startswith("2-"):
                assert len(levels) < 5, o
    assert so_count >= 12
    for code in PLAN_NAMED:
        assert code in occ, f"plan-named occupation {code} missing"
    for code in ("6-31-01-03", "6-18-02-04", "4-07-05-01"):
        assert b(occ[code]["access_restricted"])

    lists = data["occupation_lists"]
    versions = defaultdict(list)
    for r in lists:
        assert r["kind"] in ("shortage", "subsidized")
        assert r["occupation_code"] in occ, r
        assert r["county"] == "" or r["county"] in cc, r
        dt.date.fromisoformat(r["effective_date"])
        if r["kind"] == "shortage":
            assert r["shortage_level"] in ("1", "2", "3"), r
        else:
            assert r["shortage_level"] == "", r
        versions[(r["kind"], r["county"], r["effective_date"])].append(r["occupation_code"])
    for v in versions.values():
        assert len(v) == len(set(v)), "duplicate entry in a list"
    city_short = sorted(k for k in versions if k[0] == "shortage" and k[1] == "")
    assert [k[2] for k in city_short] == ["2025-01-01", "2026-07-01"], city_short
    old, new = (set(versions[k]) for k in city_short)
    assert old - new and new - old, "newer shortage list must add and remove entries"
    for code in PLAN_NAMED:
        assert code in old and code in new, f"{code} missing from a shortage list"
    sub_counties = sorted({k[1] for k in versions if k[0] == "subsidized"})
    assert 3 <= len(sub_counties) <= 5 and "" not in sub_counties

    insts = {i["code"]: i for i in data["institutions"]}
    assert len(insts) == len(data["institutions"]) >= 40
    types = Counter(i["type"] for i in insts.values())
    for t in V.INSTITUTION_TYPES:
        assert types[t] >= 3, (t, types[t])
    assert set(types) <= set(V.INSTITUTION_TYPES)
    assert sum(1 for i in insts.values() if b(i["disability_base"]) and i["type"] == "disability_base") >= 2
    assert {i["county"] for i in insts.values()} == set(cc)
    for i in insts.values():
        assert i["credit_rating"] in V.CREDIT_RATINGS
        assert i["phone"].startswith("0515-8") and len(i["phone"]) == 13, i["phone"]
        c = cc[i["county"]]
        assert km_between(float(i["lat"]), float(i["lon"]), float(c["lat"]), float(c["lon"])) <= 8.5, i

    evs = data["evaluation_institutions"]
    assert 8 <= len(evs) <= 12
    eval_cover = set()
    for e in evs:
        assert e["county"] in cc
        certs = lst(e["certificate_types"])
        assert certs and set(certs) <= set(V.CERTIFICATE_TYPES)
        for code in lst(e["occupation_codes"]):
            assert code in occ, code
            for ct in certs:
                eval_cover.add((code, ct))

    courses = data["courses"]
    assert len(courses) >= 600
    assert len({c["code"] for c in courses}) == len(courses)
    today = TODAY
    seen: defaultdict[str, set[object]] = defaultdict(set)
    months: Counter[tuple[int, int]] = Counter()
    open_soon = full_soon = past_deadline = 0
    for c in courses:
        assert c["institution_code"] in insts, c["code"]
        assert c["occupation_code"] in occ, c["code"]
        assert c["county"] in cc
        inst = insts[c["institution_code"]]
        o = occ[c["occupation_code"]]
        tt, ct, mode = c["training_type"], c["certificate_type"], c["delivery_mode"]
        assert tt in V.TRAINING_TYPES and ct in V.CERTIFICATE_TYPES and mode in V.DELIVERY_MODES
        level = int(c["level"]) if c["level"] else None
        if level is None:
            assert ct in ("special_ability", "training_completion"), c["code"]
        else:
            assert level in [int(x) for x in lst(o["levels"])], c["code"]
            assert ct not in ("special_ability", "training_completion"), c["code"]
        hours, oh = int(c["hours"]), int(c["online_hours"])
        assert 16 <= hours <= 200 and 0 <= oh <= hours
        assert (mode == "online") == (oh == hours) and (mode == "offline") == (oh == 0), c["code"]
        sd, ed, dl = (dt.date.fromisoformat(c[k]) for k in ("start_date", "end_date", "enrol_deadline"))
        assert dl <= sd <= ed
        seats, taken = int(c["seats"]), int(c["seats_taken"])
        assert 20 <= seats <= 60 and 0 <= taken <= seats
        cty = cc[c["county"]]
        assert c["county"] == inst["county"]
        assert km_between(float(c["lat"]), float(c["lon"]), float(cty["lat"]), float(cty["lon"])) <= 10.0
        groups = lst(c["target_groups"])
        assert all(g in V.PRIORITY_GROUPS for g in groups) and len(groups) == len(set(groups))
        free = b(c["free_for_key_groups"])
        if tt != "work_as_training":
            assert free == any(g in KEY_GROUPS for g in groups), c["code"]
        acc, proj = b(c["accessible"]), b(c["project_based"])
        sub = int(c["subsidy_cny"])
        assert sub >= 0 and sub % 10 == 0
        if b(o["special_operation"]):
            assert tt == "safety" and ct == "special_operation" and SO_SUBSIDY[0] <= sub <= SO_SUBSIDY[1]
            assert "high_risk_worker" in groups
        if tt == "safety" or ct == "special_operation":
            assert b(o["special_operation"]), c["code"]
        if tt == "entrepreneurship":
            assert "entrepreneur" in groups or "returning_migrant" in groups
            assert ENTRE_SUBSIDY[0] <= sub <= ENTRE_SUBSIDY[1]
        elif level is not None and ct != "special_operation":
            lo, hi = LEVEL_SUBSIDY[level]
            assert lo <= sub <= hi, (c["code"], sub)
        if inst["type"] == "disability_base":
            assert acc and "disabled" in groups, c["code"]
        if ct != "training_completion":
            assert (c["occupation_code"], ct) in eval_cover, f"no evaluator for {c['code']}"
        seen["county"].add(c["county"])
        seen["training_type"].add(tt)
        seen["certificate_type"].add(ct)
        seen["delivery_mode"].add(mode)
        seen["level"].add(level)
        seen["institution"].add(c["institution_code"])
        seen["occupation"].add(c["occupation_code"])
        seen["accessible"].add(acc)
        seen["project_based"].add(proj)
        months[(sd.year, sd.month)] += 1
        if dt.date(2026, 12, 1) <= sd <= dt.date(2027, 3, 31):
            if dl >= today and taken < seats:
                open_soon += 1
            if taken == seats and dl >= today:
                full_soon += 1
            if dl < today:
                past_deadline += 1
    assert seen["county"] == set(cc)
    assert seen["training_type"] == set(V.TRAINING_TYPES)
    assert seen["certificate_type"] == set(V.CERTIFICATE_TYPES)
    assert seen["delivery_mode"] == set(V.DELIVERY_MODES)
    assert {1, 2, 3, 4, 5, None} <= seen["level"]
    assert seen["institution"] == set(insts), "every institution runs at least one course"
    assert True in seen["accessible"] and True in seen["project_based"]
    for ym in months_range():
        assert months[ym] > 0, f"no course starts in {ym}"
    assert set(months) <= set(months_range())
    wat = sum(1 for c in courses if c["training_type"] == "work_as_training")
    assert 1 <= wat <= 0.03 * len(courses)
    assert open_soon >= 100 and full_soon >= 5 and past_deadline >= 5, (open_soon, full_soon, past_deadline)
    # Every course against the rules, as the catalog import checks it: a reserved class its own
    # groups cannot take, or an aimed-at group the rules refuse, is a sample-data error.
    reserved = 0
    for c in courses:
        facts = CourseFacts(
            id=0, occupation_code=c["occupation_code"], level=int(c["level"]) if c["level"] else None,
            training_type=c["training_type"], certificate_type=c["certificate_type"], county=c["county"],
            start_date=dt.date.fromisoformat(c["start_date"]), end_date=dt.date.fromisoformat(c["end_date"]),
            subsidy_cny=float(c["subsidy_cny"]), stage=c["stage"] or None)
        kept, aimed = set(lst(c["reserved_for"])), set(lst(c["target_groups"]))
        assert kept <= aimed, c["code"]
        assert c["stage"] in ("", *V.COURSE_STAGES), c["code"]
        assert (c["training_type"] == "safety") == (c["stage"] in V.SPECIAL_OPERATION_STAGES), c["code"]
        refused = reserved_group_refusals(replace(facts, reserved_for=frozenset(aimed)))
        assert not refused, (c["code"], [str(r) for r in refused])
        reserved += bool(kept)
    assert reserved >= 20, reserved
    for code in PLAN_NAMED:
        assert code in seen["occupation"], f"no course for plan-named occupation {code}"
    # county subsidized lists must leave some of the county's courses unsubsidized
    not_subsidized = {}
    for county in sub_counties:
        latest = max(k for k in versions if k[0] == "subsidized" and k[1] == county)
        listed = set(versions[latest])
        n = sum(1 for c in courses if c["county"] == county and c["occupation_code"] not in listed)
        assert n >= 1, f"every course of {county} is on its subsidized list"
        not_subsidized[county] = (latest[2], n)
    return {
        "counts": {k: len(v) for k, v in data.items()},
        "types": types, "months": months, "sub_counties": sub_counties,
        "not_subsidized": not_subsidized, "open_soon": open_soon, "full_soon": full_soon,
        "past_deadline": past_deadline, "wat": wat, "so_count": so_count, "reserved": reserved,
        "courses_without_occ": sorted(set(occ) - seen["occupation"]),
        "tt": Counter(c["training_type"] for c in courses),
        "ct": Counter(c["certificate_type"] for c in courses),
        "dm": Counter(c["delivery_mode"] for c in courses),
        "cty": Counter(c["county"] for c in courses),
        "lv": Counter(c["level"] or "-" for c in courses),
    }
