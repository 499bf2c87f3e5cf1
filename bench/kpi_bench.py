"""KPI benchmark: every KPI for one year over N cases (default 1,000,000), SQLite and PostgreSQL.

Cases, case_metrics and unit_metrics rows are generated server-side (INSERT … SELECT over a number
series: no engine runs, no rows through Python), then `Services.kpis` computes all figures for the
year, ungrouped and by unit; then the year's monthly trend and 交办督办 ledger.
Target: ≤ 2 s per year query. Writes bench/results/kpi.json and prints a Markdown table.
    python -m bench.kpi_bench [--cases N] [--runs N] [--skip-sqlite] [--skip-postgres]
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

from sqlalchemy import text

from bench.inbox_bench import RESULTS, _series, drop_pg, fresh_pg, generate
from office.root import Services
from engine.settings import Settings

YEAR = (datetime(2025, 12, 31, 16, tzinfo=timezone.utc), datetime(2026, 12, 31, 16, tzinfo=timezone.utc))


YEAR_US = 1_767_225_600_000_000                              # 2026-01-01 00:00 UTC, microseconds
HOUR_US = 3_600_000_000


def _at(offset_sql: str) -> str:
    """An instant `offset_sql` hours into 2026, in case_metrics' integer microseconds."""
    return f"({YEAR_US} + ({offset_sql}) * {HOUR_US})"


def fill_metrics(svc: Services, cases: int) -> float:
    """case_metrics for every case, and unit_metrics: the lead unit of each routed case (two in
    three are 交办) plus a co-handling unit for one case in five."""
    t0 = time.perf_counter()
    d = svc.engine.dialect.name
    t, f = ("true", "false") if d == "postgresql" else ("1", "0")
    reg = "(((n % 100003) * 7919) % 8700)"                    # hours into 2026
    cols = {
        "registered_at": _at(reg), "route_due": _at(f"{reg} + 360"),
        "accepted_at": f"CASE WHEN n % 10 < 9 THEN {_at(f'{reg} + 24 * (n % 17)')} END",
        "unit_accept_due": _at(f"{reg} + 720"),
        "unit_accepted_at": f"CASE WHEN n % 7 > 0 THEN {_at(f'{reg} + 24 * (n % 33)')} END",
        "handle_due": _at(f"{reg} + 1800"),
        "done_at": f"CASE WHEN n % 5 > 0 THEN {_at(f'{reg} + 24 * (n % 80)')} END",
        "window_end": f"CASE WHEN n % 5 > 0 THEN {_at(f'{reg} + 24 * (n % 80) + 24 * 90')} END",
        "closed_at": f"CASE WHEN n % 5 > 0 THEN {_at(f'{reg} + 24 * (n % 80) + 1')} END",
        "resolved_at": f"CASE WHEN n % 5 > 0 THEN {_at(f'{reg} + 24 * (n % 80)')} END",
        "evaluation_due": f"CASE WHEN n % 5 > 0 THEN {_at(f'{reg} + 24 * (n % 80) + 360')} END",
        "evaluated_at": f"CASE WHEN n % 5 > 1 THEN {_at(f'{reg} + 24 * (n % 80) + 48')} END",
        "routed_at": _at(f"{reg} + 24"),
        "first_at": _at(reg),
        "last_at": f"CASE WHEN n % 5 > 0 AND 24 * (n % 80) + 360 > 1800 THEN {_at(f'{reg} + 24 * (n % 80) + 360')} "
                   f"ELSE {_at(f'{reg} + 1800')} END",
    }
    rating = "CASE WHEN n % 5 > 1 THEN CASE n % 3 WHEN 0 THEN '不满意' ELSE '满意' END END"
    mode = "CASE WHEN n % 3 > 0 THEN '交办' ELSE '转送' END"
    with svc.engine.begin() as conn:
        conn.execute(text(f"""
            INSERT INTO case_metrics (case_id, reg_no, channel, category, unit, region, in_stats, {', '.join(cols)},
                                      rating, unit_rating, mode, evaluation_lapsed, is_repeat, main_case_id,
                                      persons, key_case, backlog, resolved)
            SELECT n, 'LF' || CAST(n AS TEXT),
                   CASE n % 4 WHEN 0 THEN '网信' WHEN 1 THEN '来信' WHEN 2 THEN '来访' ELSE '电话' END,
                   CASE n % 3 WHEN 0 THEN '申诉求决类' WHEN 1 THEN '建议意见类' ELSE '检举控告类' END,
                   'unit' || CAST(n % 20 AS TEXT), '1101' || CAST(n % 9 AS TEXT), {t}, {', '.join(cols.values())},
                   {rating}, {rating}, {mode},
                   {f}, CASE WHEN n % 11 = 0 THEN {t} ELSE {f} END,
                   CASE WHEN n % 11 = 0 AND n > 1 THEN n - 1 END, 1 + n % 3,
                   CASE WHEN n % 97 = 0 THEN {t} ELSE {f} END, CASE WHEN n % 89 = 0 THEN {t} ELSE {f} END,
                   CASE WHEN n % 5 > 0 THEN {t} ELSE {f} END
            FROM {_series(d, cases)}"""))
        conn.execute(text(f"""
            INSERT INTO unit_metrics (case_id, unit, lead, mode, in_stats, persons, routed_at, due, done_at)
            SELECT case_id, unit, {t}, mode, in_stats, persons, routed_at, handle_due, done_at FROM case_metrics"""))
        conn.execute(text(f"""
            INSERT INTO unit_metrics (case_id, unit, lead, mode, in_stats, persons, routed_at, due, done_at)
            SELECT case_id, 'unit' || CAST((case_id + 7) % 20 AS TEXT), {f}, mode, in_stats, persons, routed_at,
                   handle_due, CASE WHEN case_id % 4 > 0 THEN done_at - {HOUR_US} * 24 * (case_id % 9) END
            FROM case_metrics WHERE case_id % 5 = 0"""))
    if d == "postgresql":
        with svc.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE case_metrics"))
            conn.execute(text("VACUUM ANALYZE unit_metrics"))
    else:
        with svc.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def _timed(runs: int, call) -> tuple[dict, object]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(samples), 3), "max_s": round(max(samples), 3)}, result


def time_year(svc: Services, runs: int) -> dict:
    """All KPIs for the year, ungrouped and by unit; the year's monthly trend and 交办督办 ledger."""
    out = {}
    for by in (None, "unit"):
        timing, figures = _timed(runs, lambda: svc.kpi.kpis("system", *YEAR, by=by))
        assert figures and all(f["denominator"] >= f["numerator"] for f in figures)
        if not any(f["denominator"] for f in figures):
            raise SystemExit("kpi_bench: every KPI counted nothing: it measured no work")
        out[by or "all"] = {**timing, "figures": len(figures)}
    timing, trend = _timed(max(1, runs // 2), lambda: svc.kpi.kpi_trend("system", "2026-01", "2026-12"))
    out["trend"] = {**timing, "figures": len(trend), "of_year": round(timing["median_s"] / out["all"]["median_s"], 2)}
    counted = {row["month"] for row in trend if row["denominator"]}
    if len(counted) < 12:
        raise SystemExit(f"kpi_bench: the trend counted cases in {len(counted)} of 12 months: too little work")
    timing, ledger = _timed(runs, lambda: svc.kpi.overdue_ledger("system", *YEAR))
    out["ledger"] = {**timing, "assigned": ledger[-1]["assigned"]}
    if not ledger[-1]["assigned"]:
        raise SystemExit("kpi_bench: the ledger holds no assigned item: it measured no work")
    return out


def run(url: str, cases: int, runs: int) -> dict:
    svc = Services(Settings(database_url=url, testing=True, scheduler_enabled=False,
                            storage_dir=Path(tempfile.mkdtemp(prefix="xf-kpi-bench-"))))
    svc.operations.init_db()
    generated = generate(svc, cases, 1) + fill_metrics(svc, cases)
    load = os.getloadavg()[0]       # the machine may be shared: the load beside the timings
    result = {"cases": cases, "generate_s": round(generated, 1), **time_year(svc, runs)}
    result["load_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    svc.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    out = {"machine": platform.platform(), "python": platform.python_version(), "target_s": 2.0}
    if not args.skip_sqlite:
        out["sqlite"] = run(f"sqlite:///{tempfile.mkdtemp(prefix='xf-kpi-')}/bench.db", args.cases, args.runs)
    if not args.skip_postgres:
        url = fresh_pg("xinfang_kpi_bench")
        try:
            out["postgresql"] = run(url, args.cases, args.runs)
        finally:
            drop_pg("xinfang_kpi_bench")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "kpi.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(table(out))


def table(out: dict) -> str:
    """One row per case count: the year's KPIs on each database (median s), then the other calls."""
    lines = ["| cases | SQLite s | PostgreSQL s | by unit: SQLite / PostgreSQL s | 12-month trend: SQLite / "
             "PostgreSQL s | trend ÷ year | 交办督办 ledger: SQLite / PostgreSQL s | load before / after |",
             "|---|---|---|---|---|---|---|---|"]
    r = {name: out.get(name) for name in ("sqlite", "postgresql")}

    def both(part: str, size: str = "median_s") -> str:
        return " / ".join(str(r[n][part][size]) if r[n] else "–" for n in r)
    cases = next(v["cases"] for v in r.values() if v)
    lines.append(f"| {cases:,} | {r['sqlite']['all']['median_s'] if r['sqlite'] else '–'} | "
                 f"{r['postgresql']['all']['median_s'] if r['postgresql'] else '–'} | {both('unit')} | "
                 f"{both('trend')} | {both('trend', 'of_year')} | {both('ledger')} | "
                 f"{' / '.join(str(r[n]['load_1min']) if r[n] else '–' for n in r)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
