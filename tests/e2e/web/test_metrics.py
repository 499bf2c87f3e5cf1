"""Scheduler figures for operators: Prometheus text at /metrics and the admin page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from tests.support.web import route_to, start_petition
from webui.app import create_app


def test_metrics_are_prometheus_text_read_from_the_database(office):
    app = create_app(office.settings.with_(metrics_token="scrape-token"), office)
    case = start_petition(office)
    route_to(office, case["id"], "district_gov")
    later = datetime.now(timezone.utc) + timedelta(days=400)
    with time_machine.travel(later, tick=False):
        office.timers.scheduler(worker="w1").tick()
    body = app.test_client().get("/metrics", headers={"Authorization": "Bearer scrape-token"})
    assert body.status_code == 200 and body.mimetype == "text/plain"
    text = body.get_data(as_text=True)
    assert "xinfang_timer_backlog " in text
    assert "xinfang_scheduler_heartbeat_age_seconds" in text
    assert 'xinfang_timer_lateness_seconds_bucket{le="+Inf"}' in text
    escalations = [line for line in text.splitlines() if line.startswith("xinfang_scheduler_escalations_total")]
    assert escalations and float(escalations[0].split()[-1]) >= 1, "the routed case's overdue task was escalated"


@pytest.mark.parametrize("user,status", [("director", 200), ("admin", 200), ("clerk", 403), ("gov", 403)])
def test_scheduler_page_is_for_the_director_and_administrators(as_user, office, user, status):
    office.timers.scheduler(worker="page-worker").tick()
    response = as_user(user).get("/admin/scheduler")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "page-worker" in page and "触发延迟分布" in page


def test_reminders_reach_the_group_inbox_as_messages_that_can_be_marked_read(as_user, office):
    case = start_petition(office)
    route_to(office, case["id"], "district_gov")
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=400), tick=False):
        office.timers.scheduler(worker="w1").tick()
    director = as_user("director")
    page = director.get("/notifications/").get_data(as_text=True)
    assert "督办" in page and "已超期" in page
    ids = [n["id"] for n in office.notifications.notifications("director")]
    assert director.post("/notifications/read", {"id": [str(i) for i in ids]}).status_code == 302
    assert office.notifications.notifications("director") == []
    assert "没有新消息" in director.get("/notifications/").get_data(as_text=True)
    assert office.notifications.notifications("court") == [], "another unit's staff get nothing"


def test_notices_are_listed_on_the_case_page_and_download_only_for_those_who_see_the_case(as_user, office):
    from sqlalchemy import insert
    from office.documents.tables import Document
    case = start_petition(office)
    route_to(office, case["id"], "district_gov")
    with office.engine.begin() as conn:
        conn.execute(insert(Document.__table__).values(
            case_id=case["id"], kind="交办函", filename="LF-交办函.docx", content=b"PK-test", sha256="0" * 64,
            size=7, created_at=datetime.now(timezone.utc), created_by="system"))
    page = as_user("gov").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "交办函" in page
    url = f"/cases/{case['id']}/documents/1"
    response = as_user("gov").get(url)
    assert response.status_code == 200 and response.data == b"PK-test"
    assert "attachment" in response.headers["Content-Disposition"]
    assert as_user("court").get(url).status_code == 403
    assert as_user("gov").get(f"/cases/{case['id']}/documents/2").status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic scrape-token"}])
def test_metrics_without_the_token_are_not_there(office, headers):
    app = create_app(office.settings.with_(metrics_token="scrape-token"), office)
    assert app.test_client().get("/metrics", headers=headers).status_code == 404
    unconfigured = create_app(office.settings, office)
    assert unconfigured.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("allow,status", [(("127.0.0.1",), 200), (("10.0.0.0/8",), 404), (("::1", "127.0.0.0/8"), 200),
                                          (("not-an-address",), 404)])
def test_metrics_answer_an_allowed_address(office, allow, status):
    app = create_app(office.settings.with_(metrics_allow=allow), office)
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == status
