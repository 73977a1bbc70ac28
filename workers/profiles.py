"""Worker rows to the plain values the rules and the recommender read, and back."""

from __future__ import annotations

from datetime import date
from typing import Any

from policy.profile import Certificate, FamilyMember, WorkerProfile
from policy.profile import TrainingRecord as PolicyTraining
from workers.tables import TrainingRecord, Worker

# Approximate locations only: two decimals of a degree is about 1 km, enough to rank by distance
# and too coarse to find a home.
LOCATION_DECIMALS = 2


def approximate(value: float | None) -> float | None:
    return None if value is None else round(value, LOCATION_DECIMALS)


def declared_certificates(worker: Worker) -> tuple[Certificate, ...]:
    """Certificates entered on the profile. Those earned by completed trainings are derived by
    the rules from the history (policy.worker_facts.certificates_held), for stored and inline
    profiles alike."""
    return tuple(Certificate(c.occupation_code, c.level, c.certificate_type, c.issued_on, c.valid_until)
                 for c in worker.certificates)


# Distances to a stored location are rounded to this step outside the counselor's desk: about the
# size of the location's own rounding cell, so many distances cannot pin it down any better.
DISTANCE_STEP_KM = 1.0


def coarse_distance(km: float | None) -> float | None:
    return None if km is None else float(round(km / DISTANCE_STEP_KM) * DISTANCE_STEP_KM)


def month_end(birth_month: date | None) -> date | None:
    """The last day of a stored birth month: the rules count age from it, so the day we do not
    keep can only make someone younger, never old enough too early (R5's minimum age)."""
    if birth_month is None:
        return None
    if (birth_month.year, birth_month.month) == (date.max.year, date.max.month):
        return date.max  # a stored December 9999 has no following month to count back from
    following = date(birth_month.year + birth_month.month // 12, birth_month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def policy_training(t: TrainingRecord) -> PolicyTraining:
    return PolicyTraining(occupation_code=t.occupation_code, level=t.level, training_type=t.training_type,
                          status=t.status, subsidized=t.subsidized,  # type: ignore[arg-type]
                          end_date=t.end_date or t.completed_on, course_id=t.course_id,
                          subsidy_cny=float(t.subsidy_cny), enrolled_on=t.enrolled_on, stage=t.stage,
                          certificate_type=t.certificate_type, certificate_level=t.certificate_level,
                          completed_on=t.completed_on)


def to_profile(worker: Worker) -> WorkerProfile:
    family = tuple(FamilyMember(link.relation, frozenset(link.relative.priority_groups),
                                link.relative.disability_grade) for link in worker.family_links)
    return WorkerProfile(
        birth_date=month_end(worker.birth_date),
        hukou_county=worker.hukou_county,
        residence_county=worker.residence_county,
        jobseeking_county=worker.jobseeking_county,
        employment_status=worker.employment_status,
        draws_pension=worker.draws_pension,
        priority_groups=frozenset(worker.priority_groups),
        disability_grade=worker.disability_grade,
        rural=worker.rural,
        current_occupation_code=worker.current_occupation_code,
        certificates=declared_certificates(worker),
        family=family,
        trainings=tuple(policy_training(t) for t in worker.trainings),
        education=worker.education,
        gender=worker.gender,
        interests=tuple(worker.interests),
        max_travel_km=worker.max_travel_km,
        online_ok=worker.online_ok,
        lat=worker.lat,
        lon=worker.lon,
    )


def inline_profile(data: dict[str, Any]) -> WorkerProfile:
    """A profile sent inline by the app (nothing stored)."""
    loc = data.get("location") or {}
    return WorkerProfile(
        # Age counts from the end of the birth month for stored and inline profiles alike, so the
        # app and the desk get the same decision for one person (a stored profile keeps no day).
        birth_date=month_end(data.get("birth_date")),
        hukou_county=data.get("hukou_county"),
        residence_county=data.get("residence_county"),
        jobseeking_county=data.get("jobseeking_county"),
        employment_status=data.get("employment_status"),
        draws_pension=data.get("draws_pension", False),
        priority_groups=frozenset(data.get("priority_groups", ())),
        disability_grade=data.get("disability_grade"),
        rural=data.get("rural"),
        current_occupation_code=data.get("current_occupation_code"),
        certificates=tuple(Certificate(c["occupation_code"], c.get("level"), c["certificate_type"],
                                       c.get("issued_on"), c.get("valid_until"))
                           for c in data.get("certificates", ())),
        family=tuple(FamilyMember(f.get("relation", "family"), frozenset(f.get("priority_groups", ())),
                                  f.get("disability_grade")) for f in data.get("family", ())),
        # The same end as a stored record: the planned end, else the day it was completed.
        trainings=tuple(PolicyTraining(t["occupation_code"], t.get("level"), t["training_type"], t["status"],
                                       t["subsidized"], t.get("end_date") or t.get("completed_on"),
                                       stage=t.get("stage"), enrolled_on=t.get("enrolled_on"),
                                       certificate_type=t.get("certificate_type"),
                                       certificate_level=t.get("certificate_level"),
                                       completed_on=t.get("completed_on"))
                        for t in data.get("trainings", ())),
        education=data.get("education"),
        interests=tuple(data.get("interests", ())),
        max_travel_km=data.get("max_travel_km"),
        online_ok=data.get("online_ok", True),
        lat=approximate(loc.get("lat")),
        lon=approximate(loc.get("lon")),
    )


def credit_hours(worker: Worker, online_ratio: float) -> float:
    """Accumulated credit hours (学分累计): completed trainings, online hours counted pro rata."""
    total = 0.0
    for t in worker.trainings:
        if t.status == "completed":
            total += (t.hours - t.online_hours) + t.online_hours * online_ratio
    return round(total, 1)


def age_on(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
