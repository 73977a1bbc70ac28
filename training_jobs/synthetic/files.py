"""Dataset files: ``courses.jsonl``, ``workers.jsonl`` and ``interactions.csv`` written and read back."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from policy.profile import Certificate, CourseFacts, FamilyMember, TrainingRecord, WorkerProfile
from recommender.items import CourseItem, Interaction


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_dataset(out: Path, courses: Sequence[CourseItem], workers: dict[int, WorkerProfile],
                  job_center: dict[int, str | None], interactions: Sequence[Interaction]) -> None:
    """Write ``courses.jsonl``, ``workers.jsonl`` (with ``job_center``) and ``interactions.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "courses.jsonl", "w", encoding="utf-8") as fh:
        for c in courses:
            fh.write(json.dumps(_jsonable(asdict(c)), ensure_ascii=False) + "\n")
    with open(out / "workers.jsonl", "w", encoding="utf-8") as fh:
        for wid, p in workers.items():
            row = {"worker_id": wid, "job_center": job_center.get(wid), "profile": _jsonable(asdict(p))}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out / "interactions.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["worker_id", "course_id", "kind", "at"])
        for e in interactions:
            w.writerow([e.worker_id, e.course_id, e.kind, e.at.isoformat()])



def _d(v: Any) -> date | None:
    return date.fromisoformat(v) if v else None


def _profile_from_json(p: dict[str, Any]) -> WorkerProfile:

    return WorkerProfile(
        birth_date=_d(p.get("birth_date")), hukou_county=p.get("hukou_county"),
        residence_county=p.get("residence_county"), jobseeking_county=p.get("jobseeking_county"),
        employment_status=p.get("employment_status"), draws_pension=bool(p.get("draws_pension")),
        priority_groups=frozenset(p.get("priority_groups") or ()), disability_grade=p.get("disability_grade"),
        rural=p.get("rural"), current_occupation_code=p.get("current_occupation_code"),
        certificates=tuple(Certificate(c["occupation_code"], c.get("level"), c["certificate_type"],
                                       _d(c.get("issued_on")), _d(c.get("valid_until")))
                           for c in p.get("certificates") or ()),
        family=tuple(FamilyMember(f["relation"], frozenset(f.get("priority_groups") or ()), f.get("disability_grade"))
                     for f in p.get("family") or ()),
        trainings=tuple(TrainingRecord(t["occupation_code"], t.get("level"), t["training_type"], t["status"],
                                       bool(t["subsidized"]), _d(t.get("end_date")), t.get("course_id"),
                                       float(t.get("subsidy_cny", 0.0)), stage=t.get("stage"),
                                       certificate_type=t.get("certificate_type"),
                                       certificate_level=t.get("certificate_level"),
                                       completed_on=_d(t.get("completed_on")))
                        for t in p.get("trainings") or ()),
        education=p.get("education"), gender=p.get("gender"), interests=tuple(p.get("interests") or ()),
        max_travel_km=p.get("max_travel_km"), online_ok=bool(p.get("online_ok", True)),
        lat=p.get("lat"), lon=p.get("lon"),
    )


def _course_from_json(c: dict[str, Any]) -> CourseItem:
    f = dict(c["facts"])
    extra = dict(f.pop("extra", {}) or {})
    if isinstance(extra.get("published"), str):
        extra["published"] = date.fromisoformat(extra["published"])
    facts = CourseFacts(**{**f, "start_date": date.fromisoformat(f["start_date"]),
                           "end_date": date.fromisoformat(f["end_date"]),
                           "target_groups": frozenset(f.get("target_groups") or ()),
                           "reserved_for": frozenset(f.get("reserved_for") or ())}, extra=extra)
    return CourseItem(**{**c, "facts": facts, "enrol_deadline": date.fromisoformat(c["enrol_deadline"])})


def read_dataset(folder: Path) -> tuple[list[CourseItem], dict[int, WorkerProfile], dict[int, str | None],
                                        list[Interaction]]:
    """Read what :func:`write_dataset` wrote (a database export in the same shape works too)."""
    with open(folder / "courses.jsonl", encoding="utf-8") as fh:
        courses = [_course_from_json(json.loads(line)) for line in fh if line.strip()]
    workers: dict[int, WorkerProfile] = {}
    jc: dict[int, str | None] = {}
    with open(folder / "workers.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                workers[int(row["worker_id"])] = _profile_from_json(row["profile"])
                jc[int(row["worker_id"])] = row.get("job_center")
    with open(folder / "interactions.csv", encoding="utf-8", newline="") as fh:
        inter = [Interaction(int(r["worker_id"]), int(r["course_id"]), r["kind"],  # type: ignore[arg-type]
                             datetime.fromisoformat(r["at"])) for r in csv.DictReader(fh)]
    return courses, workers, jc, inter
