"""Use cases of a worker signed in to the app: their own list, and nothing about anyone else.

The worker is the one the access token names (``principal.worker_id``); no argument names a
worker, so no request can ask about another."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from access.keys import WORKER_ROLE, Principal
from serving.recommendations import RecommendationList, for_stored_worker
from serving.root import Services
from workers.profiles import coarse_distance


def my_recommendations(services: Services, session: Session, principal: Principal, *, k: int,
                       near: tuple[float, float] | None = None,
                       radius_km: float | None = None) -> RecommendationList:
    """The signed-in worker's own list: their own courses and allowance, no database id.

    Distances to the *stored* location are given in whole km: a token can be lost with its phone,
    and distances to many courses at 10 m would pin the location down better than the ~1 km it is
    stored at. Around a point the app sends (``near``) they stay exact: that point is the app's."""
    if principal.role != WORKER_ROLE or principal.worker_id is None:
        raise PermissionError("only a signed-in worker has a list of their own")
    answer = for_stored_worker(services, session, principal, principal.worker_id, k=k, near=near,
                               radius_km=radius_km)
    result = answer.result
    if near is None:
        result = replace(result, items=[replace(r, distance_km=coarse_distance(r.distance_km))
                                        for r in result.items])
    return replace(answer, worker_id=None, result=result, show_allowance=True)
