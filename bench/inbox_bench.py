"""Inbox benchmark: a generator fills the read tables with 1,000,000 cases and 200,000 open tasks
by server-side INSERT … SELECT (no engine runs), then times the first inbox page, sorted by due
date, as it opens (no filter) and with a category filter, through `Services.inbox` (the service
layer), on an SQLite file and on PostgreSQL, for three people whose pages hold real work:

- an office clerk (office staff, no unit: every task of their 3 groups);
- unit staff (one unit of 20, the same 3 groups: only that unit's tasks, never a report against it);
- the director's "all open tasks" view (200,000 tasks).

Every page must be full or at least non-empty, or the benchmark fails: a fast empty page
measures nothing. Target: p95 ≤ 20 ms. (HTTP completion: http_bench.)

Writes bench/results/inbox.json and prints a Markdown table.
    python -m bench.inbox_bench [--cases N] [--open N] [--skip-sqlite] [--skip-postgres]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

from office.root import Services
from engine.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get("XINFANG_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CATEGORIES = ("申诉求决类", "建议意见类", "检举控告类", "其他")
GROUPS = 30                       # task groups g00..g29; each person below is in g00, g01, g02
USER_GROUPS = ["g00", "g01", "g02"]
# name, groups, unit, view
PEOPLE = [("bench_clerk", ["clerk", *USER_GROUPS], None, "inbox"),
          ("bench_unit", ["unit_staff", *USER_GROUPS], "unit7", "inbox"),   # unit7 holds tasks of g00-g02
          ("bench_director", ["director", *USER_GROUPS], None, "all")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- data generation ----------------------------------------------------------------------------
def _series(dialect: str, n: int) -> str:
    if dialect == "postgresql":
        return f"(SELECT g AS n FROM generate_series(1, {n}) AS g) AS seq"
    return (f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) "
            f"SELECT n FROM s) AS seq")


def generate(svc: Services, cases: int, open_tasks: int) -> float:
    """Bulk rows straight into the read tables; every case has a definition, every open task a group."""
    from tests.support.bpmn_builder import linear, user_task
    svc.processes.deploy({"bench.bpmn": linear("bench_inbox", ("t", user_task("t")))})
    t0 = time.perf_counter()
    dialect = svc.engine.dialect.name
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ts = "CAST(:now AS TIMESTAMP WITH TIME ZONE)" if dialect == "postgresql" else ":now"
    mod = "%"
    if dialect == "postgresql":
        due = f"({ts} + (((n {mod} 9973) * 7919) {mod} 120 - 60) * INTERVAL '1 day')"
    else:
        due = f"datetime(:now, (((n {mod} 9973) * 7919) {mod} 120 - 60) || ' days')"
    cats = "CASE (n / 7) % 10 WHEN 0 THEN '其他' WHEN 1 THEN '检举控告类' WHEN 2 THEN '建议意见类' " \
           "WHEN 3 THEN '建议意见类' ELSE '申诉求决类' END"
    running = f"n > {cases - open_tasks}"
    blob = "decode('', 'hex')" if dialect == "postgresql" else "X''"
    false = "false" if dialect == "postgresql" else "0"
    with svc.engine.begin() as conn:
        definition = conn.execute(text("SELECT id FROM definition WHERE process_key = 'bench_inbox'")).scalar_one()
        conn.execute(text(f"""
            INSERT INTO cases (id, reg_no, status, process_key, definition_id, definition_version, subject, channel,
                               category, unit, region, petitioner, started_by, created_at, updated_at, state,
                               state_format, lib_version, tree_depth, row_version, is_repeat, due_at)
            SELECT n, 'LF110000' || CAST(n AS TEXT), CASE WHEN {running} THEN 'running' ELSE 'complete' END,
                   'bench_inbox', {definition}, 1, '事由' || CAST(n AS TEXT), '来信', {cats},
                   'unit' || CAST(n % 20 AS TEXT), '110105', '张**', 'bench', {ts}, {ts}, {blob}, 'bench', 'bench',
                   0, 1, {false}, CASE WHEN {running} THEN {due} ELSE NULL END
            FROM {_series(dialect, cases)}"""), {"now": now})
        first = cases - open_tasks
        conn.execute(text(f"""
            INSERT INTO human_task (id, case_id, task_uuid, bpmn_id, name, lane, groups, assignee, due_at, priority,
                                    form_key, state, created_at, reg_no, subject, category, unit, region, channel,
                                    petitioner)
            SELECT n, n + {first}, 'bench-' || CAST(n AS TEXT), 't', '承办', NULL,
                   CASE WHEN (n * 13) % {GROUPS} < 10 THEN 'g0' ELSE 'g' END || CAST((n * 13) % {GROUPS} AS TEXT),
                   CASE WHEN n % 20 = 0 THEN 'user' || CAST(n % 50 AS TEXT) ELSE NULL END,
                   {due.replace('(n ', '((n + ' + str(first) + ') ')}, 50, NULL, 'open', {ts},
                   'LF110000' || CAST(n + {first} AS TEXT), '事由' || CAST(n + {first} AS TEXT),
                   {cats.replace('(n /', '((n + ' + str(first) + ') /')}, 'unit' || CAST((n + {first}) % 20 AS TEXT),
                   '110105', '来信', '张**'
            FROM {_series(dialect, open_tasks)}"""), {"now": now})
        conn.execute(text("INSERT INTO human_task_group (task_id, group_name) "     # only tasks of several groups
                          "SELECT id, groups FROM human_task WHERE groups LIKE '%,%'"))
        if dialect == "postgresql":
            for table in ("cases", "human_task"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    if dialect == "postgresql":
        with svc.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with svc.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    svc.users.add_unit("unit7", "第七承办单位", "government")
    for name, groups, unit, _ in PEOPLE:
        svc.users.add_user(name, groups=groups, unit=unit)
    return time.perf_counter() - t0


def time_inbox(svc: Services, user: str, view: str, runs: int, by_category: bool = True,
               count: bool = False) -> dict:
    """p50/p95 of a person's first page of 50; `count`: with the total asked for (capped at 1000)."""
    samples, totals = [], []
    for i in range(runs + 10):
        category = CATEGORIES[i % 3] if by_category else None
        filters = {"sort": "due_at", "view": view, **({"category": category} if category else {})}
        t0 = time.perf_counter()
        page = svc.inbox.inbox(user=user, filters=filters, per_page=50, count=count)
        elapsed = (time.perf_counter() - t0) * 1000
        if not page["items"]:
            raise SystemExit(f"inbox_bench: {user}'s {view} page for {category} is empty: it measured no work")
        if count and page["total"] is None:
            raise SystemExit(f"inbox_bench: {user}'s count was asked for and not given")
        if i >= 10:                    # warm-up
            samples.append(elapsed)
            totals.append(page["total"])
        assert len(page["items"]) == 50 if page["more"] else len(page["items"]) == page["total"], page["total"]
        assert all(t["category"] == category for t in page["items"]) or not by_category
        dues = [t["due_at"] for t in page["items"]]
        assert dues == sorted(dues), "sorted by due date"
    known = [t for t in totals if t is not None]       # None: a full page whose total was not asked for
    return {"runs": runs, "counted": count, "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(percentile(samples, .95), 2), "max_ms": round(max(samples), 2),
            "matching_tasks": int(statistics.median(known)) if len(known) == len(totals) else None,
            "page_rows": min([50, *known])}


def inbox_bench(url: str, cases: int, open_tasks: int, runs: int) -> dict:
    svc = Services(Settings(database_url=url, testing=True, scheduler_enabled=False,
                            storage_dir=Path(tempfile.mkdtemp(prefix="xf-bench-"))))
    svc.operations.init_db()
    generated = generate(svc, cases, open_tasks)
    result = {"cases": cases, "open_tasks": open_tasks, "generate_s": round(generated, 1),
              "people": {name: {"view": view, "unit": unit, **time_inbox(svc, name, view, runs)}
                         for name, _, unit, view in PEOPLE},
              "opening": {name: {"view": view, "unit": unit, **time_inbox(svc, name, view, runs, by_category=False)}
                          for name, _, unit, view in PEOPLE},
              # the same pages with their total asked for (the inbox's 统计总数, the API's count=true)
              "counted": {name: {"view": view, "unit": unit,
                                 **time_inbox(svc, name, view, runs, by_category=False, count=True)}
                          for name, _, unit, view in PEOPLE}}
    svc.engine.dispose()
    return result


# -- databases ----------------------------------------------------------------------------------
def fresh_pg(name: str) -> str:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# -- report -------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args()
    out = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
           "inbox": {}, "targets": {"inbox_p95_ms": 20}}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            out["inbox"]["sqlite"] = inbox_bench(f"sqlite:///{tmp}/inbox.db", args.cases, args.open, args.runs)
            print("sqlite", out["inbox"]["sqlite"], flush=True)
    if not args.skip_postgres:
        url = fresh_pg("xinfang_bench_inbox")
        try:
            out["inbox"]["postgresql"] = inbox_bench(url, args.cases, args.open, args.runs)
            print("postgresql", out["inbox"]["postgresql"], flush=True)
        finally:
            drop_pg("xinfang_bench_inbox")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inbox.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(table(out))


def table(out: dict) -> str:
    lines = ["| Database | Size | Person (view) | Page | Matching | p50 | p95 | Target |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in out["inbox"].items():
        for part, page in (("opening", "as it opens"), ("counted", "as it opens, counted"),
                           ("people", "one category")):
            for person, p in r.get(part, {}).items():
                found = p["matching_tasks"]
                found = "over 50, not counted" if found is None else f"{found:,}{'+' if found >= 1000 else ''}"
                lines.append(f"| {name} | {r['cases']:,} cases, {r['open_tasks']:,} open tasks | {person} ({p['view']}) "
                             f"| {page} | {found} | {p['p50_ms']} ms | {p['p95_ms']} ms | p95 ≤ 20 ms |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
