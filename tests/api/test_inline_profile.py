"""The inline profile answers as a stored one would (issue 11): an unknown county and a future
birth date are refused with a field-level 422, and a completed training's certificate counts."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import Keys
from tests.api.test_workers_api import assert_problem, course_ids, error_fields, profile


def test_inline_unknown_county_is_422_like_a_stored_profile(client: FlaskClient, keys: Keys) -> None:
    cid = next(iter(course_ids(client, keys).values()))
    stored = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                        json=profile(hukou_county="tinhu")), 422)
    assert error_fields(stored) == {"hukou_county"}
    inline = assert_problem(client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"hukou_county": "tinhu"}, "course_ids": [cid]}), 422)
    assert error_fields(inline) == {"profile.hukou_county"}
    assert "tinhu" in inline["errors"][0]["message"]
    # "other" is how a profile says "outside the city": accepted on both paths.
    ok = client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"hukou_county": "other"}, "course_ids": [cid]})
    assert ok.status_code == 200


def test_inline_future_birth_date_is_422_like_a_stored_profile(client: FlaskClient, keys: Keys) -> None:
    cid = next(iter(course_ids(client, keys).values()))
    # The test clock is 2026-11-29.
    stored = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                        json=profile(national_id=None, birth_date="2027-01-01")), 422)
    assert error_fields(stored) == {"birth_date"}
    inline = assert_problem(client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"birth_date": "2027-01-01"}, "course_ids": [cid]}), 422)
    assert error_fields(inline) == {"profile.birth_date"}
    assert client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"birth_date": "2026-11-29"}, "course_ids": [cid]}).status_code == 200
