"""Writing a synthetic population into the service database, for the demo and the load test."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from catalog.tables import JobCenter
from policy.profile import WorkerProfile
from recommender.items import Interaction
from workers.profiles import approximate
from workers.tables import Event, Worker, WorkerCertificate

DEMO_PREFIX = "demo-"
CHUNK = 5000


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


def demo_worker_count(session: Session) -> int:
    return session.scalar(select(func.count(Worker.id)).where(Worker.external_ref.like(f"{DEMO_PREFIX}%"))) or 0


def write_population(session: Session, workers: dict[int, WorkerProfile], job_center: dict[int, str | None],
                     interactions: Sequence[Interaction], progress: bool = True) -> tuple[int, int]:
    """Insert a synthetic population and its events; return (workers, events) written.

    Synthetic people have no name, ID number or phone. Family members of the generator are not
    registered workers, so they are not linked (R6 needs a registered relative here).
    """
    centers = {code.upper(): cid for code, cid in session.execute(select(JobCenter.code, JobCenter.id))}
    fallback = centers.get("JC-CITY") or next(iter(centers.values()))
    now = datetime.now(UTC)
    rows = []
    for wid, p in workers.items():
        rows.append({
            "job_center_id": centers.get((job_center.get(wid) or "").upper(), fallback),
            "external_ref": f"{DEMO_PREFIX}{wid}", "name": "", "birth_date": p.birth_date, "gender": p.gender,
            "education": p.education, "hukou_county": p.hukou_county, "residence_county": p.residence_county,
            "jobseeking_county": p.jobseeking_county, "lat": approximate(p.lat), "lon": approximate(p.lon),
            "employment_status": p.employment_status, "draws_pension": p.draws_pension,
            "priority_groups": sorted(p.priority_groups), "disability_grade": p.disability_grade,
            "rural": p.rural, "current_occupation_code": p.current_occupation_code,
            "interests": list(p.interests), "max_travel_km": p.max_travel_km, "online_ok": p.online_ok,
            "push_opt_in": wid % 3 != 0, "created_at": now, "updated_at": now,
        })
    bar = tqdm(total=len(rows) + len(interactions), desc="demo population", unit="row",
               disable=not progress or None)
    for chunk in _chunks(rows, CHUNK):
        session.execute(insert(Worker), list(chunk))
        bar.update(len(chunk))
    ids = dict(session.execute(select(Worker.external_ref, Worker.id)
                               .where(Worker.external_ref.like(f"{DEMO_PREFIX}%"))).all())
    certs = [{"worker_id": ids[f"{DEMO_PREFIX}{wid}"], "occupation_code": c.occupation_code, "level": c.level,
              "certificate_type": c.certificate_type, "issued_on": c.issued_on, "valid_until": c.valid_until}
             for wid, p in workers.items() for c in p.certificates]
    for chunk in _chunks(certs, CHUNK):
        session.execute(insert(WorkerCertificate), list(chunk))
    events = [{"worker_id": ids[f"{DEMO_PREFIX}{i.worker_id}"], "course_id": i.course_id, "kind": i.kind,
               "at": i.at, "source": "demo"} for i in interactions]
    for chunk in _chunks(events, CHUNK):
        session.execute(insert(Event), list(chunk))
        bar.update(len(chunk))
    bar.close()
    return len(rows), len(events)
