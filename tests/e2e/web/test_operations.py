"""Operations: health and readiness, request ids in responses and logs, a 503 while the database
is away and recovery without a restart."""
from __future__ import annotations

import json
import logging

from sqlalchemy import create_engine, text

from tests.support.databases import PG_ADMIN_URL
from tests.support.web import sign_in
from webui.app import create_app
from webui.observability import JsonFormatter, RequestIdFilter


def test_healthz_and_readyz_report_each_check(app, office):
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503, "no scheduler has ticked yet"
    report = response.get_json()
    assert report["checks"]["database"]["ok"] and report["checks"]["migrations"]["ok"]
    assert report["checks"]["scheduler"]["heartbeat_age_s"] is None
    office.timers.scheduler(worker="ready-check").tick()
    assert client.get("/readyz").status_code == 200


def test_request_ids_are_returned_and_logged(app, caplog):
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id;<script>"}).headers["X-Request-ID"]
    assert len(generated) == 32 and "<" not in generated
    handler_filter, formatter = RequestIdFilter(), JsonFormatter()
    with app.test_request_context("/x", headers={"X-Request-ID": "req-7"}):
        app.preprocess_request()
        record = logging.LogRecord("webui", logging.INFO, __file__, 1, "步骤完成", None, None)
        handler_filter.filter(record)
        line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-7" and line["message"] == "步骤完成"


def test_while_the_database_is_away_pages_and_api_answer_503_then_recover(pg_office, pg_url):
    app = create_app(pg_office.settings, pg_office)
    client = sign_in(app, "clerk").client
    assert client.get("/inbox").status_code == 200
    name = pg_url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        page = client.get("/inbox")
        assert page.status_code == 503 and "数据库暂时不可用" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "5"
        api = client.get("/api/v1/tasks", headers={"Accept": "application/json", "Authorization": "Bearer nothing"})
        assert api.status_code == 503 and api.get_json()["error"] == "database_unavailable"
        assert client.get("/readyz").status_code == 503
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert client.get("/inbox").status_code == 200, "recovered without a restart, still signed in"


def test_the_access_log_is_for_administrators_and_filters_by_user_case_and_period(as_user, office):
    from tests.support.web import start_petition
    case = start_petition(office)
    office.cases.get_case(case["id"], user="director")
    office.cases.get_case(case["id"], user="clerk")
    admin = as_user("admin")
    page = admin.get(f"/admin/access-log?username=director&case_id={case['id']}").get_data(as_text=True)
    assert "director" in page and ">clerk<" not in page
    assert "没有记录" in admin.get("/admin/access-log?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert admin.get("/admin/access-log?since=yesterday").status_code == 400
    assert as_user("director").get("/admin/access-log").status_code == 403
    assert as_user("admin").post("/admin/access-log").status_code == 405, "no way to change it"


def test_the_log_keeps_the_engines_state_changes_to_debug(web_settings, capsys):
    """Served at INFO, the JSON log carries the office's lines but not SpiffWorkflow's line per
    task state change; XINFANG_LOG_LEVEL=DEBUG brings them back, and a misspelt level is refused."""
    import pytest
    from engine.bpmn.runtime import LIBRARY_LOGGER
    from engine.errors import ValidationFailed
    from engine.settings import Settings
    from office.root import Services
    from tests.support.web import start_petition
    from webui.observability import configure_logging
    root, library_log = logging.getLogger(), logging.getLogger(LIBRARY_LOGGER)
    saved = (root.handlers[:], root.level, library_log.level)
    try:
        for level, library_lines in (("INFO", False), ("DEBUG", True)):
            settings = web_settings.with_(log_level=Settings.from_env({"XINFANG_LOG_LEVEL": level.lower()}).log_level)
            office = Services(settings)
            configure_logging(settings.log_level)
            capsys.readouterr()
            start_petition(office)
            logging.getLogger("webui").info("步骤完成")
            lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
            office.close()
            assert any(line["message"] == "步骤完成" for line in lines)
            assert any("State changed" in line["message"] for line in lines) is library_lines, level
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        library_log.setLevel(saved[2])
    with pytest.raises(ValidationFailed, match="XINFANG_LOG_LEVEL"):
        Settings.from_env({"XINFANG_LOG_LEVEL": "loud"})
