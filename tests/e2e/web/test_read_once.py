"""A request reads its user once (with the token or the session) and a short list counts nothing."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.support.web import start_petition


@contextmanager
def statements(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()).lower())
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_bearer_request_reads_its_user_once_and_a_short_list_runs_no_count(office, app):
    start_petition(office)
    token = office.auth.create_api_token(user="clerk", name="t")["token"]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/tasks", headers=auth)          # warm-up: last use written, caches filled
    with statements(office.engine) as seen:
        page = client.get("/api/v1/tasks", headers=auth).get_json()
    assert 0 < len(page["items"]) < 50 and page["total"] == len(page["items"])
    user_reads = [s for s in seen if "from users" in s or "join user_group" in s or "from user_group" in s]
    assert len(user_reads) == 1, user_reads
    assert not [s for s in seen if "count(" in s], "a page that holds every row needs no count"


def test_the_remembered_user_ends_with_its_request(office, app):
    token = office.auth.create_api_token(user="clerk", name="t")["token"]
    app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    office.admin.update_user("clerk", user="admin", groups=["clerk", "director"])
    with office.core.uow(write=False) as uow:
        assert "director" in office.core.actor(uow.session, "clerk").groups


def test_a_revoked_token_is_refused_on_the_next_request(office, app):
    created = office.auth.create_api_token(user="clerk", name="t")
    auth = {"Authorization": f"Bearer {created['token']}"}
    client = app.test_client()
    assert client.get("/api/v1/tasks", headers=auth).status_code == 200
    office.auth.revoke_api_token(created["id"], user="clerk")
    assert client.get("/api/v1/tasks", headers=auth).status_code == 401


def test_completing_a_task_reads_the_task_rows_once_and_a_new_case_reads_no_decisions(office):
    """The task being completed is read among its case's open rows, which the step then syncs
    (one read, not two); a case that never ran has no rows and no decisions to read."""
    with statements(office.engine) as seen:
        case = start_petition(office)
    reads = [s for s in seen if s.startswith("select")]
    assert not [s for s in reads if "from case_resolution" in s or "from stats_decision" in s
                or "from key_case" in s or "from backlog_listing" in s], reads
    triage = [t for t in office.cases.get_case(case["id"])["tasks"] if t["bpmn_id"] == "triage"][0]
    with statements(office.engine) as seen:
        office.tasks.complete_task(triage["id"], user="clerk", data={"unit": "district_gov", "opinion": "转送办理"})
    task_reads = [s for s in seen if s.startswith("select") and "from human_task " in s + " "
                  and "human_task.state" in s]
    assert len(task_reads) == 1, task_reads
    after = office.cases.get_case(case["id"])
    assert [t["state"] for t in after["tasks"] if t["id"] == triage["id"]] == ["completed"]


@pytest.mark.postgres
def test_on_postgresql_a_bearer_request_is_one_transaction_on_one_connection(pg_office):
    """The token is read as the first statement of the transaction the service then commits;
    a refused token or a request that touches nothing more returns the connection, and a
    revoked token is refused on the next request."""
    from webui.app import create_app
    app = create_app(pg_office.settings, pg_office)
    pg_office.auth.cache = None         # the token read on every request (test_token_cache.py: kept)
    start_petition(pg_office)
    created = pg_office.auth.create_api_token(user="clerk", name="t")
    auth = {"Authorization": f"Bearer {created['token']}"}
    client = app.test_client()
    assert client.get("/api/v1/tasks", headers=auth).status_code == 200     # last use written
    begins: list[int] = []

    def begin(_conn):
        begins.append(1)
    event.listen(pg_office.engine, "begin", begin)
    try:
        with statements(pg_office.engine) as seen:
            page = client.get("/api/v1/tasks", headers=auth)
        assert page.status_code == 200 and page.get_json()["items"]
        assert len(begins) == 1, "the token read and the inbox are one transaction"
        assert "api_token" in seen[0]
        for i in range(35):         # more requests than the pool holds: nothing is left checked out
            if i < 12:              # (the limit on wrong tokens from one address is 20)
                assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer xft_wrong"}).status_code == 401
            assert client.get("/api/v1/tasks", headers=auth).status_code == 200
    finally:
        event.remove(pg_office.engine, "begin", begin)
    assert pg_office.engine.pool.checkedout() == 0
    pg_office.auth.revoke_api_token(created["id"], user="clerk")
    assert client.get("/api/v1/tasks", headers=auth).status_code == 401
    task = [t for t in pg_office.inbox.inbox(user="clerk")["items"]][0]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=auth, json={"data": {}})
    assert done.status_code == 401
