"""An ID number cannot be rebuilt from what is stored or returned, without the secret key.

The attack from the issue, run as an attacker with the whole database row and the counselor's
view (the most anyone but the key holder reads): enumerate every 18-character number that agrees
with the mask, the stored birth date (whatever precision the service keeps), the gender (odd
sequence for men) and the check digit, *granting the attacker the exact region code* (the hukou
county nearly gives it away). On the old scheme (mask ``3209**********123X`` plus a clear birth
date) this left one candidate; the bar is at least 10,000 for every person.

Also here: existing masks and birth dates are migrated, and a counselor confirms a person by the
number they present (keyed hashes compared), never by reading digits back.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import select

from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import TEST_SECRET
from tests.security.conftest import World, worker_body
from workers import identity
from workers.tables import AuditEntry, Worker

MIN_CANDIDATES = 10_000
NUMBERS = [  # Yancheng-born people: both genders, 31-, 30- and 28-day months, a leap day, an X check
    "32090219900109123", "32090319850601051", "32092419760229002", "32092219920215335",
    "32098219881130142", "32090219991231999",
]
NUMBERS = [n + identity.check_char(n) for n in NUMBERS]


def candidates(mask: str, region: str, born: date, day_known: bool, gender: str | None) -> list[str]:
    """Every valid number agreeing with what the attacker holds."""
    days = [born.day] if day_known else range(1, calendar.monthrange(born.year, born.month)[1] + 1)
    out = []
    for day in days:
        for seq in range(1000):
            if gender is not None and (seq % 2 == 1) != (gender == "male"):
                continue
            first17 = f"{region}{born.year:04d}{born.month:02d}{day:02d}{seq:03d}"
            number = first17 + identity.check_char(first17)
            if all(m == "*" or m == c for m, c in zip(mask, number, strict=True)):
                out.append(number)
    return out


def test_the_old_mask_and_a_clear_birth_date_gave_the_number_back() -> None:
    # The attack of the issue, on the old scheme: the test's enumeration does find the weakness.
    for number in NUMBERS:
        old_mask = number[:4] + "*" * 10 + number[-4:]
        born = identity.birth_date_of(number)
        found = candidates(old_mask, number[:6], born, day_known=True, gender=None)
        assert found == [number]


def test_no_stored_or_returned_field_combination_narrows_a_number_below_10000(world: World) -> None:
    client: FlaskClient = world.app.test_client()
    admin = world.headers("admin")
    for i, number in enumerate(NUMBERS):
        gender = "male" if int(number[16]) % 2 else "female"
        body = dict(worker_body("tinghu", 50 + i), external_ref=f"ID-{i}", national_id=number, gender=gender,
                    job_center="JC-TINGHU")
        del body["birth_date"]
        r = client.post("/v1/workers", json=body, headers=admin)
        assert r.status_code == 201, r.get_data(as_text=True)
        shown = r.get_json()
        text = r.get_data(as_text=True)
        assert number not in text and number[:17] not in text and number[6:14] not in text
        with world.app.services.sessions() as session:
            row = session.scalar(select(Worker).where(Worker.id == shown["id"]))
            assert row is not None and row.birth_date is not None
            stored_mask, stored_born, stored_gender = row.national_id_masked, row.birth_date, row.gender
        assert stored_mask == shown["national_id_masked"]
        assert shown["birth_month"] == number[6:10] + "-" + number[10:12]
        assert stored_born.day == 1  # the day is not kept
        found = candidates(stored_mask or "*" * 18, number[:6], stored_born, day_known=False, gender=stored_gender)
        assert number in found  # the enumeration is honest: the true number is among them
        assert len(found) >= MIN_CANDIDATES, (number, len(found))


def test_existing_masks_and_birth_dates_are_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0002")
    number = NUMBERS[0]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO job_centers (id, code, name_zh, name_en, counties) "
                             "VALUES (1, 'JC-TINGHU', '亭湖', 'Tinghu', '[\"tinghu\"]')"))
        conn.execute(sa.text(
            "INSERT INTO workers (id, job_center_id, name, national_id_hash, national_id_masked, birth_date, "
            "draws_pension, priority_groups, interests, online_ok, push_opt_in, created_at, updated_at) VALUES "
            "(7, 1, '', 'h', :mask, '1990-01-09', 0, '[]', '[]', 1, 0, '2026-01-01', '2026-01-01')"),
            {"mask": number[:4] + "*" * 10 + number[-4:]})
    upgrade(engine)
    with engine.connect() as conn:
        mask, born, public_id = conn.execute(sa.text(
            "SELECT national_id_masked, birth_date, public_id FROM workers WHERE id = 7")).one()
    engine.dispose()
    assert mask == "3209" + "*" * 14
    assert str(born).startswith("1990-01-01")
    assert public_id.startswith("w_") and len(public_id) >= 22


def test_a_counselor_confirms_identity_by_typing_the_number(world: World) -> None:
    client = world.app.test_client()
    number, other = NUMBERS[1], NUMBERS[2]
    body = dict(worker_body("tinghu", 60), external_ref="CONFIRM", national_id=number)
    del body["birth_date"]
    wid = client.post("/v1/workers", json=body, headers=world.headers("counselor")).get_json()["id"]
    url = f"/v1/workers/{wid}/identity-check"
    r = client.post(url, json={"national_id": number.lower()}, headers=world.headers("counselor"))
    assert r.status_code == 200 and r.get_json() == {"matches": True}
    r = client.post(url, json={"national_id": other}, headers=world.headers("counselor"))
    assert r.status_code == 200 and r.get_json() == {"matches": False}
    assert number not in r.get_data(as_text=True)
    # Another center's counselor cannot use it as an oracle on this person.
    r = client.post(url, json={"national_id": number}, headers=world.headers("foreign_counselor"))
    assert r.status_code == 404
    with world.app.services.sessions() as session:
        checks = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "id_check",
                                                               AuditEntry.worker_id == wid)))
    assert [(c.fields, c.national_id_hash) for c in checks] == [
        (["match"], identity.keyed_hash(TEST_SECRET, number)), (["no_match"], identity.keyed_hash(TEST_SECRET, other))]
