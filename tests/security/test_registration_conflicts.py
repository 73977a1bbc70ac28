"""A person already registered at another job center: a clear problem, an audited check, and a
transfer with both centers' consent. Deleting a worker audits the family links it removes."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import TEST_SECRET
from tests.security.conftest import FOREIGN_CENTER, OWN_CENTER, World, new_national_id, worker_body
from workers import identity
from workers.tables import AuditEntry, Worker


def trail(world: World, action: str) -> list[AuditEntry]:
    with world.app.services.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def key_id(world: World, role: str) -> int:
    from access.keys import authenticate

    with world.app.services.sessions() as session:
        principal = authenticate(session, TEST_SECRET, world.keys[role])
        assert principal is not None and principal.key_id is not None
        return principal.key_id


def test_registering_a_person_held_elsewhere_names_the_center_and_is_audited(world: World) -> None:
    client = world.app.test_client()
    _, number = world.new_registered(OWN_CENTER)
    body = dict(worker_body("dafeng", 70), external_ref="DF-70", national_id=number, birth_date=None)
    r = client.post("/v1/workers", json=body, headers=world.headers("foreign_counselor"))
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["held_by"] == OWN_CENTER
    assert problem["transfer"] == {"method": "POST", "path": "/v1/transfers"}
    assert "transfer" in problem["detail"] and number not in r.get_data(as_text=True)
    assert problem["errors"][0]["field"] == "national_id"
    # Nothing was registered, but the check itself is on record: who asked, about which (hashed) number.
    with world.app.services.sessions() as session:
        assert session.scalar(select(Worker.id).where(Worker.external_ref == "DF-70")) is None
    [check] = trail(world, "id_check")
    assert check.national_id_hash == identity.keyed_hash(TEST_SECRET, number)
    assert (check.role, check.key_id, check.fields) == ("counselor", key_id(world, "foreign_counselor"),
                                                        ["registered_elsewhere"])


def test_a_mismatching_birth_date_does_not_tell_registered_from_unknown(world: World) -> None:
    """The old oracle: 409 if the number was registered anywhere, 422 if not, nothing audited."""
    client = world.app.test_client()
    _, registered = world.new_registered(FOREIGN_CENTER)
    unknown = new_national_id()
    answers = []
    for number in (registered, unknown):
        r = client.patch(f"/v1/workers/{world.own_worker}", headers=world.headers("counselor"),
                         json={"national_id": number, "birth_date": "1970-01-01"})
        answers.append((r.status_code, [e["field"] for e in r.get_json()["errors"]], r.get_json()["detail"]))
    assert answers[0] == answers[1] and answers[0][0] == 422 and answers[0][1] == ["birth_date"]


def test_transfer_needs_both_centers(world: World) -> None:
    client = world.app.test_client()
    wid, number = world.new_registered(OWN_CENTER)
    asker, holder = world.headers("foreign_counselor"), world.headers("counselor")
    r = client.post("/v1/transfers", json={"national_id": number, "reason": "moved to Dafeng"}, headers=asker)
    assert r.status_code == 201, r.get_data(as_text=True)
    asked = r.get_json()
    assert (asked["status"], asked["from_job_center"], asked["to_job_center"]) == ("pending", OWN_CENTER, FOREIGN_CENTER)
    assert asked["to_approved"] and not asked["from_approved"]
    assert asked["worker_id"] is None  # the asking center does not see the profile yet
    tid = asked["id"]
    # The asking center cannot complete it alone, nor see the profile.
    r = client.post(f"/v1/transfers/{tid}/approve", headers=asker)
    assert r.status_code == 200 and r.get_json()["status"] == "pending"
    assert client.get(f"/v1/workers/{wid}", headers=asker).status_code == 404
    # A third center sees nothing of it.
    assert client.post(f"/v1/transfers/{tid}/approve", headers=world.headers("third_counselor")).status_code == 404
    assert client.get("/v1/transfers", headers=world.headers("third_counselor")).get_json()["items"] == []
    listed = client.get("/v1/transfers", headers=holder).get_json()["items"]
    assert [(t["id"], t["worker_id"]) for t in listed] == [(tid, wid)]
    r = client.post(f"/v1/transfers/{tid}/approve", headers=holder)
    assert r.status_code == 200 and r.get_json()["status"] == "done"
    assert client.get(f"/v1/workers/{wid}", headers=asker).status_code == 200
    assert client.get(f"/v1/workers/{wid}", headers=holder).status_code == 404
    r = client.post(f"/v1/transfers/{tid}/reject", headers=asker)
    assert r.status_code == 422  # decided already
    digest = identity.keyed_hash(TEST_SECRET, number)
    assert [(e.action, e.worker_id, e.national_id_hash) for e in trail(world, "transfer_ask")] == [
        ("transfer_ask", wid, digest)]
    assert [e.worker_id for e in trail(world, "transfer_ok")] == [wid, wid]
    [done] = trail(world, "transfer")
    assert done.worker_id == wid and "job_center" in done.fields


def test_transfer_refused_withdrawn_and_by_admin(world: World) -> None:
    client = world.app.test_client()
    wid, number = world.new_registered(OWN_CENTER)
    tid = client.post("/v1/transfers", json={"national_id": number},
                      headers=world.headers("foreign_counselor")).get_json()["id"]
    r = client.post(f"/v1/transfers/{tid}/reject", headers=world.headers("counselor"))
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    # An unknown number: a clear 422, audited like every lookup.
    r = client.post("/v1/transfers", json={"national_id": new_national_id()}, headers=world.headers("foreign_counselor"))
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "national_id"
    assert [e.fields for e in trail(world, "transfer_ask")] == [["found"], ["not_found"]]
    # An admin's request is both centers' consent.
    r = client.post("/v1/transfers", json={"national_id": number, "to_job_center": FOREIGN_CENTER},
                    headers=world.headers("admin"))
    assert r.status_code == 201 and r.get_json()["status"] == "done"
    assert client.get(f"/v1/workers/{wid}", headers=world.headers("foreign_counselor")).status_code == 200


def test_deleting_a_worker_audits_the_family_links_it_removes(world: World) -> None:
    client = world.app.test_client()
    parent = world.new_worker(OWN_CENTER)
    children = []
    for n in range(2):
        body = dict(worker_body("tinghu", 80 + n), external_ref=f"CHILD-{n}",
                    family=[{"relative_id": parent, "relation": "parent"}])
        r = client.post("/v1/workers", json=body, headers=world.headers("counselor"))
        assert r.status_code == 201, r.get_data(as_text=True)
        children.append(r.get_json()["id"])
    assert client.delete(f"/v1/workers/{parent}", headers=world.headers("counselor")).status_code == 204
    unlinked = trail(world, "family_unlink")
    assert sorted(e.worker_id for e in unlinked) == sorted(children)
    assert all(e.fields == ["family"] and e.role == "counselor" for e in unlinked)
    for child in children:
        assert client.get(f"/v1/workers/{child}", headers=world.headers("counselor")).get_json()["family"] == []
