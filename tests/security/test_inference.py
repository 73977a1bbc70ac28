"""Inference: can anyone but a worker's own counselor (or the worker) tell sensitive-group members
from the others? The attack of the issue, generalised.

A generated population of a job center, a third of it in sensitive priority groups (disabled with
a grade, dibao, low-income household, community correction), the rest alike but without them.
Each attacker (the app's key alone, another worker's token, counselors of other job centers, no
key) requests every route that names a worker, for every worker, and keeps everything it gets
back (status and body, with the worker's own id blanked out, since that id is the attacker's
input).

Measure: the area under the ROC curve (AUC) of a classifier on those responses, sensitive = 1.
Two classifiers: the issue's own (how many returned courses target a sensitive group, read from
the public catalog) and the best any classifier could do on the responses (each distinct
response scored by the share of sensitive workers who got it, in sample: an upper bound).
Threshold: AUC ≤ 0.55 for every attacker (0.5 is chance). The worker's own counselor is the
positive control: the same measure on their view must exceed 0.9, or the probe proves nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import pytest
from flask.testing import FlaskClient

from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from tests.security.conftest import OWN_CENTER, World, worker_body

AUC_THRESHOLD = 0.55
POPULATION = 30
SENSITIVE_PROFILES = [
    {"priority_groups": ["disabled", "laid_off_unemployed"], "disability_grade": 2},
    {"priority_groups": ["dibao", "laid_off_unemployed"]},
    {"priority_groups": ["low_income_household", "laid_off_unemployed"]},
    {"priority_groups": ["community_correction", "laid_off_unemployed"]},
]
ATTACKERS = ("none", "app", "other_worker", "foreign_counselor", "third_counselor")


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Mann-Whitney AUC; ties count one half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def best_auc(features: Sequence[str], labels: Sequence[bool]) -> float:
    """The AUC of the best classifier of ``features`` (scored in sample by each value's positive rate)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f, y in zip(features, labels, strict=True):
        counts[f][int(y)] += 1
    return auc([counts[f][1] / sum(counts[f]) for f in features], labels)


def population(world: World) -> list[tuple[int, bool]]:
    client = world.app.test_client()
    people = []
    for n in range(POPULATION):
        sensitive = n % 3 == 0
        extra = SENSITIVE_PROFILES[(n // 3) % len(SENSITIVE_PROFILES)] if sensitive else {
            "priority_groups": ["laid_off_unemployed"], "disability_grade": None}
        body = dict(worker_body("tinghu", 200 + n), external_ref=f"INF-{n}", job_center=OWN_CENTER, **extra)
        r = client.post("/v1/workers", json=body, headers=world.headers("admin"))
        assert r.status_code == 201, r.get_data(as_text=True)
        people.append((int(r.get_json()["id"]), sensitive))
    return people


def responses(client: FlaskClient, world: World, role: str, wid: int) -> list[tuple[int, str, str]]:
    """Everything ``role`` gets back from the routes that name worker ``wid``."""
    h = world.headers(role)
    calls: list[Callable[[], object]] = [
        lambda: client.get(f"/v1/workers/{wid}", headers=h),
        lambda: client.get(f"/v1/workers/{wid}/recommendations", headers=h, query_string={"k": 30}),
        lambda: client.get(f"/v1/workers/{wid}/eligibility", headers=h, query_string={"course_id": world.course_id}),
        lambda: client.get(f"/v1/workers/{wid}/trainings", headers=h),
        lambda: client.get(f"/v1/workers/{wid}/dismissals", headers=h),
        lambda: client.get(f"/v1/workers/{wid}/sessions", headers=h),
        lambda: client.post("/v1/events", headers=h, json={"events": [
            {"worker_id": wid, "course_id": world.course_id, "kind": "view"}]}),
    ]
    out = []
    for call in calls:
        resp = call()
        text = resp.get_data(as_text=True)  # type: ignore[attr-defined]
        blanked = re.sub(rf"(?<![0-9]){wid}(?![0-9])", "{id}", text)
        out.append((resp.status_code, text, blanked))  # type: ignore[attr-defined]
    return out


def sensitive_course_count(got: list[tuple[int, str, str]], sensitive_courses: set[int]) -> float:
    status, text, _ = got[1]
    if status != 200:
        return 0.0
    return float(sum(1 for i in json.loads(text)["items"] if i["course"]["id"] in sensitive_courses))


@pytest.mark.slow
def test_no_one_but_the_own_counselor_can_tell_sensitive_group_members(world: World) -> None:
    client = world.app.test_client()
    people = population(world)
    labels = [s for _, s in people]
    assert 0 < sum(labels) < len(labels)
    # The public catalog says which courses are aimed at a sensitive group.
    sensitive_courses: set[int] = set()
    page = 1
    while True:
        body = client.get("/v1/courses", headers=world.headers("app"),
                          query_string={"page": page, "per_page": 100}).get_json()
        sensitive_courses |= {c["id"] for c in body["items"] if set(c["target_groups"]) & SENSITIVE_PRIORITY_GROUPS}
        if page * 100 >= body["total"]:
            break
        page += 1

    measured: dict[str, tuple[float, float]] = {}
    for role in ("counselor", *ATTACKERS):
        got = [responses(client, world, role, wid) for wid, _ in people]
        features = [hashlib.sha256(repr([(status, blanked) for status, _, blanked in g]).encode()).hexdigest()
                    for g in got]
        measured[role] = (auc([sensitive_course_count(g, sensitive_courses) for g in got], labels),
                          best_auc(features, labels))
        if role in ATTACKERS:
            # Everything a non-owner reads about a worker is a refusal, the same for everyone.
            assert all(status >= 400 for g in got for status, _, _ in g), role
            assert len(set(features)) == 1, role
    print("\nAUC (issue's classifier, best classifier) by reader:", measured)
    assert measured["counselor"][1] > 0.9 and measured["counselor"][0] > 0.7  # the probe can see
    for role in ATTACKERS:
        assert max(measured[role]) <= AUC_THRESHOLD, (role, measured[role])


def test_the_signed_in_worker_sees_their_own_courses(world: World) -> None:
    """The app may show a worker their own list, sensitive courses included, and only to them."""
    from tests.conftest import sign_in

    client = world.app.test_client()
    body = dict(worker_body("tinghu", 300), external_ref="INF-SELF", job_center=OWN_CENTER,
                priority_groups=["disabled", "laid_off_unemployed"], disability_grade=2)
    wid = client.post("/v1/workers", json=body, headers=world.headers("admin")).get_json()["id"]
    me = sign_in(client, world.headers("counselor"), world.headers("app"), wid)
    own = client.get("/v1/me/recommendations", headers=me["headers"], query_string={"k": 30})
    assert own.status_code == 200
    counselor = client.get(f"/v1/workers/{wid}/recommendations", headers=world.headers("counselor"),
                           query_string={"k": 30}).get_json()
    assert [i["course"]["id"] for i in own.get_json()["items"]] == [i["course"]["id"] for i in counselor["items"]]
