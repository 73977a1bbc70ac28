"""One or more tests per rule of plan section 四(三)2, each with a passing and a failing case.

Each test quotes the plan sentence it rests on. Defaults are those of PolicySettings().
"""

from __future__ import annotations

from datetime import date

import pytest

from policy import BLOCKING_CODES, RULE_BITS, RULE_CODES, PolicySettings, codes_of_mask, decide
from policy.decision import Decision
from policy.profile import Certificate, FamilyMember
from tests.policy.policy_examples import ELECTRICIAN, HOUSEKEEPING, ON, course, training, worker


def check(decision: Decision, code: str) -> tuple[bool, str]:
    found = [c for c in decision.checks if c.code == code]
    assert len(found) == 1, code
    return found[0].passed, found[0].message_en


def test_default_worker_and_course_are_eligible() -> None:
    decision = decide(worker(), course(), ON)
    assert decision.eligible
    assert decision.failed_codes == ()
    assert decision.subsidy_cny == 1200.0
    assert [c.code for c in decision.checks] == list(RULE_CODES)


# ---- R1 place --------------------------------------------------------------------------------
# 符合条件的劳动者在户籍地、常住地、求职就业地参加培训后取得证书的，按规定给予职业培训补贴


def test_R1_place_city_scope_any_of_three_places_counts() -> None:
    # Household registration outside the city, but living in Dafeng: the city pays.
    w = worker(hukou_county="other", residence_county="dafeng")
    assert decide(w, course(county="dongtai"), ON).eligible
    w = worker(hukou_county=None, jobseeking_county="xiangshui")
    assert decide(w, course(county="dongtai"), ON).eligible


def test_R1_place_city_scope_fails_without_a_place_in_the_city() -> None:
    w = worker(hukou_county="other", residence_county=None, jobseeking_county="nanjing")
    decision = decide(w, course(), ON)
    assert not decision.eligible
    assert decision.failed_codes == ("R1_PLACE",)
    assert decision.subsidy_cny == 0.0
    assert "None of the worker's places" in check(decision, "R1_PLACE")[1]


def test_R1_place_city_scope_fails_for_a_course_outside_the_city() -> None:
    decision = decide(worker(), course(county="nanjing"), ON)
    assert decision.failed_codes == ("R1_PLACE",)
    assert check(decision, "R1_PLACE")[1] == "Course county nanjing is outside the city"


def test_R1_place_county_scope_needs_the_course_in_one_of_the_three_counties() -> None:
    county_paid = PolicySettings(place_scope="county")
    w = worker(hukou_county="tinghu", residence_county="dafeng", jobseeking_county=None)
    assert decide(w, course(county="dafeng"), ON, county_paid).eligible
    assert decide(w, course(county="tinghu"), ON, county_paid).eligible
    # Same worker, same course that the city would pay: the county of Dongtai does not.
    assert decide(w, course(county="dongtai"), ON).eligible
    assert decide(w, course(county="dongtai"), ON, county_paid).failed_codes == ("R1_PLACE",)


def test_R1_subsidized_list_blocks_an_occupation_off_the_county_list() -> None:
    # 五(四): each county publishes its 政府补贴职业工种; off that list, no subsidy there.
    assert decide(worker(), course(on_county_subsidized_list=True), ON).eligible
    assert decide(worker(), course(on_county_subsidized_list=None), ON).eligible
    decision = decide(worker(), course(on_county_subsidized_list=False), ON)
    assert decision.failed_codes == ("R1_SUBSIDIZED_LIST",)


# ---- R2 certificate --------------------------------------------------------------------------
# 参加培训后取得证书（职业资格证书、职业技能等级证书、专项职业能力证书、特种作业操作证书、培训合格证书等）的


@pytest.mark.parametrize(
    "certificate",
    ["vocational_qualification", "skill_level", "special_ability", "special_operation",
     "training_completion"],
)
def test_R2_certificate_each_of_the_five_kinds_passes(certificate: str) -> None:
    assert decide(worker(), course(certificate_type=certificate), ON).eligible


def test_R2_certificate_fails_for_a_course_without_a_certificate() -> None:
    decision = decide(worker(), course(certificate_type="none"), ON)
    assert decision.failed_codes == ("R2_CERTIFICATE",)
    narrow = PolicySettings(certificate_types=frozenset({"skill_level"}))
    assert decide(worker(), course(certificate_type="training_completion"), ON, narrow)\
        .failed_codes == ("R2_CERTIFICATE",)


# ---- R3 three a year -------------------------------------------------------------------------
# 原则上每人每年可享受不超过 3 次


def test_R3_annual_limit_blocks_the_fourth_subsidized_training_of_a_year() -> None:
    history = tuple(
        training(occupation_code=f"occ-{i}", end_date=date(2025, 1, 5 + i)) for i in range(3)
    )
    decision = decide(worker(trainings=history), course(), ON)
    assert decision.failed_codes == ("R3_ANNUAL_LIMIT",)
    assert decision.subsidies_left_this_year == 0
    assert check(decision, "R3_ANNUAL_LIMIT")[1] == (
        "Already 3 subsidized trainings ending in 2025 (limit 3)"
    )


def test_R3_annual_limit_counts_by_the_year_training_ends() -> None:
    history = tuple(
        training(occupation_code=f"occ-{i}", end_date=date(2025, 1, 5 + i)) for i in range(3)
    )
    # Starts in December 2025 but ends in January 2026: counted in 2026, which is empty.
    winter = course(start_date=date(2025, 12, 1), end_date=date(2026, 1, 9))
    decision = decide(worker(trainings=history), winter, ON)
    assert decision.eligible
    assert decision.subsidies_left_this_year == 3


def test_R3_annual_limit_ignores_dropped_and_self_paid_trainings() -> None:
    history = (
        training(occupation_code="a", status="enrolled", end_date=date(2025, 6, 1)),
        training(occupation_code="b"),
        training(occupation_code="c", status="dropped"),
        training(occupation_code="d", subsidized=False),
    )
    decision = decide(worker(trainings=history), course(), ON)
    assert decision.eligible
    assert decision.subsidies_left_this_year == 1
    limit_two = PolicySettings(annual_limit=2)
    assert decide(worker(trainings=history), course(), ON, limit_two).failed_codes == (
        "R3_ANNUAL_LIMIT",
    )


# ---- R4 no repeat ----------------------------------------------------------------------------
# 但同一职业同一等级不可重复享受


def test_R4_no_repeat_blocks_same_occupation_same_level_in_any_year() -> None:
    old = training(end_date=date(2019, 6, 30))  # housekeeping 初级工, years ago
    decision = decide(worker(trainings=(old,)), course(), ON)
    assert decision.failed_codes == ("R4_NO_REPEAT",)
    assert "(ending 2019)" in check(decision, "R4_NO_REPEAT")[1]


def test_R4_no_repeat_allows_another_level_or_occupation_or_a_dropped_or_self_paid_one() -> None:
    assert decide(worker(trainings=(training(level=4),)), course(level=5), ON).eligible
    assert decide(worker(trainings=(training(occupation_code="x"),)), course(), ON).eligible
    assert decide(worker(trainings=(training(status="dropped"),)), course(), ON).eligible
    assert decide(worker(trainings=(training(subsidized=False),)), course(), ON).eligible


def test_R4_no_repeat_treats_two_unlevelled_trainings_of_one_occupation_as_the_same_level() -> None:
    history = (training(level=None),)
    unlevelled = course(level=None, certificate_type="special_ability")
    assert decide(worker(trainings=history), unlevelled, ON).failed_codes == ("R4_NO_REPEAT",)
    assert decide(worker(trainings=history), course(level=5), ON).eligible


def test_R4_lower_level_blocks_levels_at_or_below_a_held_certificate() -> None:
    # Jiangsu practice: holding 中级工 (4) blocks 4 and 初级工 (5), not 高级工 (3).
    held = Certificate(HOUSEKEEPING, 4, "skill_level", issued_on=date(2020, 1, 1))
    w = worker(certificates=(held,))
    assert decide(w, course(level=5), ON).failed_codes == ("R4_LOWER_LEVEL",)
    assert decide(w, course(level=4), ON).failed_codes == ("R4_LOWER_LEVEL",)
    assert "Already holds level 4" in check(decide(w, course(level=5), ON), "R4_LOWER_LEVEL")[1]
    assert decide(w, course(level=3), ON).eligible
    assert decide(w, course(level=5, occupation_code="other"), ON).eligible
    assert decide(w, course(level=None), ON).eligible


def test_R4_lower_level_setting_off_allows_a_lower_level() -> None:
    w = worker(certificates=(Certificate(HOUSEKEEPING, 3, "skill_level"),))
    assert not decide(w, course(level=5), ON).eligible
    assert decide(w, course(level=5), ON, PolicySettings(lower_level_rule=False)).eligible


# ---- R5 pension and working age --------------------------------------------------------------
# 将确有培训需求、不具有按月领取养老金资格的人员纳入补贴政策范围


def test_R5_pension_blocks_a_monthly_pensioner() -> None:
    assert decide(worker(draws_pension=False, birth_date=date(1962, 1, 1)), course(), ON).eligible
    decision = decide(worker(draws_pension=True), course(), ON)
    assert decision.failed_codes == ("R5_PENSION",)


def test_R5_working_age_counts_at_the_course_start() -> None:
    w = worker(birth_date=date(2009, 3, 3))  # 16 on 3 March 2025, the default start day
    assert decide(w, course(), ON).eligible
    decision = decide(w, course(start_date=date(2025, 3, 2)), ON)
    assert decision.failed_codes == ("R5_WORKING_AGE",)
    assert "reaches it on 2025-03-03" in check(decision, "R5_WORKING_AGE")[1]


# ---- R6 family -------------------------------------------------------------------------------
# 对贫困和重度残疾人的培训范围可以延伸至其直系亲属，待遇等同于残疾人本人参加培训


def test_R6_family_of_a_severely_disabled_person_gets_the_disabled_persons_courses() -> None:
    for_disabled = course(reserved_for=frozenset({"disabled"}))
    plain = worker(priority_groups=frozenset({"rural_migrant"}))
    assert decide(plain, for_disabled, ON).failed_codes == ("R9_TARGET_GROUPS",)
    mother = FamilyMember("parent", disability_grade=1)
    decision = decide(worker(priority_groups=frozenset({"rural_migrant"}), family=(mother,)),
                      for_disabled, ON)
    assert decision.eligible
    assert "disabled" in decision.effective_groups
    assert "same terms" in check(decision, "R6_FAMILY")[1]


def test_R6_family_does_not_extend_a_mild_disability_or_non_poverty_groups() -> None:
    for_disabled = course(reserved_for=frozenset({"disabled"}))
    mild = FamilyMember("parent", priority_groups=frozenset({"disabled"}), disability_grade=3)
    veteran = FamilyMember("spouse", priority_groups=frozenset({"veteran", "entrepreneur"}))
    w = worker(family=(mild, veteran))
    decision = decide(w, for_disabled, ON)
    assert decision.failed_codes == ("R9_TARGET_GROUPS",)
    assert decision.effective_groups == frozenset({"laid_off_unemployed"})


def test_R6_family_of_a_poor_person_gets_living_allowance_on_the_same_terms() -> None:
    # R7 pays low-income-household labor; R6 extends it to a child of that household.
    child = worker(priority_groups=frozenset({"two_after_youth"}), rural=False)
    assert not decide(child, course(), ON).living_allowance
    parent = FamilyMember("parent", priority_groups=frozenset({"low_income_household"}))
    decision = decide(worker(priority_groups=frozenset({"two_after_youth"}), rural=False,
                             family=(parent,)), course(), ON)
    assert decision.living_allowance
    assert decision.free_training is False  # the default course is not in the free action


# ---- R7 living allowance ---------------------------------------------------------------------
# 对建档立卡低收入农户和城乡低保对象中的劳动力、就业困难人员（含残疾人）、零就业家庭成员、"两后生"中的
# 农村学员和城市低保家庭学员，在参加就业技能培训和创业培训期间，按规定发放生活费补贴


def test_R7_living_allowance_for_dibao_labor_in_employment_skills_training() -> None:
    w = worker(priority_groups=frozenset({"laid_off_unemployed", "dibao"}))
    decision = decide(w, course(), ON)
    assert decision.living_allowance
    assert decision.living_allowance_cny == 20 * 30.0  # 3–22 March, 30 CNY a day by default
    per_course = PolicySettings(living_allowance_basis="per_course", living_allowance_cny=500)
    assert decide(w, course(), ON, per_course).living_allowance_cny == 500.0
    # The sentence never names the (sensitive) group.
    assert "dibao" not in check(decision, "R7_LIVING_ALLOWANCE")[1]


def test_R7_living_allowance_not_for_other_groups_or_other_training_types() -> None:
    assert not decide(worker(), course(), ON).living_allowance  # laid-off alone: not listed
    employee = worker(priority_groups=frozenset({"enterprise_employee", "dibao"}))
    upgrade = course(training_type="skill_upgrade")
    decision = decide(employee, upgrade, ON)
    assert decision.eligible and not decision.living_allowance
    assert decision.living_allowance_cny == 0.0


def test_R7_living_allowance_two_after_youth_only_rural_or_urban_dibao() -> None:
    rural = worker(priority_groups=frozenset({"two_after_youth"}), rural=True)
    urban = worker(priority_groups=frozenset({"two_after_youth"}), rural=False)
    urban_dibao = worker(priority_groups=frozenset({"two_after_youth", "dibao"}), rural=False)
    assert decide(rural, course(), ON).living_allowance
    assert not decide(urban, course(), ON).living_allowance
    assert decide(urban_dibao, course(), ON).living_allowance


def test_R7_living_allowance_not_paid_when_the_training_is_not_subsidized() -> None:
    w = worker(priority_groups=frozenset({"dibao"}), draws_pension=True)
    decision = decide(w, course(), ON)
    assert not decision.eligible and not decision.living_allowance


# ---- R8 work-as-training ---------------------------------------------------------------------
# 企业……吸纳贫困劳动力……就业并开展以工代训的……给予一定期限的职业培训补贴，最长不超过 6 个月


def test_R8_work_as_training_is_never_a_workers_own_subsidy() -> None:
    poor = worker(priority_groups=frozenset({"poor_labor", "employment_difficulty"}))
    assert decide(poor, course(training_type="employment_skills"), ON).eligible
    decision = decide(poor, course(training_type="work_as_training"), ON)
    assert decision.failed_codes == ("R8_WORK_AS_TRAINING",)
    assert "employer" in check(decision, "R8_WORK_AS_TRAINING")[1]


# ---- R9 enterprise employees and the audience of each training type --------------------------
# 符合条件的企业职工参加岗前培训、安全技能培训、转岗转业培训、新型学徒制培训或初级工……高级技师培训，
# 按规定给予职业培训补贴或参保职工技能提升补贴


@pytest.mark.parametrize("training_type", ["pre_job", "safety", "transfer", "apprenticeship",
                                           "skill_upgrade"])
def test_R9_enterprise_employee_gets_employee_training_types(training_type: str) -> None:
    employee = worker(priority_groups=frozenset({"enterprise_employee"}))
    assert decide(employee, course(training_type=training_type), ON).eligible


def test_R9_training_type_audience_blocks_employee_types_for_the_unemployed() -> None:
    decision = decide(worker(), course(training_type="skill_upgrade"), ON)
    assert decision.failed_codes == ("R9_TRAINING_TYPE_AUDIENCE",)
    employee = worker(priority_groups=frozenset({"enterprise_employee"}), employment_status="employed")
    assert decide(employee, course(), ON).failed_codes == ("R9_TRAINING_TYPE_AUDIENCE",)


def test_R9_training_type_audience_entrepreneurship_for_returning_migrants() -> None:
    # 对具备条件的劳动者特别是返乡农民工、残疾人开展创业培训
    startup = course(training_type="entrepreneurship")
    assert decide(worker(priority_groups=frozenset({"returning_migrant"})), startup, ON).eligible
    assert decide(worker(), startup, ON).failed_codes == ("R9_TRAINING_TYPE_AUDIENCE",)


def test_R9_target_groups_of_a_reserved_class_must_include_the_worker() -> None:
    for_veterans = course(reserved_for=frozenset({"veteran"}))
    assert decide(worker(priority_groups=frozenset({"veteran"})), for_veterans, ON).eligible
    assert decide(worker(), for_veterans, ON).failed_codes == ("R9_TARGET_GROUPS",)


# ---- R10 free training -----------------------------------------------------------------------
# 开展重点群体免费接受职业培训行动


def test_R10_free_training_for_a_key_group_in_a_participating_course() -> None:
    free_course = course(free_for_key_groups=True)
    veteran = worker(priority_groups=frozenset({"veteran"}))
    assert decide(veteran, free_course, ON).free_training
    assert not decide(veteran, course(free_for_key_groups=False), ON).free_training


def test_R10_free_training_not_for_groups_outside_the_key_groups() -> None:
    employee = worker(priority_groups=frozenset({"enterprise_employee"}))
    decision = decide(employee, course(training_type="skill_upgrade", free_for_key_groups=True), ON)
    assert decision.eligible and not decision.free_training
    assert check(decision, "R10_FREE_TRAINING")[1] == "Not in a key group for free training"
    pensioner = worker(priority_groups=frozenset({"veteran"}), draws_pension=True)
    assert not decide(pensioner, course(free_for_key_groups=True), ON).free_training


# ---- R11 safety first ------------------------------------------------------------------------
# 严格执行安全技能培训合格后上岗制度


def _electrician(*certificates: Certificate) -> dict[str, object]:
    return {
        "priority_groups": frozenset({"high_risk_worker", "enterprise_employee"}),
        "current_occupation_code": ELECTRICIAN,
        "certificates": certificates,
    }


def test_R11_safety_first_flags_the_safety_course_for_an_uncertified_post() -> None:
    w = worker(**_electrician())
    safety = course(occupation_code=ELECTRICIAN, training_type="safety",
                    certificate_type="special_operation", level=None,
                    occupation_special_operation=True)
    decision = decide(w, safety, ON)
    assert decision.eligible and decision.safety_first
    assert check(decision, "R11_SAFETY_FIRST")[0] is True
    # Another course stays eligible (R11 never blocks) but carries the advice.
    other = decide(w, course(training_type="skill_upgrade"), ON)
    assert other.eligible and not other.safety_first
    passed, message = check(other, "R11_SAFETY_FIRST")
    assert passed is False and "comes first" in message


def test_R11_safety_first_not_flagged_with_a_valid_certificate() -> None:
    safety = course(occupation_code=ELECTRICIAN, training_type="safety",
                    certificate_type="special_operation", level=None)
    valid = Certificate(ELECTRICIAN, None, "special_operation", issued_on=date(2022, 1, 1))
    assert not decide(worker(**_electrician(valid)), safety, ON).safety_first
    # Issued over six years ago, no explicit expiry: lapsed, so the flag returns.
    lapsed = Certificate(ELECTRICIAN, None, "special_operation", issued_on=date(2018, 1, 1))
    assert decide(worker(**_electrician(lapsed)), safety, ON).safety_first
    explicit = Certificate(ELECTRICIAN, None, "special_operation", valid_until=date(2025, 1, 14))
    assert decide(worker(**_electrician(explicit)), safety, ON).safety_first


def test_R11_access_restricted_course_is_never_hidden() -> None:
    # 准入类职业须先培训考核: such a course is shown to whoever wants that occupation.
    restricted = course(occupation_access_restricted=True)
    decision = decide(worker(), restricted, ON)
    assert decision.eligible
    passed, message = check(decision, "R11_SAFETY_FIRST")
    assert passed and "Access-restricted" in message


# ---- R12 advance payment ---------------------------------------------------------------------
# 对企业开展培训或者培训机构开展项目制培训的，可先行拨付不高于 50% 的培训补贴资金


def test_R12_advance_payment_half_of_a_project_based_subsidy() -> None:
    assert decide(worker(), course(project_based=True), ON).advance_payment_cny == 600.0
    share = PolicySettings(advance_payment_share=0.3)
    assert decide(worker(), course(project_based=True), ON, share).advance_payment_cny == 360.0


def test_R12_advance_payment_none_for_ordinary_or_ineligible_courses() -> None:
    assert decide(worker(), course(project_based=False), ON).advance_payment_cny == 0.0
    ineligible = decide(worker(draws_pension=True), course(project_based=True), ON)
    assert ineligible.advance_payment_cny == 0.0
    assert check(ineligible, "R12_ADVANCE_PAYMENT")[0] is True  # informational: never blocks


# ---- codes and bits --------------------------------------------------------------------------


def test_blocking_codes_and_bits_are_stable() -> None:
    assert BLOCKING_CODES == (
        "R1_PLACE",
        "R1_SUBSIDIZED_LIST",
        "R2_CERTIFICATE",
        "R3_ANNUAL_LIMIT",
        "R4_NO_REPEAT",
        "R4_LOWER_LEVEL",
        "R5_PENSION",
        "R5_WORKING_AGE",
        "R8_WORK_AS_TRAINING",
        "R9_TRAINING_TYPE_AUDIENCE",
        "R9_TARGET_GROUPS",
    )
    assert RULE_BITS["R1_PLACE"] == 1 and RULE_BITS["R9_TARGET_GROUPS"] == 1 << 10
    assert codes_of_mask(0b1000001000) == ("R3_ANNUAL_LIMIT", "R9_TRAINING_TYPE_AUDIENCE")


def test_several_failures_are_all_reported() -> None:
    w = worker(draws_pension=True, hukou_county="other")
    decision = decide(w, course(training_type="work_as_training", certificate_type=""), ON)
    assert decision.failed_codes == (
        "R1_PLACE", "R2_CERTIFICATE", "R5_PENSION", "R8_WORK_AS_TRAINING"
    )
    informational = [c for c in decision.checks if not c.blocking]
    assert {c.code for c in informational} == {
        "R6_FAMILY", "R7_LIVING_ALLOWANCE", "R10_FREE_TRAINING", "R11_SAFETY_FIRST",
        "R12_ADVANCE_PAYMENT",
    }
