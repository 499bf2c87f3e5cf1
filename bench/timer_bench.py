"""Timer service benchmark: 100,000 waiting timers of which 10,000 are due.

* one worker fires all due timers (target ≤ 30 s), on an SQLite file and on PostgreSQL;
* a sweep with nothing due costs the same with 100 or 100,000 timers waiting;
* p99 lateness (fired_at − due_at) under a steady load with 1 s ticks (target ≤ 2 s).

Writes bench/results/timers.json and prints a Markdown table for README.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select, text

from engine.store.models import Timer
from office.root import Services
from engine.settings import Settings
from tests.support import bpmn_builder as b

from .engine_bench import PG_ADMIN, RESULTS

WAIT = b.process("just_wait", (
    '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P30D"</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>' +
    b.flow("f1", "start", "wait") + b.flow("f2", "wait", "end")))


def clone_cases(svc: Services, n: int, due: datetime, spread_s: float = 0.0) -> None:
    """n copies of one waiting case and its timer, due at `due` (+ up to spread_s seconds)."""
    template = svc.cases.start_case("just_wait")["id"]
    with svc.engine.begin() as conn:
        cols = [c for c in conn.execute(text("SELECT * FROM cases WHERE id = :i"), {"i": template}).keys()
                if c != "id"]
        quoted = ", ".join(f'"{c}"' for c in cols)
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM cases")).scalar()
        conn.execute(text(f"""WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < :n)
                              INSERT INTO cases ({quoted}) SELECT {quoted} FROM cases, g WHERE id = :t"""),
                     {"n": n - 1, "t": template})
        rows = conn.execute(text("SELECT id FROM cases WHERE id > :b ORDER BY id"), {"b": before}).scalars().all()
        timer = conn.execute(text("SELECT task_uuid, bpmn_id FROM timer WHERE case_id = :t"), {"t": template}).one()
        now = datetime.now(timezone.utc)
        conn.execute(text("UPDATE timer SET due_at = :d WHERE case_id = :t"), {"d": due, "t": template})
        batch = [{"c": cid, "u": timer[0], "b": timer[1], "d": due + timedelta(seconds=spread_s * i / max(1, n)),
                  "n": now} for i, cid in enumerate(rows)]
        conn.execute(text("INSERT INTO timer (case_id, task_uuid, bpmn_id, kind, due_at, status, created_at, attempts)"
                          " VALUES (:c, :u, :b, 'bpmn', :d, 'waiting', :n, 0)"), batch)
    settle(svc)


def settle(svc: Services) -> None:
    """After a bulk load PostgreSQL's statistics are stale and autovacuum soon rewrites the new
    pages in the background; both are done here, so the measurement that follows sees the
    steady state a production database is in rather than the load's aftermath."""
    if svc.engine.dialect.name == "postgresql":
        with svc.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def make_due(svc: Services, n: int, due: datetime) -> None:
    """n of the waiting timers (and their cases' next wake-up) fall due at `due`."""
    with svc.engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM timer WHERE status = 'waiting' ORDER BY id LIMIT :n"), {"n": n}).scalars().all()
        conn.execute(text("UPDATE timer SET due_at = :d WHERE id = :i"), [{"d": due, "i": i} for i in ids])
        conn.execute(text("UPDATE cases SET next_due_at = :d WHERE id IN (SELECT case_id FROM timer WHERE due_at = :d)"),
                     {"d": due})
    settle(svc)


def empty_sweeps_ms(small: Services, big: Services, repeats: int = 40) -> tuple[float, float]:
    """Median idle tick with 100 and with 100,000 timers waiting, on two databases ticked in
    turn: this machine's I/O drifts by half from one minute to the next, so sweeps measured one
    after the other compare the minutes rather than the table sizes."""
    workers = (small.timers.scheduler(worker="bench-empty"), big.timers.scheduler(worker="bench-empty"))
    times: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for worker, spent in zip(workers, times):
            t0 = time.perf_counter()
            worker.tick()
            spent.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times[0]), 2), round(statistics.median(times[1]), 2)


def service(url: str) -> Services:
    # as `xinfang scheduler` runs: no ping per connection checkout (Settings.db_pre_ping)
    svc = Services(Settings(database_url=url, scheduler_enabled=False, db_pre_ping=False))
    svc.operations.init_db()
    svc.processes.deploy({"w.bpmn": WAIT})
    return svc


def run(url: str, small_url: str, waiting: int, due: int, steady_s: int, rate: int) -> dict:
    svc, small = service(url), service(small_url)
    now = datetime.now(timezone.utc)
    clone_cases(small, 100, now + timedelta(days=365))
    clone_cases(svc, waiting, now + timedelta(days=365))
    empty_100, empty_big = empty_sweeps_ms(small, svc)
    small.engine.dispose()
    make_due(svc, due, now - timedelta(hours=1))
    t0 = time.perf_counter()
    result = svc.timers.scheduler(worker="bench-one").tick()
    fire_s = time.perf_counter() - t0
    assert result.fired == due, result
    lateness = steady(svc, steady_s, rate)
    svc.engine.dispose()
    return {"waiting": waiting, "due": due, "fire_all_due_s": round(fire_s, 2),
            "fired_per_s": round(due / fire_s, 1), "empty_sweep_ms_100_waiting": empty_100,
            "empty_sweep_ms_100k_waiting": empty_big, **lateness}


def steady(svc: Services, seconds: int, rate: int) -> dict:
    """Timers falling due at `rate` per second for `seconds`, a worker ticking every second."""
    start = datetime.now(timezone.utc) + timedelta(seconds=2)
    clone_cases(svc, seconds * rate, start, spread_s=seconds)
    worker = svc.timers.scheduler(worker="bench-steady")
    end = time.monotonic() + seconds + 4
    while time.monotonic() < end:
        tick_start = time.monotonic()
        worker.tick()
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick_start)))
    with svc.engine.connect() as conn:
        late = conn.execute(select(Timer.fired_at, Timer.due_at).where(Timer.status == "fired",
                                                                      Timer.due_at >= start)).all()
    values = sorted(max(0.0, (f - d).total_seconds()) for f, d in late if f and d)
    if not values:
        raise SystemExit("timer_bench: no timer fired under the steady load: it measured no work")
    return {"steady_rate_per_s": rate, "steady_fired": len(values),
            "lateness_p50_s": round(values[len(values) // 2], 3),
            "lateness_p99_s": round(values[min(len(values) - 1, int(len(values) * 0.99))], 3),
            "lateness_max_s": round(values[-1], 3)}


def table(results: dict) -> str:
    lines = ["| database | fire 10,000 due (s) | fired/s | empty sweep, 100 waiting (ms) | empty sweep, 100,000 waiting (ms) | steady load p50 / p99 lateness (s) |",
             "|---|---|---|---|---|---|"]
    for key, label in (("sqlite", "SQLite file"), ("postgresql", "PostgreSQL")):
        r = results.get(key)
        if r:
            lines.append(f"| {label} | {r['fire_all_due_s']} | {r['fired_per_s']} | {r['empty_sweep_ms_100_waiting']} | "
                         f"{r['empty_sweep_ms_100k_waiting']} | {r.get('lateness_p50_s')} / {r.get('lateness_p99_s')} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--waiting", type=int, default=100_000)
    ap.add_argument("--due", type=int, default=10_000)
    ap.add_argument("--steady-seconds", type=int, default=30)
    ap.add_argument("--rate", type=int, default=20, help="timers falling due per second in the steady run")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    results = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            results["sqlite"] = run(f"sqlite:///{tmp}/timers.db", f"sqlite:///{tmp}/small.db", args.waiting,
                                    args.due, args.steady_seconds, args.rate)
    if not args.no_postgres:
        names = [f"xinfang_timers_{os.getpid()}", f"xinfang_timers_small_{os.getpid()}"]
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            big, small = (PG_ADMIN.rsplit("/", 1)[0] + "/" + name for name in names)
            results["postgresql"] = run(big, small, args.waiting, args.due, args.steady_seconds, args.rate)
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "timers.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
