"""Keeps `case_metrics` and `unit_metrics` in step with the case: a StepRunner hook, run in the
step's transaction.

Reads data["milestones"] and data["deadlines"] (contracts.md) and projected facts; tolerates
missing or malformed keys, since cases of older diagrams carry fewer of them. A co-handling
unit's part is done when a task carrying that unit completes (its 协办 opinion), which only the
step knows: that time is kept on the unit's row from then on.

Two facts are decisions kept outside the case data, and stand over it: the 化解 record
(office.resolution) and the director's 纳入统计 (`StatsDecision`). Whenever a row is written they
are read with it, and `apply_decisions` rewrites them when one changes without a step.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from collections.abc import Callable

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from processes.calendar import OfficeCalendar, end_of_day, local_day

from office.kpi.tables import CaseMetrics, StatsDecision, UnitMetrics
from office.resolution import record as resolution
from office.supervision import backlog, key_cases
from engine.store.models import Case

ROUTE_DAYS, UNIT_ACCEPT_DAYS = 15, 30
WINDOW_DAYS = 90        # the national table's first_time_resolution rule, for callers without a table
# the instants KPI cohorts are anchored on (office.kpi.figures): a row whose latest is before a period
# cannot count in it
ACTIVITY = ("registered_at", "route_due", "unit_accept_due", "handle_due", "done_at", "evaluation_due",
            "evaluated_at")


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


_CALENDAR = OfficeCalendar(lenient=True)     # a year without a holiday notice yet: weekends only


def days_after(instant: datetime, days: int) -> datetime:
    """Domain day arithmetic (docs/domain.md §2.1): day one is the day after, the last day moves off
    rest days and holidays, and the period ends at 24:00 local."""
    return end_of_day(_CALENDAR.add_days(local_day(instant), days))


def _dict(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value, size: int) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)[:size]


def _persons(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def handling_units(data: dict) -> tuple[str | None, list[str]]:
    """(lead unit, co-handling units): routing writes `lead_unit` and `co_units`; older cases only
    the comma-joined `unit`, lead first."""
    named = [u.strip() for u in str(data.get("unit") or "").split(",") if u.strip()] \
        if isinstance(data.get("unit"), str) else []
    lead = _text(data.get("lead_unit"), 64) or (named[0][:64] if named else None)
    co = data.get("co_units") if isinstance(data.get("co_units"), list) else named[1:]
    return lead, [u for u in dict.fromkeys(_text(c, 64) for c in co) if u and u != lead]


def metrics_values(case: Case, data: dict, window: int | None = WINDOW_DAYS) -> dict:
    """The case_metrics row of one case from its data (pure apart from reading case columns),
    without the decisions kept beside it (`decided`). 办结 is the reply served, or the answer given
    on the spot: the `replied` milestone, never the unit's report. `window`: the days of the
    一次性化解 window after 办结 (None: no window, any later 重件 counts)."""
    ms, dl = _dict(data, "milestones"), _dict(data, "deadlines")
    registered = _when(ms.get("registered")) or case.created_at
    done = _when(ms.get("replied"))
    values = {
        "reg_no": case.reg_no, "channel": _text(data.get("channel"), 16), "category": _text(data.get("category"), 32),
        "unit": handling_units(data)[0], "accused_unit": _text(data.get("accused_unit"), 64),
        "region": _text(data.get("region"), 16), "organ": _text(data.get("organ"), 64),
        "in_stats": data.get("in_stats", True) is not False,
        "registered_at": registered,
        "route_due": _when(dl.get("route")) or days_after(registered, ROUTE_DAYS),
        "accepted_at": _when(ms.get("accepted")),
        "unit_accept_due": days_after(registered, UNIT_ACCEPT_DAYS),
        "unit_accepted_at": _when(ms.get("unit_accepted")) or _when(ms.get("unit_signed")),
        "handle_due": _when(dl.get("extension")) or _when(dl.get("handle")),
        "done_at": done, "window_end": days_after(done, window) if done and window is not None else None,
        "closed_at": _when(ms.get("closed")),
        "outcome": _text(data.get("outcome"), 16),
        # two ratings since the evaluation form asks for both; before, one rating stood for both
        "rating": _text(data["office_rating"] if "office_rating" in data else data.get("rating"), 16),
        "unit_rating": _text(data.get("unit_rating") or data.get("rating"), 16),
        "evaluation_due": _when(dl.get("evaluate")), "evaluated_at": _when(ms.get("evaluated")),
        "evaluation_lapsed": bool(ms.get("evaluation_lapsed")),
        "is_repeat": bool(data.get("is_repeat")),
        "main_case_id": data["main_case_id"] if isinstance(data.get("main_case_id"), int) else case.main_case_id,
        "persons": _persons(data.get("persons")), "key_case": bool(data.get("key_case")),
        "backlog": bool(data.get("backlog")),
        "mode": _text(data.get("mode"), 16), "routed_at": _when(ms.get("routed")),
    }
    instants = [values[k] for k in ACTIVITY if values[k] is not None]
    values["first_at"], values["last_at"] = min(instants), max(instants)
    return values


def _upsert(dialect: str, table, keys: list[str]):
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table)
    columns = [c.name for c in table.columns if c.name not in keys]
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns})


_UPSERTS = {name: _upsert(name, CaseMetrics.__table__, ["case_id"]) for name in ("sqlite", "postgresql")}
_UNIT_UPSERTS = {name: _upsert(name, UnitMetrics.__table__, ["case_id", "unit"]) for name in ("sqlite", "postgresql")}
_UNIT_ROWS = select(UnitMetrics.unit, UnitMetrics.done_at).where(UnitMetrics.case_id == bindparam("case_id"))
_COUNTED = select(StatsDecision.counted).where(StatsDecision.case_id == bindparam("case_id"))


def decided(connection, case_id: int) -> dict:
    """The decisions that stand over the case data: the 化解 record now, and the director's
    纳入统计 when there is one (else the rule applied at triage, in the data, stands)."""
    found = resolution.standing(connection, case_id)
    values = {"resolution": found.outcome if found else None, "resolved": bool(found and found.resolved),
              "resolved_at": found.resolved_since if found else None}
    counted = connection.execute(_COUNTED, {"case_id": case_id}).scalar()
    if counted is not None:
        values["in_stats"] = bool(counted)
    if key_cases.is_key_case(connection, case_id):
        values["key_case"] = True           # a named leader (领导包案) stands over the sign-off's flag
    if backlog.is_backlog(connection, case_id):
        values["backlog"] = True            # listed as 积案 (office/supervision/backlog.py)
    return values


def apply_decisions(session: Session, case_id: int) -> None:
    """After a decision changed outside a step (the director's), or in a step that may not rewrite
    the row: the decided columns of the case's rows, from the decisions."""
    connection = session.connection()
    values = decided(connection, case_id)
    connection.execute(update(CaseMetrics).where(CaseMetrics.case_id == case_id).values(**values))
    if "in_stats" in values:
        connection.execute(update(UnitMetrics).where(UnitMetrics.case_id == case_id)
                           .values(in_stats=values["in_stats"]))


def metrics_hook(window_of: Callable[[Case], int | None]):
    """The step hook, with the 一次性化解 window of the deadline table each case keeps."""
    def hook(session: Session, case: Case, data: dict, step=None) -> None:
        update_metrics(session, case, data, step, window=window_of(case))
    return hook


def update_metrics(session: Session, case: Case, data: dict, step=None, *, window: int | None = WINDOW_DAYS) -> None:
    """One prebuilt upsert, and none at all when the row would not change: the case keeps a digest
    of what its data last gave (this hook is the table's only writer from data; a rebuild must
    clear `cases.metrics_digest`). The unit rows are rewritten with it, or when a co-handling
    unit's task completed in this step. The decisions are read only when something is written,
    and not at all in a new case's first step."""
    values = metrics_values(case, data, window)
    lead, co = handling_units(data)
    handle_due = _when(_dict(data, "deadlines").get("handle"))
    digest = hashlib.blake2b(repr((sorted(values.items()), co, handle_due)).encode(), digest_size=16).hexdigest()
    finished = {row.unit: row.completed_at for row in (step.closed if step else ())
                if row.state == "completed" and row.unit in co}
    if digest == case.metrics_digest and not finished:
        return
    connection = session.connection()
    if not (step and step.fresh):       # nobody decided anything about a case that never ran
        values.update(decided(connection, case.id))
    if digest != case.metrics_digest:
        connection.execute(_UPSERTS[connection.dialect.name], {"case_id": case.id, **values})
        case.metrics_digest = digest
    if lead is not None or finished:
        _update_units(connection, case.id, values, lead, co, handle_due, finished)


def _update_units(connection, case_id: int, values: dict, lead: str | None, co: list[str],
                  handle_due: datetime | None, finished: dict) -> None:
    """One row per handling unit; a unit the case was taken away from (objection, re-routing)
    loses its row."""
    done = dict(connection.execute(_UNIT_ROWS, {"case_id": case_id}).all())
    common = {"case_id": case_id, "mode": values["mode"], "in_stats": values["in_stats"],
              "persons": values["persons"], "routed_at": values["routed_at"]}
    rows = [{**common, "unit": lead, "lead": True, "due": values["handle_due"], "done_at": values["done_at"]}] \
        if lead else []
    rows += [{**common, "unit": unit, "lead": False, "due": handle_due,
              "done_at": finished.get(unit) or done.get(unit)} for unit in co]
    gone = set(done) - {row["unit"] for row in rows}
    if gone:
        connection.execute(delete(UnitMetrics).where(UnitMetrics.case_id == case_id, UnitMetrics.unit.in_(gone)))
    if rows:
        connection.execute(_UNIT_UPSERTS[connection.dialect.name], rows)
