"""Hearing days do not count toward the 复核 limit (Art. 36 ¶2): the limit runs from the request for
30 days plus the hearing's, and only then moves off a rest day (2025 holidays: 清明 4–6 April,
May Day 1–5 May)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from engine.dependencies import Clock
from handlers.deadlines import exclude_hearing, set_deadline
from processes.deadlines import load_table

CLOCK = Clock(datetime(2025, 6, 1, 2, tzinfo=timezone.utc), ZoneInfo("Asia/Shanghai"))


def requested(day: str) -> dict:
    """A 复核 requested at 09:00 local on `day`, with its 30-day limit as the process sets it."""
    data = {"milestones": {"recheck_requested": f"{day}T01:00:00+00:00"}}
    data.update(set_deadline("recheck_decision", "recheck_requested", data=data, clock=CLOCK, deadlines=load_table()))
    return data


def heard(data: dict, days) -> dict:
    return {**data, **exclude_hearing(data={**data, "hearing_days": days}, clock=CLOCK, deadlines=load_table())}


def test_the_hearing_days_extend_the_period_not_the_moved_deadline():
    # asked Wed 2 April: 30 days end Fri 2 May, a May Day holiday -> Tue 6 May
    data = requested("2025-04-02")
    assert data["deadlines"]["recheck_decision"] == "2025-05-06T16:00:00+00:00"
    # 30 + 7 days from 2 April end Fri 9 May, a working day (adding 7 to 6 May would give 13 May)
    assert heard(data, 7)["deadlines"]["recheck_decision"] == "2025-05-09T16:00:00+00:00"


def test_a_limit_pushed_onto_a_rest_day_moves_to_the_next_working_day():
    # asked Mon 3 March: 30 days end Wed 2 April; 33 days end Sat 5 April (清明) -> Mon 7 April
    data = requested("2025-03-03")
    assert data["deadlines"]["recheck_decision"] == "2025-04-02T16:00:00+00:00"
    assert heard(data, 3)["deadlines"]["recheck_decision"] == "2025-04-07T16:00:00+00:00"


def test_a_request_from_before_the_milestone_pushes_the_last_day_then_moves_it():
    data = {"deadlines": {"recheck_decision": "2025-04-02T16:00:00+00:00"}}
    assert heard(data, 3)["deadlines"]["recheck_decision"] == "2025-04-07T16:00:00+00:00"   # 5 Apr -> 7 Apr


def test_no_hearing_days_change_nothing():
    data = requested("2025-04-02")
    for days in (None, 0, -2, "7", True):
        assert heard(data, days)["deadlines"] == data["deadlines"]
