"""The web edge's defences (docs/security.md): the session key, redirect targets, session
generations and the security headers."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.support.paths import ROOT
from tests.support.web import PASSWORD, Browser, sign_in
from webui.app import create_app
from webui.security import MissingSecretKey


def forged_cookie(app, secret: str, user_id: str) -> str:
    """A session cookie signed with `secret`, as an attacker who knows it would make."""
    real = app.secret_key
    app.secret_key = secret
    try:
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        return serializer.dumps({"_user_id": user_id, "_fresh": True})
    finally:
        app.secret_key = real


# -- Sessions and secrets --------------------------------------------------------------------------

@pytest.mark.parametrize("user_id", ["admin", "0:admin"])
def test_a_cookie_forged_with_the_old_development_constant_is_refused(office, user_id):
    app = create_app(office.settings.with_(secret_key=""), office)
    real = app.config["SECRET_KEY"]
    assert real and real != "dev-only-not-secret"
    client = app.test_client()
    client.set_cookie("session", forged_cookie(app, "dev-only-not-secret", user_id))
    assert client.get("/admin/users").status_code == 302       # to the sign-in page
    client.set_cookie("session", forged_cookie(app, real, "0:admin"))
    assert client.get("/admin/users").status_code == 200, "the helper forges a cookie that would work"


def test_development_generates_one_key_per_installation_outside_the_repository(office, tmp_path):
    settings = office.settings.with_(secret_key="", testing=False, environment="development",
                                     storage_dir=tmp_path / "var" / "documents")
    first = create_app(settings, office).config["SECRET_KEY"]
    assert create_app(settings, office).config["SECRET_KEY"] == first and len(first) >= 40
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text() == first and oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_start_without_a_key(office):
    with pytest.raises(MissingSecretKey, match="XINFANG_SECRET_KEY is not set"):
        create_app(office.settings.with_(secret_key="", testing=False), office)


def test_the_wsgi_entry_refuses_to_start_without_a_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
    env.update(XINFANG_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", XINFANG_STORAGE_DIR=str(tmp_path / "storage"),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", "import webui.wsgi"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "XINFANG_SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/inbox")


def _signed_in_cookie(app, user: str = "clerk") -> tuple[Browser, str]:
    browser = sign_in(app, user)
    cookie = browser.client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200
    return browser, cookie


def test_a_replayed_cookie_fails_after_logout(app):
    browser, cookie = _signed_in_cookie(app)
    browser.post("/logout")
    assert _replay(app, cookie).status_code == 302


def test_logout_ends_the_users_other_sessions_too(app):
    other, other_cookie = _signed_in_cookie(app)
    browser, _ = _signed_in_cookie(app)
    browser.post("/logout")
    assert _replay(app, other_cookie).status_code == 302


def test_a_replayed_cookie_fails_after_an_administrator_sets_a_new_password(app, office):
    _, cookie = _signed_in_cookie(app)
    office.admin.update_user("clerk", user="admin", password="another-pass-2")
    assert _replay(app, cookie).status_code == 302


def test_a_replayed_cookie_fails_after_deactivation_and_stays_dead_after_reactivation(app, office):
    _, cookie = _signed_in_cookie(app)
    office.admin.update_user("clerk", user="admin", active=False)
    assert _replay(app, cookie).status_code == 302
    office.admin.update_user("clerk", user="admin", active=True)
    assert _replay(app, cookie).status_code == 302
    assert Browser(app.test_client()).post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_other_changes_keep_the_session(app, office):
    _, cookie = _signed_in_cookie(app)
    office.admin.update_user("clerk", user="admin", display_name="书记员")
    assert _replay(app, cookie).status_code == 200


# -- Safe redirects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "/%09/evil.example/phish", "/%0A/x", "/%0D%0A/evil.example", "/\\evil.example",
    "/%5C%5Cevil.example", "\\\\evil.example", "https://evil.example/", "http:/evil.example", "/%E2%80%8B/evil.example",
    " //evil.example", "javascript:alert(1)", "evil.example", "/%00/evil", "%2F%2Fevil.example",
])
def test_sign_in_never_redirects_off_site(app, target):
    response = Browser(app.test_client()).post(f"/login?next={target}", {"username": "clerk", "password": PASSWORD})
    assert response.status_code in (302, 400)
    location = response.headers.get("Location", "/inbox")
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil" not in location.split("?")[0].split("/")[1]


@pytest.mark.parametrize("target,expected", [("/cases/1?tab=files", "/cases/1?tab=files"), ("/inbox", "/inbox"),
                                             ("/%09inbox", "/inbox")])
def test_sign_in_keeps_a_same_site_target(app, target, expected):
    response = Browser(app.test_client()).post(f"/login?next={target}", {"username": "clerk", "password": PASSWORD})
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example"])
def test_the_language_switch_never_redirects_off_site(as_user, target):
    from urllib.parse import unquote
    response = as_user("clerk").post("/lang/zh", {"next": unquote(target)})
    assert response.headers["Location"] == "/inbox"


# -- Headers ------------------------------------------------------------------------------------------

def test_pages_carry_a_content_security_policy_frame_denial_and_referrer_policy(as_user):
    response = as_user("clerk").get("/inbox")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_make_run_is_not_forced_to_https(app):
    assert app.test_client().get("/login").status_code == 200
