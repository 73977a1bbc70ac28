"""What the rules need to know about one worker, computed once before looking at any course.

A worker's history is a handful of records, so this per-worker step is plain Python; the
per-course step in :mod:`policy.rules` is then pure numpy. Both :func:`policy.decide` and
:func:`policy.decide_many` go through here, which is one reason they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from policy.archive import counts_toward_limits, subsidized_by_year
from policy.date_bounds import add_years
from policy.profile import Certificate, WorkerProfile
from policy.settings import PolicySettings
from policy.table import NO_LEVEL, REFRESHER, group_mask

SAFETY_TRAINING = "safety"
SPECIAL_OPERATION_CERTIFICATE = "special_operation"
HIGH_RISK_GROUP = "high_risk_worker"
SEVERE_DISABILITY_GROUP = "disabled"
DISABLED_GROUP = "disabled"
DIBAO_GROUP = "dibao"
TWO_AFTER_YOUTH = "two_after_youth"


def certificates_held(profile: WorkerProfile) -> tuple[Certificate, ...]:
    """Declared certificates plus those earned by completed trainings of the history.

    One reading for the stored and the inline profile: a completed training that records a
    certificate type earned that certificate (at ``certificate_level``, else the course level),
    issued on ``completed_on`` (else its end date).
    """
    earned = tuple(
        Certificate(
            t.occupation_code,
            t.certificate_level if t.certificate_level is not None else t.level,
            t.certificate_type,
            t.completed_on or t.end_date,
        )
        for t in profile.trainings
        if t.status == "completed" and t.certificate_type
    )
    return profile.certificates + earned


@dataclass(frozen=True)
class WorkerFacts:
    """Per-worker inputs of the rules, already read through the settings."""

    own_groups: frozenset[str]
    # R6: own groups plus those extended from a poor or severely disabled immediate relative.
    effective_groups: frozenset[str]
    family_groups: frozenset[str]  # the groups R6 added (not already the worker's own)
    group_mask: int
    places: frozenset[str]  # R1: 户籍地, 常住地, 求职就业地 (unknown places dropped)
    places_known: bool  # R1: False when none of the three is recorded
    employment_status: str | None  # R9: an employment status can put a worker in an audience
    draws_pension: bool
    working_age_from: date | None  # first day at min_working_age; None when birth date unknown
    subsidized_by_year: Mapping[int, int]  # R3: subsidized, not dropped, by year training ends
    # R4: (occupation, level or NO_LEVEL, stage or None) of subsidized trainings.
    repeat_pairs: frozenset[tuple[str, int, str | None]]
    held_levels: Mapping[str, int]  # R4 lower level: occupation -> best level held (1 is best)
    special_operation_held: frozenset[str]  # occupations with a special-operation certificate
    safety_post: str | None  # R11: post a high-risk worker holds without a valid certificate
    living_allowance_group: bool  # R7: in an allowance group (before training type/eligibility)
    free_training_group: bool  # R10: in a key group

    @classmethod
    def of(cls, profile: WorkerProfile, on: date, settings: PolicySettings) -> WorkerFacts:
        """Read ``profile`` as of ``on`` under ``settings``."""
        own = frozenset(profile.priority_groups)
        if profile.disability_grade is not None:
            # A disability grade is the disability certificate (残疾人证): the worker is disabled
            # whether or not the group was ticked, as the same grade on a parent counts for R6.
            own = own | {DISABLED_GROUP}
        family = _family_groups(profile, settings) - own
        effective = own | family

        places = frozenset(
            county
            for county in (profile.hukou_county, profile.residence_county, profile.jobseeking_county)
            if county
        )

        # R3 and R4: one reading of the archive for every reader (policy.archive).
        counted = [t for t in profile.trainings if counts_toward_limits(t)]
        by_year = subsidized_by_year(counted)
        repeat_pairs = frozenset(
            (t.occupation_code, NO_LEVEL if t.level is None else t.level, t.stage)
            for t in counted
            if not (settings.refresher_exempt_from_repeat and t.stage == REFRESHER)
        )

        certificates = certificates_held(profile)
        held: dict[str, int] = {}
        for certificate in certificates:
            if certificate.level is not None:
                best = held.get(certificate.occupation_code)
                held[certificate.occupation_code] = (
                    certificate.level if best is None else min(best, certificate.level)
                )

        # R7: "两后生"中的农村学员和城市低保家庭学员. 低保 is granted to a household, so a
        # two-after student whose family member is on dibao is a 低保家庭学员, whatever the
        # student's own profile says (relation does not matter here: it is the household's status).
        household_dibao = DIBAO_GROUP in own or any(
            DIBAO_GROUP in member.priority_groups for member in profile.family
        )
        allowance = bool(effective & settings.living_allowance_groups) or (
            TWO_AFTER_YOUTH in effective
            and (
                (settings.living_allowance_rural_two_after and profile.rural is True)
                or household_dibao
            )
        )

        return cls(
            own_groups=own,
            effective_groups=effective,
            family_groups=family,
            group_mask=group_mask(effective),
            places=places,
            places_known=bool(places),
            employment_status=profile.employment_status,
            draws_pension=profile.draws_pension,
            working_age_from=_birthday(profile.birth_date, settings.min_working_age),
            subsidized_by_year=MappingProxyType(dict(by_year)),
            repeat_pairs=repeat_pairs,
            held_levels=MappingProxyType(held),
            special_operation_held=frozenset(
                c.occupation_code
                for c in certificates
                if c.certificate_type == SPECIAL_OPERATION_CERTIFICATE
            ),
            safety_post=_safety_post(profile, certificates, on, settings),
            living_allowance_group=allowance,
            free_training_group=bool(effective & settings.free_training_groups),
        )


def _family_groups(profile: WorkerProfile, settings: PolicySettings) -> frozenset[str]:
    """R6: 对贫困和重度残疾人的培训范围可以延伸至其直系亲属，待遇等同于残疾人本人参加培训.

    The relative's *qualifying* status is what extends: their poverty groups, and "disabled" for
    a severe disability grade. A relative's other groups (veteran, entrepreneur, ...) are personal
    and do not extend.
    """
    extended: set[str] = set()
    for member in profile.family:
        # 直系亲属: siblings are collateral (旁系) and never extend.
        if member.relation not in settings.family_relations:
            continue
        extended |= member.priority_groups & settings.poor_groups
        if member.disability_grade in settings.severe_disability_grades:
            extended.add(SEVERE_DISABILITY_GROUP)
    return frozenset(extended)


def _birthday(birth_date: date | None, years: int) -> date | None:
    # Saturating: a stored year-9999 date must give an answer, not "year 10005 is out of range".
    return None if birth_date is None else add_years(birth_date, years)


def certificate_valid_on(certificate: Certificate, on: date, settings: PolicySettings) -> bool:
    """Whether a special-operation certificate still allows work on ``on``.

    Uses ``valid_until`` when recorded, else issue date + the configured validity. A certificate
    with neither date is taken as valid: we have no evidence it lapsed, and wrongly flagging a
    worker as unsafe costs more trust than it buys.
    """
    if certificate.valid_until is not None:
        return on <= certificate.valid_until
    if certificate.issued_on is not None:
        expiry = _birthday(certificate.issued_on, settings.special_operation_validity_years)
        return expiry is not None and on < expiry
    return True


def _safety_post(
    profile: WorkerProfile, certificates: tuple[Certificate, ...], on: date, settings: PolicySettings
) -> str | None:
    """R11: the post a high-risk worker holds without a valid special-operation certificate."""
    post = profile.current_occupation_code
    if HIGH_RISK_GROUP not in profile.priority_groups or not post:
        return None
    for certificate in certificates:
        if (
            certificate.certificate_type == SPECIAL_OPERATION_CERTIFICATE
            and certificate.occupation_code == post
            and certificate_valid_on(certificate, on, settings)
        ):
            return None
    return post
