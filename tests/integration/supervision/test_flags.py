"""Flags that act: 紧急 reaches the director at once (a notice and a task) and shortens the triage
deadline to the table's route_urgent rule; 领导批示 gives the director a task to answer it;
越级访 and 敏感 show as inbox badges and are counted."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import ValidationFailed
from office.dates import Month
from processes.calendar import end_of_day, local_day
from processes.deadlines import load_table
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)       # Monday


def director_tasks(o, form_key: str) -> list[dict]:
    return [t for t in o.s.tasks.list_tasks(user="director", per_page=200)["items"] if t["form_key"] == form_key]


def triage_due(o, case: int):
    """The last day of the triage period (the deadline is 24:00 of it)."""
    return local_day(datetime.fromisoformat(o.data(case)["deadlines"]["route"]) - timedelta(microseconds=1))


def test_an_urgent_petition_goes_to_the_director_at_once_with_a_shorter_triage_deadline(office):
    o = office
    assert load_table("national").rule("route_urgent").days < load_table("national").rule("route").days
    with time_machine.travel(T0, tick=False):
        plain = o.register(petition("路灯不亮"))
        urgent = o.register(petition("工地围挡倒塌威胁行人安全", urgent=True))
        assert director_tasks(o, "urgent_check") and len(director_tasks(o, "urgent_check")) == 1
        [task] = director_tasks(o, "urgent_check")
        assert task["case_id"] == urgent and datetime.fromisoformat(task["due_at"]) == end_of_day(local_day(T0))
        assert any("紧急信访事项" in n["text"] for n in o.s.notifications.notifications("director"))
        days = (triage_due(o, urgent) - local_day(T0)).days
        assert days == load_table("national").rule("route_urgent").days      # 3 days, a Thursday: no move
        assert (triage_due(o, plain) - local_day(T0)).days >= 15
        o.triage(urgent, "申诉求决类")            # a later step opens no second task
        assert len(director_tasks(o, "urgent_check")) == 1
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(task["id"], user="director", data={"measures": " "})
        o.s.tasks.complete_task(task["id"], user="director", data={"measures": "已通知住建局当日排险"})
    assert director_tasks(o, "urgent_check") == []
    assert "紧急处置：已通知住建局当日排险" in [e["message"] for e in o.case(urgent)["events"]]


def test_a_petition_with_a_leaders_instruction_gives_the_director_a_task_to_answer_it(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("退役军人安置问题", instructed=True, source="领导批示"))
        o.register(petition("噪音扰民"))
        [task] = director_tasks(o, "instruction_answer")
        assert task["case_id"] == case and "答复领导批示" in task["name"]
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(task["id"], user="director", data={})
        o.s.tasks.complete_task(task["id"], user="director", data={"answer": "已交退役军人事务局办理，十五日内报结果"})
    assert "答复领导批示：已交退役军人事务局办理，十五日内报结果" in [e["message"] for e in o.case(case)["events"]]


def test_skip_level_and_sensitive_show_as_inbox_badges_and_are_counted(office):
    o = office
    with time_machine.travel(T0, tick=False):
        skipped = o.register(petition("越级到省里反映征地问题", skip_level=True))
        touchy = o.register(petition("涉及干部作风问题", sensitive=True, skip_level=True))
        plain = o.register(petition("路面破损"))
        rows = {r["case_id"]: r["flags"] for r in o.s.inbox.inbox(user="clerk", per_page=200)["items"]}
        assert rows[skipped] == ["skip_level"] and rows[touchy] == ["skip_level", "sensitive"] and rows[plain] == []
        start, end = Month.parse("2025-03").bounds()
        counts = o.s.kpi.flag_counts("director", start, end)
        assert counts == {"skip_level": 2, "sensitive": 1, "urgent": 0, "instructed": 0}
        assert o.s.kpi.flag_counts("director", *Month.parse("2025-04").bounds())["skip_level"] == 0
