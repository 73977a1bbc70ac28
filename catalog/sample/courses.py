"""Courses: each institution teaches its tracks; every course is checked against the rules."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from catalog import vocabulary as V
from catalog.sample.basis import (
    KEY_GROUPS,
    SEED,
    TODAY,
    Row,
    fmt_bool,
    fmt_list,
    round10,
    round_hours,
    sub_rng,
    weighted,
)
from catalog.sample.lists import SHORTAGE_ADDED, SHORTAGE_OLD
from catalog.sample.occupations import SPECIAL_ABILITY, TRACKS
from catalog.sample.places import county_prefix
from policy.catalog_check import reserved_group_refusals
from policy.profile import CourseFacts

# Month weights for course starts (2026-09 .. 2027-12); today = 2026-11-29.
MONTH_WEIGHTS = {
    (2026, 9): 4, (2026, 10): 5, (2026, 11): 6, (2026, 12): 13,
    (2027, 1): 12, (2027, 2): 8, (2027, 3): 14, (2027, 4): 8, (2027, 5): 6, (2027, 6): 5,
    (2027, 7): 4, (2027, 8): 4, (2027, 9): 5, (2027, 10): 4, (2027, 11): 3, (2027, 12): 3,
}

COURSES_PER_TYPE = {
    "technical_school": (20, 26), "vocational_college": (14, 20), "enterprise": (10, 14),
    "private_institution": (12, 17), "hr_agency": (9, 13), "industry_org": (8, 12),
    "disability_base": (8, 10),
}

LEVEL_ZH = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}
LEVEL_EN = {5: "Level 5 / Elementary", 4: "Level 4 / Intermediate", 3: "Level 3 / Advanced",
            2: "Level 2 / Technician", 1: "Level 1 / Senior Technician"}
TYPE_TITLE = {
    "pre_job": ("岗前培训班", "Pre-job Training"),
    "skill_upgrade": ("岗位技能提升培训班", "On-the-job Skill Upgrading"),
    "transfer": ("转岗转业培训班", "Job-transfer Training"),
    "apprenticeship": ("企业新型学徒制培训班", "New-style Enterprise Apprenticeship"),
    "employment_skills": ("就业技能培训班", "Employment Skills Training"),
    "entrepreneurship": ("创业培训班", "Entrepreneurship Training"),
    "safety": ("安全技能培训班", "Safety Skills Training"),
    "work_as_training": ("以工代训班", "Work-as-Training"),
}
MONTH_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Subsidy ranges (CNY per trainee, local standard; invented but in the usual Jiangsu order).
LEVEL_SUBSIDY = {5: (800, 1200), 4: (1200, 1800), 3: (1800, 2500), 2: (2500, 3500), 1: (3500, 4500)}
SO_SUBSIDY = (600, 1200)
ENTRE_SUBSIDY = (1500, 2000)
SPECIAL_ABILITY_SUBSIDY = (600, 1000)
COMPLETION_SUBSIDY = (400, 700)
WAT_SUBSIDY_PER_MONTH = 500


# --- courses -----------------------------------------------------------------------------------

EMPLOY_GROUPS_SERVICE = [("two_after_youth", 4), ("rural_migrant", 4), ("laid_off_unemployed", 4),
                         ("employment_difficulty", 3), ("unemployed_graduate", 1), ("veteran", 1),
                         ("low_income_household", 2), ("dibao", 2), ("zero_employment_family", 1),
                         ("poor_labor", 1), ("community_correction", 1)]
EMPLOY_GROUPS_TECH = [("two_after_youth", 4), ("unemployed_graduate", 4), ("veteran", 3),
                      ("laid_off_unemployed", 3), ("rural_migrant", 3), ("employment_difficulty", 1),
                      ("community_correction", 1)]
EMPLOY_GROUPS_DIGITAL = [("unemployed_graduate", 6), ("veteran", 3), ("two_after_youth", 2),
                         ("laid_off_unemployed", 2)]
EMPLOY_GROUPS_AGRI = [("professional_farmer", 0), ("rural_migrant", 3), ("low_income_household", 3),
                      ("poor_labor", 2), ("returning_migrant", 2), ("dibao", 1)]

SERVICE_TRACKS = {"homecare", "care", "childcare", "food", "beauty", "security", "ecom", "logistics",
                  "handicraft", "hospitality"}
MANUF_TRACKS = {"auto", "machining", "electrical", "robot", "energy", "electronics", "steel", "chem"}
AGRI_TRACKS = {"agri", "aqua"}
SAFETY_TRACKS = {"safety_elec", "safety_weld", "safety_height", "safety_cool", "safety_chem", "safety_gas"}
ENTRE_TRACKS = {"entre", "entre_agri"}


def pick_groups(rng: random.Random, pool: Sequence[tuple[str, float]], k_lo: int, k_hi: int,
                must: Sequence[str] = ()) -> list[str]:
    out = list(must)
    k = rng.randint(k_lo, k_hi)
    cands = [(g, w) for g, w in pool if w > 0]
    while len(out) < k + len(must) and cands:
        g = weighted(rng, cands)
        cands = [(x, w) for x, w in cands if x != g]
        if g not in out:
            out.append(g)
    order = list(V.PRIORITY_GROUPS)
    return sorted(out, key=order.index)


def choose_training_type(rng: random.Random, track: str, inst_type: str) -> str:
    if track in SAFETY_TRACKS:
        return "safety"
    if track in ENTRE_TRACKS:
        return "entrepreneurship"
    if track == "wat":
        return "work_as_training"
    if track == "disab":
        return "employment_skills"
    if track in AGRI_TRACKS:
        return weighted(rng, [("employment_skills", 8), ("skill_upgrade", 1), ("entrepreneurship", 1)])
    if track == "digital":
        if inst_type in ("private_institution",):
            return weighted(rng, [("employment_skills", 6), ("skill_upgrade", 3)])
        return weighted(rng, [("skill_upgrade", 5), ("employment_skills", 4), ("apprenticeship", 1)])
    if track in MANUF_TRACKS:
        if inst_type == "enterprise":
            return weighted(rng, [("skill_upgrade", 5), ("apprenticeship", 3), ("pre_job", 3), ("transfer", 1)])
        if inst_type == "technical_school":
            return weighted(rng, [("skill_upgrade", 4), ("apprenticeship", 2), ("employment_skills", 3),
                                  ("transfer", 1), ("pre_job", 1)])
        if inst_type == "vocational_college":
            return weighted(rng, [("skill_upgrade", 4), ("apprenticeship", 1), ("employment_skills", 4),
                                  ("transfer", 1)])
        if inst_type == "hr_agency":
            return weighted(rng, [("pre_job", 4), ("employment_skills", 3), ("transfer", 1)])
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 2), ("transfer", 1)])
    # services
    if inst_type == "hr_agency":
        return weighted(rng, [("employment_skills", 6), ("pre_job", 3), ("transfer", 1)])
    if inst_type in ("vocational_college", "technical_school"):
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 3), ("transfer", 1)])
    if track == "construction":
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 2), ("pre_job", 1), ("transfer", 1)])
    return weighted(rng, [("employment_skills", 8), ("skill_upgrade", 2), ("transfer", 1)])


def choose_level(rng: random.Random, ttype: str, levels: Sequence[int]) -> int:
    prefs = {
        "employment_skills": {5: 12, 4: 6, 3: 1},
        "transfer": {5: 6, 4: 4, 3: 1},
        "pre_job": {5: 1},
        "skill_upgrade": {5: 1, 4: 5, 3: 6, 2: 4, 1: 2},
        "apprenticeship": {4: 4, 3: 5, 2: 2},
    }[ttype]
    cands = [(lv, prefs.get(lv, 0)) for lv in levels if prefs.get(lv, 0) > 0]
    if not cands:
        cands = [(max(levels), 1)] if ttype in ("employment_skills", "transfer", "pre_job") else [(min(levels), 1)]
    return weighted(rng, cands)


def occupation_factor(code: str) -> float:
    """0..1 position inside a subsidy range: shortage and digital occupations sit higher."""
    rng = sub_rng("subsidy", code)
    base = rng.uniform(0.0, 0.6)
    lvl = SHORTAGE_OLD.get(code) or SHORTAGE_ADDED.get(code)
    if lvl:
        base += {1: 0.4, 2: 0.25, 3: 0.1}[lvl]
    if code.startswith("2-02-38"):
        base += 0.2
    return min(1.0, base)


def subsidy_for(code: str, level: int | None, ttype: str, cert: str, hours: int, months: int = 0) -> int:
    if ttype == "work_as_training":
        return WAT_SUBSIDY_PER_MONTH * months
    if ttype == "entrepreneurship":
        lo, hi = ENTRE_SUBSIDY
        f = min(1.0, hours / 96.0)
        return round10(lo + f * (hi - lo))
    if cert == "special_operation":
        lo, hi = SO_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    if cert == "special_ability":
        lo, hi = SPECIAL_ABILITY_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    if level is None:
        lo, hi = COMPLETION_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    lo, hi = LEVEL_SUBSIDY[level]
    return round10(lo + occupation_factor(code) * (hi - lo))


def pick_start(rng: random.Random) -> dt.date:
    y, m = weighted(rng, list(MONTH_WEIGHTS.items()))
    last = 26 if m == 2 else 28
    d = dt.date(y, m, rng.randint(1, last))
    while d.weekday() >= 5:  # Saturday/Sunday -> Monday
        d += dt.timedelta(days=1)
    return d


def build_courses(inst_meta: list[dict[str, Any]], occ_by_code: dict[str, Row],
                  satellite_sites: dict[str, list[dict[str, Any]]]) -> list[Row]:
    rng = random.Random(SEED)
    _SEQ[0] = 0  # titles are numbered from 1 on every run
    drafts = []
    for inst in inst_meta:
        lo, hi = COURSES_PER_TYPE[inst["type"]]
        n = rng.randint(lo, hi)
        tracks = inst["tracks"]
        for j in range(n):
            # give every track of the institution at least one course, then sample
            track = tracks[j] if j < len(tracks) else rng.choice(tracks)
            drafts.append(make_course(rng, inst, track, occ_by_code, satellite_sites))
    # order by start date, then institution, then title, and number per (inst, occ, level, type, year)
    drafts.sort(key=lambda c: (c["start_date"], c["institution_code"], c["occupation_code"],
                               c["_level_sort"], c["training_type"], c["_seq"]))
    period: Counter[tuple[object, ...]] = Counter()
    per_year: Counter[int] = Counter()
    rows = []
    for c in drafts:
        sd = c["start_date"]
        key = (c["institution_code"], c["occupation_code"], c["level"], c["training_type"],
               c["_variant"], sd.year)
        period[key] += 1
        per_year[sd.year] += 1
        n = period[key]
        code = f"YC-{sd.year}-{per_year[sd.year]:05d}"
        title_zh = f"{c['_title_zh']} {sd.year}年{sd.month}月 第{n}期"
        title_en = f"{c['_title_en']}, {MONTH_EN[sd.month - 1]} {sd.year}, Class {n}"
        rows.append({
            "code": code, "title_zh": title_zh, "title_en": title_en,
            "institution_code": c["institution_code"], "occupation_code": c["occupation_code"],
            "level": "" if c["level"] is None else str(c["level"]),
            "training_type": c["training_type"], "certificate_type": c["certificate_type"],
            "hours": str(c["hours"]), "online_hours": str(c["online_hours"]),
            "start_date": sd.isoformat(), "end_date": c["end_date"].isoformat(),
            "enrol_deadline": c["enrol_deadline"].isoformat(),
            "seats": str(c["seats"]), "seats_taken": str(c["seats_taken"]),
            "county": c["county"], "address": c["address"],
            "lat": f"{c['lat']:.6f}", "lon": f"{c['lon']:.6f}",
            "delivery_mode": c["delivery_mode"], "subsidy_cny": str(c["subsidy_cny"]),
            "target_groups": fmt_list(c["target_groups"]), "reserved_for": fmt_list(c["reserved_for"]),
            "stage": c["stage"] or "",
            "free_for_key_groups": fmt_bool(c["free_for_key_groups"]),
            "accessible": fmt_bool(c["accessible"]), "project_based": fmt_bool(c["project_based"]),
        })
    return rows


_SEQ = [0]


def make_course(rng: random.Random, inst: dict[str, Any], track: str, occ_by_code: dict[str, Row],
                satellite_sites: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    _SEQ[0] += 1
    itype = inst["type"]
    occ = weighted(rng, TRACKS[track])
    ttype = choose_training_type(rng, track, itype)
    occ_row = occ_by_code[occ]
    levels = tuple(int(x) for x in occ_row["levels"].split("|"))
    occ_zh, occ_en = occ_row["name_zh"], occ_row["name_en"].split(" (used for")[0]
    level = None
    variant = ""
    months = 0
    accessible = False
    project_based = False
    stage = None  # special-operation initial/refresher, entrepreneurship GYB/SYB/IYB/online
    reserved: list[str] = []  # 专场 classes admit only these groups (R9_TARGET_GROUPS)

    # ----- certificate, level, target groups, hours -----
    if ttype == "safety":
        cert = "special_operation"
        level = 5
        refresher = rng.random() < 0.25
        variant = "复审" if refresher else "初训"
        hours = rng.choice([16, 16, 24]) if refresher else round_hours(rng.uniform(48, 96))
        groups = pick_groups(rng, [("enterprise_employee", 3), ("rural_migrant", 1),
                                   ("laid_off_unemployed", 1)], 0, 1, must=("high_risk_worker",))
        stage = "refresher" if refresher else "initial"
        title_zh = f"{occ_zh}（{variant}）{TYPE_TITLE['safety'][0]}"
        title_en = f"{occ_en} ({'refresher' if refresher else 'initial'}) {TYPE_TITLE['safety'][1]}"
    elif ttype == "entrepreneurship":
        cert = "training_completion"
        if occ == "4-07-03-03":
            variant, hours, vzh, ven = rng.choice([
                ("SYB", 80, "SYB创业培训班（创办你的企业）", "SYB Start Your Business Training"),
                ("SYB", 80, "SYB创业培训班（创办你的企业）", "SYB Start Your Business Training"),
                ("GYB", 24, "GYB创业意识培训班", "GYB Generate Your Business Idea Training"),
                ("IYB", 56, "IYB改善你的企业培训班", "IYB Improve Your Business Training"),
                ("网创", 96, "网络创业培训班", "Online Entrepreneurship Training"),
            ])
            title_zh, title_en = vzh, ven
            stage = "online" if variant == "网创" else variant
        else:
            hours = rng.choice([56, 80, 96])
            title_zh = f"{occ_zh}方向{TYPE_TITLE['entrepreneurship'][0]}"
            title_en = f"{TYPE_TITLE['entrepreneurship'][1]} ({occ_en})"
        pool = [("returning_migrant", 4), ("unemployed_graduate", 3), ("veteran", 2),
                ("laid_off_unemployed", 1), ("professional_farmer", 3 if track == "entre_agri" or occ.startswith("5-") else 0),
                ("poor_labor", 1)]
        must = ("entrepreneur", "returning_migrant") if rng.random() < 0.6 else ("entrepreneur",)
        groups = pick_groups(rng, [(g, w) for g, w in pool if g not in must], 0, 2, must=must)
        if track == "entre_agri" or occ.startswith("5-"):
            title_zh = "返乡创业专场·" + title_zh
            title_en = "Returning-migrant special: " + title_en
            reserved = ["returning_migrant"]
            if "professional_farmer" not in groups:
                groups = pick_groups(rng, [], 0, 0, must=(*groups, "professional_farmer"))
    elif ttype == "work_as_training":
        cert = "training_completion"
        months = rng.randint(3, 6)
        hours = round_hours(rng.uniform(120, 200))
        groups = pick_groups(rng, [("low_income_household", 3), ("dibao", 3), ("employment_difficulty", 3),
                                   ("zero_employment_family", 2), ("poor_labor", 2)], 2, 3)
        title_zh = f"{occ_zh}{TYPE_TITLE['work_as_training'][0]}（{months}个月）"
        title_en = f"{occ_en} {TYPE_TITLE['work_as_training'][1]} ({months} months)"
    else:
        # levelled or special-ability/completion courses
        if track == "disab":
            accessible = True
            cert = "special_ability" if occ in SPECIAL_ABILITY and rng.random() < 0.5 else "skill_level"
        elif track in AGRI_TRACKS and ttype == "employment_skills":
            r = rng.random()
            cert = ("special_ability" if occ in SPECIAL_ABILITY and r < 0.35
                    else "training_completion" if r < 0.55 else "skill_level")
        elif track == "handicraft":
            cert = "special_ability" if rng.random() < 0.6 else "skill_level"
        elif ttype == "pre_job":
            cert = "training_completion" if rng.random() < 0.6 else "skill_level"
        elif occ in ("4-07-05-01", "4-07-05-03"):
            cert = "vocational_qualification"
        elif occ in SPECIAL_ABILITY and ttype == "employment_skills" and rng.random() < 0.2:
            cert = "special_ability"
        elif ttype == "employment_skills" and rng.random() < 0.06:
            cert = "training_completion"
        else:
            cert = "skill_level"
        if cert == "special_ability" and occ not in SPECIAL_ABILITY:
            cert = "skill_level"
        if cert in ("skill_level", "vocational_qualification"):
            level = choose_level(rng, ttype, levels)

        # hours
        if ttype == "apprenticeship":
            hours = round_hours(rng.uniform(160, 200))
        elif ttype == "pre_job":
            hours = round_hours(rng.uniform(16, 56))
        elif cert == "special_ability":
            hours = round_hours(rng.uniform(24, 64))
        elif cert == "training_completion":
            hours = round_hours(rng.uniform(32, 80))
        else:
            assert level is not None  # levelled certificates chose a level above
            base = {5: 72, 4: 96, 3: 120, 2: 140, 1: 160}[level]
            hours = round_hours(base * rng.uniform(0.75, 1.25))

        # target groups
        if ttype in ("skill_upgrade", "apprenticeship"):
            must = ("enterprise_employee",)
            if track in ("chem", "steel") or occ in ("6-31-01-03", "6-18-02-04"):
                must = ("enterprise_employee", "high_risk_worker")
            if track in AGRI_TRACKS:
                must = ("enterprise_employee", "professional_farmer")
            groups = pick_groups(rng, [], 0, 0, must=must)
        elif ttype == "pre_job":
            groups = pick_groups(rng, [("rural_migrant", 3), ("unemployed_graduate", 1)], 0, 1,
                                 must=("enterprise_employee",))
        elif ttype == "transfer":
            groups = pick_groups(rng, [("enterprise_employee", 3), ("veteran", 1), ("rural_migrant", 1)], 0, 1,
                                 must=("laid_off_unemployed",))
        else:  # employment_skills
            if track == "disab":
                groups = pick_groups(rng, [("employment_difficulty", 3), ("dibao", 1), ("low_income_household", 1)],
                                     0, 1, must=("disabled",))
            elif track in AGRI_TRACKS:
                groups = pick_groups(rng, EMPLOY_GROUPS_AGRI, 1, 3, must=("professional_farmer",))
            elif track == "digital":
                groups = pick_groups(rng, EMPLOY_GROUPS_DIGITAL, 1, 3)
            elif track in SERVICE_TRACKS:
                groups = pick_groups(rng, EMPLOY_GROUPS_SERVICE, 2, 4)
            else:
                groups = pick_groups(rng, EMPLOY_GROUPS_TECH, 2, 4)

        tt_zh, tt_en = TYPE_TITLE[ttype]
        special = ""
        if "veteran" in groups and ttype == "employment_skills" and rng.random() < 0.5:
            special = "veteran"
        if cert == "special_ability":
            ab_zh, ab_en = SPECIAL_ABILITY[occ]
            title_zh = f"{ab_zh}专项职业能力{tt_zh}"
            title_en = f"{ab_en} Special Vocational Ability {tt_en}"
            variant = ab_zh
        elif level is None:
            title_zh = f"{occ_zh}{tt_zh}"
            title_en = f"{occ_en} {tt_en}"
        else:
            title_zh = f"{occ_zh}（{LEVEL_ZH[level]}）{tt_zh}"
            title_en = f"{occ_en} ({LEVEL_EN[level]}) {tt_en}"
        if track == "disab":
            title_zh = "残疾人专场·" + title_zh
            title_en = "For persons with disabilities: " + title_en
            reserved = ["disabled"]
        elif special == "veteran":
            title_zh = "退役军人专场·" + title_zh
            title_en = "Veterans special: " + title_en
            variant += "退役军人"
            reserved = ["veteran"]

    # ----- delivery mode -----
    online_friendly = track in ("digital", "ecom") or ttype == "entrepreneurship" or occ == "4-04-05-03"
    hands_on = ttype in ("work_as_training", "apprenticeship") or track in ("construction",)
    r = rng.random()
    if hands_on:
        mode = "hybrid" if (ttype == "apprenticeship" and r < 0.25) else "offline"
    elif ttype == "safety":
        mode = "hybrid" if r < 0.3 else "offline"  # theory online, practical exam on site
    elif online_friendly:
        mode = "online" if r < 0.3 else "hybrid" if r < 0.65 else "offline"
    else:
        mode = "online" if r < 0.03 else "hybrid" if r < 0.15 else "offline"
    if mode == "online":
        online_hours = hours
    elif mode == "hybrid":
        online_hours = max(4, round(hours * rng.uniform(0.2, 0.6) / 4.0) * 4)
        online_hours = min(online_hours, hours - 8)
    else:
        online_hours = 0

    # ----- dates -----
    start = pick_start(rng)
    if ttype == "work_as_training":
        end = start + dt.timedelta(days=30 * months - 1)
    elif ttype == "apprenticeship":
        end = start + dt.timedelta(days=rng.randint(90, 180))
    else:
        per_day = 4 if ttype == "skill_upgrade" else 8
        offline_days = math.ceil((hours - online_hours) / per_day)
        online_days = math.ceil(online_hours / 4)
        days = max(1, offline_days + online_days)
        end = start + dt.timedelta(days=max(0, math.ceil(days * 7 / 5) - 1))
    deadline = start - dt.timedelta(days=rng.randint(2, 14))

    # ----- seats -----
    seats = rng.choice([20, 25, 30, 30, 35, 40, 40, 45, 50, 50, 60])
    if mode == "online":
        seats = rng.choice([50, 60, 60])
    if start <= TODAY:
        taken = seats - rng.randint(0, 4)
    elif deadline < TODAY:
        taken = int(seats * rng.uniform(0.6, 1.0))
    elif (start - TODAY).days <= 120:
        taken = seats if rng.random() < 0.15 else int(seats * rng.uniform(0.1, 0.9))
    else:
        taken = int(seats * rng.uniform(0.0, 0.4))

    # ----- location: institution or a satellite site in the same county -----
    county = inst["county"]
    lat, lon, address = inst["lat"], inst["lon"], inst["address"]
    sat_p = 0.4 if track in AGRI_TRACKS or track == "entre_agri" else 0.12
    if mode != "online" and rng.random() < sat_p:
        site = rng.choice(satellite_sites[county])
        lat, lon = site["lat"], site["lon"]
        suffix = "田间学校" if track in AGRI_TRACKS or track == "entre_agri" else rng.choice(
            ["社区教学点", "便民服务中心培训点", "企业实训点"])
        address = f"{county_prefix(county)}{site['town']}{suffix}（{inst['name_zh']}教学点）"

    # ----- groups the rules let take it -----
    # Aimed-at groups are a ranking term; keep only those whose plain member the rules accept, so
    # the sample never advertises a course to a group that is then refused (issue 11).
    facts = CourseFacts(
        id=0, occupation_code=occ, level=level, training_type=ttype, certificate_type=cert,
        county=inst["county"], start_date=start, end_date=end, subsidy_cny=0.0,
        reserved_for=frozenset(groups), stage=stage)
    refused = {r.group for r in reserved_group_refusals(facts)}
    groups = [g for g in groups if g not in refused]
    groups += [g for g in reserved if g not in groups]  # a class reserved for a group is aimed at it
    assert not set(reserved) & refused, (occ, ttype, reserved)

    # ----- flags -----
    free = any(g in KEY_GROUPS for g in groups)
    if ttype == "work_as_training":
        free = False  # employer subsidy, not a course the worker enrols in
    if not accessible:
        accessible = (mode == "online" and rng.random() < 0.5) or rng.random() < 0.05
    if ttype in ("employment_skills", "apprenticeship", "entrepreneurship") and itype in (
            "hr_agency", "private_institution", "industry_org", "enterprise", "technical_school"):
        project_based = rng.random() < 0.25
    if ttype == "work_as_training":
        project_based = False

    subsidy = subsidy_for(occ, level, ttype, cert, hours, months)

    return {
        "_seq": _SEQ[0], "_variant": variant, "_title_zh": title_zh, "_title_en": title_en,
        "_level_sort": -1 if level is None else level,
        "institution_code": inst["code"], "occupation_code": occ, "level": level,
        "training_type": ttype, "certificate_type": cert, "hours": hours, "online_hours": online_hours,
        "start_date": start, "end_date": end, "enrol_deadline": deadline, "seats": seats,
        "seats_taken": max(0, min(seats, taken)), "county": county, "address": address,
        "lat": lat, "lon": lon, "delivery_mode": mode, "subsidy_cny": subsidy,
        "target_groups": groups, "reserved_for": reserved, "stage": stage,
        "free_for_key_groups": free, "accessible": accessible,
        "project_based": project_based,
    }
