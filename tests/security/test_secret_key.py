"""The secret-key check measures the key (zxcvbn's guess estimate) and refuses known values, so
'a' * 32 or the test suite's own secret never guards real ID numbers; only TESTING may use them."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from serving.settings import secret_problem
from tests.conftest import TEST_SECRET, make_test_app
from tests.faults.conftest import SERVER_SECRET

REFUSED = {
    "a * 32": "a" * 32,
    "the test suite's secret": TEST_SECRET,
    "the test suite's secret, padded": TEST_SECRET + "-0123456789",
    "changeme": "changeme",
    "a repeated block": "x7Qp2Lw9" * 6,
    "words and a year": "yancheng-course-matching-secret-2026",
    "a keyboard walk": "qwertyuiopasdfghjklzxcvbnm1234567890",
}
ACCEPTED = {
    "token_urlsafe(48), as make run writes": secrets.token_urlsafe(48),
    "token_urlsafe(32)": secrets.token_urlsafe(32),
    "token_hex(32)": secrets.token_hex(32),
    "the fault tests' server secret": SERVER_SECRET,
}


@pytest.mark.parametrize("secret", REFUSED.values(), ids=REFUSED.keys())
def test_weak_or_known_secrets_are_refused(secret: str) -> None:
    problem = secret_problem(secret)
    assert problem is not None
    assert secret not in problem  # never echoed


@pytest.mark.parametrize("secret", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_generated_secrets_pass(secret: str) -> None:
    assert secret_problem(secret) is None


def test_the_app_refuses_them_outside_testing_only(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="Refusing to start: RECO_SECRET_KEY is guessable"):
        make_test_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, TESTING=False, SECRET_KEY="a" * 32)
    app = make_test_app(f"sqlite:///{tmp_path / 'y.sqlite3'}", tmp_path)  # TESTING, the suite's own secret
    assert app.config["SECRET_KEY"] == TEST_SECRET
    app.services.engine.dispose()
