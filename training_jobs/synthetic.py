"""A seeded synthetic Yancheng: training courses, workers and their interactions.

Used to develop and test the recommender before real logs exist. The *model never sees the rules
below*; it sees only profiles, course attributes and events, and must learn the tastes.

Population
----------
Each worker gets a primary priority group drawn in proportion to the plan's three-year program
sizes (§3 of the domain brief: enterprise employees 150k, farmers 100k, entrepreneurship 60k,
safety/high-risk 40k, community correction 21k, modern-services trainees 10k, veterans 5.1k,
poverty 5k, disabled 4k, two-after youth and graduates 4k), then secondary groups with plausible
overlaps (returning migrants are often would-be entrepreneurs, disabled people are counted among
employment-difficulty people, poverty groups overlap, …). Ages, education, employment status and
current occupation follow the group; counties follow rough population weights, with the
residence/job-seeking county differing from the hukou county for about a fifth of people; homes
lie within ~8 km of the county centre. Enterprise employees and high-risk workers hold certificates
for their occupation; about 3% of older workers draw a pension (R5); a few have a family member
with a severe disability (R6). Gender is generated (profiles have it) but plays no role in tastes.

Tastes (hidden rules generating the events)
-------------------------------------------
Utility of a course for a worker is a sum of:

* group taste for the occupation *category* and *training type*:
  two-after youth → employment skills in modern services and digital;
  unemployed graduates → digital (AI, cloud, big data, e-commerce);
  enterprise employees → skill upgrade / apprenticeship in manufacturing, strongly preferring
  *their own occupation at the next level* above the certificate they hold;
  high-risk workers → safety training in *their* special operation class (very strong);
  returning migrants and entrepreneurs → entrepreneurship training and e-commerce;
  farmers → agriculture (and some e-commerce for selling produce);
  rural migrants, laid-off, poverty groups → modern services (housekeeping, elderly care, childcare,
  security), transport; veterans → security, auto repair, driving, entrepreneurship;
  disabled → handicraft, e-commerce, online courses; community correction → employment skills in
  construction, auto repair, cooking;
* a course aimed at one of the worker's groups: +0.8;
* shortage occupations: +0.3 (level 1) … +0.1 (level 3);
* distance: −0.08 per km for offline courses beyond 3 km (−0.04 for hybrid);
* a *personal* affinity not visible in the profile: each worker has one or two favourite
  occupations, usually from their group's pool, for a third of people from anywhere (+2.0); the
  declared ``interests`` reveal them only half of
  the time. This is what a collaborative model can learn from the history and a content model
  cannot;
  People travel for what they really want: the distance penalty (below) is halved for courses
  of a favourite occupation. (Before this was added only ~13% of views fell on favourites: the
  +2.0 was usually cancelled by distance, so the history carried almost no signal beyond the
  profile and no collaborative model could beat a content model on it.);
* re-engagement: once a worker clicks a course, that course's occupation gains +1.0 and its
  institution +0.5 for the rest of their history (next level, refresher, a school they know).
  Like the favourites, this is visible in the history and not in the profile;
* a hidden per-course quality (teachers, timetable), N(0, 0.5): popular courses stay popular;
* noise (Gumbel) in every choice.

Workers are active over the last ~18 months from a registration date on; each *session* views a
course chosen by a softmax over utilities among courses open for enrolment at that time. The
funnel then continues with probabilities rising with utility: click, save, enrol, complete (only
for courses already ended), so view > click > save > enrol > complete. Low-utility views are
sometimes dismissed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from catalog.vocabulary import COUNTIES, CREDIT_RATINGS, SKILL_LEVELS
from policy.profile import Certificate, CourseFacts, FamilyMember, WorkerProfile
from recommender.items import CourseItem, Interaction, InteractionKind


@dataclass(frozen=True)
class Occupation:
    """An occupation of the synthetic catalog (codes approximate the 2022 classification)."""

    code: str
    name_zh: str
    name_en: str
    category: str
    levels: tuple[int | None, ...]
    shortage_level: int | None = None
    special_operation: bool = False
    access_restricted: bool = False


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("4-10-01-06", "家政服务员", "Housekeeper", "modern_services", (5, 4, 3), 1),
    Occupation("4-10-01-05", "养老护理员", "Elderly-care worker", "modern_services", (5, 4, 3), 1),
    Occupation("4-10-01-02", "育婴员", "Childcare worker", "modern_services", (5, 4, 3), 2),
    Occupation("4-07-05-01", "保安员", "Security guard", "modern_services", (5, 4), 2, access_restricted=True),
    Occupation("4-03-02-01", "中式烹调师", "Chinese cook", "modern_services", (5, 4, 3)),
    Occupation("4-10-03-01", "美容师", "Beautician", "modern_services", (5, 4)),
    Occupation("4-01-02-02", "电子商务师", "E-commerce specialist", "digital", (5, 4, 3), 1),
    Occupation("2-02-10-09", "人工智能工程技术人员", "AI engineering technician", "digital", (3, 2), 1),
    Occupation("2-02-10-10", "云计算工程技术人员", "Cloud computing technician", "digital", (3, 2), 2),
    Occupation("2-02-10-11", "大数据工程技术人员", "Big-data technician", "digital", (3, 2), 2),
    Occupation("4-04-05-05", "物联网安装调试员", "IoT installer", "digital", (5, 4, 3), 2),
    Occupation("4-04-02-01", "网络与信息安全管理员", "Network administrator", "digital", (5, 4, 3)),
    Occupation("6-31-01-03", "电工", "Electrician", "advanced_manufacturing", (5, 4, 3, 2), 1, access_restricted=True),
    Occupation("6-18-02-04", "焊工", "Welder", "advanced_manufacturing", (5, 4, 3, 2), 2, access_restricted=True),
    Occupation("6-18-01-01", "车工", "Lathe operator", "advanced_manufacturing", (5, 4, 3, 2)),
    Occupation("6-18-01-07", "数控车工", "CNC machinist", "advanced_manufacturing", (5, 4, 3, 2), 2),
    Occupation("6-30-99-00", "工业机器人系统操作员", "Industrial robot operator", "advanced_manufacturing", (5, 4, 3), 1),
    Occupation("6-22-02-01", "汽车装调工", "Automobile assembler", "advanced_manufacturing", (5, 4, 3)),
    Occupation("6-24-03-00", "电子设备装接工", "Electronics assembler", "advanced_manufacturing", (5, 4, 3)),
    Occupation("6-11-01-01", "化工总控工", "Chemical process operator", "advanced_manufacturing", (5, 4, 3)),
    Occupation("4-12-01-01", "汽车维修工", "Auto mechanic", "transport", (5, 4, 3, 2), 2),
    Occupation("4-02-02-01", "道路客运汽车驾驶员", "Bus and coach driver", "transport", (5, 4)),
    Occupation("4-02-06-03", "快递员", "Courier", "transport", (5, 4)),
    Occupation("6-29-01-01", "砌筑工", "Bricklayer", "construction", (5, 4, 3)),
    Occupation("6-29-02-01", "钢筋工", "Steel fixer", "construction", (5, 4, 3)),
    Occupation("6-29-03-01", "装饰装修工", "Decoration worker", "construction", (5, 4, 3)),
    Occupation("5-01-02-01", "农艺工", "Agronomy worker", "agriculture", (5, 4, 3)),
    Occupation("5-04-01-01", "水生动物养殖员", "Aquaculture worker", "agriculture", (5, 4, 3)),
    Occupation("5-03-01-01", "家畜饲养员", "Livestock breeder", "agriculture", (5, 4, 3)),
    Occupation("5-02-01-01", "园艺工", "Horticulture worker", "agriculture", (5, 4)),
    Occupation("5-05-01-01", "农机修理工", "Farm machinery mechanic", "agriculture", (5, 4, 3)),
    Occupation("6-07-04-02", "草柳编织工", "Straw and wicker weaver", "handicraft", (None,), 3),
    Occupation("6-07-06-01", "剪纸工", "Paper-cut artisan", "handicraft", (None,), 3),
    Occupation("4-14-02-02", "健康管理师", "Health manager", "healthcare", (3, 2)),
    Occupation("4-14-01-02", "保健按摩师", "Health massage therapist", "healthcare", (5, 4, 3)),
    Occupation("4-07-03-03", "创业指导师", "Entrepreneurship (SYB/IYB)", "business", (None,)),
    Occupation("4-07-02-03", "人力资源管理师", "HR manager", "business", (4, 3)),
    Occupation("SO-1.1", "低压电工作业", "Low-voltage electrical work", "safety", (None,), None, True, True),
    Occupation("SO-1.2", "高压电工作业", "High-voltage electrical work", "safety", (None,), None, True, True),
    Occupation("SO-2.1", "熔化焊接与热切割作业", "Fusion welding and thermal cutting", "safety", (None,), None, True, True),
    Occupation("SO-3.1", "登高架设作业", "Work at height: scaffolding", "safety", (None,), None, True, True),
    Occupation("SO-6.1", "制冷与空调设备运行操作作业", "Refrigeration equipment operation", "safety", (None,), None, True, True),
    Occupation("SO-9.1", "光气及光气化工艺作业", "Hazardous chemical process operation", "safety", (None,), None, True, True),
    Occupation("SO-9.5", "加氢工艺作业", "Hydrogenation process operation", "safety", (None,), None, True, True),
)
OCC_BY_CODE = {o.code: o for o in OCCUPATIONS}

# Primary-group weights from the plan's program targets (thousands of person-times, §3).
PRIMARY_GROUP_WEIGHTS: dict[str, float] = {
    "enterprise_employee": 150.0,
    "professional_farmer": 100.0,
    "entrepreneur": 60.0,
    "high_risk_worker": 40.0,
    "community_correction": 21.0,
    "rural_migrant": 6.0,  # modern-services program (10k) split over its usual trainees
    "laid_off_unemployed": 4.0,
    "veteran": 5.1,
    "poor_labor": 5.0,
    "disabled": 4.0,
    "two_after_youth": 2.0,
    "unemployed_graduate": 2.0,
}

# Taste per group: category affinities, training-type affinities, favourite-occupation pool.
_TASTES: dict[str, dict[str, Any]] = {
    "enterprise_employee": {"cat": {"advanced_manufacturing": 1.5, "digital": 0.4, "safety": 0.2},
                            "type": {"skill_upgrade": 1.0, "apprenticeship": 0.6, "transfer": 0.3}},
    "professional_farmer": {"cat": {"agriculture": 2.0, "digital": 0.3, "business": 0.3},
                            "type": {"skill_upgrade": 0.3, "employment_skills": 0.3, "entrepreneurship": 0.3}},
    "entrepreneur": {"cat": {"business": 1.5, "digital": 0.6, "modern_services": 0.2},
                     "type": {"entrepreneurship": 1.8}},
    "returning_migrant": {"cat": {"business": 1.0, "digital": 0.4, "agriculture": 0.6},
                          "type": {"entrepreneurship": 1.2}},
    "high_risk_worker": {"cat": {"safety": 2.2, "advanced_manufacturing": 0.4}, "type": {"safety": 1.2}},
    "community_correction": {"cat": {"construction": 1.2, "transport": 0.9, "modern_services": 0.6},
                             "type": {"employment_skills": 1.0}},
    "rural_migrant": {"cat": {"modern_services": 1.4, "transport": 0.8, "construction": 0.5},
                      "type": {"employment_skills": 0.8, "pre_job": 0.4}},
    "laid_off_unemployed": {"cat": {"modern_services": 1.2, "transport": 0.7, "digital": 0.3},
                            "type": {"employment_skills": 0.9, "transfer": 0.5}},
    "veteran": {"cat": {"transport": 1.0, "modern_services": 0.6, "business": 0.6},
                "type": {"employment_skills": 0.6, "entrepreneurship": 0.5}},
    "poor_labor": {"cat": {"modern_services": 1.0, "agriculture": 0.8}, "type": {"employment_skills": 0.8}},
    "low_income_household": {"cat": {"agriculture": 0.6, "modern_services": 0.6}, "type": {"employment_skills": 0.4}},
    "dibao": {"cat": {"modern_services": 0.6}, "type": {"employment_skills": 0.4}},
    "disabled": {"cat": {"handicraft": 1.8, "digital": 0.8, "healthcare": 0.8}, "type": {"employment_skills": 0.6},
                 "online": 0.8},
    "employment_difficulty": {"cat": {"modern_services": 0.4}, "type": {"employment_skills": 0.4}},
    "two_after_youth": {"cat": {"modern_services": 1.2, "digital": 1.2}, "type": {"employment_skills": 1.2}},
    "unemployed_graduate": {"cat": {"digital": 2.0, "business": 0.4}, "type": {"employment_skills": 0.8}},
    "zero_employment_family": {"cat": {"modern_services": 0.5}, "type": {"employment_skills": 0.4}},
}

_COUNTY_WEIGHTS = {"tinghu": 8, "yandu": 8, "dafeng": 7, "dongtai": 10, "jianhu": 7, "sheyang": 9,
                   "funing": 9, "binhai": 9, "xiangshui": 5, "etdz": 4, "yannan": 4}

_CATEGORY_TYPES: dict[str, tuple[str, ...]] = {
    "modern_services": ("employment_skills", "employment_skills", "pre_job", "skill_upgrade"),
    "digital": ("employment_skills", "skill_upgrade", "skill_upgrade", "apprenticeship"),
    "advanced_manufacturing": ("skill_upgrade", "skill_upgrade", "apprenticeship", "pre_job", "transfer"),
    "transport": ("employment_skills", "skill_upgrade", "pre_job"),
    "construction": ("employment_skills", "skill_upgrade", "pre_job"),
    "agriculture": ("skill_upgrade", "employment_skills"),
    "handicraft": ("employment_skills",),
    "healthcare": ("employment_skills", "skill_upgrade"),
    "business": ("entrepreneurship",),
    "safety": ("safety",),
}

# Targeted programs: the category of courses a group's program runs.
_TARGETED_PROGRAMS: dict[str, tuple[str, ...]] = {
    "veteran": ("transport", "modern_services", "business"),
    "disabled": ("handicraft", "digital", "healthcare"),
    "community_correction": ("construction", "transport", "modern_services"),
    "two_after_youth": ("modern_services", "digital"),
    "unemployed_graduate": ("digital", "business"),
    "returning_migrant": ("business", "agriculture"),
    "professional_farmer": ("agriculture",),
    "enterprise_employee": ("advanced_manufacturing",),
    "high_risk_worker": ("safety",),
    "poor_labor": ("modern_services", "agriculture"),
}

COURSE_OPEN_DAYS = (30, 240)  # a course is open for enrolment this many days before its deadline
# Utility added, for the rest of a worker's history, to the occupation and the institution of a
# course they clicked: see "re-engagement" in the module docstring.
REENGAGE_OCCUPATION = 1.0
REENGAGE_INSTITUTION = 0.5


def _jitter(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return lat + r * math.cos(a) / 111.0, lon + r * math.sin(a) / (111.0 * math.cos(math.radians(lat)))


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def course_published(course: CourseItem) -> date:
    """When a synthetic course opened for enrolment (stored in ``facts.extra``)."""
    value = course.facts.extra.get("published")
    return value if isinstance(value, date) else course.enrol_deadline - timedelta(days=120)


def generate_courses(n_courses: int, seed: int, today: date, n_institutions: int | None = None) -> list[CourseItem]:
    """Generate a synthetic course catalog with institutions spread over the counties.

    Parameters
    ----------
    n_courses
        Number of courses.
    seed
        Random seed.
    today
        Reference day: starts spread from ~17 months before to 4 months after it.
    n_institutions
        Number of institutions (default ``n_courses // 10``, at least 5).

    Returns
    -------
    list of CourseItem
        Ids ``1..n_courses``. ``facts.extra`` holds ``published`` and a hidden ``quality``.
    """
    rng = np.random.default_rng([seed, 1])
    n_inst = n_institutions or max(5, n_courses // 10)
    insts = []
    for j in range(n_inst):
        county = _pick(rng, {c: float(w) for c, w in _COUNTY_WEIGHTS.items()})
        _, _, clat, clon = COUNTIES[county]
        lat, lon = _jitter(rng, clat, clon, 6.0)
        rating = CREDIT_RATINGS[int(rng.choice(5, p=[0.15, 0.35, 0.3, 0.15, 0.05]))]
        insts.append((f"YC-INST-{j + 1:03d}", f"盐城第{j + 1}职业培训学校", county, lat, lon, rating))
    occ_weights = np.array([3.0 if o.category in ("advanced_manufacturing", "modern_services") else
                            2.0 if o.category in ("agriculture", "safety", "digital") else 1.5
                            for o in OCCUPATIONS])
    courses = []
    for cid in range(1, n_courses + 1):
        occ = OCCUPATIONS[int(rng.choice(len(OCCUPATIONS), p=occ_weights / occ_weights.sum()))]
        # Institutions specialise: prefer one whose index hashes to the occupation's category.
        inst = insts[int(rng.integers(n_inst))]
        level = occ.levels[int(rng.integers(len(occ.levels)))]
        ttype = _CATEGORY_TYPES[occ.category][int(rng.integers(len(_CATEGORY_TYPES[occ.category])))]
        if occ.special_operation:
            cert = "special_operation"
        elif level is None:
            cert = "special_ability" if occ.category == "handicraft" else "training_completion"
        else:
            cert = "skill_level" if rng.random() < 0.8 else "vocational_qualification"
        start = today + timedelta(days=int(rng.integers(-500, 120)))
        hours = int(rng.choice([40, 56, 80, 120, 160]))
        end = start + timedelta(days=max(3, hours // 8 + int(rng.integers(0, 20))))
        deadline = start - timedelta(days=int(rng.integers(3, 15)))
        published = deadline - timedelta(days=int(rng.integers(*COURSE_OPEN_DAYS)))
        mode = str(rng.choice(["offline", "hybrid", "online"], p=[0.7, 0.2, 0.1]))
        if occ.special_operation:
            mode = "offline"  # practical assessment on site
        targets: frozenset[str] = frozenset()
        if rng.random() < 0.3:
            groups = [g for g, cats in _TARGETED_PROGRAMS.items() if occ.category in cats]
            if groups:
                targets = frozenset({groups[int(rng.integers(len(groups)))]})
        seats = int(rng.integers(20, 61))
        taken = seats if start < today - timedelta(days=14) else int(rng.integers(0, seats + 1))
        lat, lon = _jitter(rng, inst[3], inst[4], 1.0)
        facts = CourseFacts(
            id=cid, occupation_code=occ.code, level=level, training_type=ttype, certificate_type=cert,
            county=inst[2], start_date=start, end_date=end,
            subsidy_cny=float(rng.choice([600, 900, 1200, 1500, 2000, 3000])), delivery_mode=mode,
            target_groups=targets, free_for_key_groups=bool(rng.random() < 0.4),
            occupation_access_restricted=occ.access_restricted,
            occupation_special_operation=occ.special_operation, on_county_subsidized_list=None,
            project_based=bool(rng.random() < 0.2),
            extra={"published": published, "quality": float(rng.normal(0.0, 0.5)), "hours": hours},
        )
        lvl_zh = "" if level is None else f"（{SKILL_LEVELS[level]}）"
        courses.append(CourseItem(
            facts=facts, institution_code=inst[0], institution_credit_rating=inst[5],
            occupation_category=occ.category, shortage_level=occ.shortage_level, lat=lat, lon=lon,
            seats_left=seats - taken, enrol_deadline=deadline,
            title_zh=f"{occ.name_zh}{lvl_zh}培训班",
            title_en=f"{occ.name_en} course" + ("" if level is None else f" (level {level})"),
            institution_name_zh=inst[1],
        ))
    return courses


def _secondary_groups(rng: np.random.Generator, primary: str, rural: bool) -> set[str]:
    g = {primary}
    add = lambda name, p: g.add(name) if rng.random() < p else None  # noqa: E731
    if primary == "entrepreneur":
        add("returning_migrant", 0.35)
    if primary in ("rural_migrant", "professional_farmer") and rural:
        add("returning_migrant", 0.08)
        add("entrepreneur", 0.08)
    if primary == "disabled":
        g.add("employment_difficulty")
    if primary == "poor_labor":
        add("low_income_household", 0.6)
        add("dibao", 0.3)
    if primary == "laid_off_unemployed":
        add("employment_difficulty", 0.25)
        add("zero_employment_family", 0.1)
    if primary == "two_after_youth":
        add("dibao", 0.1)
    if primary == "veteran":
        add("entrepreneur", 0.2)
    if primary == "community_correction":
        add("laid_off_unemployed", 0.3)
    if primary == "enterprise_employee":
        add("high_risk_worker", 0.05)
        add("rural_migrant", 0.15 if rural else 0.0)
    return g


_GROUP_AGE = {"two_after_youth": (16, 20), "unemployed_graduate": (21, 27), "enterprise_employee": (20, 56),
              "professional_farmer": (28, 62), "veteran": (22, 45), "high_risk_worker": (22, 56)}
_GROUP_EDU = {
    "two_after_youth": {"junior_high": 0.6, "senior_high": 0.4},
    "unemployed_graduate": {"junior_college": 0.5, "bachelor": 0.45, "postgraduate": 0.05},
    "professional_farmer": {"primary": 0.3, "junior_high": 0.5, "senior_high": 0.2},
    "enterprise_employee": {"junior_high": 0.3, "senior_high": 0.2, "secondary_vocational": 0.3, "junior_college": 0.2},
}
_DEFAULT_EDU = {"primary": 0.1, "junior_high": 0.45, "senior_high": 0.25, "secondary_vocational": 0.1,
                "junior_college": 0.1}
_GROUP_EMPLOYMENT = {"enterprise_employee": "employed", "high_risk_worker": "employed",
                     "professional_farmer": "farmer", "two_after_youth": "student",
                     "unemployed_graduate": "unemployed", "laid_off_unemployed": "unemployed",
                     "entrepreneur": "self_employed"}


def _favourite_pool(groups: set[str], rng: np.random.Generator) -> list[str]:
    # A third of people have a personal interest outside what their group usually takes.
    if rng.random() < 0.35:
        return [o.code for o in OCCUPATIONS if not o.special_operation]
    cats: dict[str, float] = {}
    for g in sorted(groups):
        for c, v in _TASTES.get(g, {}).get("cat", {}).items():
            cats[c] = cats.get(c, 0.0) + v
    if not cats:
        cats = {"modern_services": 1.0}
    cat = _pick(rng, cats)
    return [o.code for o in OCCUPATIONS if o.category == cat]


def generate_population(courses: Sequence[CourseItem], n_workers: int, seed: int, today: date,
                        months: int = 18, sessions_mean: float = 7.0,
                        ) -> tuple[dict[int, WorkerProfile], dict[int, str | None], list[Interaction]]:
    """Generate workers and their interactions with the given courses.

    Parameters
    ----------
    courses
        The catalog (e.g. from :func:`generate_courses`; any CourseItems work, hidden quality and
        publication date default to 0 and 120 days before the deadline).
    n_workers
        Number of workers (ids ``1..n_workers``).
    seed
        Random seed; the same seed gives the same output.
    today
        Last day of the history.
    months
        Length of the history.
    sessions_mean
        Mean number of browsing sessions per active worker.

    Returns
    -------
    tuple
        ``(workers, job_center, interactions)``; interactions sorted by time.
    """
    rng = np.random.default_rng([seed, 2])
    start_day = today - timedelta(days=int(months * 30.4))
    c_lat = np.array([c.lat for c in courses])
    c_lon = np.array([c.lon for c in courses])
    c_mode = np.array([c.facts.delivery_mode for c in courses])
    c_cat = np.array([c.occupation_category for c in courses])
    c_type = np.array([c.facts.training_type for c in courses])
    c_occ = np.array([c.facts.occupation_code for c in courses])
    c_inst = np.array([c.institution_code for c in courses])
    c_level = np.array([c.facts.level if c.facts.level is not None else 0 for c in courses])
    c_short = np.array([c.shortage_level or 0 for c in courses])
    c_quality = np.array([float(c.facts.extra.get("quality", 0.0)) for c in courses])  # type: ignore[arg-type]
    c_open = np.array([course_published(c).toordinal() for c in courses])
    c_close = np.array([c.enrol_deadline.toordinal() for c in courses])
    c_end = np.array([c.facts.end_date.toordinal() for c in courses])
    c_ids = np.array([c.id for c in courses])
    c_targets = [c.facts.target_groups for c in courses]
    short_bonus = np.where(c_short > 0, (4 - np.clip(c_short, 1, 3)) * 0.1, 0.0)
    counties = list(_COUNTY_WEIGHTS)
    so_codes = [o.code for o in OCCUPATIONS if o.special_operation]
    mfg_codes = [o.code for o in OCCUPATIONS if o.category == "advanced_manufacturing"]

    workers: dict[int, WorkerProfile] = {}
    job_center: dict[int, str | None] = {}
    events: list[Interaction] = []
    for wid in range(1, n_workers + 1):
        primary = _pick(rng, PRIMARY_GROUP_WEIGHTS)
        rural = bool(rng.random() < (0.85 if primary in ("professional_farmer", "rural_migrant", "poor_labor") else 0.45))
        groups = _secondary_groups(rng, primary, rural)
        lo, hi = _GROUP_AGE.get(primary, (20, 58))
        age = float(rng.uniform(lo, hi))
        birth = today - timedelta(days=int(age * 365.25))
        hukou = _pick(rng, {c: float(w) for c, w in _COUNTY_WEIGHTS.items()})
        residence = hukou if rng.random() < 0.8 else counties[int(rng.integers(len(counties)))]
        jobseeking = residence if rng.random() < 0.85 else counties[int(rng.integers(len(counties)))]
        _, _, clat, clon = COUNTIES[residence]
        lat, lon = _jitter(rng, clat, clon, 8.0)
        education = _pick(rng, _GROUP_EDU.get(primary, _DEFAULT_EDU))
        employment = _GROUP_EMPLOYMENT.get(primary, "unemployed" if rng.random() < 0.6 else "self_employed")
        current_occ: str | None = None
        certs: list[Certificate] = []
        if "enterprise_employee" in groups:
            current_occ = mfg_codes[int(rng.integers(len(mfg_codes)))]
            if rng.random() < 0.7:
                lvl = int(rng.choice([5, 4, 3], p=[0.5, 0.35, 0.15]))
                certs.append(Certificate(current_occ, lvl, "skill_level", birth + timedelta(days=365 * 22)))
        if "high_risk_worker" in groups:
            current_occ = so_codes[int(rng.integers(len(so_codes)))]
            if rng.random() < 0.5:  # the other half lacks a valid special-operation certificate
                certs.append(Certificate(current_occ, None, "special_operation", today - timedelta(days=800),
                                         today + timedelta(days=1000)))
        disability = int(rng.integers(1, 5)) if "disabled" in groups else None
        family: tuple[FamilyMember, ...] = ()
        if rng.random() < 0.02:
            family = (FamilyMember("parent", frozenset({"disabled"}), int(rng.integers(1, 3))),)
        pension = bool(age > 50 and rng.random() < 0.06)
        # The hidden personal taste, revealed in declared interests only half of the time.
        pool = _favourite_pool(groups, rng)
        favs = list(rng.choice(pool, size=min(len(pool), int(rng.integers(1, 3))), replace=False))
        interests: tuple[str, ...] = ()
        r = rng.random()
        if r < 0.5:
            interests = tuple(str(f) for f in favs)
        elif r < 0.7:
            interests = (str(OCC_BY_CODE[str(favs[0])].category),)
        profile = WorkerProfile(
            birth_date=birth, hukou_county=hukou, residence_county=residence, jobseeking_county=jobseeking,
            employment_status=employment, draws_pension=pension, priority_groups=frozenset(groups),
            disability_grade=disability, rural=rural, current_occupation_code=current_occ,
            certificates=tuple(certs), family=family, education=education,
            gender=str(rng.choice(["female", "male"])), interests=interests,
            max_travel_km=float(rng.choice([10, 20, 30])) if rng.random() < 0.2 else None,
            online_ok=bool(rng.random() < 0.85), lat=lat, lon=lon,
        )
        workers[wid] = profile
        job_center[wid] = f"JC-{residence}"

        # -- utility of every course for this worker -----------------------------------------
        u = c_quality + short_bonus
        for g in sorted(groups):
            t = _TASTES.get(g, {})
            for cat, v in t.get("cat", {}).items():
                u = u + v * (c_cat == cat)
            for ty, v in t.get("type", {}).items():
                u = u + v * (c_type == ty)
            if "online" in t:
                u = u + t["online"] * (c_mode == "online")
        u = u + 0.8 * np.array([bool(tg & groups) for tg in c_targets])
        fav = np.isin(c_occ, favs)
        u = u + 2.0 * fav
        if current_occ is not None:
            same = c_occ == current_occ
            held = max((5 - (c.level or 5) for c in certs if c.occupation_code == current_occ), default=-1)
            next_level = 5 - (held + 1)  # level numbers fall as skill rises
            u = u + 1.0 * same + 1.2 * (same & (c_level == next_level))
            if current_occ.startswith("SO-"):
                u = u + 1.5 * (np.char.startswith(c_occ.astype(str), current_occ.split(".")[0]))
        dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(
            np.sin(np.radians(c_lat - lat) / 2) ** 2 + math.cos(math.radians(lat)) * np.cos(np.radians(c_lat))
            * np.sin(np.radians(c_lon - lon) / 2) ** 2, 0, 1)))
        dpen = np.where(c_mode == "offline", 0.08, np.where(c_mode == "hybrid", 0.04, 0.0))
        # People travel further for what they really want: half the distance penalty for a
        # favourite occupation.
        u = u - dpen * np.where(fav, 0.5, 1.0) * np.maximum(dist - 3.0, 0.0)
        if not profile.online_ok:
            u = u - 3.0 * (c_mode == "online")

        # -- sessions ------------------------------------------------------------------------
        activity = float(rng.lognormal(0.0, 0.6)) * (0.2 if pension else 1.0)
        n_sessions = int(rng.poisson(sessions_mean * activity))
        if n_sessions == 0:
            continue
        reg = start_day.toordinal() + int(rng.integers(0, (today - start_day).days))
        days = np.sort(rng.integers(reg, today.toordinal() + 1, size=n_sessions))
        seen: set[int] = set()
        engaged: set[int] = set()
        for d in days:
            open_ = np.flatnonzero((c_open <= d) & (c_close >= d))
            if open_.size == 0:
                continue
            logits = u[open_] * 1.6
            p = np.exp(logits - logits.max())
            j = int(open_[rng.choice(open_.size, p=p / p.sum())])
            if j in seen and rng.random() < 0.7:
                continue
            seen.add(j)
            when = datetime.combine(date.fromordinal(int(d)), time(8)) + timedelta(minutes=int(rng.integers(0, 720)))
            cid = int(c_ids[j])
            events.append(Interaction(wid, cid, "view", when))
            util = float(u[j])
            if rng.random() < 0.25 * (1.0 / (1.0 + math.exp(util - 0.5))):
                events.append(Interaction(wid, cid, "dismiss", when + timedelta(minutes=1)))
                continue
            chain: list[tuple[InteractionKind, float]] = [("click", 0.55), ("save", 0.5), ("enrol", 0.55)]
            step = when
            boost = 1.0 / (1.0 + math.exp(-(util - 1.0)))
            for kind, base in chain:
                if rng.random() >= min(0.95, base * (0.5 + boost)):
                    break
                step = step + timedelta(minutes=int(rng.integers(1, 60 * 24)))
                events.append(Interaction(wid, cid, kind, step))
                if kind == "click" and cid not in engaged:
                    # Re-engagement: having looked into a course, people come back to the same
                    # occupation (next level, refresher) and the institution they know.
                    engaged.add(cid)
                    u = u + REENGAGE_OCCUPATION * (c_occ == c_occ[j]) + REENGAGE_INSTITUTION * (c_inst == c_inst[j])
            else:
                if c_end[j] < today.toordinal() and rng.random() < 0.8:
                    events.append(Interaction(wid, cid, "complete",
                                              datetime.combine(date.fromordinal(int(c_end[j])), time(17))))
    events = [e for e in events if e.at.date() <= today]
    events.sort(key=lambda e: (e.at, e.worker_id, e.course_id))
    return workers, job_center, events


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_dataset(out: Path, courses: Sequence[CourseItem], workers: dict[int, WorkerProfile],
                  job_center: dict[int, str | None], interactions: Sequence[Interaction]) -> None:
    """Write ``courses.jsonl``, ``workers.jsonl`` (with ``job_center``) and ``interactions.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "courses.jsonl", "w", encoding="utf-8") as fh:
        for c in courses:
            fh.write(json.dumps(_jsonable(asdict(c)), ensure_ascii=False) + "\n")
    with open(out / "workers.jsonl", "w", encoding="utf-8") as fh:
        for wid, p in workers.items():
            row = {"worker_id": wid, "job_center": job_center.get(wid), "profile": _jsonable(asdict(p))}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out / "interactions.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["worker_id", "course_id", "kind", "at"])
        for e in interactions:
            w.writerow([e.worker_id, e.course_id, e.kind, e.at.isoformat()])


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: ``python -m training_jobs.synthetic --workers N --seed S --out DIR``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--courses", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2027, 3, 1))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    courses = generate_courses(args.courses, args.seed, args.today)
    workers, jc, inter = generate_population(courses, args.workers, args.seed, args.today)
    write_dataset(args.out, courses, workers, jc, inter)
    print(f"wrote {len(courses)} courses, {len(workers)} workers, {len(inter)} interactions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _d(v: Any) -> date | None:
    return date.fromisoformat(v) if v else None


def _profile_from_json(p: dict[str, Any]) -> WorkerProfile:
    from policy.profile import TrainingRecord

    return WorkerProfile(
        birth_date=_d(p.get("birth_date")), hukou_county=p.get("hukou_county"),
        residence_county=p.get("residence_county"), jobseeking_county=p.get("jobseeking_county"),
        employment_status=p.get("employment_status"), draws_pension=bool(p.get("draws_pension")),
        priority_groups=frozenset(p.get("priority_groups") or ()), disability_grade=p.get("disability_grade"),
        rural=p.get("rural"), current_occupation_code=p.get("current_occupation_code"),
        certificates=tuple(Certificate(c["occupation_code"], c.get("level"), c["certificate_type"],
                                       _d(c.get("issued_on")), _d(c.get("valid_until")))
                           for c in p.get("certificates") or ()),
        family=tuple(FamilyMember(f["relation"], frozenset(f.get("priority_groups") or ()), f.get("disability_grade"))
                     for f in p.get("family") or ()),
        trainings=tuple(TrainingRecord(t["occupation_code"], t.get("level"), t["training_type"], t["status"],
                                       bool(t["subsidized"]), _d(t.get("end_date")), t.get("course_id"),
                                       float(t.get("subsidy_cny", 0.0)), stage=t.get("stage"),
                                       certificate_type=t.get("certificate_type"),
                                       certificate_level=t.get("certificate_level"),
                                       completed_on=_d(t.get("completed_on")))
                        for t in p.get("trainings") or ()),
        education=p.get("education"), gender=p.get("gender"), interests=tuple(p.get("interests") or ()),
        max_travel_km=p.get("max_travel_km"), online_ok=bool(p.get("online_ok", True)),
        lat=p.get("lat"), lon=p.get("lon"),
    )


def _course_from_json(c: dict[str, Any]) -> CourseItem:
    f = dict(c["facts"])
    extra = dict(f.pop("extra", {}) or {})
    if isinstance(extra.get("published"), str):
        extra["published"] = date.fromisoformat(extra["published"])
    facts = CourseFacts(**{**f, "start_date": date.fromisoformat(f["start_date"]),
                           "end_date": date.fromisoformat(f["end_date"]),
                           "target_groups": frozenset(f.get("target_groups") or ()),
                           "reserved_for": frozenset(f.get("reserved_for") or ())}, extra=extra)
    return CourseItem(**{**c, "facts": facts, "enrol_deadline": date.fromisoformat(c["enrol_deadline"])})


def read_dataset(folder: Path) -> tuple[list[CourseItem], dict[int, WorkerProfile], dict[int, str | None],
                                        list[Interaction]]:
    """Read what :func:`write_dataset` wrote (a database export in the same shape works too)."""
    with open(folder / "courses.jsonl", encoding="utf-8") as fh:
        courses = [_course_from_json(json.loads(line)) for line in fh if line.strip()]
    workers: dict[int, WorkerProfile] = {}
    jc: dict[int, str | None] = {}
    with open(folder / "workers.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                workers[int(row["worker_id"])] = _profile_from_json(row["profile"])
                jc[int(row["worker_id"])] = row.get("job_center")
    with open(folder / "interactions.csv", encoding="utf-8", newline="") as fh:
        inter = [Interaction(int(r["worker_id"]), int(r["course_id"]), r["kind"],  # type: ignore[arg-type]
                             datetime.fromisoformat(r["at"])) for r in csv.DictReader(fh)]
    return courses, workers, jc, inter
