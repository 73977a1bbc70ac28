"""The recommender's view of courses, workers and what workers did with courses.

:class:`CourseItem` wraps the rules' :class:`~policy.profile.CourseFacts` with what ranking and
features need beyond eligibility (institution, shortage, location, seats, titles). An
:class:`Interaction` is one logged event; :class:`TrainingData` bundles everything a training run
reads, as plain values a database loader or the synthetic generator can produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

from policy.profile import CourseFacts, WorkerProfile

# "drop" is not an app event: training jobs derive it from an enrolment recorded as dropped.
InteractionKind = Literal["view", "click", "save", "enrol", "complete", "dismiss", "drop"]

INTERACTION_KINDS: Final[tuple[str, ...]] = (
    "view",
    "click",
    "save",
    "enrol",
    "complete",
    "dismiss",
)


@dataclass(frozen=True)
class CourseItem:
    """A course as the recommender sees it.

    Parameters
    ----------
    facts
        What the eligibility rules read (id, occupation, level, type, dates, county …).
    institution_code
        Code of the training institution (``institutions.csv``).
    institution_credit_rating
        ``AAA`` … ``C`` (信用等级评定); ranking prefers well-rated institutions.
    occupation_category
        Industry cluster slug of the occupation (``occupations.csv`` ``category``).
    shortage_level
        1 (most urgent) … 3 when the occupation is on the shortage list in force, else ``None``.
    lat, lon
        Where the course is held (WGS84).
    seats_left
        Seats still open.
    enrol_deadline
        Last day to enrol.
    title_zh, title_en, institution_name_zh
        Display text for reasons and responses.
    certificate_rate, certificate_finished, below_quality_floor
        How past trainees did (:mod:`recommender.course_outcomes`): the shrunk certificate rate
        (``None``: no archive), the finished trainings of the course's own offering behind it,
        and whether its institution is under the training-quality floor.
    """

    facts: CourseFacts
    institution_code: str
    institution_credit_rating: str
    occupation_category: str
    shortage_level: int | None
    lat: float
    lon: float
    seats_left: int
    enrol_deadline: date
    title_zh: str = ""
    title_en: str = ""
    institution_name_zh: str = ""
    certificate_rate: float | None = None
    certificate_finished: int = 0
    below_quality_floor: bool = False

    @property
    def id(self) -> int:
        """The course id (same as ``facts.id``)."""
        return self.facts.id


@dataclass(frozen=True)
class Interaction:
    """One event of a worker on a course (view, click, save, enrol, complete or dismiss).

    ``archive``: read from the training archive (an enrolment or completion a counselor recorded),
    not logged by the app; the evaluation reports the two kinds of positive apart.
    """

    worker_id: int
    course_id: int
    kind: InteractionKind
    at: datetime
    archive: bool = False


@dataclass
class TrainingData:
    """Everything a training run reads.

    Parameters
    ----------
    workers
        Worker id → profile.
    courses
        Course id → course.
    interactions
        Logged events, any order.
    job_center
        Worker id → the job centre (就业服务中心) code that registered them, when known; used for
        reporting slices only, never as a model feature.
    """

    workers: dict[int, WorkerProfile]
    courses: dict[int, CourseItem]
    interactions: list[Interaction]
    job_center: dict[int, str | None] = field(default_factory=dict)
