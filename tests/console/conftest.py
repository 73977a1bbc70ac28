"""Console fixtures: the sample catalog, one counselor account at Tinghu and one at Dafeng, and a
helper that signs a test client in through the real form (with its CSRF token)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from access.accounts import create_account
from storage.session import writing
from tests.api.conftest import load_sample_catalog

PASSWORD = "desk-password-2026"


@dataclass(frozen=True)
class Accounts:
    tinghu: str = "zhang.wei"
    dafeng: str = "li.na"
    password: str = PASSWORD


@pytest.fixture
def accounts(app: Flask, catalog_template: Path) -> Accounts:
    load_sample_catalog(app, catalog_template)
    with writing(app.services.sessions) as session:
        create_account(session, "zhang.wei", PASSWORD, job_center_code="JC-TINGHU", display_name="张伟")
        create_account(session, "li.na", PASSWORD, job_center_code="JC-DAFENG", display_name="李娜")
    return Accounts()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> FlaskClient:
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    r = client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client
