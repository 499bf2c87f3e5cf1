"""回头看 15 days after a 交办: 进展不力 → 再次督办, recorded in the ledger with a numbered letter."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import ValidationFailed
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing


def tick(o, at: datetime):
    with time_machine.travel(at, tick=False):
        return o.s.timers.scheduler(worker="lookback-test").tick()


def lookback_tasks(o, case: int) -> list[dict]:
    return [t for t in o.s.tasks.list_tasks(case_id=case, per_page=100)["items"] if t["bpmn_id"].startswith("lookback_check:")]


def test_a_stalled_assignment_is_supervised_again_with_a_numbered_letter(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        transfer = o.register(petition("建议增设公交线路", purpose="意见建议", content_class="交通运输"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.triage(transfer, "建议意见类")
        o.route_to_units(transfer, "district_gov", mode="转送", feedback_required=True)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        o.sign(case, "housing_staff")
    tick(o, T0 + timedelta(days=14))
    assert lookback_tasks(o, case) == [], "not before 15 days"
    tick(o, T0 + timedelta(days=15, hours=16))
    [task] = lookback_tasks(o, case)
    assert task["groups"] == ["director"] and task["form_key"] == "lookback_check"
    assert lookback_tasks(o, transfer) == [], "a 转送 gets no 回头看 after 15 days"
    tick(o, T0 + timedelta(days=20))
    assert len(lookback_tasks(o, case)) == 1, "once"
    with time_machine.travel(T0 + timedelta(days=16), tick=False):
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(task["id"], user="director", data={"progress": "进展不力"})
        o.s.tasks.complete_task(task["id"], user="director", data={"progress": "进展不力", "note": "补偿方案仍未拟定"})
    [entry] = o.s.supervision_ledger.entries(user="director", case_id=case)
    assert (entry["method"], entry["unit_name"], entry["note"]) == ("再次督办", "区住房和城乡建设局", "补偿方案仍未拟定")
    letters = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
    assert len(letters) == 1 and entry["document_id"] == letters[0]["id"]
    kinds = [e["kind"] for e in o.case(case)["events"]]
    assert "lookback_checked" in kinds and "supervision_action" in kinds


def test_progress_on_track_records_the_check_and_nothing_else(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
    tick(o, T0 + timedelta(days=16))
    [task] = lookback_tasks(o, case)
    with time_machine.travel(T0 + timedelta(days=16), tick=False):
        o.s.tasks.complete_task(task["id"], user="director", data={"progress": "进展正常", "note": "已拟定方案"})
    assert o.s.supervision_ledger.entries(user="director", case_id=case) == []
    assert [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"] == []
