"""Who may see what of a worker: job-center scoping and the fields each role never receives."""

from __future__ import annotations

from typing import Any

from access.keys import WORKER_ROLE, Principal
from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from workers.tables import Worker

# Personal information the `app` role never receives (PIPL; GB/T 35273 data minimization).
SENSITIVE_FIELDS = frozenset({
    "name", "national_id_masked", "phone", "location", "disability_grade", "family",
})


def can_see(principal: Principal, worker: Worker) -> bool:
    """Counselors see only their own job center's workers, a signed-in worker only themself, admin
    all. The app's own key sees no stored worker: it acts for nobody in particular."""
    if principal.role == "counselor":
        return worker.job_center_id == principal.job_center_id
    if principal.role == WORKER_ROLE:
        return principal.worker_id is not None and worker.id == principal.worker_id
    return principal.role == "admin"


def can_edit(principal: Principal, worker: Worker) -> bool:
    if principal.role == "counselor":
        return worker.job_center_id == principal.job_center_id
    return principal.role == "admin"


# What a signed-in worker does not receive about themself: the job center's internals and other
# people's (sequential) ids. Their own groups and location are theirs to see.
NOT_FOR_SELF = frozenset({"external_ref", "job_center", "national_id_masked", "family"})


def redact_for(principal: Principal, view: dict[str, Any]) -> dict[str, Any]:
    """Drop what the caller's role must not receive."""
    if principal.role == WORKER_ROLE:
        return {k: v for k, v in view.items() if k not in NOT_FOR_SELF}
    if principal.role != "app":
        return view
    out = {k: v for k, v in view.items() if k not in SENSITIVE_FIELDS}
    if "priority_groups" in out:
        out["priority_groups"] = [g for g in out["priority_groups"] if g not in SENSITIVE_PRIORITY_GROUPS]
    return out
