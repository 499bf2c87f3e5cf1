"""Sign-in, its rate limit, session cookies, API tokens, language."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from engine.clock import utcnow
from engine.settings import Settings
from tests.support.web import PASSWORD, Browser
from webui.app import create_app


def test_wrong_password_is_refused_and_five_failures_lock_for_15_minutes(app):
    browser = Browser(app.test_client())
    for _ in range(5):
        assert browser.post("/login", {"username": "clerk", "password": "wrong"}).status_code == 401
    assert browser.post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 429
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        fresh = Browser(app.test_client())
        assert fresh.post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_session_cookie_is_httponly_and_lax_and_secure_outside_tests(office):
    response = Browser(create_app(office.settings, office).test_client()).post(
        "/login", {"username": "clerk", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    production = create_app(office.settings.with_(testing=False), office)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    plain_http = create_app(office.settings.with_(testing=False, extra={"cookie_secure": "0"}), office)
    assert plain_http.config["SESSION_COOKIE_SECURE"] is False


def test_open_redirects_are_refused(app):
    response = Browser(app.test_client()).post("/login?next=//evil.example", {"username": "clerk",
                                                                             "password": PASSWORD})
    assert response.headers["Location"] == "/inbox"


def test_api_token_is_shown_once_and_works_as_bearer(office, as_user):
    clerk = as_user("clerk")
    page = clerk.post("/tokens", {"name": "统计系统"}).get_data(as_text=True)
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    assert token not in clerk.get("/tokens").get_data(as_text=True)
    api = create_app(office.settings, office).test_client()
    assert api.get("/api/v1/tasks").status_code == 401
    assert api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.get("/api/v1/tasks", headers={"Authorization": "Bearer xft_forged"}).status_code == 401
    token_id = office.auth.list_api_tokens(user="clerk")[0]["id"]
    clerk.post("/tokens", {"revoke": str(token_id)})
    assert api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_writes_to_the_api_need_the_csrf_header(office, as_user):
    from tests.support.web import open_task, start_petition
    task = open_task(office, start_petition(office)["id"], "triage")
    clerk = as_user("clerk")
    assert clerk.client.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 400
    assert clerk.client.post(f"/api/v1/tasks/{task['id']}/claim", headers={"X-CSRFToken": clerk.token}).status_code == 200


def test_english_is_one_click_away(as_user):
    clerk = as_user("clerk")
    clerk.post("/lang/en", {"next": "/inbox"})
    page = clerk.get("/inbox").get_data(as_text=True)
    assert "My tasks" in page and 'lang="en"' in page and "我的待办" not in page
    clerk.post("/lang/zh")
    assert "我的待办" in clerk.get("/inbox").get_data(as_text=True)


def test_admin_creates_a_unit_user_who_can_sign_in(office, as_user):
    admin = as_user("admin")
    assert admin.post("/admin/units", {"code": "housing", "name": "住建局", "kind": "government"}).status_code == 302
    assert admin.post("/admin/users", {"username": "zhou", "display_name": "周", "groups": "unit_staff",
                                       "unit": "housing", "password": "long-enough-1"}).status_code == 302
    assert admin.post("/admin/users", {"username": "short", "password": "x"}).status_code == 400
    user = office.users.get_user("zhou")
    assert (user["unit"], user["groups"]) == ("housing", ["unit_staff"])
    assert Browser(create_app(office.settings, office).test_client()).post(
        "/login", {"username": "zhou", "password": "long-enough-1"}).status_code == 302
    admin.post("/admin/users/zhou", {"groups": "unit_staff", "unit": "housing", "display_name": "周"})
    zhou = next(u for u in office.admin.list_users(user="admin") if u["username"] == "zhou")
    assert zhou["active"] is False, "an unticked box deactivates"


def test_settings_default_is_secure(monkeypatch):
    monkeypatch.delenv("XINFANG_COOKIE_SECURE", raising=False)
    from webui.app import _cookie_secure
    assert _cookie_secure(Settings()) is True and _cookie_secure(Settings(testing=True)) is False
