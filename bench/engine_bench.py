"""Engine benchmark on shared/bench/simple.bpmn (3 user tasks, one exclusive gateway).

(a) raw SpiffWorkflow in memory; (b) raw with serialize/deserialize around each task;
(c) our service layer with a real commit per step, on an SQLite file and on PostgreSQL.
Writes bench/results/engine.json and prints a Markdown table for README.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from office.root import Services
from engine.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "tests" / "data" / "simple.bpmn"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get("XINFANG_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
STEPS = [{}, {"decision": "accept"}, {}]


def _spec():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("complaint_simple"), parser.get_subprocess_specs("complaint_simple")


def raw(n: int, serialize: bool, specs: tuple | None = None) -> dict:
    """`specs`: the parsed diagram (`_spec()`), for a caller that times only the instances."""
    spec, subs = specs or _spec()
    ser = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    size = 0
    t0 = time.perf_counter()
    for _ in range(n):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        blob = ser.serialize_json(wf) if serialize else None
        for data in STEPS:
            if serialize:
                wf = ser.deserialize_json(blob)
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(data)
            task.run()
            wf.do_engine_steps()
            if serialize:
                blob = ser.serialize_json(wf)
        assert wf.is_completed()
        size = len(blob) if blob else 0
    elapsed = time.perf_counter() - t0
    return {"instances": n, "seconds": round(elapsed, 3), "instances_per_s": round(n / elapsed, 1),
            "bytes_per_completed_case": size or None}


def service(n: int, url: str) -> dict:
    svc = Services(Settings(database_url=url, scheduler_enabled=False))
    svc.operations.init_db()
    svc.processes.deploy({"simple.bpmn": DIAGRAM.read_bytes()})
    svc.users.add_user("bench_clerk", groups=["intake_staff"])
    svc.users.add_user("bench_rev", groups=["reviewers"])
    users = ["bench_clerk", "bench_rev", "bench_rev"]
    before = _stored_bytes(svc)
    step_times = []
    t0 = time.perf_counter()
    for _ in range(n):
        result = svc.cases.start_case("complaint_simple", user="bench_clerk")
        for user, data in zip(users, STEPS):
            task = result["open_tasks"][0]
            s0 = time.perf_counter()
            result = svc.tasks.complete_task(task["id"], user=user, data=data)
            step_times.append(time.perf_counter() - s0)
        assert result["status"] == "complete"
    elapsed = time.perf_counter() - t0
    stored = _stored_bytes(svc) - before
    blob = svc.cases.get_case(result["id"])["state_bytes"]
    svc.engine.dispose()
    step_times.sort()
    return {"instances": n, "seconds": round(elapsed, 3), "instances_per_s": round(n / elapsed, 1),
            "state_blob_bytes": blob, "bytes_per_completed_case": round(stored / n),
            "complete_task_ms_p50": round(statistics.median(step_times) * 1000, 2),
            "complete_task_ms_p95": round(step_times[int(len(step_times) * 0.95)] * 1000, 2)}


def _stored_bytes(svc: Services) -> int:
    """Bytes of every row the case store holds (blob, read tables, audit), not file pages."""
    tables = {"cases": ["state", "reg_no", "subject", "petitioner", "pending_action", "error_message"],
              "human_task": ["task_uuid", "bpmn_id", "name", "lane", "groups", "subject", "petitioner"],
              "human_task_group": ["group_name"], "timer": ["task_uuid", "bpmn_id"],
              "case_event": ["kind", "actor", "message", "task_uuid", "bpmn_id", "data"]}
    total = 0
    with svc.engine.connect() as conn:
        length = "octet_length" if conn.dialect.name == "postgresql" else "length"
        for table, cols in tables.items():
            parts = " + ".join(f"coalesce({length}(CAST({c} AS {'bytea' if c == 'state' and length == 'octet_length' else 'text' if conn.dialect.name == 'postgresql' else 'blob'})), 0)" for c in cols)
            rows = conn.execute(text(f'SELECT count(*), coalesce(sum({parts}), 0) FROM "{table}"')).one()
            total += int(rows[1]) + int(rows[0]) * 8 * 8   # fixed-width columns: ~8 x 8 bytes a row
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    results = {"diagram": "shared/bench/simple.bpmn", "python": platform.python_version(),
               "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    results["a_raw_in_memory"] = raw(args.n * 5, serialize=False)
    results["b_raw_serialize_each_task"] = raw(args.n * 2, serialize=True)
    with tempfile.TemporaryDirectory() as tmp:
        results["c_service_sqlite"] = service(args.n, f"sqlite:///{tmp}/bench.db")
    if not args.no_postgres:
        name = f"xinfang_bench_{os.getpid()}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results["c_service_postgres"] = service(args.n, PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    b = results["b_raw_serialize_each_task"]["instances_per_s"]
    for key in ("c_service_sqlite", "c_service_postgres"):
        if key in results:
            results[key]["ratio_c_over_b"] = round(results[key]["instances_per_s"] / b, 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "engine.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


def table(r: dict) -> str:
    rows = ["| run | instances/s | c/b | bytes per completed case | complete_task p50 / p95 ms |",
            "|---|---|---|---|---|"]
    names = {"a_raw_in_memory": "(a) raw SpiffWorkflow, in memory",
             "b_raw_serialize_each_task": "(b) raw, serialize/deserialize around each task",
             "c_service_sqlite": "(c) service layer, commit per step, SQLite file",
             "c_service_postgres": "(c) service layer, commit per step, PostgreSQL"}
    for key, label in names.items():
        if key in r:
            x = r[key]
            lat = f"{x['complete_task_ms_p50']} / {x['complete_task_ms_p95']}" if "complete_task_ms_p50" in x else "–"
            rows.append(f"| {label} | {x['instances_per_s']} | {x.get('ratio_c_over_b', '–')} | "
                        f"{x.get('bytes_per_completed_case') or '–'} | {lat} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
