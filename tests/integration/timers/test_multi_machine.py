"""The multi-machine layout on loopback: 2 gunicorn web processes and 2 scheduler processes over one
PostgreSQL. 200 cases go through the API to completion, each passing a timer that the schedulers
fire; nothing is lost and nothing happens twice."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from office.root import Services
from engine.settings import Settings
from tests.support import bpmn_builder as b
from tests.support.paths import ROOT

CASES = 200
WAKE = b.process("wake_and_close", (
    '<bpmn:startEvent id="start"/>' + b.user_task("review", "director", name="审核") +
    '<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition>'
    '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("wake")</bpmn:timeDate>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' + b.user_task("close", "director", name="办结") +
    '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "review") + b.flow("f2", "review", "wait") +
    b.flow("f3", "wait", "close") + b.flow("f4", "close", "end")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


class Api:
    def __init__(self, bases: list[str], token: str):
        self.bases, self.token, self.calls = bases, token, 0

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        self.calls += 1
        base = self.bases[self.calls % len(self.bases)]          # alternate between the web processes
        request = urllib.request.Request(base + path, method=method, data=json.dumps(body or {}).encode(),
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def run_case(api: Api, deadline: float) -> int:
    """The timer falls due three seconds after the case starts, so it is normally still waiting when
    the review ends (if the review is slower, the engine passes the timer at once: no row, no scheduler)."""
    due = (datetime.now(timezone.utc) + timedelta(seconds=3)).isoformat()
    case = api.call("POST", "/api/v1/cases", {"process_key": "wake_and_close", "data": {"deadlines": {"wake": due}}})
    api.call("POST", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", {})
    while time.monotonic() < deadline:                            # the schedulers fire the timer
        tasks = [t for t in api.call("GET", f"/api/v1/cases/{case['id']}")["tasks"] if t["state"] == "open"]
        if tasks:
            api.call("POST", f"/api/v1/tasks/{tasks[0]['id']}/complete", {})
            return case["id"]
        time.sleep(0.1)
    raise TimeoutError(f"case {case['id']}: timer never fired")


@pytest.mark.slow
def test_two_web_and_two_scheduler_processes_lose_and_duplicate_nothing(pg_url, tmp_path):
    from tests.support.databases import truncate_pg
    truncate_pg(pg_url)
    env = dict(os.environ, PYTHONPATH=str(ROOT), XINFANG_DATABASE_URL=pg_url, XINFANG_SECRET_KEY="loopback-test",
               XINFANG_FIELD_KEYS=Fernet.generate_key().decode(), XINFANG_HASH_KEY="loopback-test",
               XINFANG_STORAGE_DIR=str(tmp_path / "storage"), XINFANG_TICK_SECONDS="0.2",
               XINFANG_COOKIE_SECURE="0")
    svc = Services(Settings.from_env(env))
    svc.processes.deploy({"w.bpmn": WAKE})
    svc.users.add_user("director", groups=["director"], password="loopback-pass")
    token = svc.auth.create_api_token(user="director", name="loopback")["token"]
    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs = [subprocess.Popen([gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "webui.wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for port in ports]
    procs += [subprocess.Popen([sys.executable, "-m", "cli.main", "scheduler"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_for(base + "/healthz")
        deadline = time.monotonic() + 240
        with ThreadPoolExecutor(16) as pool:
            done = list(pool.map(lambda _: run_case(Api(bases, token), deadline), range(CASES)))
        assert len(set(done)) == CASES
        ready = json.loads(urllib.request.urlopen(bases[0] + "/readyz", timeout=10).read())
        assert ready["ready"] and len([w for w in svc.timers.scheduler_status()["workers"] if not w["stopped"]]) == 2
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    with svc.engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM cases GROUP BY status")).all())
        timers = dict(conn.execute(text("SELECT status, count(*) FROM timer WHERE kind = 'bpmn' GROUP BY status")).all())
        fired_twice = conn.execute(text("SELECT count(*) FROM (SELECT case_id FROM case_event WHERE kind = 'timer_fired' "
                                        "GROUP BY case_id HAVING count(*) > 1) x")).scalar()
        waits = dict(conn.execute(text("SELECT n, count(*) FROM (SELECT case_id, count(*) AS n FROM case_event "
                                       "WHERE bpmn_id = 'wait' GROUP BY case_id) x GROUP BY n")).all())
        completed = conn.execute(text("SELECT count(*) FROM human_task WHERE state = 'completed'")).scalar()
    svc.engine.dispose()
    assert statuses == {"complete": CASES}
    assert waits == {1: CASES}, "every case passed its timer exactly once"
    assert set(timers) == {"fired"} and timers["fired"] >= CASES // 2, timers
    assert fired_twice == 0
    assert completed == 2 * CASES
