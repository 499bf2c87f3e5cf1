"""A joint meeting (协调会) on a case with two units: its decision routes a task to each named unit,
each unit sees only its own and completes it; bad input and the wrong role change nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
DUTIES = [{"unit": "housing", "duty": "十日内核定补偿金额"}, {"unit": "district_gov", "duty": "协调资金拨付"}]


def joint_tasks(o, user: str) -> list[dict]:
    return [t for t in o.s.tasks.list_tasks(user=user, per_page=100)["items"] if t["form_key"] == "joint_task"]


def test_a_meeting_routes_a_task_to_each_named_unit_and_each_completes_it(office):
    o = office
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("征地补偿涉及多个部门"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing", "district_gov")
        args = dict(kind="协调会", held_on="2025-03-03", units=["housing", "district_gov"],
                    decision="住建局核定金额，区政府统筹资金", duties=DUTIES)
        with pytest.raises(NotAllowed):
            o.s.joint_meetings.record_meeting(case, user="clerk", **args)
        for bad in ({"units": ["housing"]}, {"units": ["housing", "city_police"]}, {"kind": "茶话会"},
                    {"duties": []}, {"duties": [{"unit": "city_police", "duty": "x"}]}, {"decision": " "},
                    {"held_on": "2099-01-01"}):
            with pytest.raises(ValidationFailed):
                o.s.joint_meetings.record_meeting(case, user="director", **{**args, **bad})
        assert o.s.joint_meetings.of_case(case, user="director") == [] and joint_tasks(o, "housing_staff") == []
        made = o.s.joint_meetings.record_meeting(case, user="director", **args)
        assert made["unit_names"][0] == "区住房和城乡建设局" and "district_gov" not in made["unit_names"]
        assert [d["unit_name"] for d in made["duties"]] == made["unit_names"]

        [housing] = joint_tasks(o, "housing_staff")
        [gov] = joint_tasks(o, "gov_staff")
        assert "十日内核定补偿金额" in housing["name"] and "协调资金拨付" in gov["name"]
        with pytest.raises(NotAllowed):
            o.s.tasks.complete_task(housing["id"], user="gov_staff", data={"result": "x"})
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(housing["id"], user="housing_staff", data={})
        clock.shift(timedelta(days=4))
        o.s.tasks.complete_task(housing["id"], user="housing_staff", data={"result": "已核定补偿金额38万元"})
        o.s.tasks.complete_task(gov["id"], user="gov_staff", data={"result": "资金已拨付到位"})
        assert joint_tasks(o, "housing_staff") == [] and joint_tasks(o, "gov_staff") == []

    [meeting] = o.s.joint_meetings.of_case(case, user="housing_staff")
    assert [(d["unit_name"], d["result"], d["done"]) for d in meeting["duties"]] == [
        ("区住房和城乡建设局", "已核定补偿金额38万元", True), (meeting["unit_names"][1], "资金已拨付到位", True)]
    kinds = [e["kind"] for e in o.case(case)["events"]]
    assert "joint_meeting" in kinds and kinds.count("joint_duty_done") == 2
    told = [n["text"] for n in o.s.notifications.notifications("director")]
    assert any("已落实会议决定" in t for t in told)
