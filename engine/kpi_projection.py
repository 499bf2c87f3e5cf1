"""Keeps `case_metrics` in step with the case data: a StepRunner hook, run in the step's transaction.

Reads data["milestones"] and data["deadlines"] (contracts.md) and projected facts; tolerates
missing or malformed keys, since cases of older diagrams carry fewer of them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .kpi_tables import CaseMetrics
from .models import Case

ROUTE_DAYS, UNIT_ACCEPT_DAYS = 15, 30


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


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


def metrics_values(case: Case, data: dict) -> dict:
    """The case_metrics row of one case, from its data (pure apart from reading case columns)."""
    ms, dl = _dict(data, "milestones"), _dict(data, "deadlines")
    registered = _when(ms.get("registered")) or case.created_at
    closed = _when(ms.get("closed"))
    return {
        "reg_no": case.reg_no, "channel": _text(data.get("channel"), 16), "category": _text(data.get("category"), 32),
        "unit": _text(data.get("unit"), 64), "accused_unit": _text(data.get("accused_unit"), 64),
        "region": _text(data.get("region"), 16), "organ": _text(data.get("organ"), 64),
        "in_stats": data.get("in_stats", True) is not False,
        "registered_at": registered,
        "route_due": _when(dl.get("route")) or registered + timedelta(days=ROUTE_DAYS),
        "accepted_at": _when(ms.get("accepted")),
        "unit_accept_due": registered + timedelta(days=UNIT_ACCEPT_DAYS),
        "unit_accepted_at": _when(ms.get("unit_accepted")) or _when(ms.get("unit_signed")),
        "handle_due": _when(dl.get("extension")) or _when(dl.get("handle")),
        "done_at": _when(ms.get("replied")) or _when(ms.get("reported")),
        "closed_at": closed,
        "outcome": _text(data.get("outcome"), 16), "rating": _text(data.get("rating"), 16),
        "evaluation_due": _when(dl.get("evaluate")), "evaluated_at": _when(ms.get("evaluated")),
        "evaluation_lapsed": bool(ms.get("evaluation_lapsed")),
        "is_repeat": bool(data.get("is_repeat")),
        "main_case_id": data["main_case_id"] if isinstance(data.get("main_case_id"), int) else case.main_case_id,
        "persons": _persons(data.get("persons")), "key_case": bool(data.get("key_case")),
        "backlog": bool(data.get("backlog")),
        "resolved": bool(data["resolved"]) if "resolved" in data else closed is not None,
    }


def _upsert(dialect: str):
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(CaseMetrics.__table__)
    columns = [c.name for c in CaseMetrics.__table__.columns if c.name != "case_id"]
    return stmt.on_conflict_do_update(index_elements=["case_id"], set_={c: stmt.excluded[c] for c in columns})


_UPSERTS = {name: _upsert(name) for name in ("sqlite", "postgresql")}


def update_metrics(session: Session, case: Case, data: dict, step=None) -> None:
    """StepRunner hook: one prebuilt upsert, no read first (it runs on every step), and none at all
    when the row would not change: the case keeps a digest of what was last written (this hook is
    the table's only writer; a rebuild must clear `cases.metrics_digest`)."""
    values = metrics_values(case, data)
    digest = hashlib.blake2b(repr(sorted(values.items())).encode(), digest_size=16).hexdigest()
    if digest == case.metrics_digest:
        return
    connection = session.connection()
    connection.execute(_UPSERTS[connection.dialect.name], {"case_id": case.id, **values})
    case.metrics_digest = digest
