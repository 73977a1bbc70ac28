"""The bureau's case table (policy/cases.yaml) is run here, and its rendered page must be current.

Every rule code and every setting has at least one case, so a reading documented for the bureau
cannot drift from the code without a red test.
"""

from __future__ import annotations

from dataclasses import fields

import pytest

from policy import RULE_CODES, PolicySettings
from policy.cases import CASES_PAGE, Case, load_cases, render

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    decision = case.decide()
    assert case.mismatches(decision) == []
    # A refusal's codes are exactly those the case lists, so the table names every reason.
    assert list(decision.failed_codes) == list(case.expect["failed"])


def test_every_rule_has_a_case() -> None:
    assert {c.rule for c in CASES} == set(RULE_CODES)


def test_every_setting_has_a_case() -> None:
    overridden = {key for c in CASES for key in c.settings}
    assert overridden == {f.name for f in fields(PolicySettings)}


def test_every_case_quotes_the_plan() -> None:
    for case in CASES:
        assert case.plan and any("\u4e00" <= ch <= "\u9fff" for ch in case.plan), case.id


def test_rendered_page_is_current() -> None:
    assert CASES_PAGE.read_text(encoding="utf-8") == render(CASES), "run: python -m policy.cases"


def test_page_reads_without_python() -> None:
    page = render(CASES)
    # Person, course, date, decision and plan sentence are all spelled out.
    assert "| R6-sibling-is-collateral" not in page  # ids are bold, rows start with the case
    assert "**R6-sibling-is-collateral** 兄弟姐妹是旁系亲属，不延伸" in page
    assert "兄弟姐妹：建档立卡低收入农户" in page
    assert "“对贫困和重度残疾人的培训范围可以延伸至其直系亲属，待遇等同于残疾人本人参加培训”" in page
    assert "**不予补贴**：R9_TARGET_GROUPS" in page
