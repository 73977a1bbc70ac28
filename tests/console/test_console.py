"""The console over Flask's test client: accounts, lockout, CSRF, scoping, the enrolment guard and
its override in the archive and the audit trail. The browser tests drive the same pages in
Chromium (tests/console/test_browser.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from access.accounts import MAX_FAILURES, set_disabled
from access.tables import CounselorAccount
from api.workers.schemas import WorkerIn
from storage.session import writing
from tests.api.test_workers_api import ID_A, NAME, profile
from tests.conftest import TEST_SECRET
from tests.console.conftest import PASSWORD, Accounts, csrf_of, sign_in
from workers.service import create_worker
from workers.tables import AuditEntry, TrainingRecord, Worker


def register(app: Flask, center: str = "JC-TINGHU", **overrides: Any) -> int:
    """A client registered at ``center`` with the API tests' profile (through the domain function)."""
    data = {**profile(**overrides), "job_center": center}
    with writing(app.services.sessions) as session:
        worker = create_worker(session, None, WorkerIn().load(data), secret_key=TEST_SECRET, today=date(2026, 11, 29))
        return worker.id


def test_pages_need_a_signed_in_counselor(client: FlaskClient, accounts: Accounts) -> None:
    r = client.get("/console/")
    assert r.status_code == 302 and "/console/login" in r.headers["Location"]
    page = client.get("/console/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and 'for="username"' in page and 'for="password"' in page
    assert "htmx.min.js" in page and "cdn" not in page.lower()


def test_sign_in_without_csrf_token_is_refused(client: FlaskClient, accounts: Accounts) -> None:
    r = client.post("/console/login", data={"username": accounts.tinghu, "password": PASSWORD})
    assert r.status_code == 400 and "/console/" not in r.headers.get("Location", "")


def test_wrong_passwords_lock_the_account(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    for _ in range(MAX_FAILURES):
        token = csrf_of(client.get("/console/login").get_data(as_text=True))
        r = client.post("/console/login", data={"username": accounts.tinghu, "password": "wrong-password",
                                                "csrf_token": token})
        assert r.status_code == 401
    # Locked: even the right password is refused now, and the page says so.
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    r = client.post("/console/login", data={"username": accounts.tinghu, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401 and "锁定" in r.get_data(as_text=True)
    with app.app_context():
        session = app.services.sessions()
        account = session.scalars(select(CounselorAccount).where(CounselorAccount.username == accounts.tinghu)).one()
        assert account.locked_until is not None and account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        session.close()


def test_disabling_an_account_ends_its_session(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    sign_in(client, accounts.tinghu)
    assert client.get("/console/").status_code == 200
    with writing(app.services.sessions) as session:
        set_disabled(session, accounts.tinghu, True, datetime.now(UTC))
    assert client.get("/console/").status_code == 302


def test_password_change_needs_the_current_one_and_ends_other_sessions(app: Flask, accounts: Accounts) -> None:
    desk, other = app.test_client(), app.test_client()
    sign_in(desk, accounts.tinghu)
    sign_in(other, accounts.tinghu)
    token = csrf_of(desk.get("/console/password").get_data(as_text=True))
    r = desk.post("/console/password", data={"current_password": "not-it-at-all", "new_password": "new-desk-pass-77",
                                             "new_password_again": "new-desk-pass-77", "csrf_token": token})
    assert r.status_code == 422 and "当前密码错误" in r.get_data(as_text=True)
    r = desk.post("/console/password", data={"current_password": PASSWORD, "new_password": "new-desk-pass-77",
                                             "new_password_again": "new-desk-pass-77", "csrf_token": token})
    assert r.status_code == 302
    assert desk.get("/console/").status_code == 200
    assert other.get("/console/").status_code == 302  # the other session ended
    sign_in(app.test_client(), accounts.tinghu, "new-desk-pass-77")


def test_find_by_id_number_is_scoped_and_never_echoes_it(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    wid = register(app)
    sign_in(client, accounts.tinghu)
    token = csrf_of(client.get("/console/").get_data(as_text=True))
    page = client.post("/console/search", data={"q": ID_A, "csrf_token": token}).get_data(as_text=True)
    assert f"/console/clients/{wid}" in page and NAME in page and ID_A not in page
    other = app.test_client()
    sign_in(other, accounts.dafeng)
    token = csrf_of(other.get("/console/").get_data(as_text=True))
    page = other.post("/console/search", data={"q": ID_A, "csrf_token": token}).get_data(as_text=True)
    assert f"/console/clients/{wid}" not in page and "没有找到" in page
    assert other.get(f"/console/clients/{wid}").status_code == 404


def test_console_enrolment_refused_then_overridden_shows_in_archive_and_audit(app: Flask, client: FlaskClient,
                                                                             accounts: Accounts) -> None:
    wid = register(app, draws_pension=True)  # R5: the rules refuse every subsidy
    sign_in(client, accounts.tinghu)
    snap = app.services.snapshots
    with app.test_request_context():
        from api.db import db

        items = snap.get(db(), date(2026, 11, 29)).items
    course = next(it for it in items if it.seats_left > 0 and it.enrol_deadline >= date(2026, 11, 29))
    page = client.get(f"/console/clients/{wid}/courses/{course.id}").get_data(as_text=True)
    assert "R5_PENSION" in page and "按月领取养老金" in page
    token = csrf_of(page)
    form = {"enrolled_on": "2026-11-29", "subsidized": "on", "csrf_token": token}
    r = client.post(f"/console/clients/{wid}/courses/{course.id}/enrol", data=form)
    assert r.status_code == 422 and "R5_PENSION" in r.get_data(as_text=True)
    reason = "经区人社局批准按特殊情况处理"
    r = client.post(f"/console/clients/{wid}/courses/{course.id}/enrol", data={**form, "override_reason": reason})
    assert r.status_code == 302
    archive = client.get(f"/console/clients/{wid}/archive").get_data(as_text=True)
    assert reason in archive and "张伟" in archive
    trail = client.get(f"/console/clients/{wid}/audit").get_data(as_text=True)
    assert "越过规则登记" in trail and "张伟" in trail
    with app.app_context():
        session = app.services.sessions()
        record = session.scalars(select(TrainingRecord).where(TrainingRecord.worker_id == wid)).one()
        assert record.override_reason == reason and "R5_PENSION" in (record.override_codes or [])
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).one()
        account = session.scalars(select(CounselorAccount).where(CounselorAccount.username == accounts.tinghu)).one()
        assert entry.user_id == account.id and entry.key_id is None
        assert session.get(Worker, wid) is not None
        session.close()


def test_profile_edit_validates_and_saves(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    wid = register(app)
    sign_in(client, accounts.tinghu)
    page = client.get(f"/console/clients/{wid}/edit").get_data(as_text=True)
    assert 'for="phone"' in page and 'id="pg-veteran"' in page
    token = csrf_of(page)
    form = {"csrf_token": token, "phone": "12345", "residence_county": "yandu", "employment_status": "unemployed",
            "priority_groups": ["veteran", "laid_off_unemployed"], "online_ok": "on"}
    r = client.post(f"/console/clients/{wid}/edit", data=form)
    assert r.status_code == 422 and "phone" in r.get_data(as_text=True)
    r = client.post(f"/console/clients/{wid}/edit", data={**form, "phone": "13800001111"})
    assert r.status_code == 302
    page = client.get(f"/console/clients/{wid}").get_data(as_text=True)
    assert "13800001111" in page and "退役军人" in page and "盐都区" in page
    with app.app_context():
        session = app.services.sessions()
        worker = session.get(Worker, wid)
        assert worker is not None and worker.phone == "13800001111" and worker.residence_county == "yandu"
        assert set(worker.priority_groups) == {"veteran", "laid_off_unemployed"}
        session.close()
    # Another center's counselor cannot even open the form.
    other = app.test_client()
    sign_in(other, accounts.dafeng)
    assert other.get(f"/console/clients/{wid}/edit").status_code == 404


def test_the_client_page_and_search_show_the_birth_month(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    # Only the month is stored (issue 9); the page showed "—" once the API view renamed the field.
    wid = register(app)
    month = f"{ID_A[6:10]}-{ID_A[10:12]}"
    sign_in(client, accounts.tinghu)
    page = client.get(f"/console/clients/{wid}").get_data(as_text=True)
    assert month in page and f"{month}-{ID_A[12:14]}" not in page
    token = csrf_of(client.get("/console/").get_data(as_text=True))
    found = client.post("/console/search", data={"q": NAME, "csrf_token": token}).get_data(as_text=True)
    assert month in found and f"{month}-01" not in found
