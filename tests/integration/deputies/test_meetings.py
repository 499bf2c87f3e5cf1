"""The 代表恳谈会 with its follow-up tasks: cases from the month's selection, the deputies' opinions,
tasks to units tracked until done (overdue ones listed), and the minutes as .docx."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import time_machine
from docx import Document

from engine.errors import Conflict, NotAllowed, ValidationFailed
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def test_meeting_with_opinions_follow_ups_and_minutes(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(4):
            o.register(petition(f"征地补偿标准过低问题{i}", name=f"村民{i}", id_number="", content_class="农村农业"))
        o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,农业界,,\n李红梅,法律界,,\n",
                                user="clerk")
        picks = [p["case_id"] for p in o.s.analysis.meeting_selection("director", "2025-03", limit=50)["cases"]]
        assert picks, "the month's selection proposes cases"
        with pytest.raises(ValidationFailed):
            o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                deputies=["王建华"], case_ids=[999999])
        with pytest.raises(NotAllowed):
            o.s.meetings.record(user="housing_staff", held_on="2025-03-28", month="2025-03", title="",
                                deputies=["王建华"], case_ids=picks[:1])
        meeting = o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                      deputies=["王建华", "李红梅"], case_ids=picks[:2])
        mid, case = meeting["id"], picks[0]
        assert meeting["title"] == "2025-03代表恳谈会" and meeting["deputies"] == ["李红梅", "王建华"]
        o.s.meetings.opinion(mid, user="director", case_id=case, deputy="王建华", opinion="补偿标准应按新规重新核定")
        o.s.meetings.opinion(mid, user="director", case_id=case, deputy="李红梅", opinion="建议公开测算依据")
        with pytest.raises(ValidationFailed):
            o.s.meetings.opinion(mid, user="director", case_id=case, deputy="张三", opinion="x")
        with pytest.raises(ValidationFailed):
            o.s.meetings.follow_up(mid, user="director", unit="没有这个单位", task="x", last_day="2025-04-30")
        view = o.s.meetings.follow_up(mid, user="director", unit="city_agri", task="重新核定补偿标准并答复",
                                      last_day="2025-04-30", case_id=case)
        follow = view["follow_ups"][0]
        assert follow["due_at"] == "2025-04-30T16:00:00+00:00" and follow["deadline"]["overdue"] is False
        o.s.meetings.follow_up(mid, user="director", unit="city_housing", task="公开测算依据", last_day="2025-04-15")
        clock.move_to(datetime(2025, 4, 16, 2, tzinfo=timezone.utc))
        late = o.s.meetings.overdue(user="director")
        assert [f["task"] for f in late] == ["公开测算依据"], "past its last day and still open"
        with pytest.raises(NotAllowed):
            o.s.meetings.finish_follow_up(follow["id"], user="housing_staff", result="x")
        o.s.meetings.finish_follow_up(follow["id"], user="agri_staff", result="已按新标准补足")
        name, content = o.s.meetings.minutes_docx(mid, user="director")
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert name.endswith("会议纪要.docx") and "2025年3月28日" in text and "王建华代表：补偿标准应按新规重新核定" in text
    assert "于2025年4月30日前办结报告（已办结：已按新标准补足）" in text and "公开测算依据" in text


def test_a_follow_up_reaches_the_units_inbox_and_its_done_report_shows_on_the_meeting(office1):
    """督办 of the 恳谈会: the task is a real inbox task of the unit (due 24:00 of its last day),
    listed as overdue past it, completed there with a report the meeting record and minutes show."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(2):
            o.register(petition(f"拖欠工资问题{i}", name=f"工人{i}", id_number="", content_class="农村农业"))
        o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,农业界,,\n", user="clerk")
        picks = [p["case_id"] for p in o.s.analysis.meeting_selection("director", "2025-03", limit=50)["cases"]]
        mid = o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                  deputies=["王建华"], case_ids=picks[:1])["id"]
        follow = o.s.meetings.follow_up(mid, user="director", unit="city_agri", task="核实欠薪并答复代表",
                                        last_day="2025-04-15")["follow_ups"][0]
        assert all(not t["bpmn_id"].startswith("follow_up:") for t in o.s.tasks.list_tasks(user="housing_staff")["items"])
        mine = [t for t in o.s.tasks.list_tasks(user="agri_staff")["items"] if t["bpmn_id"].startswith("follow_up:")]
        assert len(mine) == 1 and "核实欠薪并答复代表" in mine[0]["name"]
        assert mine[0]["due_at"] == "2025-04-15T16:00:00+00:00", "the last day at 24:00 Beijing"
        task_id = mine[0]["id"]
        with pytest.raises(NotAllowed):
            o.s.tasks.complete_task(task_id, user="housing_staff", data={"result": "x"})
        clock.move_to(datetime(2025, 4, 16, 2, tzinfo=timezone.utc))
        overdue = o.s.tasks.list_tasks(user="director", filters={"overdue": True,
                                                                 "now": datetime(2025, 4, 16, 2, tzinfo=timezone.utc)})
        assert task_id in [t["id"] for t in overdue["items"]], "an overdue follow-up is on the overdue list"
        late = o.s.inbox.inbox(user="agri_staff", filters={"overdue": True})["items"]
        assert [t["id"] for t in late if t["id"] == task_id] == [task_id], "the unit's own overdue list shows it"
        with pytest.raises(ValidationFailed):
            o.s.tasks.complete_task(task_id, user="agri_staff", data={"result": ""})
        o.s.tasks.complete_task(task_id, user="agri_staff", data={"result": "已督促企业全额补发"})
        view = o.s.meetings.get(mid, user="director")
        done = view["follow_ups"][0]
        assert done["id"] == follow["id"] and done["state"] == "done" and done["result"] == "已督促企业全额补发"
        assert done["done_by"] == "agri_staff" and o.s.meetings.overdue(user="director") == []
        assert all(not t["bpmn_id"].startswith("follow_up:") for t in o.s.tasks.list_tasks(user="agri_staff")["items"])
        with pytest.raises(Conflict):
            o.s.meetings.finish_follow_up(follow["id"], user="agri_staff", result="again")
        _, content = o.s.meetings.minutes_docx(mid, user="director")
    assert "（已办结：已督促企业全额补发）" in "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_a_follow_up_reported_on_the_meeting_closes_the_units_inbox_task(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        for i in range(2):
            o.register(petition(f"拖欠工资问题{i}", name=f"工人{i}", id_number="", content_class="农村农业"))
        o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,农业界,,\n", user="clerk")
        picks = [p["case_id"] for p in o.s.analysis.meeting_selection("director", "2025-03", limit=50)["cases"]]
        mid = o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                  deputies=["王建华"], case_ids=picks[:1])["id"]
        follow = o.s.meetings.follow_up(mid, user="director", unit="city_agri", task="答复代表",
                                        last_day="2025-04-15")["follow_ups"][0]
        task = next(t for t in o.s.tasks.list_tasks(user="agri_staff")["items"] if t["bpmn_id"].startswith("follow_up:"))
        assert o.s.tasks.get_task(task["id"], user="agri_staff")["form_key"] == "follow_up_report"
        o.s.meetings.finish_follow_up(follow["id"], user="agri_staff", result="已答复")
        assert all(not t["bpmn_id"].startswith("follow_up:") for t in o.s.tasks.list_tasks(user="agri_staff")["items"])
        with pytest.raises(Conflict):
            o.s.tasks.complete_task(task["id"], user="agri_staff", data={"result": "again"})
