"""Hostile or broken requests: each gets a clear 4xx and changes nothing."""
from __future__ import annotations

import pytest

from tests.support.web import sign_in
from tests.support.web_diagrams import PROCESS
from webui.app import create_app


@pytest.fixture
def token(office):
    return office.auth.create_api_token(user="clerk", name="bad-input")["token"]


def case_count(office) -> int:
    return office.cases.list_cases(user="director")["total"]


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


@pytest.mark.parametrize("user,url", [
    ("admin", "/admin/access-log?case_id=99999999999"),
    ("admin", "/admin/access-log?case_id=²"),
    ("director", "/cases?page=99999999999999999999"),
    ("director", "/analysis/evaluation?period=0000"),
    ("director", "/analysis/evaluation?period=9999-12"),
    ("director", "/api/v1/cases?page=2147483648"),
])
def test_absurd_numbers_are_a_clear_answer_not_a_database_error(any_office, user, url):
    """PostgreSQL integers stop at 2^31-1 and Python dates at year 9999: neither may reach them."""
    browser = sign_in(create_app(any_office.settings, any_office), user)
    response = browser.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    assert "database" not in response.get_data(as_text=True).lower()


def test_marking_absurd_notification_ids_read_changes_nothing(any_office):
    browser = sign_in(create_app(any_office.settings, any_office), "clerk")
    response = browser.post("/notifications/read", {"id": ["99999999999", "²", "-1", "abc"]})
    assert response.status_code == 302
