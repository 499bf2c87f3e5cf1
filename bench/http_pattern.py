"""spiff-arena's request pattern against our HTTP API, with server CPU calibrated in the same run.

Per instance of shared/bench/simple.bpmn: create (POST /api/v1/cases), then 3 × (list my tasks,
GET /api/v1/tasks; complete the case's task, POST /api/v1/tasks/<id>/complete), by 4 client threads
against gunicorn (2 workers, gthread) on PostgreSQL over loopback, with bearer tokens.

Reported: instances/s; p50/p95 per request kind; server CPU per instance — gunicorn's processes and
this database's PostgreSQL backends, from /proc (utime + stime) — and its ratio to raw SpiffWorkflow
on the same diagram with a JSON serialize and deserialize around each task, measured in this run
(before the load and after each of its SEGMENTS, averaged: the machine's speed drifts within a
run); SQL statements (counted in the workers) and transactions
(pg_stat_database) per instance; KB stored per instance. Target (issue 22): ≤ 12× raw.
CPU on a shared VM drifts from minute to minute (PostgreSQL's share most), so the whole run is
repeated (--runs, default 5, each on a fresh database) and the run with the median ratio is
reported, with every run's ratio beside it.
Writes bench/results/http_pattern.json. Fails if an instance did not complete or a request failed.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from engine.settings import Settings
from office.root import Services

from .engine_bench import DIAGRAM, PG_ADMIN, RESULTS, STEPS, _spec, _stored_bytes, raw
from .http_bench import _free_port, _wait_up

ROOT = Path(__file__).resolve().parent.parent
USERS = ("bench_clerk", "bench_rev", "bench_rev")       # who works each of the three tasks
TICK = os.sysconf("SC_CLK_TCK")
SEGMENTS = 4        # the load runs in this many parts, raw SpiffWorkflow measured between them


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])          # utime, stime (after pid and comm)
    return total / TICK


def children(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def raw_cpu_ms(n: int, specs: tuple) -> float:
    """CPU ms per instance of raw SpiffWorkflow, serialize + deserialize around each task (the
    diagram parsed beforehand, as the server's is)."""
    c0 = time.process_time()
    raw(n, serialize=True, specs=specs)
    return (time.process_time() - c0) * 1000 / n


class PostgresCpu:
    """CPU that PostgreSQL spent for one database since this object was made: its backends' (the
    pool opens more as load rises, so those that appear count from zero) and, for backends that
    ended, what the postmaster collected of its children meanwhile."""

    def __init__(self, engine, database: str):
        self.engine, self.database = engine, database
        self.before = self._backends()
        self.postmaster = _parent(next(iter(self.before))) if self.before else None
        self.reaped = self._reaped()

    def spent(self) -> float:
        after = self._backends()
        live = sum(cpu - self.before.get(pid, 0.0) for pid, cpu in after.items())
        return live + self._reaped() - self.reaped

    def _backends(self) -> dict[int, float]:
        with self.engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                                {"d": self.database}).scalars().all()
        return {pid: cpu_seconds([pid]) for pid in pids}

    def _reaped(self) -> float:
        if self.postmaster is None:
            return 0.0
        fields = Path(f"/proc/{self.postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / TICK        # cutime, cstime


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


class Client(threading.local):
    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, float]:
        headers = {"Authorization": f"Bearer {token}"}
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body), "application/json"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        return response.status, json.loads(data), time.perf_counter() - t0


def instance(client: Client, tokens: dict, timings: dict, errors: list, lock) -> bool:
    """create, then 3 × (list my tasks, complete this case's task)."""
    status, case, seconds = client.call("POST", "/api/v1/cases", tokens[USERS[0]], {"process_key": "complaint_simple"})
    with lock:
        timings["create"].append(seconds)
    if status != 201:
        errors.append(f"create {status} {case.get('message')}")
        return False
    for user, data in zip(USERS, STEPS):
        status, page, seconds = client.call("GET", "/api/v1/tasks?per_page=50", tokens[user])
        with lock:
            timings["list"].append(seconds)
        mine = [t for t in page.get("items", []) if t["case_id"] == case["id"]]
        if status != 200 or not mine:
            errors.append(f"list {status}: the case's task is not on {user}'s page")
            return False
        status, body, seconds = client.call("POST", f"/api/v1/tasks/{mine[0]['id']}/complete", tokens[user],
                                            {"data": data})
        with lock:
            timings["complete"].append(seconds)
        if status != 200:
            errors.append(f"complete {status} {body.get('message')}")
            return False
    return body.get("status") == "complete"


def run(instances: int, clients: int, workers: int, threads: int, raw_n: int) -> dict:
    name = f"xinfang_pattern_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    counts = tempfile.mkdtemp(prefix="xf-count-")
    env = dict(os.environ, PYTHONPATH=str(ROOT), XINFANG_DATABASE_URL=url, XINFANG_SECRET_KEY="pattern-bench",
               XINFANG_FIELD_KEYS=Fernet.generate_key().decode(), XINFANG_HASH_KEY="pattern-bench",
               XINFANG_STORAGE_DIR=tempfile.mkdtemp(), XINFANG_SCHEDULER="0", XINFANG_COOKIE_SECURE="0",
               XINFANG_LOG_LEVEL="WARNING", XINFANG_BENCH_COUNT_DIR=counts)
    proc = None
    specs = _spec()
    raw(5, serialize=True, specs=specs)                    # warm, untimed
    raws = [raw_cpu_ms(max(1, raw_n // SEGMENTS), specs)]
    try:
        svc = Services(Settings.from_env(env))
        svc.operations.init_db()
        svc.processes.deploy({"simple.bpmn": DIAGRAM.read_bytes()})
        svc.users.add_user("bench_clerk", groups=["clerk", "intake_staff"])   # office staff open cases
        svc.users.add_user("bench_rev", groups=["reviewers"])
        tokens = {u: svc.auth.create_api_token(user=u, name="bench")["token"] for u in set(USERS)}
        port = _free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen([gunicorn, "-w", str(workers), "-k", "gthread", "--threads", str(threads),
                                 "-c", str(ROOT / "bench" / "gunicorn_count.py"),
                                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "webui.wsgi:app"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_up(port)
        client, lock = Client(port), threading.Lock()
        timings: dict[str, list[float]] = {"create": [], "list": [], "complete": []}
        errors: list[str] = []
        with ThreadPoolExecutor(clients) as pool:           # warm-up: connections, caches, backends
            list(pool.map(lambda _: instance(client, tokens, timings, errors, lock), range(clients * 4)))
        for values in timings.values():
            values.clear()
        servers = [proc.pid, *children(proc.pid)]
        xacts0, stored0 = _xacts(svc, name), _stored_bytes(svc)
        web = db = elapsed = 0.0
        done: list[bool] = []
        for part in range(SEGMENTS):
            share = instances // SEGMENTS + (1 if part < instances % SEGMENTS else 0)
            web0, db0, t0 = cpu_seconds(servers), PostgresCpu(svc.engine, name), time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                done += pool.map(lambda _: instance(client, tokens, timings, errors, lock), range(share))
            elapsed += time.perf_counter() - t0
            web, db = web + cpu_seconds(servers) - web0, db + db0.spent()
            raws.append(raw_cpu_ms(max(1, raw_n // SEGMENTS), specs))
        xacts = _xacts(svc, name) - xacts0
        stored = _stored_bytes(svc) - stored0
        svc.engine.dispose()
    finally:
        if proc is not None:
            proc.terminate()                                # workers write their statement counts as they exit
            proc.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    if errors or not all(done) or not timings["complete"]:
        raise SystemExit(f"http_pattern: {sum(done)} of {instances} instances completed; errors: {errors[:3]}")
    statements = _statements(counts) / (instances + clients * 4)      # warm-up instances send the same
    raw_ms = statistics.fmean(raws)
    server_ms = (web + db) * 1000 / instances
    return {"instances": instances, "client_threads": clients, "gunicorn_workers": workers,
            "threads_per_worker": threads, "seconds": round(elapsed, 2),
            "instances_per_s": round(instances / elapsed, 1),
            **{f"{kind}_ms_p50": round(statistics.median(v) * 1000, 1) for kind, v in timings.items()},
            **{f"{kind}_ms_p95": round(sorted(v)[int(len(v) * 0.95)] * 1000, 1) for kind, v in timings.items()},
            "server_cpu_ms_per_instance": round(server_ms, 1),
            "workers_cpu_ms_per_instance": round(web * 1000 / instances, 1),
            "postgres_cpu_ms_per_instance": round(db * 1000 / instances, 1),
            "raw_spiff_cpu_ms_per_instance": round(raw_ms, 2), "server_over_raw": round(server_ms / raw_ms, 1),
            "statements_per_instance": round(statements, 1),
            "transactions_per_instance": round(xacts / instances, 1),
            "kb_stored_per_instance": round(stored / instances / 1024, 2)}


def _statements(folder: str) -> int:
    return sum(int(p.read_text() or 0) for p in Path(folder).glob("*.count"))


def _xacts(svc: Services, name: str) -> int:
    with svc.engine.connect() as conn:
        return int(conn.execute(text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :d"),
                                {"d": name}).scalar()) - 1      # this query's own transaction


def table(r: dict) -> str:
    return "\n".join([
        "| instances/s | create p50/p95 ms | list p50/p95 ms | complete p50/p95 ms | server CPU ms/instance "
        "(workers + PostgreSQL) | raw SpiffWorkflow ms | ratio | statements | transactions | KB stored |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {r['instances_per_s']} | {r['create_ms_p50']} / {r['create_ms_p95']} | {r['list_ms_p50']} / "
        f"{r['list_ms_p95']} | {r['complete_ms_p50']} / {r['complete_ms_p95']} | {r['server_cpu_ms_per_instance']} "
        f"({r['workers_cpu_ms_per_instance']} + {r['postgres_cpu_ms_per_instance']}) | "
        f"{r['raw_spiff_cpu_ms_per_instance']} | {r['server_over_raw']}× | {r['statements_per_instance']} | "
        f"{r['transactions_per_instance']} | {r['kb_stored_per_instance']} |"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=400)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--raw", type=int, default=400,
                    help="raw SpiffWorkflow instances per run, measured in SEGMENTS + 1 parts")
    ap.add_argument("--runs", type=int, default=5, help="whole runs (fresh database each); the median is reported")
    args = ap.parse_args()
    if args.runs < 1 or args.instances < 1:
        ap.error("--runs and --instances must be at least 1")
    runs = [run(args.instances, args.clients, args.workers, args.threads, args.raw) for _ in range(args.runs)]
    runs.sort(key=lambda r: r["server_over_raw"])
    result = {"python": platform.python_version(), "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "runs": len(runs), "ratios": [r["server_over_raw"] for r in runs], **runs[len(runs) // 2]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http_pattern.json").write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"ratios of the {len(runs)} runs: " + ", ".join(f"{x}×" for x in result["ratios"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
