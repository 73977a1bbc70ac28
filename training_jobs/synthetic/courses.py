"""The synthetic catalog: occupations, institutions and courses of a seeded synthetic Yancheng."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from catalog.vocabulary import COUNTIES, CREDIT_RATINGS, SKILL_LEVELS
from policy.profile import CourseFacts
from recommender.items import CourseItem
from training_jobs.synthetic.sampling import COUNTY_WEIGHTS, jitter, pick


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

CATEGORY_TYPES: dict[str, tuple[str, ...]] = {
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
TARGETED_PROGRAMS: dict[str, tuple[str, ...]] = {
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
        county = pick(rng, {c: float(w) for c, w in COUNTY_WEIGHTS.items()})
        _, _, clat, clon = COUNTIES[county]
        lat, lon = jitter(rng, clat, clon, 6.0)
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
        ttype = CATEGORY_TYPES[occ.category][int(rng.integers(len(CATEGORY_TYPES[occ.category])))]
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
            groups = [g for g, cats in TARGETED_PROGRAMS.items() if occ.category in cats]
            if groups:
                targets = frozenset({groups[int(rng.integers(len(groups)))]})
        seats = int(rng.integers(20, 61))
        taken = seats if start < today - timedelta(days=14) else int(rng.integers(0, seats + 1))
        lat, lon = jitter(rng, inst[3], inst[4], 1.0)
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

