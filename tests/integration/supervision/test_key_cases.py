"""领导包案: a named leader with a reason, the leader's own list, a 批示 the unit must answer,
and 包案化解率 counting the case."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Conflict, NotAllowed, ValidationFailed
from office.kpi.tables import CaseMetrics
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def key_flag(o, case: int) -> bool:
    with o.s.engine.connect() as conn:
        return conn.execute(select(CaseMetrics.key_case).where(CaseMetrics.case_id == case)).scalar()


def test_a_leader_owns_a_case_and_the_unit_answers_the_leaders_instruction(office):
    o = office
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
        assert key_flag(o, case) is False
        with pytest.raises(NotAllowed):
            o.s.key_cases.assign(case, user="clerk", leader="leader", reason="骨头案")
        for leader, reason in (("clerk", "骨头案"), ("nobody", "骨头案"), ("leader", " ")):
            with pytest.raises(ValidationFailed):
                o.s.key_cases.assign(case, user="director", leader=leader, reason=reason)
        o.s.key_cases.assign(case, user="director", leader="leader", reason="多年积案，县领导包案化解")
        with pytest.raises(Conflict):
            o.s.key_cases.assign(case, user="director", leader="leader", reason="再次")
        assert key_flag(o, case) is True, "包案化解率 counts the case"

        [mine] = o.s.key_cases.my_cases(user="leader")
        assert mine["case_id"] == case and mine["unit_name"] == "区住房和城乡建设局" and "截止" in mine["deadline"]
        assert mine["unanswered_instructions"] == 0
        with pytest.raises(NotAllowed):
            o.s.key_cases.my_cases(user="director")

        with pytest.raises(NotAllowed):
            o.s.key_cases.instruct(case, user="director", text="抓紧办理")
        made = o.s.key_cases.instruct(case, user="leader", text="请住建局十日内拿出补偿方案")
        [task] = [t for t in o.s.tasks.list_tasks(user="housing_staff", per_page=100)["items"] if t["id"] == made["task_id"]]
        assert task["form_key"] == "instruction_answer" and "请住建局十日内拿出补偿方案" in task["name"]
        assert o.s.key_cases.my_cases(user="leader")[0]["unanswered_instructions"] == 1
        with pytest.raises(NotAllowed):
            o.s.tasks.complete_task(made["task_id"], user="gov_staff", data={"answer": "x"})
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(made["task_id"], user="housing_staff", data={})
        clock.shift(timedelta(days=3))
        o.s.tasks.complete_task(made["task_id"], user="housing_staff", data={"answer": "已拟定补偿方案，下周兑现"})
    [given] = o.s.key_cases.instructions(case, user="housing_staff")
    assert given["answer"] == "已拟定补偿方案，下周兑现" and given["unit_name"] == "区住房和城乡建设局"
    assert o.s.key_cases.my_cases(user="leader")[0]["unanswered_instructions"] == 0
    assert any("单位已答复批示" in n["text"] for n in o.s.notifications.notifications("leader"))
    kinds = [e["kind"] for e in o.case(case)["events"]]
    assert {"key_case_assigned", "leader_instruction", "instruction_answered"} <= set(kinds)
