"""The escalation ladder on the shipped handling process, with a moved clock: a unit lets its
60-day 办理 deadline run out and the case is walked 30 days overdue, rung by rung."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import NotAllowed, ValidationFailed
from engine.store.models import Timer
from processes.ladders import load_ladder
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing


def overdue_case(o) -> tuple[int, datetime]:
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
    return case, datetime.fromisoformat(o.data(case)["deadlines"]["handle"])


def tick(o, at: datetime):
    with time_machine.travel(at, tick=False):
        return o.s.timers.scheduler(worker="ladder-test").tick()


def letters(o, case: int) -> list[int]:
    events = sorted(o.case(case)["events"], key=lambda e: e["id"])
    return [e["data"]["sequence"] for e in events if e["kind"] == "document_issued" and e["message"] == "督办函"]


def decision_tasks(o, case: int) -> list[dict]:
    return [t for t in o.s.tasks.list_tasks(case_id=case, per_page=100)["items"] if t["bpmn_id"] == "supervise:handle"]


def test_a_unit_thirty_days_overdue_climbs_every_rung_once_and_stops_when_it_reports(office):
    o = office
    case, due = overdue_case(o)
    assert tick(o, due - timedelta(minutes=1)).escalations == 0
    assert letters(o, case) == []

    tick(o, due + timedelta(minutes=1))
    assert letters(o, case) == [1], "at the due date: 督办函 No. 1 to the unit"
    boss = [n["text"] for n in o.s.notifications.notifications("director")]
    assert any(t.startswith("督办：") and "督办函" in t for t in boss), "and a notice to the director"
    unit = [n["text"] for n in o.s.notifications.notifications("housing_staff")]
    assert any("督办函（第1号）" in t for t in unit)
    assert decision_tasks(o, case) == []

    for day in range(1, 32):                      # the office's scheduler, once a day
        tick(o, due + timedelta(days=day, hours=1))
        if day == 13:
            assert decision_tasks(o, case) == [], "not before 14 days overdue"
            assert o.s.supervision.listed("leader", user="leader") == []
        if day == 14:
            [task] = decision_tasks(o, case)
            assert task["groups"] == ["director"] and task["form_key"] == "supervision_decision"
        if day == 29:
            assert o.s.supervision.listed("leader", user="leader") == [], "not before 30 days"
    assert letters(o, case) == [1, 2, 3, 4, 5], "every 7 days: days 0, 7, 14, 21 and 28"
    docs = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
    assert len(docs) == 5 and {d["created_by"] for d in docs} == {"scheduler"}
    [listed] = o.s.supervision.listed("leader", user="leader")
    assert (listed["case_id"], listed["unit_name"], listed["overdue"]) == (case, "区住房和城乡建设局", True)
    assert listed["step"] == "承办单位办理" and "已超期" in listed["deadline"]
    assert "leader" in [n["kind"] for n in o.s.notifications.notifications("leader")]
    assert len(decision_tasks(o, case)) == 1, "one decision task, not one a day"
    kinds = [e["kind"] for e in o.case(case)["events"]]
    assert kinds.count("escalated") == 1 and kinds.count("leader_listed") == 1

    with time_machine.travel(due + timedelta(days=32), tick=False):
        o.do(case, "handle", "housing_staff", result="办结", report="补偿款已发放")
    for day in (35, 42, 60):
        assert tick(o, due + timedelta(days=day, hours=1)).escalations == 0
    assert letters(o, case) == [1, 2, 3, 4, 5], "the rungs stop when the task completes"


def test_the_directors_decision_lists_the_case_for_supervision_until_lifted(office):
    o = office
    case, due = overdue_case(o)
    tick(o, due + timedelta(days=14, hours=1))
    [task] = decision_tasks(o, case)
    with time_machine.travel(due + timedelta(days=15), tick=False):
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(task["id"], user="director", data={"decision": "撤销", "note": "x"})
        o.s.tasks.complete_task(task["id"], user="director", data={"decision": "挂牌督办", "note": "限十日内办结"})
    [hanging] = o.s.supervision.listed("hanging", user="clerk")
    assert hanging["case_id"] == case and hanging["reason"] == "限十日内办结"
    with pytest.raises(NotAllowed):
        o.s.supervision.listed("hanging", user="housing_staff")
    with pytest.raises(NotAllowed):
        o.s.supervision.listed("leader", user="clerk")
    with pytest.raises(NotAllowed):
        o.s.supervision.lift(hanging["id"], user="clerk")
    o.s.supervision.lift(hanging["id"], user="director", note="已办结")
    assert o.s.supervision.listed("hanging", user="clerk") == []
    kinds = [e["kind"] for e in o.case(case)["events"]]
    assert "supervision_decided" in kinds and "supervision_lifted" in kinds


def test_a_rung_fires_once_when_two_schedulers_reach_the_same_row(office):
    o = office
    case, due = overdue_case(o)
    at = due + timedelta(minutes=5)
    with o.s.engine.connect() as conn:
        [timer_id] = conn.execute(select(Timer.id).where(Timer.case_id == case, Timer.kind == "escalation",
                                              Timer.bpmn_id == "handle", Timer.status == "waiting")).scalars()
    outcomes = []
    for _ in range(2):                            # the second worker's lease came after the first's commit
        with o.s.core.uow() as uow:
            outcomes.append(o.s.supervision.fire(uow.session, timer_id, at))
            uow.commit()
    assert outcomes == ["escalation", None]
    assert letters(o, case) == [1]


def test_a_moved_deadline_restarts_the_ladder_from_the_new_date(office):
    o = office
    case, due = overdue_case(o)
    tick(o, due + timedelta(hours=1))
    assert letters(o, case) == [1]
    moved = due + timedelta(days=30)
    with time_machine.travel(due + timedelta(days=2), tick=False):
        o.s.cases.change_deadline(case, "handle", moved.isoformat(), user="director", reason="延期30日，主任批准")
    for day in (7, 14, 21, 29):
        tick(o, due + timedelta(days=day, hours=1))
    assert letters(o, case) == [1], "the old deadline no longer climbs"
    assert decision_tasks(o, case) == []
    tick(o, moved + timedelta(hours=1))
    assert letters(o, case) == [1, 2], "the new deadline's letter continues the case's numbering"


def test_the_offices_own_overdue_step_goes_to_the_director_never_as_a_letter(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("小区噪音扰民"))
    due = datetime.fromisoformat(o.task(case, "triage")["due_at"])
    for day in (0, 7, 14):
        tick(o, due + timedelta(days=day, hours=1))
    assert [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"] == []
    notes = [n["text"] for n in o.s.notifications.notifications("director")]
    assert any(t.startswith("本办超期第3次提醒") for t in notes), notes
    assert [t["bpmn_id"] for t in o.s.tasks.list_tasks(case_id=case, per_page=100)["items"]
            if t["bpmn_id"].startswith("supervise:")] == ["supervise:triage"]


def test_the_ladder_is_versioned_data_with_an_effective_date():
    ladder = load_ladder("default")
    assert (ladder.version, ladder.lookback_days) == (1, 15)
    assert [(r.name, r.after_days, r.every_days) for r in ladder.ordered()] == [
        ("letter", 0, 7), ("director_notice", 0, 0), ("director_task", 14, 0), ("leader_list", 30, 0)]
    assert load_ladder("zhejiang").jurisdiction == "default", "no ladder of its own: the office's"
    with pytest.raises(KeyError):
        load_ladder("default", version=9)
