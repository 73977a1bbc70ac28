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
from policy.profile import Certificate, WorkerProfile
from policy.settings import PolicySettings
from policy.table import NO_LEVEL, group_mask

SAFETY_TRAINING = "safety"
SPECIAL_OPERATION_CERTIFICATE = "special_operation"
HIGH_RISK_GROUP = "high_risk_worker"
SEVERE_DISABILITY_GROUP = "disabled"


@dataclass(frozen=True)
class WorkerFacts:
    """Per-worker inputs of the rules, already read through the settings."""

    own_groups: frozenset[str]
    # R6: own groups plus those extended from a poor or severely disabled immediate relative.
    effective_groups: frozenset[str]
    family_groups: frozenset[str]  # the groups R6 added (not already the worker's own)
    group_mask: int
    places: frozenset[str]  # R1: 户籍地, 常住地, 求职就业地 (unknown places dropped)
    draws_pension: bool
    working_age_from: date | None  # first day at min_working_age; None when birth date unknown
    subsidized_by_year: Mapping[int, int]  # R3: subsidized, not dropped, by year training ends
    repeat_pairs: frozenset[tuple[str, int]]  # R4: (occupation, level or NO_LEVEL) subsidized
    held_levels: Mapping[str, int]  # R4 lower level: occupation -> best level held (1 is best)
    safety_post: str | None  # R11: post a high-risk worker holds without a valid certificate
    living_allowance_group: bool  # R7: in an allowance group (before training type/eligibility)
    free_training_group: bool  # R10: in a key group

    @classmethod
    def of(cls, profile: WorkerProfile, on: date, settings: PolicySettings) -> WorkerFacts:
        """Read ``profile`` as of ``on`` under ``settings``."""
        own = frozenset(profile.priority_groups)
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
            (t.occupation_code, NO_LEVEL if t.level is None else t.level) for t in counted
        )

        held: dict[str, int] = {}
        for certificate in profile.certificates:
            if certificate.level is not None:
                best = held.get(certificate.occupation_code)
                held[certificate.occupation_code] = (
                    certificate.level if best is None else min(best, certificate.level)
                )

        allowance = bool(effective & settings.living_allowance_groups) or (
            settings.living_allowance_rural_two_after
            and "two_after_youth" in effective
            and profile.rural is True
        )

        return cls(
            own_groups=own,
            effective_groups=effective,
            family_groups=family,
            group_mask=group_mask(effective),
            places=places,
            draws_pension=profile.draws_pension,
            working_age_from=_birthday(profile.birth_date, settings.min_working_age),
            subsidized_by_year=MappingProxyType(dict(by_year)),
            repeat_pairs=repeat_pairs,
            held_levels=MappingProxyType(held),
            safety_post=_safety_post(profile, on, settings),
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
        extended |= member.priority_groups & settings.poor_groups
        if member.disability_grade in settings.severe_disability_grades:
            extended.add(SEVERE_DISABILITY_GROUP)
    return frozenset(extended)


def _birthday(birth_date: date | None, years: int) -> date | None:
    if birth_date is None:
        return None
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March in common years
        return date(birth_date.year + years, 3, 1)


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


def _safety_post(profile: WorkerProfile, on: date, settings: PolicySettings) -> str | None:
    """R11: the post a high-risk worker holds without a valid special-operation certificate."""
    post = profile.current_occupation_code
    if HIGH_RISK_GROUP not in profile.priority_groups or not post:
        return None
    for certificate in profile.certificates:
        if (
            certificate.certificate_type == SPECIAL_OPERATION_CERTIFICATE
            and certificate.occupation_code == post
            and certificate_valid_on(certificate, on, settings)
        ):
            return None
    return post
