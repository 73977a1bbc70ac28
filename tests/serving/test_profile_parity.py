"""A stored worker and the inline profile built from it get identical decisions for every course.

Property test (issue 11): Hypothesis draws worker records as the database holds them (with
certificates, a training archive and family links), builds the JSON profile the app would send
for that worker, loads it through the API's own inline schema, and compares ``decide_many`` over
the whole sample catalog, field by field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.profile_schemas import InlineProfile
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COUNTIES,
    COURSE_STAGES,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    TRAINING_TYPES,
)
from policy import decide_many
from serving.snapshot import CatalogSnapshot
from tests.serving.conftest import POLICY, TODAY
from workers.profiles import inline_profile, to_profile
from workers.tables import FamilyLink, TrainingRecord, Worker, WorkerCertificate

OCCUPATIONS = ("4-10-01-06", "4-10-01-05", "6-31-01-03", "SO-1.2", "SO-2.1", "4-07-03-03")
PLACES = st.one_of(st.none(), st.sampled_from((*COUNTIES, "other")))
LEVELS = st.one_of(st.none(), st.integers(1, 5))
DAYS = st.dates(date(2015, 1, 1), TODAY)
GROUPS = st.lists(st.sampled_from(tuple(PRIORITY_GROUPS)), max_size=4, unique=True)


@st.composite
def stored_workers(draw: st.DrawFn) -> Worker:
    certificates = [
        WorkerCertificate(occupation_code=draw(st.sampled_from(OCCUPATIONS)), level=draw(LEVELS),
                          certificate_type=draw(st.sampled_from(tuple(CERTIFICATE_TYPES))),
                          issued_on=(issued := draw(st.one_of(st.none(), DAYS))),
                          valid_until=draw(st.one_of(st.none(), st.dates(issued or date(2015, 1, 1),
                                                                           date(2030, 12, 31)))))
        for _ in range(draw(st.integers(0, 2)))
    ]
    trainings = []
    for _ in range(draw(st.integers(0, 5))):
        status = draw(st.sampled_from(("enrolled", "completed", "dropped")))
        done = status == "completed"
        trainings.append(TrainingRecord(
            occupation_code=draw(st.sampled_from(OCCUPATIONS)), level=draw(LEVELS),
            training_type=draw(st.sampled_from(tuple(TRAINING_TYPES))), status=status,
            # Open enrolments count in their enrolment year (policy.archive): near the courses.
            # Dates as the API and the import accept them (policy.date_bounds): not in the future,
            # ends not before the enrolment.
            enrolled_on=(enrolled := draw(st.dates(date(2025, 1, 1), TODAY))),
            end_date=draw(st.one_of(st.none(), st.dates(enrolled, date(2027, 12, 31)))),
            completed_on=draw(st.one_of(st.none(), st.dates(enrolled, TODAY))) if done else None,
            certificate_type=draw(st.one_of(st.none(), st.sampled_from(tuple(CERTIFICATE_TYPES)))) if done else None,
            certificate_level=draw(LEVELS) if done else None,
            stage=draw(st.one_of(st.none(), st.sampled_from(tuple(COURSE_STAGES)))),
            subsidized=draw(st.booleans()), subsidy_cny=0))
    family = [
        FamilyLink(relation=draw(st.sampled_from(("spouse", "parent", "child", "sibling"))),
                   relative=Worker(priority_groups=draw(GROUPS),
                                   disability_grade=draw(st.one_of(st.none(), st.integers(1, 4)))))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return Worker(
        birth_date=draw(st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2012, 12, 31)))),
        hukou_county=draw(PLACES), residence_county=draw(PLACES), jobseeking_county=draw(PLACES),
        employment_status=draw(st.one_of(st.none(), st.sampled_from(tuple(EMPLOYMENT_STATUSES)))),
        draws_pension=draw(st.booleans()), priority_groups=draw(GROUPS),
        disability_grade=draw(st.one_of(st.none(), st.integers(1, 4))),
        rural=draw(st.one_of(st.none(), st.booleans())),
        current_occupation_code=draw(st.one_of(st.none(), st.sampled_from(OCCUPATIONS))),
        interests=[], online_ok=True,
        certificates=certificates, trainings=trainings, family_links=family,
    )


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def inline_json(w: Worker) -> dict[str, Any]:
    """The profile an app sends for this worker: everything the rules read, no identity."""
    return {
        "birth_date": _iso(w.birth_date), "hukou_county": w.hukou_county,
        "residence_county": w.residence_county, "jobseeking_county": w.jobseeking_county,
        "employment_status": w.employment_status, "draws_pension": w.draws_pension,
        "priority_groups": list(w.priority_groups), "disability_grade": w.disability_grade,
        "rural": w.rural, "current_occupation_code": w.current_occupation_code,
        "certificates": [{"occupation_code": c.occupation_code, "level": c.level,
                          "certificate_type": c.certificate_type, "issued_on": _iso(c.issued_on),
                          "valid_until": _iso(c.valid_until)} for c in w.certificates],
        "family": [{"relation": f.relation, "priority_groups": list(f.relative.priority_groups),
                    "disability_grade": f.relative.disability_grade} for f in w.family_links],
        "trainings": [{"occupation_code": t.occupation_code, "level": t.level,
                       "training_type": t.training_type, "status": t.status,
                       "subsidized": t.subsidized, "end_date": _iso(t.end_date),
                       "enrolled_on": _iso(t.enrolled_on),
                       "completed_on": _iso(t.completed_on), "stage": t.stage,
                       "certificate_type": t.certificate_type,
                       "certificate_level": t.certificate_level} for t in w.trainings],
    }


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(worker=stored_workers(), on=st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_stored_and_inline_profiles_get_identical_decisions(
    snapshot: CatalogSnapshot, app: Flask, worker: Worker, on: date
) -> None:
    # The API's own schema, inside the test app (its clock is pinned to TODAY).
    with app.app_context():
        loaded = InlineProfile().load(inline_json(worker))
    stored = decide_many(to_profile(worker), snapshot.table, on, POLICY)
    inline = decide_many(inline_profile(loaded), snapshot.table, on, POLICY)
    for name in ("eligible", "failed", "subsidy_cny", "subsidies_left", "living_allowance",
                 "living_allowance_cny", "free_training", "safety_first", "advance_payment_cny"):
        assert np.array_equal(getattr(stored, name), getattr(inline, name)), name
    assert stored.effective_groups == inline.effective_groups


def test_age_counts_from_the_birth_months_end_inline_as_stored() -> None:
    # Found by the property above: a stored profile keeps only the month (issue 9), so an inline
    # profile that kept the day was of working age (R5) a few days earlier than the same person
    # at the desk.
    stored = to_profile(Worker(birth_date=date(2011, 8, 1), priority_groups=[], certificates=[],
                               trainings=[], family_links=[], interests=[]))
    inline = inline_profile({"birth_date": date(2011, 8, 28)})
    assert stored.birth_date == inline.birth_date == date(2011, 8, 31)
