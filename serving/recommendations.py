"""Use cases: recommendations for a stored worker, for an inline profile, and the per-worker step
the push audience shares with them.

One path per use case, and one per-worker step for all of them: :func:`rank_stored_worker` reads a
stored worker's archive (enrolled and completed courses) and standing dismissals, then ranks
(:func:`serving.recommend.recommend`). The endpoint and the push job both call it, so a push can
never carry a course the worker's own list would not show.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.keys import Principal
from policy.disclosure import disclosable_reasons
from policy.profile import WorkerProfile
from recommender.dismissals import standing_dismissals
from serving.errors import worker_not_found
from serving.plain_list import plain_list
from serving.recommend import RecommendationResult, recommend
from serving.root import Ranker, Services
from serving.snapshot import CatalogSnapshot
from workers.profiles import approximate, to_profile
from workers.service import WorkerNotFound, audit, get_worker
from workers.tables import Event, Worker

# Keeps ``WHERE worker_id IN (…)`` far below every backend's bound-parameter limit.
CHUNK = 500


# The most a "show all eligible" list returns, past the diversity caps.
ALL_ELIGIBLE_LIMIT = 1000

@dataclass(frozen=True)
class StoredWorker:
    """A registered worker as ranking reads them: profile (with archive) and standing dismissals."""

    id: int
    profile: WorkerProfile
    dismissed: frozenset[int]


@dataclass(frozen=True)
class RecommendationList:
    """A use case's answer: the ranked list as the caller may see it."""

    worker_id: int | None
    result: RecommendationResult
    # R7's allowance follows from low-income, dibao or disability status: only for callers that
    # may know those (counselors, admin; the app about a profile it sent itself).
    show_allowance: bool


def _dismissals(session: Session, worker_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    rows = session.execute(select(Event.worker_id, Event.course_id, Event.kind, Event.at)
                           .where(Event.worker_id.in_(worker_ids)).order_by(Event.at, Event.id))
    events: dict[int, list[tuple[int, str, object]]] = {}
    for worker_id, course_id, kind, at in rows:
        events.setdefault(worker_id, []).append((course_id, kind, at))
    return {w: frozenset(standing_dismissals(evs)) for w, evs in events.items()}  # type: ignore[arg-type]


def stored_workers(session: Session, workers: Iterable[Worker]) -> Iterator[StoredWorker]:
    """Read workers for ranking, loading their events a chunk of workers at a time."""
    chunk: list[Worker] = []
    for worker in workers:
        chunk.append(worker)
        if len(chunk) >= CHUNK:
            yield from _read_chunk(session, chunk)
            chunk = []
    if chunk:
        yield from _read_chunk(session, chunk)


def _read_chunk(session: Session, chunk: list[Worker]) -> Iterator[StoredWorker]:
    dismissed = _dismissals(session, [w.id for w in chunk])
    for w in chunk:
        yield StoredWorker(w.id, to_profile(w), dismissed.get(w.id, frozenset()))


def rank_stored_worker(ranker: Ranker, snapshot: CatalogSnapshot, worker: StoredWorker, *, today: date,
                       k: int, near: tuple[float, float] | None = None,
                       radius_km: float | None = None, all_eligible: bool = False) -> RecommendationResult:
    """THE per-worker step: one stored worker's ranked list (endpoint and push audience alike)."""
    profile = worker.profile
    if near is not None:
        # The app's map: rank around the point it shows, rounded like every stored location.
        lat, lon = near
        profile = replace(profile, lat=approximate(lat), lon=approximate(lon),
                          max_travel_km=radius_km if radius_km is not None else profile.max_travel_km)
    return _rank(ranker, snapshot, profile, worker.id, today, k, worker.dismissed, all_eligible=all_eligible)


def _rank(ranker: Ranker, snapshot: CatalogSnapshot, profile: WorkerProfile, worker_id: int | None,
          today: date, k: int, dismissed: Iterable[int], *, all_eligible: bool = False) -> RecommendationResult:
    config = ranker.config
    per_occupation, per_institution = config.caps.per_occupation, config.caps.per_institution
    if all_eligible:
        # "Show all eligible": the diversity caps keep a short list varied; past them a counselor
        # needs every course the client could take (a disabled client's 19, not 6).
        k = per_occupation = per_institution = ALL_ELIGIBLE_LIMIT
    return recommend(snapshot, ranker.models, profile, worker_id=worker_id, today=today,
                     settings=config.policy, weights=config.weights, k=k, dismissed=dismissed,
                     default_max_km=config.default_max_km, max_per_occupation=per_occupation,
                     max_per_institution=per_institution)


def disclosed(result: RecommendationResult) -> RecommendationResult:
    """The list without what would reveal a sensitive group (:mod:`policy.disclosure`)."""
    items = [replace(r, reasons=disclosable_reasons(r.reasons, r.course.facts.target_groups),
                     living_allowance=False, living_allowance_cny=0.0) for r in result.items]
    return replace(result, items=items)


def for_stored_worker(services: Services, session: Session, principal: Principal, worker_id: int, *, k: int,
                      near: tuple[float, float] | None = None,
                      radius_km: float | None = None, all_eligible: bool = False) -> RecommendationList:
    """A counselor's or the app's recommendations for a registered worker (audited)."""
    try:
        worker = get_worker(session, principal, worker_id, with_facts=True)
    except WorkerNotFound:
        raise worker_not_found(worker_id) from None
    today = services.today()
    snapshot = services.snapshots.get(session, today)
    if not worker.personalized:
        # Declined profiling (PIPL Art. 24): the request's place and the catalog, nothing of the worker.
        config = services.ranker.config
        result = plain_list(snapshot, today=today, near=near, radius_km=radius_km,
                            default_max_km=config.default_max_km, weights=config.weights, k=k,
                            max_per_occupation=config.caps.per_occupation,
                            max_per_institution=config.caps.per_institution)
        audit(session, principal, "read", worker.id, ["recommendations_non_personalized"])
        session.commit()
        return RecommendationList(worker.id, result, show_allowance=False)
    stored = next(stored_workers(session, [worker]))
    result = rank_stored_worker(services.ranker, snapshot, stored, today=today, k=k, near=near, radius_km=radius_km,
                                all_eligible=all_eligible)
    audit(session, principal, "read", worker.id, ["recommendations"])
    session.commit()
    if principal.role == "app":
        return RecommendationList(worker.id, disclosed(result), show_allowance=False)
    return RecommendationList(worker.id, result, show_allowance=True)


def for_profile(services: Services, session: Session, profile: WorkerProfile, *, k: int,
                dismissed: Iterable[int] = ()) -> RecommendationList:
    """Recommendations for an inline, anonymous profile (nothing is stored or audited).

    ``dismissed`` are the course ids the app knows the person dismissed; they are not shown.
    """
    today = services.today()
    result = _rank(services.ranker, services.snapshots.get(session, today), profile, None, today, k, dismissed)
    # The app sent this profile itself: nothing in the answer is news to it.
    return RecommendationList(None, result, show_allowance=True)
