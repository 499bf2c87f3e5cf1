"""HTTP task completion: gunicorn with 2 workers over PostgreSQL, driven through the REST API.

Cases of shared/bench/simple.bpmn are started beforehand; client threads then complete every
task through POST /api/v1/tasks/<id>/complete with bearer tokens, each following its cases
from task to task as a clerk would. Reports completions per second and latency percentiles.
Target (issue 5): ≥ 200 completions/s with p95 ≤ 50 ms. Loopback only, bounded in count.
Writes bench/results/http.json and prints a Markdown table for README.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
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

from office.root import Services
from engine.settings import Settings

from .engine_bench import DIAGRAM, PG_ADMIN, RESULTS, STEPS

ROOT = Path(__file__).resolve().parent.parent
USERS = ("bench_clerk", "bench_rev", "bench_rev")       # who completes each of the three tasks


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not come up")


class Client(threading.local):
    """One keep-alive connection per client thread."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def complete(self, task_id: str, token: str, data: dict) -> tuple[int, dict, float]:
        body = json.dumps({"data": data})
        t0 = time.perf_counter()
        try:
            self.conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body=body,
                              headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = self.conn.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        return response.status, json.loads(payload), time.perf_counter() - t0


def run(cases: int, clients: int, workers: int, threads: int) -> dict:
    name = f"xinfang_http_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    storage = tempfile.mkdtemp()
    env = dict(os.environ, PYTHONPATH=str(ROOT), XINFANG_DATABASE_URL=url, XINFANG_SECRET_KEY="http-bench",
               XINFANG_FIELD_KEYS=Fernet.generate_key().decode(), XINFANG_HASH_KEY="http-bench",
               XINFANG_STORAGE_DIR=storage, XINFANG_SCHEDULER="0", XINFANG_COOKIE_SECURE="0",
               XINFANG_LOG_LEVEL="WARNING")
    proc = None
    try:
        svc = Services(Settings.from_env(env))
        svc.operations.init_db()
        svc.processes.deploy({"simple.bpmn": DIAGRAM.read_bytes()})
        svc.users.add_user("bench_clerk", groups=["intake_staff"])
        svc.users.add_user("bench_rev", groups=["reviewers"])
        tokens = {u: svc.auth.create_api_token(user=u, name="bench")["token"] for u in set(USERS)}
        first = [svc.cases.start_case("complaint_simple", user="bench_clerk")["open_tasks"][0]["id"] for _ in range(cases)]
        svc.engine.dispose()
        port = _free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen([gunicorn, "-w", str(workers), "-k", "gthread", "--threads", str(threads),
                                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "webui.wsgi:app"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_up(port)
        client = Client(port)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def follow(task_id: str) -> None:
            """One case from its first task to the end, as the users in USERS."""
            for user, data in zip(USERS, STEPS):
                try:
                    status, body, seconds = client.complete(task_id, tokens[user], data)
                except (http.client.HTTPException, OSError) as err:
                    with lock:
                        errors.append(repr(err))
                    return
                with lock:
                    latencies.append(seconds)
                    if status != 200:
                        errors.append(f"{status} {body.get('error')}: {body.get('message')}")
                if status != 200 or not body.get("open_tasks"):
                    return
                task_id = body["open_tasks"][0]["id"]

        warm, measured = first[:clients * 4], first[clients * 4:]
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(follow, warm))
        latencies.clear()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(follow, measured))
        elapsed = time.perf_counter() - t0
        lat = sorted(latencies)
        if not lat or errors:
            raise SystemExit(f"http_bench: {len(lat)} completions, {len(errors)} errors {errors[:3]}: "
                             "it measured no (clean) work")
        with create_engine(url).connect() as conn:
            complete = conn.execute(text("SELECT count(*) FROM cases WHERE status = 'complete'")).scalar()
        return {"gunicorn_workers": workers, "threads_per_worker": threads, "client_threads": clients,
                "cases": len(measured), "completions": len(lat), "errors": len(errors),
                "error_samples": errors[:5], "cases_complete": complete, "seconds": round(elapsed, 2),
                "completions_per_s": round(len(lat) / elapsed, 1),
                "p50_ms": round(statistics.median(lat) * 1000, 1),
                "p95_ms": round(lat[int(len(lat) * 0.95)] * 1000, 1),
                "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1)}
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table(r: dict) -> str:
    return "\n".join([
        "| gunicorn | clients | completions | completions/s | p50 / p95 / p99 ms | errors |",
        "|---|---|---|---|---|---|",
        f"| {r['gunicorn_workers']} workers × {r['threads_per_worker']} threads, PostgreSQL | {r['client_threads']} | "
        f"{r['completions']} | {r['completions_per_s']} | {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} | {r['errors']} |"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    result = {"python": platform.python_version(), "cpus": os.cpu_count(),
              "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              **run(args.cases, args.clients, args.workers, args.threads)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
