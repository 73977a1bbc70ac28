"""Bulk import of worker profiles and training records (workers/importing.py), on both backends.

The files imported are the documented examples in workers/examples/; bad batches are copies of
them with single cells changed, so each test says exactly which row and field it broke.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog import importing as catalog_import
from catalog.tables import Course, JobCenter
from storage.engine import make_engine
from storage.session import make_session_factory
from tests.conftest import SAMPLE_CATALOG, TEST_SECRET, make_test_app
from workers import identity, importing
from workers.consent import ConsentEvent
from workers.push_tables import PlannedPush
from workers.tables import AuditEntry, FamilyLink, TrainingRecord, Worker

EXAMPLES = Path(__file__).resolve().parents[2] / "workers" / "examples"
TODAY = date(2026, 11, 29)
TH_0002_ID = "32090219870722102X"


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A database holding the sample catalog (job centers, counties, courses)."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        catalog_import.apply(session, catalog_import.plan(session, catalog_import.expand_paths([SAMPLE_CATALOG])))
        session.commit()
    yield factory
    engine.dispose()


def run(factory: sessionmaker[Session], *paths: Path) -> list[importing.FileSummary]:
    with factory() as session:
        batch = importing.plan(session, list(paths), secret_key=TEST_SECRET, today=TODAY)
        summaries = importing.apply(session, batch, secret_key=TEST_SECRET, today=TODAY)
        session.commit()
    return summaries


def counts(factory: sessionmaker[Session]) -> tuple[int, ...]:
    with factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) or 0
                     for t in (Worker, TrainingRecord, AuditEntry, FamilyLink))


def by_kind(summaries: list[importing.FileSummary]) -> dict[str, tuple[int, int, int]]:
    return {s.kind: (s.added, s.updated, s.unchanged) for s in summaries}


def examples_copy(tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "batch"
    shutil.copytree(EXAMPLES, target)
    return target / "workers.csv", target / "trainings.csv"


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell; ``row`` is the spreadsheet row (the header is row 1)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def worker(session: Session, ref: str) -> Worker:
    found = session.scalar(select(Worker).where(Worker.external_ref == ref))
    assert found is not None
    return found


def test_example_files_import_with_protected_identity_and_coarse_location(
        sessions: sessionmaker[Session]) -> None:
    summaries = run(sessions, EXAMPLES / "workers.csv", EXAMPLES / "trainings.csv")

    assert by_kind(summaries) == {"workers": (5, 0, 0), "trainings": (5, 0, 0)}
    assert counts(sessions)[:2] == (5, 5)
    with sessions() as session:
        w = worker(session, "TH-0002")
        center = session.get(JobCenter, w.job_center_id)
        assert center is not None and center.code == "JC-TINGHU"
        assert w.national_id_masked == "3209**************"
        assert w.national_id_hash == identity.keyed_hash(TEST_SECRET, TH_0002_ID)
        assert TH_0002_ID not in (w.national_id_hash or "")
        assert (w.lat, w.lon) == (33.39, 120.14)  # 33.3912,120.1437 in the file
        assert w.priority_groups == ["enterprise_employee"]
        assert w.online_ok is True and w.push_opt_in is False and w.rural is False

        # Birth date left empty: taken from the ID number.
        assert worker(session, "TH-0001").birth_date == date(1985, 3, 1)  # kept to the month
        assert worker(session, "TH-0003").national_id_masked == "3209**************"
        assert [(c.occupation_code, c.level, c.certificate_type, c.issued_on)
                for c in worker(session, "TH-0004").certificates] == [
            ("SO-3.1", None, "special_operation", date(2024, 3, 15))]

        # A course code fills occupation, level, type and hours, as POST …/trainings does.
        t = session.scalar(select(TrainingRecord).where(TrainingRecord.external_ref == "T-2026-007"))
        assert t is not None and t.course_id is not None
        assert (t.occupation_code, t.level, t.training_type, t.status) == (
            "4-03-02-02", 5, "employment_skills", "enrolled")

        # One audit entry per imported worker, action "import", field names only; and one per
        # consent the file gives (two workers opt in to pushes), with its history row.
        everything = list(session.scalars(select(AuditEntry)))
        entries = [e for e in everything if e.action == "import"]
        assert len(entries) == 5
        consents = [e for e in everything if e.action != "import"]
        assert [(e.action, e.fields) for e in consents] == [("consent_grant", ["push_opt_in"])] * 2
        history = list(session.scalars(select(ConsentEvent)))
        assert {(h.worker_id, h.purpose, h.granted, h.channel) for h in history} == {
            (worker(session, ref).id, "push", True, "import") for ref in ("TH-0001", "TH-0004")}
        assert {e.role for e in entries} == {"cli"}
        th1 = next(e for e in entries if e.worker_id == worker(session, "TH-0001").id)
        assert {"national_id", "phone", "family", "trainings", "location"} <= set(th1.fields)
        dumped = repr([e.fields for e in entries])
        assert "320902" not in dumped and "139000" not in dumped


def test_family_links_across_rows_and_in_both_directions(sessions: sessionmaker[Session]) -> None:
    run(sessions, EXAMPLES / "workers.csv")
    with sessions() as session:
        ids = {ref: worker(session, ref).id for ref in ("TH-0001", "TH-0002", "TH-0003", "TH-0004")}
        links = {(link.worker_id, link.relative_id, link.relation) for link in session.scalars(select(FamilyLink))}
    # TH-0001 names TH-0002, which comes later in the file: links are set after every row exists.
    assert links == {
        (ids["TH-0001"], ids["TH-0002"], "spouse"),
        (ids["TH-0002"], ids["TH-0001"], "spouse"),
        (ids["TH-0004"], ids["TH-0003"], "parent"),
    }


def test_reimport_adds_and_updates_nothing(sessions: sessionmaker[Session]) -> None:
    files = (EXAMPLES / "workers.csv", EXAMPLES / "trainings.csv")
    run(sessions, *files)
    before = counts(sessions)

    summaries = run(sessions, *files)

    assert by_kind(summaries) == {"workers": (0, 0, 5), "trainings": (0, 0, 5)}
    assert all(s.seen_before for s in summaries)
    assert counts(sessions) == before  # not even an audit entry


def test_trainings_alone_refer_to_workers_already_in_the_database(sessions: sessionmaker[Session]) -> None:
    run(sessions, EXAMPLES / "workers.csv")
    assert by_kind(run(sessions, EXAMPLES / "trainings.csv")) == {"trainings": (5, 0, 0)}


def test_changed_cells_update_only_those_fields(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run(sessions, EXAMPLES / "workers.csv", EXAMPLES / "trainings.csv")
    workers_csv, trainings_csv = examples_copy(tmp_path)
    set_cell(workers_csv, 3, "phone", "13900000099")            # TH-0002
    set_cell(workers_csv, 5, "family", "TH-0003:sibling")       # TH-0004: parent -> sibling
    set_cell(trainings_csv, 2, "subsidy_cny", "1300")           # T-2025-001
    audit_before = counts(sessions)[2]

    summaries = run(sessions, workers_csv, trainings_csv)

    assert by_kind(summaries) == {"workers": (0, 2, 3), "trainings": (0, 1, 4)}
    with sessions() as session:
        assert worker(session, "TH-0002").phone == "13900000099"
        assert [link.relation for link in worker(session, "TH-0004").family_links] == ["sibling"]
        new = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(audit_before)))
        fields = {session.get(Worker, e.worker_id).external_ref: e.fields for e in new}  # type: ignore[union-attr]
    assert fields == {"TH-0001": ["trainings"], "TH-0002": ["phone"], "TH-0004": ["family"]}


@pytest.mark.parametrize("preloaded", [False, True], ids=["empty-db", "after-good-import"])
def test_one_bad_row_rejects_the_whole_batch(sessions: sessionmaker[Session], tmp_path: Path,
                                             preloaded: bool) -> None:
    if preloaded:
        run(sessions, EXAMPLES / "workers.csv", EXAMPLES / "trainings.csv")
    workers_csv, trainings_csv = examples_copy(tmp_path)
    bad_id = TH_0002_ID[:-1] + "3"  # the right check character is X
    set_cell(workers_csv, 3, "national_id", bad_id)
    set_cell(workers_csv, 4, "residence_county", "shanghai")
    set_cell(workers_csv, 5, "phone", "13900000004x")
    set_cell(trainings_csv, 3, "enrolled_on", "2026-02-30")
    set_cell(trainings_csv, 5, "worker_ref", "TH-9999")
    set_cell(trainings_csv, 6, "course_code", "YC-NOPE")
    before = counts(sessions)

    with sessions() as session, pytest.raises(importing.ImportRejected) as rejected:
        importing.plan(session, [workers_csv, trainings_csv], secret_key=TEST_SECRET, today=TODAY)

    found = {(Path(e.file).name, e.row, e.field) for e in rejected.value.errors}
    assert found == {
        ("workers.csv", 3, "national_id"),
        ("workers.csv", 4, "residence_county"),
        ("workers.csv", 5, "phone"),
        ("trainings.csv", 3, "enrolled_on"),
        ("trainings.csv", 5, "worker_ref"),
        ("trainings.csv", 6, "course_code"),
    }
    text = "\n".join(map(str, rejected.value.errors))
    assert "workers.csv: row 3: national_id: check digit does not match" in text
    assert "unknown county 'shanghai'" in text and "unknown worker 'TH-9999'" in text
    assert bad_id not in text and TH_0002_ID not in text and "13900000004" not in text
    assert counts(sessions) == before


def test_duplicate_keys_and_id_numbers_are_row_errors(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run(sessions, EXAMPLES / "workers.csv")
    workers_csv, trainings_csv = examples_copy(tmp_path)
    set_cell(workers_csv, 3, "external_ref", "TH-0001")                 # duplicate key in the file
    set_cell(workers_csv, 6, "national_id", "320902199006151238")       # JH-0001 gets …
    set_cell(workers_csv, 4, "national_id", "320902199006151238")       # … the same number as TH-0003
    set_cell(workers_csv, 5, "family", "TH-0004:parent")                # own relative
    set_cell(trainings_csv, 3, "worker_ref", "TH-0001")                 # TH-0001's T-2025-001 …
    set_cell(trainings_csv, 3, "external_ref", "T-2025-001")            # … a second time

    with sessions() as session, pytest.raises(importing.ImportRejected) as rejected:
        importing.plan(session, [workers_csv, trainings_csv], secret_key=TEST_SECRET, today=TODAY)

    messages = {(Path(e.file).name, e.row, e.field): e.message for e in rejected.value.errors}
    assert messages[("workers.csv", 3, "external_ref")] == "duplicate of workers.csv row 2"
    assert messages[("workers.csv", 6, "national_id")] == "same ID number as workers.csv row 4"
    assert messages[("workers.csv", 5, "family")] == "entry 1: a worker is not their own relative"
    assert messages[("trainings.csv", 3, "external_ref")] == "duplicate of trainings.csv row 2"
    assert "320902199006151238" not in repr(messages)


def test_id_number_of_another_existing_worker_is_rejected(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run(sessions, EXAMPLES / "workers.csv")
    path = tmp_path / "workers.csv"
    header = (EXAMPLES / "workers.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\nJC-YANDU,YD-1,某,320902198503142012" + "," * 21 + "\n", encoding="utf-8")

    with sessions() as session, pytest.raises(importing.ImportRejected) as rejected:
        importing.plan(session, [path], secret_key=TEST_SECRET, today=TODAY)

    assert [str(e) for e in rejected.value.errors] == [
        f"{path}: row 2: national_id: this person is registered at job center JC-TINGHU; ask for a transfer "
        "(POST /v1/transfers), which JC-TINGHU or an admin approves"]


def test_unknown_columns_job_centers_and_family_refs(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "workers.csv"
    path.write_text("job_center,external_ref,family,colour\n"
                    "JC-NOWHERE,A1,,\n"
                    "JC-TINGHU,A2,A9:spouse|A3:child,red\n"
                    "JC-TINGHU,A3,,\n", encoding="utf-8")

    with sessions() as session, pytest.raises(importing.ImportRejected) as rejected:
        importing.plan(session, [path], secret_key=TEST_SECRET, today=TODAY)

    assert sorted((e.row, e.field, e.message) for e in rejected.value.errors) == [
        (1, "colour", "unknown column"),
        (2, "job_center", "unknown job center 'JC-NOWHERE'"),
        (3, "family", "entry 1: unknown worker 'A9' at job center JC-TINGHU (not in this file or the database)"),
    ]


def test_cli_imports_reimports_and_rejects(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path)
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["catalog", "import", str(SAMPLE_CATALOG)]).exit_code == 0

        dry = runner.invoke(args=["workers", "import", str(EXAMPLES), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "dry run: nothing was written" in dry.output
        first = runner.invoke(args=["workers", "import", str(EXAMPLES)])
        assert first.exit_code == 0, first.output
        lines = first.output.splitlines()
        assert lines[1].split()[:6] == ["workers.csv", "workers", "5", "5", "0", "0"]
        assert lines[2].split()[:6] == ["trainings.csv", "trainings", "5", "5", "0", "0"]
        again = runner.invoke(args=["workers", "import", str(EXAMPLES)])
        # total: rows, added, updated, unchanged, removed
        assert again.output.splitlines()[-1].split() == ["total", "10", "0", "0", "10", "0"]

        workers_csv, trainings_csv = examples_copy(tmp_path)
        set_cell(workers_csv, 2, "national_id", "320902198503142013")
        bad = runner.invoke(args=["workers", "import", str(workers_csv), str(trainings_csv)])
        assert bad.exit_code == 1
        assert "Import rejected: 1 bad row(s); nothing was changed." in bad.output
        assert "row 2: national_id: check digit does not match" in bad.output
        assert "320902198503142013" not in bad.output
    finally:
        app.services.engine.dispose()


def test_an_import_withdraws_consent_only_where_its_file_says_so(sessions: sessionmaker[Session],
                                                                tmp_path: Path) -> None:
    workers_csv, _ = examples_copy(tmp_path)
    run(sessions, workers_csv)
    with sessions() as session:
        th1 = worker(session, "TH-0001").id
        session.add(PlannedPush(plan_date=TODAY, worker_id=th1, course_id=session.scalar(select(Course.id).limit(1)),
                                position=1, due_at=datetime(2026, 11, 29, tzinfo=UTC), status="pending"))
        session.commit()
    # A file without the column (or with an empty cell) keeps what the worker said.
    with workers_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        del r["push_opt_in"]
    bare = tmp_path / "no_consent" / "workers.csv"
    bare.parent.mkdir()
    with bare.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run(sessions, bare)
    set_cell(workers_csv, 2, "push_opt_in", "")
    run(sessions, workers_csv)
    with sessions() as session:
        assert worker(session, "TH-0001").push_opt_in is True
        assert session.scalar(select(PlannedPush.status)) == "pending"
    # 否 withdraws it: recorded with channel "import", and the pending push is cancelled.
    set_cell(workers_csv, 2, "push_opt_in", "否")
    run(sessions, workers_csv)
    with sessions() as session:
        assert worker(session, "TH-0001").push_opt_in is False
        assert session.scalar(select(PlannedPush.status)) == "cancelled"
        history = [(h.purpose, h.granted, h.channel) for h in session.scalars(
            select(ConsentEvent).where(ConsentEvent.worker_id == th1).order_by(ConsentEvent.id))]
        assert history == [("push", True, "import"), ("push", False, "import")]
