"""set_deadline's provisional notes follow the deadline they describe."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from engine.dependencies import Clock
from handlers.deadlines import set_deadline
from processes.deadlines import load_table


def at(day: datetime) -> Clock:
    return Clock(day.replace(hour=2, tzinfo=timezone.utc), ZoneInfo("Asia/Shanghai"))


def test_a_deadline_recomputed_on_a_known_calendar_loses_its_provisional_note():
    table, data = load_table(), {"deadline_notes": {"handle": "其他期限的说明"}}
    data.update(set_deadline("route", data=data, clock=at(datetime(2026, 12, 20)), deadlines=table))
    assert data["deadlines"]["route"] == "2027-01-04T16:00:00+00:00" and "2027年" in data["deadline_notes"]["route"]
    data.update(set_deadline("route", data=data, clock=at(datetime(2026, 11, 20)), deadlines=table))
    assert data["deadlines"]["route"] == "2026-12-07T16:00:00+00:00"
    assert data["deadline_notes"] == {"handle": "其他期限的说明"}, "only the recomputed deadline's note goes"


def test_an_exact_deadline_without_notes_adds_no_notes_key():
    result = set_deadline("handle", data={}, clock=at(datetime(2026, 3, 2)), deadlines=load_table())
    assert result == {"deadlines": {"handle": "2026-05-06T16:00:00+00:00"}}
