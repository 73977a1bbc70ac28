"""Worker profiles and their training archive (counselors; the app gets a redacted view)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import String, cast, func, select
from werkzeug.http import quote_etag

from api.auth import current_principal, requires
from api.clock import today
from api.context import services
from api.db import db
from api.errors import fail
from api.workers.schemas import (
    ClientMatches,
    FindClientIn,
    TrainingHistory,
    TrainingIn,
    TrainingOut,
    TrainingPatch,
    WorkerIn,
    WorkerOut,
    WorkerPage,
    WorkerPatch,
    WorkerQuery,
)
from catalog.tables import JobCenter
from serving import archive, clients
from workers.access import redact_for
from workers.profiles import age_on, credit_hours, month_end
from workers.search import ClientQuery
from workers.service import (
    WorkerNotFound,
    audit,
    create_worker,
    delete_worker,
    get_worker,
    update_worker,
)
from workers.tables import TrainingRecord, Worker

blp = Blueprint("workers", __name__, url_prefix="/v1/workers",
                description="Worker profiles and training records (counselors)")

PROFILE_FIELDS = sorted(WorkerOut().fields)
ETAG_HEADER = {"description": "This version of the profile; send it in If-Match to change it",
               "schema": {"type": "string"}}
IF_MATCH_PARAMETER = {
    "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The ETag of the profile as you read it. When it no longer matches (someone changed "
                   "the profile since), nothing is written and the answer is 412. Optional: without it "
                   "the change is applied to whatever is stored (the last write wins)."}


def worker_view(w: Worker) -> dict[str, Any]:
    return redact_for(current_principal(), profile_state(w))


def profile_state(w: Worker) -> dict[str, Any]:
    """The whole profile as the API shows it, before redaction for the caller."""
    center = db().get(JobCenter, w.job_center_id)
    return {
        "id": w.id, "job_center": center.code if center else "", "external_ref": w.external_ref,
        "name": w.name, "national_id_masked": w.national_id_masked, "phone": w.phone,
        "birth_month": w.birth_date.strftime("%Y-%m") if w.birth_date else None,
        "age": age_on(month_end(w.birth_date), today()), "gender": w.gender,
        "education": w.education, "hukou_county": w.hukou_county,
        "residence_county": w.residence_county, "jobseeking_county": w.jobseeking_county,
        "location": {"lat": w.lat, "lon": w.lon} if w.lat is not None and w.lon is not None else None,
        "employment_status": w.employment_status, "draws_pension": w.draws_pension,
        "priority_groups": list(w.priority_groups), "disability_grade": w.disability_grade,
        "rural": w.rural, "current_occupation_code": w.current_occupation_code,
        "certificates": [{"occupation_code": c.occupation_code, "level": c.level,
                          "certificate_type": c.certificate_type, "issued_on": c.issued_on,
                          "valid_until": c.valid_until} for c in w.certificates],
        "family": [{"relative_id": f.relative_id, "relation": f.relation} for f in w.family_links],
        "interests": list(w.interests), "max_travel_km": w.max_travel_km, "online_ok": w.online_ok,
        "push_opt_in": w.push_opt_in, "personalized": w.personalized,
        "credit_hours": credit_hours(w, services().online_hours_ratio),
        "created_at": as_utc(w.created_at), "updated_at": as_utc(w.updated_at),
    }


def profile_etag(w: Worker) -> str:
    """The profile's entity tag: a keyed hash of the whole profile, so every role's read of one
    version carries the same tag (and a redacted reader cannot test guesses of a hidden field
    against it)."""
    state = json.dumps(profile_state(w), sort_keys=True, default=str, ensure_ascii=False)
    digest = hmac.new(services().secret_key.encode(), b"profile-etag\0" + state.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def check_if_match(w: Worker) -> None:
    """Optimistic concurrency: a PATCH that names the version it read (``If-Match``) is refused with
    412 when the profile has changed since. Without ``If-Match`` the write goes ahead (older
    clients keep working; the OpenAPI document says so)."""
    if request.if_match and not request.if_match.contains(profile_etag(w)) and not request.if_match.star_tag:
        fail(412, "The profile has changed since you read it: read it again (GET) and reapply your change "
                  "with the new ETag in If-Match.",
             messages={"headers": {"If-Match": ["does not match the current ETag"]}})


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_worker(worker_id: int, *, for_edit: bool = False) -> Worker:
    try:
        return get_worker(db(), current_principal(), worker_id, for_edit=for_edit)
    except WorkerNotFound:
        fail(404, f"No worker with id {worker_id}.")


@blp.route("")
class Workers(MethodView):
    @requires(blp, "admin", "counselor")
    @blp.arguments(WorkerQuery, location="query")
    @blp.response(200, WorkerPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the workers of the caller's job center (admin: all)."""
        principal = current_principal()
        stmt = select(Worker).order_by(Worker.id)
        if principal.role == "counselor":
            stmt = stmt.where(Worker.job_center_id == principal.job_center_id)
        if args.get("county"):
            stmt = stmt.where(Worker.residence_county == args["county"])
        if args.get("priority_group"):
            stmt = stmt.where(cast(Worker.priority_groups, String).like(f'%"{args["priority_group"]}"%'))
        total = db().scalar(select(func.count()).select_from(stmt.subquery())) or 0
        page, per_page = args["page"], args["per_page"]
        rows = list(db().scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
        if rows:  # one entry for the page, naming every worker on it (it was one row per worker)
            audit(db(), principal, "read", None, PROFILE_FIELDS, worker_ids=[w.id for w in rows])
        db().commit()
        return {"items": [worker_view(w) for w in rows], "total": total, "page": page, "per_page": per_page}

    @requires(blp, "admin", "counselor")
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Register a worker profile at the caller's job center."""
        worker = create_worker(db(), current_principal(), data, secret_key=services().secret_key, today=today(),
                               tolerance_days=services().future_tolerance_days)
        db().commit()
        return worker_view(worker), {"ETag": quote_etag(profile_etag(worker))}


@blp.route("/search", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.arguments(FindClientIn)
@blp.response(200, ClientMatches)
def find_client(data: dict[str, Any]) -> dict[str, Any]:
    """Find a client of the caller's job center by ID number, phone, the center's reference or name
    prefix (the values searched for are never echoed; ID numbers are matched by keyed hash)."""
    principal = current_principal()
    query = ClientQuery(text=data.get("query"), national_id=data.get("national_id"), phone=data.get("phone"),
                        external_ref=data.get("external_ref"), name=data.get("name"))
    matches = clients.find(services(), db(), principal, query)
    centers = {c.id: c.code for c in db().scalars(select(JobCenter))}
    return {"items": [{"id": m.worker.id, "name": m.worker.name, "national_id_masked": m.worker.national_id_masked,
                       "external_ref": m.worker.external_ref, "birth_date": m.worker.birth_date,
                       "job_center": centers.get(m.worker.job_center_id, ""), "matched_by": m.matched_by}
                      for m in matches]}


@blp.route("/<int:worker_id>")
class WorkerById(MethodView):
    @requires(blp, "admin", "counselor", "worker", scope="profile:read")
    @blp.response(200, WorkerOut, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, worker_id: int) -> tuple[dict[str, Any], dict[str, str]]:
        """One worker profile (counselors of its job center; a signed-in worker: only their own).

        The `ETag` names this version of the profile; send it back in `If-Match` when you change
        the profile, so a change made meanwhile by someone else is not overwritten."""
        worker = load_worker(worker_id)
        view = worker_view(worker)
        audit(db(), current_principal(), "read", worker.id, sorted(view))
        db().commit()
        return view, {"ETag": quote_etag(profile_etag(worker))}

    @requires(blp, "admin", "counselor")
    @blp.arguments(WorkerPatch(partial=True))
    @blp.doc(parameters=[IF_MATCH_PARAMETER])
    @blp.response(200, WorkerOut, headers={"ETag": ETAG_HEADER})
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data: dict[str, Any], worker_id: int) -> tuple[dict[str, Any], dict[str, str]]:
        """Change some fields of a profile; lists are replaced whole.

        Send the `ETag` of the profile you read in `If-Match`: if the profile has changed since,
        nothing is written and the answer is 412 (read it again and reapply). `If-Match` is
        optional, for older clients; without it the last write wins."""
        worker = load_worker(worker_id, for_edit=True)
        check_if_match(worker)
        update_worker(db(), current_principal(), worker, data, secret_key=services().secret_key, today=today(),
                      tolerance_days=services().future_tolerance_days)
        db().commit()
        return worker_view(worker), {"ETag": quote_etag(profile_etag(worker))}

    @requires(blp, "admin", "counselor")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, worker_id: int) -> None:
        """Delete a profile and its archive (the audit trail keeps who did it)."""
        worker = load_worker(worker_id, for_edit=True)
        delete_worker(db(), current_principal(), worker)
        db().commit()


def training_view(t: TrainingRecord) -> dict[str, Any]:
    return {f: getattr(t, f) for f in TrainingOut().fields}


@blp.route("/<int:worker_id>/trainings")
class Trainings(MethodView):
    @requires(blp, "admin", "counselor")
    @blp.response(200, TrainingHistory)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, worker_id: int) -> dict[str, Any]:
        """The worker's training archive with accumulated credit hours."""
        found = archive.history(services(), db(), current_principal(), worker_id)
        return {"worker_id": found.worker_id, "credit_hours": found.credit_hours,
                "subsidized_this_year": found.subsidized_this_year,
                "subsidies_left_this_year": found.subsidies_left_this_year,
                "items": [training_view(t) for t in found.trainings]}

    @requires(blp, "admin", "counselor")
    @blp.arguments(TrainingIn)
    @blp.response(201, TrainingOut)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], worker_id: int) -> dict[str, Any]:
        """Record an enrolment or a completion (with the certificate earned).

        A subsidized enrolment the rules refuse, or one past the deadline, in a full or ended course,
        is 422 with the refusing codes, unless `override_reason` says why (audited, kept on the record)."""
        return training_view(archive.record_training(services(), db(), current_principal(), worker_id, data))


@blp.route("/<int:worker_id>/trainings/<int:training_id>")
class TrainingById(MethodView):
    @requires(blp, "admin", "counselor")
    @blp.arguments(TrainingPatch)
    @blp.response(200, TrainingOut)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], worker_id: int, training_id: int) -> dict[str, Any]:
        """Record a completion (with the certificate earned), a drop-out or the subsidy paid."""
        return training_view(archive.update_training(services(), db(), current_principal(), worker_id,
                                                     training_id, data))
