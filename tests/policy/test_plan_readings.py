"""Readings the plan's own sentences settle (issue 11). Each test quotes the sentence it rests on
and failed on the engine before the fix.

Quotes are from 盐城市职业技能提升行动实施方案（2019－2021 年）, section 四(三)2 unless named.
"""

from __future__ import annotations

from datetime import date

import pytest

from policy import PolicySettings, decide
from policy.profile import Certificate, CourseFacts, FamilyMember
from tests.policy.policy_examples import HOUSEKEEPING, ON, course, training, worker

WELDER = "SO-2.1"  # 熔化焊接与热切割作业 (special operation)
ENTREPRENEURSHIP = "4-07-03-03"  # the sample catalog's entrepreneurship occupation


def _special_operation(stage: str, **changes: object) -> CourseFacts:
    return course(occupation_code=WELDER, level=None, training_type="safety",
                  certificate_type="special_operation", occupation_special_operation=True,
                  stage=stage, **changes)


# ---- R6: 延伸至其直系亲属 ------------------------------------------------------------------------
# "对贫困和重度残疾人的培训范围可以延伸至其直系亲属，待遇等同于残疾人本人参加培训"


def test_R6_family_lineal_relatives_only_a_sibling_is_collateral() -> None:
    poor = frozenset({"low_income_household"})
    sibling = worker(family=(FamilyMember("sibling", priority_groups=poor),))
    decision = decide(sibling, course(), ON)
    assert "low_income_household" not in decision.effective_groups
    assert not decision.living_allowance  # 旁系: no extension, so no allowance either
    for relation in ("parent", "child", "spouse"):
        relative = worker(family=(FamilyMember(relation, priority_groups=poor),))
        extended = decide(relative, course(), ON)
        assert "low_income_household" in extended.effective_groups, relation
        assert extended.living_allowance, relation


def test_R6_family_severe_disability_of_a_sibling_does_not_extend() -> None:
    reserved = course(reserved_for=frozenset({"disabled"}))
    brother = FamilyMember("sibling", disability_grade=1)
    assert decide(worker(family=(brother,)), reserved, ON).failed_codes == ("R9_TARGET_GROUPS",)
    father = FamilyMember("parent", disability_grade=1)
    assert decide(worker(family=(father,)), reserved, ON).eligible


def test_R6_family_relations_setting_refuses_siblings() -> None:
    with pytest.raises(ValueError, match="直系亲属"):
        PolicySettings(family_relations=frozenset({"parent", "sibling"}))


# ---- R7: "两后生"中的…城市低保家庭学员 -----------------------------------------------------------
# "对…“两后生”中的农村学员和城市低保家庭学员，在参加就业技能培训和创业培训期间，按规定发放生活费补贴"


def test_R7_living_allowance_for_a_two_after_youth_of_an_urban_dibao_household() -> None:
    youth = {"priority_groups": frozenset({"two_after_youth"}), "rural": False,
             "employment_status": None}
    assert not decide(worker(**youth), course(), ON).living_allowance
    mother = FamilyMember("parent", priority_groups=frozenset({"dibao"}))
    decision = decide(worker(**youth, family=(mother,)), course(), ON)
    assert decision.living_allowance and decision.living_allowance_cny == 20 * 30.0
    # The household's status is R7's own condition, not R6's extension: it holds even where a
    # county reads 低保 as outside "贫困" for R6.
    narrow_r6 = PolicySettings(poor_groups=frozenset({"poor_labor", "low_income_household"}))
    assert decide(worker(**youth, family=(mother,)), course(), ON, narrow_r6).living_allowance
    # A brother on dibao: the same household.
    brother = FamilyMember("sibling", priority_groups=frozenset({"dibao"}))
    assert decide(worker(**youth, family=(brother,)), course(), ON, narrow_r6).living_allowance


# ---- R9: employment-skills training for the unemployed ---------------------------------------
# 三(一) "本次大规模技能提升培训的重点是：…下岗失业人员…"; domain brief: 就业技能 for people not in
# stable employment.


def test_R9_employment_skills_open_to_an_unemployed_worker_with_no_group() -> None:
    jobless = worker(priority_groups=frozenset(), employment_status="unemployed")
    decision = decide(jobless, course(training_type="employment_skills"), ON)
    assert decision.eligible and decision.subsidy_cny == 1200.0
    employed = worker(priority_groups=frozenset(), employment_status="employed")
    assert decide(employed, course(), ON).failed_codes == ("R9_TRAINING_TYPE_AUDIENCE",)


# ---- Special operations: initial course for job seekers, refresher (复审) -----------------------
# 四(三)2 lists "特种作业操作证书" among subsidized certificates; 五(四) "准入类职业工种上岗前必须参加技能
# 培训及鉴定".


def test_R9_special_operation_initial_course_open_to_a_laid_off_job_seeker() -> None:
    initial = _special_operation("initial", reserved_for=frozenset({"laid_off_unemployed"}))
    decision = decide(worker(), initial, ON)
    assert decision.eligible, decision.failed_codes
    assert "open to anyone" in next(c.message_en for c in decision.checks
                                    if c.code == "R9_TRAINING_TYPE_AUDIENCE")


def test_R4_special_operation_refresher_is_not_a_repeat_and_is_for_holders() -> None:
    refresher = _special_operation("refresher")
    # No certificate: a refresher renews one, so there is nothing to renew.
    assert decide(worker(), refresher, ON).failed_codes == ("R9_TRAINING_TYPE_AUDIENCE",)
    # The certificate earned by a completed, subsidized initial course, and an earlier refresher.
    first = training(occupation_code=WELDER, level=None, training_type="safety", stage="initial",
                     certificate_type="special_operation", end_date=date(2019, 5, 1),
                     completed_on=date(2019, 5, 1))
    review = training(occupation_code=WELDER, level=None, training_type="safety", stage="refresher",
                      end_date=date(2022, 5, 1))
    holder = worker(trainings=(first, review))
    assert decide(holder, refresher, ON).eligible
    # The initial course itself is the one that may not be repeated.
    assert decide(holder, _special_operation("initial"), ON).failed_codes == ("R4_NO_REPEAT",)
    strict = PolicySettings(refresher_exempt_from_repeat=False)
    assert decide(holder, refresher, ON, strict).failed_codes == ("R4_NO_REPEAT",)


def test_R4_entrepreneurship_stages_SYB_does_not_block_IYB() -> None:
    def startup(stage: str) -> CourseFacts:
        return course(occupation_code=ENTREPRENEURSHIP, level=None, training_type="entrepreneurship",
                      certificate_type="training_completion", stage=stage)

    syb = training(occupation_code=ENTREPRENEURSHIP, level=None, training_type="entrepreneurship",
                   stage="SYB")
    founder = worker(priority_groups=frozenset({"entrepreneur"}), trainings=(syb,))
    assert decide(founder, startup("IYB"), ON).eligible
    assert decide(founder, startup("SYB"), ON).failed_codes == ("R4_NO_REPEAT",)


# ---- A worker's own disability grade ---------------------------------------------------------
# "就业困难人员（含残疾人）" and "待遇等同于残疾人本人参加培训": the grade that extends to a child
# counts for the disabled person themself.


def test_own_disability_grade_makes_the_worker_disabled() -> None:
    reserved = course(reserved_for=frozenset({"disabled"}))
    graded = worker(priority_groups=frozenset(), disability_grade=3)
    decision = decide(graded, reserved, ON)
    assert decision.eligible and "disabled" in decision.effective_groups
    assert decision.living_allowance  # 就业困难人员（含残疾人）: the R7 allowance too
    assert decide(worker(priority_groups=frozenset()), reserved, ON).failed_codes == (
        "R9_TARGET_GROUPS",)


# ---- Certificates from completed trainings count as held -------------------------------------
# "同一职业同一等级不可重复享受" with the Jiangsu held-level practice: a certificate earned by a
# completed course is held, whether the profile is stored or sent inline.


def test_R4_certificate_of_a_completed_training_counts_as_held() -> None:
    done = training(level=4, certificate_type="skill_level", certificate_level=4,
                    completed_on=date(2024, 6, 1), end_date=date(2024, 6, 1))
    decision = decide(worker(trainings=(done,)), course(level=5), ON)
    assert decision.failed_codes == ("R4_LOWER_LEVEL",)
    # The same certificate declared on the profile: the same answer.
    declared = worker(certificates=(Certificate(HOUSEKEEPING, 4, "skill_level", date(2024, 6, 1)),))
    assert decide(declared, course(level=5), ON).failed_codes == ("R4_LOWER_LEVEL",)


# ---- Reserved for vs aimed at ----------------------------------------------------------------
# The plan has 专班 (classes for one group) and courses aimed at groups: only the first is a rule.


def test_R9_target_groups_only_a_reserved_class_refuses_other_groups() -> None:
    aimed = course(target_groups=frozenset({"veteran"}))
    assert decide(worker(), aimed, ON).eligible
    reserved = course(target_groups=frozenset({"veteran"}), reserved_for=frozenset({"veteran"}))
    assert decide(worker(), reserved, ON).failed_codes == ("R9_TARGET_GROUPS",)


# ---- R1: a missing place is unknown, not "outside the city" -----------------------------------


def test_R1_place_missing_is_unknown_by_default() -> None:
    nowhere = worker(hukou_county=None)
    decision = decide(nowhere, course(), ON)
    assert decision.eligible
    assert "checked at enrolment" in next(c.message_en for c in decision.checks
                                          if c.code == "R1_PLACE")
    strict = PolicySettings(missing_place="outside")
    assert decide(nowhere, course(), ON, strict).failed_codes == ("R1_PLACE",)
