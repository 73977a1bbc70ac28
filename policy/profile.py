"""Plain values the rules engine decides over: a worker, their training history and a course.

These are the contract between storage (``workers/``, ``catalog/``), the HTTP layer and the
recommender on one side and the rules on the other. No Flask, no SQLAlchemy: build them from rows
or from an inline JSON profile and hand them to :mod:`policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

TrainingStatus = Literal["enrolled", "completed", "dropped"]


@dataclass(frozen=True)
class Certificate:
    """A certificate the worker holds (from outside training or from a completed course)."""

    occupation_code: str
    level: int | None  # 5 (初级工) … 1 (高级技师); None for certificates without a level
    certificate_type: str  # a key of catalog.vocabulary.CERTIFICATE_TYPES
    issued_on: date | None = None
    valid_until: date | None = None  # special-operation certificates expire (6 years)


@dataclass(frozen=True)
class FamilyMember:
    """What R6 needs to know of an immediate family member (not who they are)."""

    relation: str  # spouse, parent, child, sibling: R6 reads only PolicySettings.family_relations
    priority_groups: frozenset[str] = frozenset()
    disability_grade: int | None = None  # national grading 1 (most severe) … 4


@dataclass(frozen=True)
class TrainingRecord:
    """One entry of the worker's electronic training archive (电子档案)."""

    occupation_code: str
    level: int | None
    training_type: str
    status: TrainingStatus
    subsidized: bool
    end_date: date | None  # the (planned or actual) end: R3 counts the year training ends
    course_id: int | None = None
    subsidy_cny: float = 0.0
    enrolled_on: date | None = None  # R3 counts an open enrolment in this year until it has an end
    # R4: special-operation initial/refresher or entrepreneurship stage (SYB, IYB...) of the course.
    stage: str | None = None
    # What completing it earned: the certificate counts as held (policy.certificates_held), the
    # same for a stored archive and an inline profile.
    certificate_type: str | None = None
    certificate_level: int | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class WorkerProfile:
    """The facts about one worker that eligibility and ranking read."""

    birth_date: date | None = None
    hukou_county: str | None = None  # 户籍地; a county code, or None/"other" outside the city
    residence_county: str | None = None  # 常住地
    jobseeking_county: str | None = None  # 求职就业地
    employment_status: str | None = None  # a key of EMPLOYMENT_STATUSES
    draws_pension: bool = False  # R5
    priority_groups: frozenset[str] = frozenset()
    disability_grade: int | None = None
    rural: bool | None = None  # rural household registration (two-after youth, R7)
    current_occupation_code: str | None = None  # the post a high-risk worker holds (R11)
    certificates: tuple[Certificate, ...] = ()
    family: tuple[FamilyMember, ...] = ()
    trainings: tuple[TrainingRecord, ...] = ()
    education: str | None = None
    gender: str | None = None
    interests: tuple[str, ...] = ()  # occupation codes or category codes
    max_travel_km: float | None = None
    online_ok: bool = True
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CourseFacts:
    """What the rules need to know of one course (joined with its occupation and county lists)."""

    id: int
    occupation_code: str
    level: int | None
    training_type: str
    certificate_type: str
    county: str
    start_date: date
    end_date: date
    subsidy_cny: float
    delivery_mode: str = "offline"
    # Groups the course is aimed at (面向): a ranking term, never a rule.
    target_groups: frozenset[str] = frozenset()
    # Groups the class is reserved for (专班): R9_TARGET_GROUPS, a hard rule.
    reserved_for: frozenset[str] = frozenset()
    # A key of catalog.vocabulary.COURSE_STAGES: special-operation initial (初训) or refresher
    # (复审), or an entrepreneurship stage (GYB, SYB, IYB, EYB, online). None: a plain course.
    stage: str | None = None
    free_for_key_groups: bool = False
    occupation_access_restricted: bool = False
    occupation_special_operation: bool = False
    # None when the course's county published no subsidized-occupation list (R1: then any
    # occupation is subsidized there); otherwise whether this occupation is on it.
    on_county_subsidized_list: bool | None = None
    project_based: bool = False  # R12: 项目制培训, may be paid up to 50% in advance
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
