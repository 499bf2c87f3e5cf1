"""Hostile or broken requests: each gets a clear 4xx and changes nothing."""
from __future__ import annotations

import pytest

from tests.webui.conftest import PROCESS


@pytest.fixture
def token(office):
    return office.create_api_token(user="clerk", name="bad-input")["token"]


def case_count(office) -> int:
    return office.list_cases(user="director")["total"]


@pytest.mark.parametrize("body,content_type,status", [
    (b'{"process_key": "' + PROCESS.encode() + b'", "data": {"subject": "\xff\xfe"}}', "application/json", 400),
    (b"process_key=" + PROCESS.encode(), "application/x-www-form-urlencoded", 415),
    (b'{"process_key": "' + PROCESS.encode() + b'"}', "text/plain", 415),
    (b'{"process_key": "' + PROCESS.encode() + b'", "data": {"subject": "' + b"x" * 13_000_000 + b'"}}',
     "application/json", 413),
])
def test_broken_bodies_are_refused_and_change_nothing(app, office, token, body, content_type, status):
    before = case_count(office)
    response = app.test_client().post("/api/v1/cases", data=body, content_type=content_type,
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] and response.get_json()["message"]
    assert case_count(office) == before


def test_an_oversized_field_is_refused_by_name(app, office, token):
    before = case_count(office)
    response = app.test_client().post("/api/v1/cases", json={"process_key": PROCESS,
                                                             "data": {"subject": "拖欠工资" * 50_000}},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (400, 413)
    assert "subject" in response.get_data(as_text=True)
    assert case_count(office) == before
