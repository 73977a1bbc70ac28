"""Cases the bureau can read: the person, the course, the date, the expected decision and the plan
sentence it rests on, kept in ``policy/cases.yaml`` (OpenFisca-style YAML tests).

The suite runs every case through :func:`policy.decide` (``tests/policy/test_cases.py``), and
``python -m policy.cases`` renders them into ``policy/CASES.md``, a page a policy officer can
review without reading Python. A test fails when the page is stale.

A case lists only what differs from the file's ``defaults`` (a 35-year-old laid-off worker of
Tinghu and a housekeeping course in Yandu), so each case shows the one fact it is about.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COUNTIES,
    COURSE_STAGES,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    TRAINING_TYPES,
)
from policy.decision import Decision, decide
from policy.profile import Certificate, CourseFacts, FamilyMember, TrainingRecord, WorkerProfile
from policy.rules import RULE_CODES
from policy.settings import PolicySettings

CASES_FILE = Path(__file__).with_name("cases.yaml")
CASES_PAGE = Path(__file__).with_name("CASES.md")

# What a case may expect, in the order the page shows it.
EXPECTED_FIELDS: tuple[str, ...] = (
    "eligible",
    "failed",
    "subsidy_cny",
    "subsidies_left_this_year",
    "living_allowance",
    "living_allowance_cny",
    "free_training",
    "safety_first",
    "advance_payment_cny",
)
RELATIONS_ZH = {"parent": "父母", "child": "子女", "spouse": "配偶", "sibling": "兄弟姐妹",
                "grandparent": "祖父母", "grandchild": "孙子女"}


@dataclass(frozen=True)
class Case:
    """One row of the bureau's table."""

    id: str
    rule: str  # the rule code it is filed under (R1_PLACE ... R12_ADVANCE_PAYMENT)
    title_zh: str
    title_en: str
    plan: str  # the plan sentence, verbatim
    on: date
    person: Mapping[str, Any]  # as written in the case (differences from the defaults)
    course: Mapping[str, Any]
    settings: Mapping[str, Any]
    expect: Mapping[str, Any]
    full_person: Mapping[str, Any] = field(repr=False, default_factory=dict)
    full_course: Mapping[str, Any] = field(repr=False, default_factory=dict)

    def policy_settings(self) -> PolicySettings:
        return PolicySettings.from_mapping(self.settings)

    def profile(self) -> WorkerProfile:
        return profile_of(self.full_person)

    def course_facts(self) -> CourseFacts:
        return course_of(self.full_course)

    def decide(self) -> Decision:
        return decide(self.profile(), self.course_facts(), self.on, self.policy_settings())

    def mismatches(self, decision: Decision) -> list[str]:
        """How ``decision`` differs from what the case expects (empty when it holds)."""
        actual = outcome(decision)
        out = []
        for name, wanted in self.expect.items():
            got = actual[name]
            if name == "failed":
                wanted = list(wanted)
            elif isinstance(got, float):
                wanted = float(wanted)
            if got != wanted:
                out.append(f"{self.id}: {name} expected {wanted!r}, got {got!r}")
        return out


def outcome(decision: Decision) -> dict[str, Any]:
    return {
        "eligible": decision.eligible,
        "failed": list(decision.failed_codes),
        "subsidy_cny": decision.subsidy_cny,
        "subsidies_left_this_year": decision.subsidies_left_this_year,
        "living_allowance": decision.living_allowance,
        "living_allowance_cny": decision.living_allowance_cny,
        "free_training": decision.free_training,
        "safety_first": decision.safety_first,
        "advance_payment_cny": decision.advance_payment_cny,
    }


def _frozen(values: Sequence[str] | None) -> frozenset[str]:
    return frozenset(values or ())


def profile_of(person: Mapping[str, Any]) -> WorkerProfile:
    """A WorkerProfile from a case's plain person mapping."""
    unknown = set(person) - _PERSON_FIELDS
    if unknown:
        raise ValueError(f"unknown person fields: {', '.join(sorted(unknown))}")
    values = dict(person)
    values["priority_groups"] = _frozen(values.get("priority_groups"))
    values["certificates"] = tuple(Certificate(**c) for c in values.get("certificates", ()))
    values["family"] = tuple(
        FamilyMember(f["relation"], _frozen(f.get("priority_groups")), f.get("disability_grade"))
        for f in values.get("family", ())
    )
    values["trainings"] = tuple(TrainingRecord(**t) for t in values.get("trainings", ()))
    return WorkerProfile(**values)


def course_of(course: Mapping[str, Any]) -> CourseFacts:
    """CourseFacts from a case's plain course mapping."""
    values = dict(course)
    for name in ("target_groups", "reserved_for"):
        values[name] = _frozen(values.get(name))
    values.setdefault("id", 1)
    return CourseFacts(**values)


_PERSON_FIELDS = frozenset(WorkerProfile.__dataclass_fields__)


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Every case of ``path``, merged onto its defaults; ``ValueError`` on a malformed case."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = data["defaults"]
    cases = []
    seen: set[str] = set()
    for raw in data["cases"]:
        if raw["id"] in seen:
            raise ValueError(f"case id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        if raw["rule"] not in RULE_CODES:
            raise ValueError(f"{raw['id']}: unknown rule {raw['rule']!r}")
        expect = raw["expect"]
        missing = {"eligible", "failed"} - set(expect)
        if missing or set(expect) - set(EXPECTED_FIELDS):
            raise ValueError(f"{raw['id']}: expect needs eligible and failed, and only "
                             f"{', '.join(EXPECTED_FIELDS)}")
        person, course = raw.get("person") or {}, raw.get("course") or {}
        cases.append(Case(
            id=raw["id"], rule=raw["rule"], title_zh=raw["title_zh"], title_en=raw["title_en"],
            plan=raw["plan"].strip(), on=raw.get("date", defaults["date"]), person=person,
            course=course, settings=raw.get("settings") or {}, expect=expect,
            full_person={**defaults["person"], **person}, full_course={**defaults["course"], **course},
        ))
    return cases


# ---- the page ------------------------------------------------------------------------------


def _groups_zh(groups: Sequence[str]) -> str:
    return "、".join(PRIORITY_GROUPS.get(g, g) for g in groups)


def describe_person(person: Mapping[str, Any], on: date) -> str:
    """The person in the bureau's words (Chinese first, codes in brackets)."""
    parts = []
    born = person.get("birth_date")
    if born is not None:
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        parts.append(f"{age} 岁（生于 {born.isoformat()}）")
    places = [(label, person.get(key)) for label, key in
              (("户籍地", "hukou_county"), ("常住地", "residence_county"), ("求职就业地", "jobseeking_county"))]
    named = [f"{label} {COUNTIES[c][0] if c in COUNTIES else ('市外' if c == 'other' else c)}"
             for label, c in places if c]
    parts.append("，".join(named) if named else "未登记户籍地、常住地、求职就业地")
    status = person.get("employment_status")
    if status:
        parts.append(EMPLOYMENT_STATUSES.get(status, status))
    if person.get("priority_groups"):
        parts.append(f"群体：{_groups_zh(person['priority_groups'])}")
    else:
        parts.append("无重点群体")
    if person.get("disability_grade") is not None:
        parts.append(f"本人残疾等级 {person['disability_grade']} 级")
    if person.get("rural") is not None:
        parts.append("农村户籍" if person["rural"] else "城镇户籍")
    if person.get("draws_pension"):
        parts.append("按月领取养老金")
    if person.get("current_occupation_code"):
        parts.append(f"现岗位 {person['current_occupation_code']}")
    for c in person.get("certificates", ()):
        level = SKILL_LEVELS.get(c.get("level") or 0, "无等级")
        when = f"，{c['issued_on'].isoformat()} 发证" if c.get("issued_on") else ""
        parts.append(f"持 {c['occupation_code']} {level} {CERTIFICATE_TYPES.get(c['certificate_type'])}{when}")
    for f in person.get("family", ()):
        bits = []
        if f.get("priority_groups"):
            bits.append(_groups_zh(f["priority_groups"]))
        if f.get("disability_grade") is not None:
            bits.append(f"残疾 {f['disability_grade']} 级")
        parts.append(f"{RELATIONS_ZH.get(f['relation'], f['relation'])}：{'，'.join(bits) or '—'}")
    for t in person.get("trainings", ()):
        level = SKILL_LEVELS.get(t.get("level") or 0, "无等级")
        stage = f" {COURSE_STAGES[t['stage']]}" if t.get("stage") else ""
        paid = "补贴" if t.get("subsidized") else "自费"
        end = t.get("end_date")
        when = f"，{end.isoformat()} 结束" if end else ""
        cert = f"，取得{CERTIFICATE_TYPES[t['certificate_type']]}" if t.get("certificate_type") else ""
        parts.append(f"培训记录：{t['occupation_code']} {level}{stage}（{paid}，{t['status']}{when}{cert}）")
    return "；".join(parts)


def describe_course(course: Mapping[str, Any]) -> str:
    level = SKILL_LEVELS.get(course.get("level") or 0, "无等级")
    parts = [
        f"{course['occupation_code']} {level} {TRAINING_TYPES.get(course['training_type'], course['training_type'])}",
        f"{CERTIFICATE_TYPES.get(course['certificate_type'], '无证书')}",
        f"{COUNTIES[course['county']][0] if course['county'] in COUNTIES else course['county']}",
        f"{course['start_date'].isoformat()} 至 {course['end_date'].isoformat()}",
        f"补贴标准 {course['subsidy_cny']:.0f} 元",
    ]
    if course.get("stage"):
        parts.append(COURSE_STAGES[course["stage"]])
    if course.get("reserved_for"):
        parts.append(f"专班：{_groups_zh(course['reserved_for'])}")
    if course.get("target_groups"):
        parts.append(f"面向：{_groups_zh(course['target_groups'])}")
    if course.get("free_for_key_groups"):
        parts.append("纳入重点群体免费培训")
    if course.get("project_based"):
        parts.append("项目制")
    if course.get("on_county_subsidized_list") is False:
        parts.append("不在县区政府补贴职业工种目录")
    return "；".join(parts)


def describe_expectation(expect: Mapping[str, Any]) -> str:
    if expect["eligible"]:
        parts = ["**可享受补贴**"]
    else:
        parts = [f"**不予补贴**：{'、'.join(expect['failed'])}"]
    labels = {
        "subsidy_cny": "补贴 {:.0f} 元", "subsidies_left_this_year": "当年还可享受 {} 次",
        "living_allowance_cny": "生活费补贴 {:.0f} 元", "advance_payment_cny": "先行拨付 {:.0f} 元",
    }
    for name, template in labels.items():
        if name in expect:
            parts.append(template.format(expect[name]))
    for name, yes, no in (("living_allowance", "发放生活费补贴", "无生活费补贴"),
                          ("free_training", "免费培训", "非免费"),
                          ("safety_first", "应先参加安全技能培训", "无需先行安全培训")):
        if name in expect:
            parts.append(yes if expect[name] else no)
    return "；".join(parts)


def _setting_text(key: str, value: Any) -> str:
    if key == "dated_changes":
        return "; ".join(
            f"自 {c['effective_from']} 起 from: " + ", ".join(f"`{k}={v}`" for k, v in c.items() if k != "effective_from")
            for c in value)
    return f"`{key}={value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(cases: Sequence[Case]) -> str:
    """The Markdown page: one table per rule, in rule order."""
    lines = [
        "# 政策案例表 · Policy cases",
        "",
        "Generated by `python -m policy.cases` from `policy/cases.yaml`; do not edit by hand. Every",
        "row is a test the suite runs (`tests/policy/test_cases.py`). Unless a row says otherwise the",
        "person is the file's default person and the course its default course; the **setting**",
        "column names any local standard changed from its default (see `policy/RULES.md`).",
        "",
        "每一行都是自动化测试：人员、课程、判定日期、预期结果（规则代码和金额）及其依据的实施方案原文。",
        "",
    ]
    for code in RULE_CODES:
        mine = [c for c in cases if c.rule == code]
        if not mine:
            continue
        lines += [f"## {code}", "",
                  "| 案例 case | 人员 person | 课程 course | 日期 date | 设置 setting | 预期 expected | 方案原文 plan |",
                  "|---|---|---|---|---|---|---|"]
        for c in mine:
            setting = "; ".join(_setting_text(k, v) for k, v in c.settings.items()) or "默认 default"
            lines.append("| " + " | ".join(_cell(x) for x in (
                f"**{c.id}** {c.title_zh}<br>{c.title_en}",
                describe_person(c.full_person, c.on),
                describe_course(c.full_course),
                c.on.isoformat(),
                setting,
                describe_expectation(c.expect),
                f"“{c.plan}”",
            )) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render policy/cases.yaml into policy/CASES.md")
    parser.add_argument("--check", action="store_true", help="fail if CASES.md is stale")
    args = parser.parse_args(argv)
    page = render(load_cases())
    if args.check:
        if CASES_PAGE.read_text(encoding="utf-8") != page:
            print("policy/CASES.md is stale: run python -m policy.cases", file=sys.stderr)
            return 1
        return 0
    CASES_PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {CASES_PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
