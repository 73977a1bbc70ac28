"""Which training counts toward which of the plan's programs: a documented, dated mapping.

The plan (盐城市职业技能提升行动实施方案（2019－2021年）, 四(一)) sets targets per special program
(专项培训计划) but does not say, record by record, what counts where. This module is that reading,
written as data so the bureau can change it without a code change:

* a program has one or more **rules**; a training counts toward the program when *any* rule
  matches;
* a rule matches when *every* condition it sets holds; a condition lists alternatives (any of):
  the training type, the worker's priority groups, the groups the course is aimed at
  (``course_targets``), the course occupation's category. An empty condition is no condition;
* the mapping has **versions** with an ``effective_from`` date; a training is judged by the
  version in force on its enrolment date, so a later change never rewrites a filed report.

Programs overlap by design (a safety course for an enterprise employee counts in both the
enterprise-employee and the safety program, as in the plan), and every subsidized training
counts toward the whole plan (``all``).

Override the default with the ``RECO_STATS_PROGRAMS_JSON`` setting, in the shape
:meth:`ProgramMapping.from_mapping` reads::

    {"versions": [{"effective_from": "2019-01-01", "reference": "…",
                   "programs": {"safety": [{"training_types": ["safety"]}], …}}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from catalog.vocabulary import PRIORITY_GROUPS, TRAINING_TYPES


@dataclass(frozen=True)
class Program:
    """A program of the plan: its code, names, and whether its members form a sensitive group."""

    code: str
    name_zh: str
    name_en: str
    # Counting this program's trainees per county or per quarter reveals membership of a
    # sensitive group (disability, low income, criminal justice): small cells are suppressed.
    sensitive: bool = False


PROGRAMS: Final[dict[str, Program]] = {p.code: p for p in (
    Program("all", "补贴性职业技能培训（全部）", "All subsidized trainings"),
    Program("enterprise_employee", "企业职工技能提升", "Enterprise employee skill upgrade"),
    Program("apprenticeship", "企业新型学徒制", "New-style apprenticeship"),
    Program("youth_graduate", "“两后生”和离校未就业高校毕业生", "Two-after youth and unemployed graduates"),
    Program("modern_services", "现代服务业（家政、护理、养老等）", "Modern services (housekeeping, nursing, elderly care)"),
    Program("veteran", "退役军人就业技能培训", "Veterans"),
    Program("disabled", "残疾人就业技能培训", "People with disabilities", sensitive=True),
    Program("community_correction", "社区矫正人员就业技能培训", "Community correction", sensitive=True),
    Program("entrepreneurship", "各类群体就业创业培训", "Entrepreneurship (all groups)"),
    Program("farmer", "乡村振兴：农民职业技能培训", "Rural revitalization: farmers"),
    Program("poverty", "技能扶贫", "Poverty alleviation", sensitive=True),
    Program("safety", "安全技能培训", "Safety skills (high-risk industries, special operations)"),
)}

OCCUPATION_CATEGORIES: Final[frozenset[str]] = frozenset({
    "modern_services", "advanced_manufacturing", "digital", "construction", "agriculture", "safety",
    "transport", "handicraft", "healthcare", "business"})


@dataclass(frozen=True)
class ProgramRule:
    """Conditions on one training; every non-empty condition must hold (each is "any of")."""

    training_types: frozenset[str] = frozenset()
    worker_groups: frozenset[str] = frozenset()
    course_targets: frozenset[str] = frozenset()
    occupation_categories: frozenset[str] = frozenset()

    def matches(self, training_type: str, worker_groups: frozenset[str], course_targets: frozenset[str],
                occupation_category: str | None) -> bool:
        return ((not self.training_types or training_type in self.training_types)
                and (not self.worker_groups or bool(self.worker_groups & worker_groups))
                and (not self.course_targets or bool(self.course_targets & course_targets))
                and (not self.occupation_categories or occupation_category in self.occupation_categories))


@dataclass(frozen=True)
class MappingVersion:
    effective_from: date
    programs: Mapping[str, tuple[ProgramRule, ...]]
    reference: str = ""


@dataclass(frozen=True)
class ProgramMapping:
    """Dated versions of the mapping, oldest first."""

    versions: tuple[MappingVersion, ...] = field(default_factory=tuple)

    def version_on(self, day: date) -> MappingVersion:
        """The version in force on ``day`` (the oldest one for days before all of them)."""
        chosen = self.versions[0]
        for v in self.versions:
            if v.effective_from <= day:
                chosen = v
        return chosen

    def programs_for(self, enrolled_on: date, training_type: str, worker_groups: frozenset[str],
                     course_targets: frozenset[str], occupation_category: str | None) -> frozenset[str]:
        """Codes of the programs one subsidized training counts toward (always includes ``all``)."""
        version = self.version_on(enrolled_on)
        found = {"all"}
        for code, rules in version.programs.items():
            if any(r.matches(training_type, worker_groups, course_targets, occupation_category) for r in rules):
                found.add(code)
        return frozenset(found)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ProgramMapping:
        """Build from configuration; every mistake is reported at once as ``ValueError``."""
        errors: list[str] = []
        versions: list[MappingVersion] = []
        raw_versions = data.get("versions")
        if set(data) - {"versions"}:
            errors.append(f"unknown keys {sorted(set(data) - {'versions'})}")
        if not isinstance(raw_versions, list) or not raw_versions:
            raise ValueError("program mapping: 'versions' must be a non-empty list")
        for i, raw in enumerate(raw_versions):
            where = f"versions[{i}]"
            try:
                effective = date.fromisoformat(str(raw["effective_from"]))
            except (KeyError, ValueError, TypeError):
                errors.append(f"{where}.effective_from: an ISO date is required")
                continue
            programs: dict[str, tuple[ProgramRule, ...]] = {}
            for code, rules in dict(raw.get("programs") or {}).items():
                if code not in PROGRAMS or code == "all":
                    errors.append(f"{where}.programs.{code}: unknown program")
                    continue
                parsed = []
                for j, rule in enumerate(rules):
                    parsed.append(_rule(rule, f"{where}.programs.{code}[{j}]", errors))
                programs[code] = tuple(parsed)
            versions.append(MappingVersion(effective, programs, str(raw.get("reference", ""))))
        if errors:
            raise ValueError("program mapping: " + "; ".join(errors))
        return cls(tuple(sorted(versions, key=lambda v: v.effective_from)))

    def to_mapping(self) -> dict[str, Any]:
        """The JSON shape :meth:`from_mapping` reads (for the report's appendix and the API)."""
        return {"versions": [{
            "effective_from": v.effective_from.isoformat(), "reference": v.reference,
            "programs": {code: [{k: sorted(getattr(r, k)) for k in _RULE_KEYS if getattr(r, k)} for r in rules]
                         for code, rules in v.programs.items()}} for v in self.versions]}


_RULE_KEYS: Final[dict[str, frozenset[str]]] = {
    "training_types": frozenset(TRAINING_TYPES),
    "worker_groups": frozenset(PRIORITY_GROUPS),
    "course_targets": frozenset(PRIORITY_GROUPS),
    "occupation_categories": OCCUPATION_CATEGORIES,
}


def _rule(raw: Any, where: str, errors: list[str]) -> ProgramRule:
    if not isinstance(raw, Mapping):
        errors.append(f"{where}: a rule is an object")
        return ProgramRule()
    for key in set(raw) - set(_RULE_KEYS):
        errors.append(f"{where}.{key}: unknown condition")
    values: dict[str, frozenset[str]] = {}
    for key, allowed in _RULE_KEYS.items():
        items = frozenset(str(v) for v in raw.get(key, ()))
        for bad in sorted(items - allowed):
            errors.append(f"{where}.{key}: unknown value {bad!r}")
        values[key] = items
    return ProgramRule(**values)


def _r(types: Iterable[str] = (), groups: Iterable[str] = (), targets: Iterable[str] = (),
       categories: Iterable[str] = ()) -> ProgramRule:
    return ProgramRule(frozenset(types), frozenset(groups), frozenset(targets), frozenset(categories))


# Employment-skills and entrepreneurship training is what the plan counts for the key groups
# (就业技能培训); the enterprise program is the training types R9 names for employees.
_KEY_GROUP_TYPES = ("employment_skills", "entrepreneurship", "pre_job")

DEFAULT_MAPPING: Final[ProgramMapping] = ProgramMapping((MappingVersion(
    effective_from=date(2019, 1, 1),
    reference="盐城市职业技能提升行动实施方案（2019－2021年）四(一)1–5; domain brief §3, §5 (R9)",
    programs={
        "enterprise_employee": (_r(("pre_job", "skill_upgrade", "transfer", "apprenticeship", "safety"),
                                   ("enterprise_employee",)),),
        "apprenticeship": (_r(("apprenticeship",)),),
        "youth_graduate": (_r(_KEY_GROUP_TYPES, ("two_after_youth", "unemployed_graduate")),),
        "modern_services": (_r(categories=("modern_services", "healthcare")),),
        "veteran": (_r(_KEY_GROUP_TYPES, ("veteran",)),),
        "disabled": (_r(_KEY_GROUP_TYPES, ("disabled",)),),
        "community_correction": (_r(_KEY_GROUP_TYPES, ("community_correction",)),),
        "entrepreneurship": (_r(("entrepreneurship",)),),
        # Farmers: a professional farmer, or anyone on a course aimed at farmers.
        "farmer": (_r(groups=("professional_farmer",)), _r(targets=("professional_farmer",))),
        "poverty": (_r(groups=("low_income_household", "dibao", "poor_labor")),),
        "safety": (_r(("safety",)),),
    }),))
