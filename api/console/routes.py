"""Console pages. Each view loads through the same domain and serving functions as the JSON API
(access checks, rules, ranking, enrolment guard, audit) and only renders the result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from access.accounts import AccountError, SignInRefused, change_password
from access.accounts import sign_in as check_sign_in
from access.keys import Principal
from access.tables import ApiKey, CounselorAccount
from api.clock import today
from api.console.signin import current_account, signed_in, start_session
from api.context import services
from api.db import db
from api.eligibility.routes import decision_view, why_nothing_view
from api.recommendations.routes import item_view
from api.workers.routes import profile_etag, training_view, worker_view
from api.workers.schemas import WorkerPatch
from catalog.names_en import PRIORITY_GROUPS_EN
from catalog.tables import County, JobCenter
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    TRAINING_TYPES,
)
from policy.rules import RULES
from recommender.ranking import REASONS
from serving import archive, clients, eligibility, recommendations, why_nothing
from serving.enrolment import EnrolmentRefused
from serving.errors import NotFound
from workers.audit_trail import entries_about
from workers.search import ClientQuery, SearchError
from workers.service import ProfileError, WorkerNotFound, audit, get_worker, update_worker
from workers.tables import Worker

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")
csrf = CSRFProtect()

ACTIONS_ZH = {"read": "查看", "create": "新建", "update": "修改", "delete": "删除", "import": "导入",
              "override": "越过规则登记"}
EDITABLE = ("phone", "residence_county", "jobseeking_county", "hukou_county", "employment_status",
            "draws_pension", "priority_groups", "disability_grade", "rural", "max_travel_km", "online_ok")


def principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        csrf.protect()


@bp.app_context_processor
def _names() -> dict[str, Any]:
    account = g.get("account")
    center = db().get(JobCenter, account.job_center_id) if account is not None and account.job_center_id else None
    return {"me": account, "center": center,
            "PRIORITY_GROUPS": PRIORITY_GROUPS, "TRAINING_TYPES": TRAINING_TYPES, "SKILL_LEVELS": SKILL_LEVELS,
            "CERTIFICATE_TYPES": CERTIFICATE_TYPES, "EMPLOYMENT_STATUSES": EMPLOYMENT_STATUSES,
            "PRIORITY_GROUPS_EN": PRIORITY_GROUPS_EN, "REASONS": REASONS,
            "RULE_TITLES": {rule.code: rule.title_zh for rule in RULES}}


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return render_template("console/error.html", title="请求已过期", message="表单已过期，请刷新页面后重试。"), 400


def audit_read(worker: Worker, fields: list[str]) -> None:
    audit(db(), principal(), "read", worker.id, fields)
    db().commit()


def load_client(worker_id: int, *, for_edit: bool = False) -> Worker:
    try:
        return get_worker(db(), principal(), worker_id, for_edit=for_edit)
    except WorkerNotFound:
        abort(404)


@bp.errorhandler(404)
def _not_found(exc: Exception) -> tuple[str, int]:
    return render_template("console/error.html", title="未找到",
                           message="没有这个服务对象，或不属于本中心。"), 404


# --- signing in ------------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def sign_in() -> str | WerkzeugResponse | tuple[str, int]:
    error = None
    if request.method == "POST":
        now = datetime.now(UTC)
        try:
            account = sign_in_account(request.form.get("username", ""), request.form.get("password", ""), now)
        except SignInRefused as refused:
            db().commit()  # the failure counts
            if refused.reason == "locked":
                error = "连续输错次数过多，账户已暂时锁定，请 15 分钟后再试或联系管理员。"
            else:
                error = "用户名或密码错误。"
            return render_template("console/login.html", error=error), 401
        db().commit()
        start_session(account)
        target = request.args.get("next", "")
        # Only our own pages: an open redirect would turn a sign-in link into a phishing tool.
        if not target.startswith("/console/") or target.startswith("//"):
            target = url_for("console.home")
        return redirect(target)
    return render_template("console/login.html", error=error)


def sign_in_account(username: str, password: str, now: datetime) -> CounselorAccount:
    return check_sign_in(db(), username, password, now)


@bp.route("/logout", methods=["POST"])
def sign_out() -> WerkzeugResponse:
    from flask import session

    session.clear()
    return redirect(url_for("console.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def password() -> str | WerkzeugResponse | tuple[str, int]:
    account = current_account()
    assert account is not None
    if request.method == "POST":
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        try:
            if new != again:
                raise AccountError("两次输入的新密码不一致")
            change_password(account, request.form.get("current_password", ""), new)
        except AccountError as exc:
            return render_template("console/password.html", error=password_message(str(exc))), 422
        db().commit()
        start_session(account)  # this session goes on; the others end
        flash("密码已修改。")
        return redirect(url_for("console.home"))
    return render_template("console/password.html", error=None)


def password_message(message: str) -> str:
    known = {"the current password is wrong": "当前密码错误",
             "the password must not contain the username": "新密码不能包含用户名"}
    if message.startswith("the password needs at least"):
        return "新密码至少需要 10 个字符"
    return known.get(message, message)


# --- finding a client --------------------------------------------------------------------------------

@bp.route("/")
@signed_in
def home() -> str:
    return render_template("console/home.html")


@bp.route("/search", methods=["POST"])
@signed_in
def search() -> str | tuple[str, int]:
    """Search by POST: an ID number or phone typed here never reaches a URL or an access log."""
    text = request.form.get("q", "").strip()
    error, matches = None, []
    try:
        matches = clients.find(services(), db(), principal(), ClientQuery(text=text))
    except SearchError:
        error = "请输入身份证号、手机号、中心编号或姓名（前几个字）。"
    template = "console/_results.html" if request.headers.get("HX-Request") else "console/home.html"
    return render_template(template, matches=matches, error=error, searched=True)


# --- one client ----------------------------------------------------------------------------------------

def counties() -> list[County]:
    return list(db().scalars(select(County).order_by(County.code)))


@bp.route("/clients/<int:worker_id>")
@signed_in
def client(worker_id: int) -> str:
    worker = load_client(worker_id)
    view = worker_view(worker)
    audit_read(worker, sorted(view))
    return render_template("console/client.html", w=view, counties={c.code: c.name_zh for c in counties()})


@bp.route("/clients/<int:worker_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(worker_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    worker = load_client(worker_id, for_edit=True)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        raw: dict[str, Any] = {
            "phone": form.get("phone") or None,
            "hukou_county": form.get("hukou_county") or None,
            "residence_county": form.get("residence_county") or None,
            "jobseeking_county": form.get("jobseeking_county") or None,
            "employment_status": form.get("employment_status") or None,
            "draws_pension": form.get("draws_pension") == "on",
            "priority_groups": form.getlist("priority_groups"),
            "disability_grade": int(form["disability_grade"]) if form.get("disability_grade", "").isdigit() else None,
            "rural": {"yes": True, "no": False}.get(form.get("rural", "")),
            "max_travel_km": float(form["max_travel_km"]) if form.get("max_travel_km") else None,
            "online_ok": form.get("online_ok") == "on",
        }
        try:
            # The version the form was filled from (the API's If-Match): another counselor's save
            # in between is not overwritten.
            if form.get("version") and form["version"] != profile_etag(worker):
                errors = {"档案": "打开此页后，档案已被他人修改；请重新打开此页再改"}
                raise ProfileError("version", "changed since")
            data = WorkerPatch(partial=True).load(raw)
            update_worker(db(), principal(), worker, data, secret_key=services().secret_key, today=today(),
                          tolerance_days=services().future_tolerance_days)
        except ma.ValidationError as exc:
            errors = {str(k): "；".join(map(str, v)) if isinstance(v, list) else str(v)
                      for k, v in exc.normalized_messages().items()}
        except ProfileError as exc:
            errors = errors or {exc.field: exc.message}
        except ValueError:
            errors = {"max_travel_km": "请输入数字"}
        if not errors:
            db().commit()
            flash("档案已保存。")
            return redirect(url_for("console.client", worker_id=worker.id))
        db().rollback()
        worker = load_client(worker_id, for_edit=True)
        stale = "档案" in errors
        return render_template("console/edit.html", w=worker_view(worker), form=worker_view(worker) if stale else raw,
                               errors=errors, counties=counties(), version=profile_etag(worker)), 412 if stale else 422
    view = worker_view(worker)
    return render_template("console/edit.html", w=view, form=view, errors=errors, counties=counties(),
                           version=profile_etag(worker))


@bp.route("/clients/<int:worker_id>/recommendations", endpoint="recommendations")
@signed_in
def show_recommendations(worker_id: int) -> str:
    show_all = request.args.get("all") == "1"
    try:
        answer = recommendations.for_stored_worker(services(), db(), principal(), worker_id, k=10,
                                                   all_eligible=show_all)
    except NotFound:
        abort(404)
    result = answer.result
    items = [item_view(r, answer.show_allowance) for r in result.items]
    return render_template("console/_recommendations.html", items=items, worker_id=worker_id, show_all=show_all,
                           eligible=result.eligible_count, model=result.model_version)


@bp.route("/clients/<int:worker_id>/why-nothing", endpoint="why_nothing")
@signed_in
def show_why_nothing(worker_id: int) -> str:
    worker = load_client(worker_id)
    body = why_nothing_view(why_nothing.for_stored_worker(services(), db(), principal(), worker.id))
    template = "console/_why.html" if request.headers.get("HX-Request") else "console/why_page.html"
    return render_template(template, why=body, worker_id=worker.id, w=worker_view(worker))


def trace_page(worker: Worker, course_id: int, *, refused: EnrolmentRefused | None = None,
               error: str | None = None, form: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    snap = services().snapshots.get(db(), today())
    if course_id not in snap.row_of:
        abort(404)
    [avail] = eligibility.availability_of(services(), db(), [course_id])
    decision = decision_view(eligibility.for_stored_worker(services(), db(), principal(), worker.id, course_id), avail)
    course = snap.items[snap.row_of[course_id]]
    return render_template("console/trace.html", w=worker_view(worker), d=decision, course=course,
                           refused=refused, error=error, form=form or {}, today=today()), status


@bp.route("/clients/<int:worker_id>/courses", methods=["GET"])
@signed_in
def course_lookup(worker_id: int) -> WerkzeugResponse:
    """The "open a course by its number" box on the client page."""
    raw = request.args.get("course_id", "").strip()
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        flash("请输入课程编号（数字）。")
        return redirect(url_for("console.client", worker_id=worker_id))
    return redirect(url_for("console.trace", worker_id=worker_id, course_id=int(raw)))


@bp.route("/clients/<int:worker_id>/courses/<int:course_id>")
@signed_in
def trace(worker_id: int, course_id: int) -> tuple[str, int]:
    return trace_page(load_client(worker_id), course_id)


@bp.route("/clients/<int:worker_id>/courses/<int:course_id>/enrol", methods=["POST"])
@signed_in
def enrol(worker_id: int, course_id: int) -> WerkzeugResponse | tuple[str, int]:
    worker = load_client(worker_id, for_edit=True)
    form = request.form
    data: dict[str, Any] = {"course_id": course_id, "status": "enrolled",
                            "subsidized": form.get("subsidized") == "on",
                            "override_reason": form.get("override_reason", "").strip() or None}
    try:
        data["enrolled_on"] = datetime.strptime(form.get("enrolled_on", ""), "%Y-%m-%d").date()
    except ValueError:
        return trace_page(worker, course_id, error="请填写报名日期（年-月-日）。", form=dict(form), status=422)
    try:
        archive.record_training(services(), db(), principal(), worker.id, data)
    except EnrolmentRefused as refused:
        db().rollback()
        return trace_page(load_client(worker_id, for_edit=True), course_id, refused=refused, form=dict(form), status=422)
    except ProfileError as exc:
        db().rollback()
        message = "越过规则登记须写明理由（至少 10 个字）。" if exc.field == "override_reason" else exc.message
        return trace_page(load_client(worker_id, for_edit=True), course_id, error=message, form=dict(form), status=422)
    flash("已登记报名。" + ("（已越过规则登记，理由已记录）" if data["override_reason"] else ""))
    return redirect(url_for("console.client", worker_id=worker_id) + "#archive")


@bp.route("/clients/<int:worker_id>/archive", endpoint="archive")
@signed_in
def show_archive(worker_id: int) -> str:
    try:
        found = archive.history(services(), db(), principal(), worker_id)
    except NotFound:
        abort(404)
    names = {k: v for k, v in db().execute(select(CounselorAccount.id, CounselorAccount.display_name))}
    return render_template("console/_archive.html", worker_id=worker_id,
                           items=[{**training_view(t), "override_by": names.get(t.override_by or -1)}
                                  for t in found.trainings],
                           credit=found.credit_hours, used=found.subsidized_this_year,
                           left=found.subsidies_left_this_year, today=today())


@bp.route("/clients/<int:worker_id>/trainings/<int:training_id>/complete", methods=["POST"])
@signed_in
def complete(worker_id: int, training_id: int) -> WerkzeugResponse | tuple[str, int]:
    worker = load_client(worker_id, for_edit=True)
    form = request.form
    try:
        data: dict[str, Any] = {"status": "completed",
                                "completed_on": datetime.strptime(form.get("completed_on", ""), "%Y-%m-%d").date(),
                                "certificate_type": form.get("certificate_type") or None}
        if form.get("certificate_level", "").isdigit():
            data["certificate_level"] = int(form["certificate_level"])
        archive.update_training(services(), db(), principal(), worker.id, training_id, data)
    except ValueError as exc:
        db().rollback()
        message = exc.message if isinstance(exc, ProfileError) else "请填写结业日期（年-月-日）。"
        flash(f"未能登记结业：{message}")
        return redirect(url_for("console.client", worker_id=worker_id) + "#archive")
    except NotFound:
        abort(404)
    flash("已登记结业。")
    return redirect(url_for("console.client", worker_id=worker_id) + "#archive")


@bp.route("/clients/<int:worker_id>/audit")
@signed_in
def audit_trail(worker_id: int) -> str:
    worker = load_client(worker_id)
    people = {a.id: a for a in db().scalars(select(CounselorAccount))}
    keys = {k.id: k for k in db().scalars(select(ApiKey))}
    rows = []
    for e in entries_about(db(), worker.id, limit=200):  # list reads that showed this client too
        if e.user_id is not None and e.user_id in people:
            who = f"{people[e.user_id].display_name}（{people[e.user_id].username}）"
        elif e.key_id is not None and e.key_id in keys:
            who = f"API 密钥 {keys[e.key_id].prefix} {keys[e.key_id].name}".strip()
        else:
            who = "系统/命令行"
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        rows.append({"at": at.strftime("%Y-%m-%d %H:%M UTC"), "who": who,
                     "action": ACTIONS_ZH.get(e.action, e.action), "fields": ", ".join(e.fields)})
    return render_template("console/_audit.html", rows=rows)


def init_app(app: Any) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # the JSON API uses bearer keys, no cookies
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a working day at the desk
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_NAME", "reco_console")
    from datetime import timedelta

    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    csrf.init_app(app)
    app.register_blueprint(bp)

    @app.route("/", endpoint="console_root")
    def _root() -> Response:
        return redirect(url_for("console.home"))  # type: ignore[return-value]
