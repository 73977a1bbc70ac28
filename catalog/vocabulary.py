"""The controlled vocabularies of the plan: stable machine codes with their Chinese names.

Every enum-like field in the catalogs, the worker profiles and the API uses these codes. They are
plain tuples and dicts (no Flask, no database) so the policy engine, the recommender and the
import schemas share one source of truth.
"""

from __future__ import annotations

from typing import Final

# §2 of the domain brief. Order is stable: the recommender uses it for feature columns.
PRIORITY_GROUPS: Final[dict[str, str]] = {
    "enterprise_employee": "企业职工",
    "rural_migrant": "农村转移就业劳动者",
    "returning_migrant": "返乡农民工",
    "two_after_youth": "两后生",
    "unemployed_graduate": "离校未就业高校毕业生",
    "laid_off_unemployed": "下岗失业人员",
    "veteran": "退役军人",
    "employment_difficulty": "就业困难人员",
    "disabled": "残疾人",
    "low_income_household": "建档立卡低收入农户",
    "dibao": "城乡低保对象",
    "zero_employment_family": "零就业家庭成员",
    "poor_labor": "贫困劳动力",
    "entrepreneur": "有创业意愿和培训需求的劳动者",
    "professional_farmer": "职业农民",
    "high_risk_worker": "高危行业从业人员/特种作业人员",
    "community_correction": "社区矫正人员",
}

# Groups whose membership is sensitive personal information under PIPL: never shown to the
# `app` role, never logged, never pushed.
SENSITIVE_PRIORITY_GROUPS: Final[frozenset[str]] = frozenset(
    {
        "disabled",
        "low_income_household",
        "dibao",
        "zero_employment_family",
        "poor_labor",
        "community_correction",
        "employment_difficulty",
    }
)

TRAINING_TYPES: Final[dict[str, str]] = {
    "pre_job": "岗前培训",
    "skill_upgrade": "岗位技能提升培训",
    "transfer": "转岗转业培训",
    "apprenticeship": "新型学徒制培训",
    "employment_skills": "就业技能培训",
    "entrepreneurship": "创业培训",
    "safety": "安全技能培训",
    "work_as_training": "以工代训",
}

# What a course is within a sequence (R4 treats each stage as its own course). Special operations:
# the first certificate (初训/取证) or the periodic review (复审) of one already held.
# Entrepreneurship (创业培训): the ILO/China sequence GYB → SYB → IYB → EYB, and online startup.
SPECIAL_OPERATION_STAGES: Final[dict[str, str]] = {
    "initial": "特种作业初训（取证）",
    "refresher": "特种作业复审培训",
}
ENTREPRENEURSHIP_STAGES: Final[dict[str, str]] = {
    "GYB": "创业意识培训（GYB）",
    "SYB": "创办你的企业（SYB）",
    "IYB": "改善你的企业（IYB）",
    "EYB": "扩大你的企业（EYB）",
    "online": "网络创业培训",
}
# Order is stable: policy.table codes a stage by its position (+1; 0 = no stage).
COURSE_STAGES: Final[dict[str, str]] = {**SPECIAL_OPERATION_STAGES, **ENTREPRENEURSHIP_STAGES}

CERTIFICATE_TYPES: Final[dict[str, str]] = {
    "vocational_qualification": "职业资格证书",
    "skill_level": "职业技能等级证书",
    "special_ability": "专项职业能力证书",
    "special_operation": "特种作业操作证书",
    "training_completion": "培训合格证书",
}

DELIVERY_MODES: Final[dict[str, str]] = {
    "online": "线上",
    "offline": "线下",
    "hybrid": "线上线下结合",
}

INSTITUTION_TYPES: Final[dict[str, str]] = {
    "enterprise": "企业（龙头企业/职工培训中心）",
    "vocational_college": "职业院校",
    "technical_school": "技工院校",
    "private_institution": "民办培训机构",
    "hr_agency": "人力资源服务机构",
    "industry_org": "行业组织",
    "disability_base": "国家级/省级残疾人职业培训基地",
}

# Credit rating of training institutions (信用等级评定), best first.
CREDIT_RATINGS: Final[tuple[str, ...]] = ("AAA", "AA", "A", "B", "C")

# Skill levels: 5 初级工 (lowest) … 1 高级技师 (highest).
SKILL_LEVELS: Final[dict[int, str]] = {
    5: "初级工",
    4: "中级工",
    3: "高级工",
    2: "技师",
    1: "高级技师",
}

EDUCATION_LEVELS: Final[dict[str, str]] = {
    "primary": "小学及以下",
    "junior_high": "初中",
    "senior_high": "高中",
    "secondary_vocational": "中专/技校",
    "junior_college": "大专",
    "bachelor": "本科",
    "postgraduate": "研究生",
}

EMPLOYMENT_STATUSES: Final[dict[str, str]] = {
    "employed": "在职",
    "unemployed": "失业/待业",
    "self_employed": "自主创业/灵活就业",
    "farmer": "务农",
    "student": "在校/应届",
    "retired": "退休",
}

# §7: Yancheng's nine county-level divisions and two zones, with approximate centres.
COUNTIES: Final[dict[str, tuple[str, str, float, float]]] = {
    # code: (name_zh, name_en, lat, lon)
    "tinghu": ("亭湖区", "Tinghu District", 33.39, 120.14),
    "yandu": ("盐都区", "Yandu District", 33.34, 120.15),
    "dafeng": ("大丰区", "Dafeng District", 33.20, 120.47),
    "dongtai": ("东台市", "Dongtai City", 32.85, 120.31),
    "jianhu": ("建湖县", "Jianhu County", 33.46, 119.80),
    "sheyang": ("射阳县", "Sheyang County", 33.77, 120.26),
    "funing": ("阜宁县", "Funing County", 33.76, 119.80),
    "binhai": ("滨海县", "Binhai County", 33.99, 119.82),
    "xiangshui": ("响水县", "Xiangshui County", 34.20, 119.58),
    "etdz": ("盐城经济技术开发区", "Economic & Technological Development Zone", 33.36, 120.25),
    "yannan": ("盐南高新区", "Yannan High-tech Zone", 33.31, 120.18),
}
