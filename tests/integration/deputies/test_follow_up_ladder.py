"""A 代表恳谈会 follow-up is chased like any other 督办: reminders before its last day, then the
office's escalation ladder (numbered 督办函 every 7 days, the director's notice, the director's
decision task), each rung once across schedulers and in the supervision ledger, until the unit
reports it done. The clock is moved; nothing sleeps."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from docx import Document
from sqlalchemy import select

from engine.store.models import Timer
from processes.ladders import load_ladder
from tests.support.office import make_office, petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing
DUE = datetime(2025, 4, 15, 16, 0, tzinfo=timezone.utc)  # 24:00 Beijing of 2025-04-15
METHOD = "交办事项督办"


@pytest.fixture
def office(services):
    return make_office(services)


def follow_up(o) -> tuple[int, dict]:
    """A meeting on the month's first pick gives 市农业农村局 a task with last day 2025-04-15."""
    with time_machine.travel(T0, tick=False):
        for i in range(2):
            o.register(petition(f"拖欠工资问题{i}", name=f"工人{i}", id_number="", content_class="农村农业"))
        o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,农业界,,\n", user="clerk")
        picks = [p["case_id"] for p in o.s.analysis.meeting_selection("director", "2025-03", limit=50)["cases"]]
        mid = o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                  deputies=["王建华"], case_ids=picks[:1])["id"]
        made = o.s.meetings.follow_up(mid, user="director", unit="city_agri", task="核实欠薪并答复代表",
                                      last_day="2025-04-15", case_id=picks[0])["follow_ups"][0]
    return picks[0], made


def tick(o, at: datetime):
    with time_machine.travel(at, tick=False):
        return o.s.timers.scheduler(worker="follow-up-test").tick()


def letters(o, case: int) -> list[str]:
    return [d["kind"] for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]


def ledger(o) -> list[str]:
    return [e["outcome"] for e in reversed(o.s.supervision_ledger.entries(user="director", method=METHOD))]


def decision_tasks(o, case: int, follow_id: int) -> list[dict]:
    return [t for t in o.s.tasks.list_tasks(case_id=case, per_page=100)["items"]
            if t["bpmn_id"] == f"supervise:follow_up:{follow_id}"]


def test_an_overdue_follow_up_climbs_the_ladder_into_the_ledger_and_stops_when_reported(office):
    o = office
    case, made = follow_up(o)
    tick(o, DUE - timedelta(days=3) + timedelta(hours=1))
    agri = [n["text"] for n in o.s.notifications.notifications("agri_staff")]
    assert any(t.startswith("催办：") and "核实欠薪并答复代表" in t for t in agri), "a reminder 3 days before"

    tick(o, DUE - timedelta(minutes=1))
    assert letters(o, case) == [] and ledger(o) == [], "nothing before 24:00 of the last day"

    tick(o, DUE + timedelta(minutes=1))
    assert len(letters(o, case)) == 1, "督办函 No. 1 to the unit at once"
    [doc] = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
    _, content, _ = o.s.documents.get_document(case, doc["id"], user="director")
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "核实欠薪并答复代表" in text and "市农业农村局" in text, "the letter names the task and the unit"
    agri = [n["text"] for n in o.s.notifications.notifications("agri_staff")]
    assert any("督办函（第1号）" in t and "代表恳谈会交办：核实欠薪并答复代表" in t for t in agri)
    boss = [n["text"] for n in o.s.notifications.notifications("director")]
    assert any(t.startswith("督办：") and "核实欠薪并答复代表" in t for t in boss), "and the director is told"
    rows = o.s.supervision_ledger.entries(user="director", method=METHOD)
    assert {(r["case_id"], r["unit_name"], r["actor_name"]) for r in rows} == {(case, "市农业农村局", "系统（定时）")}
    assert [t.split("：")[0] for t in ledger(o)] == ["督办函（第1号）", "督办"]

    for day in range(1, 15):                      # the office's scheduler, once a day
        tick(o, DUE + timedelta(days=day, hours=1))
        if day == 13:
            assert decision_tasks(o, case, made["id"]) == [], "not before 14 days overdue"
    assert len(letters(o, case)) == 3, "every 7 days: days 0, 7 and 14"
    [decide] = decision_tasks(o, case, made["id"])
    assert decide["groups"] == ["director"] and decide["form_key"] == "supervision_decision"
    assert "督办决定（约谈、通报或挂牌督办）" in ledger(o)[-1]

    task = next(t for t in o.s.tasks.list_tasks(user="agri_staff")["items"] if t["bpmn_id"].startswith("follow_up:"))
    with time_machine.travel(DUE + timedelta(days=15), tick=False):
        o.s.tasks.complete_task(task["id"], user="agri_staff", data={"result": "已督促企业全额补发"})
    before = ledger(o)
    for day in (21, 28, 31, 60):
        tick(o, DUE + timedelta(days=day, hours=1))
    assert len(letters(o, case)) == 3 and ledger(o) == before, "the ladder stops once it is reported done"
    with o.s.engine.connect() as conn:
        waiting = conn.execute(select(Timer.kind).where(Timer.bpmn_id == f"follow_up:{made['id']}",
                                                        Timer.status == "waiting")).scalars().all()
    assert waiting == []


def test_a_follow_up_rung_fires_once_when_two_schedulers_reach_it(office):
    o = office
    case, made = follow_up(o)
    with o.s.engine.connect() as conn:
        [timer_id] = conn.execute(select(Timer.id).where(Timer.bpmn_id == f"follow_up:{made['id']}",
                                                         Timer.kind == "escalation")).scalars()
    outcomes = []
    for _ in range(2):                            # the second worker's lease came after the first's commit
        with o.s.core.uow() as uow:
            outcomes.append(o.s.supervision.fire(uow.session, timer_id, DUE + timedelta(minutes=5)))
            uow.commit()
    assert outcomes == ["escalation", None]
    assert len(letters(o, case)) == 1 and len(ledger(o)) == 2


def test_a_follow_up_reported_on_the_meeting_page_cancels_its_ladder(office):
    o = office
    case, made = follow_up(o)
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        o.s.meetings.finish_follow_up(made["id"], user="agri_staff", result="已答复")
    for day in (1, 8, 15):
        tick(o, DUE + timedelta(days=day, hours=2))
    assert letters(o, case) == [] and ledger(o) == []


def test_the_follow_up_climbs_the_ladder_data_not_a_copy_of_it(office):
    """The rungs come from processes/escalation_ladders (the version in force when the task was given)."""
    o = office
    _, made = follow_up(o)
    with o.s.engine.connect() as conn:
        [payload] = conn.execute(select(Timer.payload).where(Timer.bpmn_id == f"follow_up:{made['id']}",
                                                             Timer.kind == "escalation")).scalars()
    ladder = load_ladder()
    assert payload["ladder"] == [ladder.jurisdiction, ladder.version] and payload["party"] == "unit"
