"""Real scheduler processes over one PostgreSQL database: every due timer fires exactly once,
with several workers at a time and after one of them is killed in the middle of a sweep."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text

from engine.store.models import Case, Timer
from tests.support import bpmn_builder as b
from tests.support.paths import ROOT

LATER = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
WAIT = b.process("just_wait", (
    '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>' +
    b.flow("f1", "start", "wait") + b.flow("f2", "wait", "end")))


def waiting_cases(services, n: int) -> None:
    """One case through the engine, then n-1 copies of its rows: thousands of due timers in seconds."""
    services.processes.deploy({"w.bpmn": WAIT})
    template = services.cases.start_case("just_wait")["id"]
    columns = [c for c in Case.__table__.columns if c.name != "id"]
    timer_cols = ["task_uuid", "bpmn_id", "kind", "due_at", "status", "created_at", "attempts"]
    with services.engine.begin() as conn:
        conn.execute(insert(Case.__table__).from_select(
            [c.name for c in columns],
            select(*columns).select_from(Case.__table__.join(text(f"generate_series(1, {n - 1}) AS g"), text("true")))
            .where(Case.id == template)))
        conn.execute(text(f"""INSERT INTO timer (case_id, {', '.join(timer_cols)})
                              SELECT c.id, {', '.join('t.' + c for c in timer_cols)} FROM cases c, timer t
                              WHERE t.case_id = :template AND c.id <> :template"""), {"template": template})


def scheduler_process(url: str, batch: int = 100) -> subprocess.Popen:
    env = dict(os.environ, XINFANG_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "cli.main", "--json", "timers", "fire-due", "--now", LATER,
                             "--batch", str(batch)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_each_fired_once(services, n: int) -> None:
    with services.engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM cases GROUP BY status")).all())
        fired_events = conn.execute(text(
            "SELECT case_id, count(*) FROM case_event WHERE kind = 'timer_fired' GROUP BY case_id")).all()
        timer_states = dict(conn.execute(select(Timer.status, text("count(*)")).group_by(Timer.status)).all())
    assert statuses == {"complete": n}
    assert len(fired_events) == n and {count for _, count in fired_events} == {1}
    assert timer_states == {"fired": n}


@pytest.mark.slow
def test_four_schedulers_fire_each_of_5000_timers_exactly_once(pg_services, pg_url):
    waiting_cases(pg_services, 5000)
    workers = [scheduler_process(pg_url) for _ in range(4)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    fired = [int(out.split('"fired": ')[1].split("}")[0]) for out, _ in outputs]
    assert sum(fired) == 5000
    assert sum(1 for f in fired if f > 0) >= 2, f"the work was shared: {fired}"
    assert_each_fired_once(pg_services, 5000)


@pytest.mark.slow
def test_a_scheduler_killed_mid_sweep_loses_and_duplicates_nothing(pg_services, pg_url):
    waiting_cases(pg_services, 1500)
    victim = scheduler_process(pg_url, batch=200)
    deadline = time.monotonic() + 120
    with pg_services.engine.connect() as conn:
        while time.monotonic() < deadline:
            victim.send_signal(signal.SIGSTOP)      # frozen while we look: what we see is what it dies with
            done = conn.execute(text("SELECT count(*) FROM timer WHERE status = 'fired'")).scalar()
            held = conn.execute(text("SELECT count(*) FROM timer WHERE status = 'waiting' "
                                     "AND lock_expires_at IS NOT NULL")).scalar()
            conn.rollback()
            if done >= 100 and held:      # mid-sweep: some fired, others claimed and not yet fired
                break
            victim.send_signal(signal.SIGCONT)
            time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    with pg_services.engine.begin() as conn:
        fired = conn.execute(text("SELECT count(*) FROM timer WHERE status = 'fired'")).scalar()
        leased = conn.execute(text("SELECT count(*) FROM timer WHERE status = 'waiting' "
                                   "AND lock_expires_at IS NOT NULL")).scalar()
        assert 100 <= fired < 1500, "killed in the middle"
        assert leased > 0, "the dead worker held a lease"
        # The lease runs out (moved, not waited for): its rows become claimable again.
        conn.execute(text("UPDATE timer SET lock_expires_at = now() - interval '1 second' "
                          "WHERE lock_expires_at IS NOT NULL"))
    survivor = scheduler_process(pg_url)
    out, err = survivor.communicate(timeout=240)
    assert survivor.returncode == 0, err
    assert_each_fired_once(pg_services, 1500)
