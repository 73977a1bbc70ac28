"""Deep or huge JSON is a 400 problem, never a 500: nesting and number length are bounded while
parsing (``api/json_limits.py``), by the schemas' parser and by ``request.get_json`` alike."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from api.json_limits import MAX_DEPTH
from tests.api.conftest import Keys

PROBLEM = "application/problem+json"
BODIES = {
    "nested 50,000 deep": "[" * 50_000 + "]" * 50_000,
    "objects nested 40 deep": '{"a":' * 40 + "1" + "}" * 40,
    "a 5,000-digit integer": '{"course_ids": [' + "9" * 5000 + "]}",
    "a 5,000-digit fraction": '{"k": 0.' + "1" * 5000 + "}",
    "NaN": '{"k": NaN}',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("path", ["/v1/eligibility", "/v1/workers"])
def test_deep_or_huge_json_is_400_problem(client: FlaskClient, keys: Keys, path: str, body: str) -> None:
    r = client.post(path, data=body, content_type="application/json", headers=keys.as_admin)
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert r.mimetype == PROBLEM
    problem = r.get_json(force=True)
    assert problem["errors"][0]["location"] == "json"


def test_request_get_json_has_the_same_bounds(client: FlaskClient, keys: Keys) -> None:
    r = client.post("/v1/auth/activate", data="[" * 5000 + "]" * 5000, content_type="application/json",
                    headers=keys.as_app)
    assert r.status_code == 400 and r.mimetype == PROBLEM


def test_ordinary_nesting_still_works(client: FlaskClient, keys: Keys) -> None:
    profile = {"hukou_county": "tinghu", "certificates": [{"occupation_code": "4-10-01-06",
                                                           "certificate_type": "skill_level"}]}
    r = client.post("/v1/eligibility", json={"profile": profile, "course_ids": [1]}, headers=keys.as_app)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert MAX_DEPTH >= 8
