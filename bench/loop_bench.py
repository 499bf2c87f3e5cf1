"""Long cases: does a step late in a case's life cost more than an early one?

A report sent back between 办理 and 审核办结报告 300 times, inside a call activity (as handling
runs inside intake), with a deadline timer on 办理. Each round's two completions are timed (wall
and CPU); the figure is the median of rounds 281-300 over the median of rounds 1-20, target ≤ 3×.
`--no-prune` shows the engine without pruning (engine/bpmn/pruning.py) for comparison: it stops
after 180 rounds, before the depth guard (depth 800, about 200 rounds here) would stop the case.
Writes bench/results/loops.json; exits non-zero if it measured no work or missed the target.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from engine.bpmn import pruning
from engine.settings import Settings
from office.root import Services
from tests.support import bpmn_builder as b

RESULTS = Path(__file__).resolve().parent / "results"
EDGE = 20


def diagrams() -> dict[str, str]:
    rework = b.process("rework", (
        '<bpmn:startEvent id="start"/>' + b.user_task("handle", "unit_staff", name="承办单位办理") +
        b.boundary_timer("handle_late", "handle", '"P30D"') +
        b.user_task("review_report", "director", name="审核办结报告") +
        '<bpmn:exclusiveGateway id="gw" default="f_done"/><bpmn:endEvent id="end"/><bpmn:endEvent id="end_late"/>' +
        b.flow("f1", "start", "handle") + b.flow("f3", "handle", "review_report") +
        b.flow("f4", "review_report", "gw") + b.flow("f_back", "gw", "handle", 'quality == "发回重办"') +
        b.flow("f_done", "gw", "end") + b.flow("f_late", "handle_late", "end_late")))
    outer = b.linear("outer", ("call", '<bpmn:callActivity id="call" name="办理" calledElement="rework"/>'),
                     ("close", b.user_task("close", "director", name="结案")))
    return {"rework.bpmn": rework, "outer.bpmn": outer}


def run(rounds: int, url: str) -> dict:
    svc = Services(Settings(database_url=url, scheduler_enabled=False))
    svc.operations.init_db()
    files = diagrams()
    svc.processes.deploy({"rework.bpmn": files["rework.bpmn"]})
    svc.processes.deploy({"outer.bpmn": files["outer.bpmn"]})
    svc.users.add_user("unit", groups=["unit_staff"])
    svc.users.add_user("boss", groups=["director"])
    case = svc.cases.start_case("outer", {}, user="boss")
    wall, cpu = [], []
    task = case["open_tasks"][0]
    for i in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        result = svc.tasks.complete_task(task["id"], user="unit")
        task = result["open_tasks"][0]
        assert task["bpmn_id"] == "review_report", task
        quality = "发回重办" if i < rounds - 1 else "合格"
        result = svc.tasks.complete_task(task["id"], user="boss", data={"quality": quality})
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
        task = result["open_tasks"][0]
    assert task["bpmn_id"] == "close", task
    done = svc.tasks.complete_task(task["id"], user="boss")
    blob = svc.cases.get_case(case["id"])["state_bytes"]
    svc.engine.dispose()
    early, late = statistics.median(wall[:EDGE]), statistics.median(wall[-EDGE:])
    early_cpu, late_cpu = statistics.median(cpu[:EDGE]), statistics.median(cpu[-EDGE:])
    return {"rounds": len(wall), "completed": done["status"] == "complete",
            "early_round_ms": round(early * 1000, 2), "late_round_ms": round(late * 1000, 2),
            "late_over_early": round(late / early, 2),
            "early_round_cpu_ms": round(early_cpu * 1000, 2), "late_round_cpu_ms": round(late_cpu * 1000, 2),
            "late_over_early_cpu": round(late_cpu / early_cpu, 2), "final_state_bytes": blob}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--no-prune", action="store_true", help="compare: the engine without pruning")
    args = ap.parse_args()
    rounds = args.rounds
    if args.no_prune:
        pruning.PRUNE_DEPTH = 10 ** 9
        rounds = min(rounds, 180)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(rounds, f"sqlite:///{tmp}/loops.db")
    result["pruning"] = not args.no_prune
    print(json.dumps(result, indent=2))
    if result["rounds"] < 2 * EDGE or not result["completed"]:
        print("loop_bench: measured no complete case", file=sys.stderr)
        return 1
    if not args.no_prune:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "loops.json").write_text(json.dumps(result, indent=2) + "\n")
        if result["late_over_early"] > 3:
            print(f"loop_bench: a late round costs {result['late_over_early']}x an early one (target ≤ 3x)",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
