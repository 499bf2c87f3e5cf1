"""Bearer tokens' users kept for a few seconds on PostgreSQL, and dropped the moment a token,
a user or a membership changes, whoever changes it (office/people/tokens.py, TokenCache;
engine/store/notices.py)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from engine.errors import ValidationFailed
from engine.settings import Settings
from engine.store.notices import sets_only, written_table
from tests.support.web import start_petition
from tests.e2e.web.test_read_once import statements
from webui.app import create_app


def eventually(check, seconds: float = 5.0) -> bool:
    """Polls `check` until it holds: a notice crosses from another connection asynchronously."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        threading.Event().wait(0.02)
    return check()


def token_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "from api_token" in s]


@pytest.fixture
def api(pg_office):
    app = create_app(pg_office.settings, pg_office)
    client = app.test_client()
    created = pg_office.auth.create_api_token(user="clerk", name="t")
    auth = {"Authorization": f"Bearer {created['token']}"}
    assert eventually(lambda: pg_office.auth.cache.epoch() is not None), "the listener hears itself"
    return pg_office, client, auth, created


def listed(client, auth) -> int:
    return client.get("/api/v1/tasks", headers=auth).status_code


@pytest.mark.postgres
def test_a_token_is_read_once_and_then_kept(api):
    office, client, auth, _ = api
    start_petition(office)
    assert listed(client, auth) == 200
    with statements(office.engine) as seen:
        page = client.get("/api/v1/tasks", headers=auth)
    assert page.status_code == 200 and page.get_json()["items"]
    assert token_reads(seen) == [], "the kept user answers; no token read"


@pytest.mark.postgres
def test_a_revocation_in_this_process_refuses_the_very_next_request(api):
    office, client, auth, created = api
    assert listed(client, auth) == 200 and listed(client, auth) == 200
    office.auth.revoke_api_token(created["id"], user="clerk")
    assert listed(client, auth) == 401


@pytest.mark.postgres
def test_changes_by_another_process_reach_the_kept_users(api, pg_url):
    """Revoking by hand in psql, or a membership changed by another web process: the notice
    ends the kept entry."""
    office, client, auth, created = api
    assert listed(client, auth) == 200
    assert client.get("/api/v1/tasks?view=all", headers=auth).status_code == 403, "a clerk is no director"
    other = create_engine(pg_url)
    try:
        with other.begin() as conn:
            conn.execute(text("INSERT INTO user_group (user_id, group_name) "
                              "SELECT id, 'director' FROM app_user WHERE username = 'clerk'"))
        assert eventually(lambda: client.get("/api/v1/tasks?view=all", headers=auth).status_code == 200)
        with other.begin() as conn:
            conn.execute(text("UPDATE api_token SET revoked = true WHERE id = :id"), {"id": created["id"]})
        assert eventually(lambda: listed(client, auth) == 401)
    finally:
        other.dispose()


@pytest.mark.postgres
def test_a_lost_listener_means_every_token_is_read_until_it_hears_itself_again(api):
    office, client, auth, _ = api
    listener = office.auth.cache.listener
    assert listed(client, auth) == 200
    lost = listener.backend_pid
    with office.engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost}).scalar()
    assert eventually(lambda: office.auth.cache.epoch() is None), "a lost connection is noticed"
    with statements(office.engine) as seen:         # still reconnecting, or back with a new epoch
        assert listed(client, auth) == 200
    assert len(token_reads(seen)) == 1, "nothing kept from before the loss is trusted"
    assert eventually(lambda: office.auth.cache.epoch() is not None, 10), "the listener reconnects"
    assert listener.backend_pid != lost
    assert listed(client, auth) == 200
    with statements(office.engine) as seen:
        assert listed(client, auth) == 200
    assert token_reads(seen) == [], "kept again once it hears itself"


@pytest.mark.postgres
def test_a_kept_user_is_read_again_after_its_time(api):
    office, client, auth, _ = api
    now = [0.0]
    office.auth.cache.clock = lambda: now[0]
    assert listed(client, auth) == 200
    with statements(office.engine) as seen:
        assert listed(client, auth) == 200
    assert token_reads(seen) == []
    now[0] += office.settings.token_cache_seconds + 1
    with statements(office.engine) as seen:
        assert listed(client, auth) == 200
    assert len(token_reads(seen)) == 1


def test_sqlite_keeps_no_token_and_the_setting_turns_it_off(office):
    assert office.auth.cache is None, "SQLite reads a token in-process"
    assert Settings.from_env({"XINFANG_TOKEN_CACHE_SECONDS": "0"}).token_cache_seconds == 0
    with pytest.raises(ValidationFailed, match="XINFANG_TOKEN_CACHE_SECONDS"):
        Settings.from_env({"XINFANG_TOKEN_CACHE_SECONDS": "-1"})


def test_which_writes_end_the_kept_users():
    assert written_table('INSERT INTO user_group (user_id, group_name) VALUES (1, 2)') == "user_group"
    assert written_table('UPDATE api_token SET revoked=%(revoked)s WHERE api_token.id = 1') == "api_token"
    assert written_table('DELETE FROM "app_user" WHERE id = 1') == "app_user"
    assert written_table('TRUNCATE TABLE "api_token", "cases"') == "api_token"
    assert written_table("SELECT * FROM api_token") is None
    quiet = ("last_used_at",)
    assert sets_only("UPDATE api_token SET last_used_at=%(last_used_at)s WHERE api_token.id = 1", quiet)
    assert not sets_only("UPDATE api_token SET last_used_at=%(a)s, revoked=%(b)s WHERE api_token.id = 1", quiet)
    assert not sets_only("DELETE FROM api_token WHERE id = 1", quiet)
