"""An import naming a person another job center holds: the row says which center and how to ask
for a transfer, and the lookup stays in the audit trail although the batch is rolled back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.session import writing
from tests.conftest import SAMPLE_CATALOG, TEST_SECRET, make_test_app
from tests.workers.test_import import examples_copy
from workers import identity
from workers.service import create_worker
from workers.tables import AuditEntry, Worker

HELD = "320902198503142012"  # TH-0001's number in the example files


def test_import_of_a_person_held_elsewhere_is_rejected_with_the_center_and_audited(
        sqlite_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "reco.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    app = make_test_app(f"sqlite:///{database}", tmp_path)
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["catalog", "import", str(SAMPLE_CATALOG)]).exit_code == 0
        with writing(app.services.sessions) as session:
            held = create_worker(session, None, {"job_center": "JC-DAFENG", "national_id": HELD,
                                                 "residence_county": "dafeng"},
                                 secret_key=TEST_SECRET, today=identity.birth_date_of(HELD).replace(year=2026))
            held_id = held.id
        workers_csv, trainings_csv = examples_copy(tmp_path)
        result = runner.invoke(args=["workers", "import", str(workers_csv), str(trainings_csv)])
        assert result.exit_code == 1
        assert "registered at job center JC-DAFENG" in result.output and "POST /v1/transfers" in result.output
        assert HELD not in result.output
        with app.services.sessions() as session:
            assert session.scalar(select(Worker.id).where(Worker.external_ref == "TH-0002")) is None  # nothing applied
            [check] = session.scalars(select(AuditEntry).where(AuditEntry.action == "id_check")).all()
        assert (check.worker_id, check.role, check.national_id_hash) == (
            held_id, "cli", identity.keyed_hash(TEST_SECRET, HELD))
        assert set(check.fields) == {"registered_elsewhere", "import"}
    finally:
        app.services.engine.dispose()
