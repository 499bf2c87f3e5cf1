"""The office's own supervision acts, each recorded on the case and in the ledger, with who may do
what, bad input refused without a trace, and the ledger as an .xlsx workbook."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from openpyxl import load_workbook

from engine.errors import Conflict, NotAllowed, ValidationFailed
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing


def handling_case(o, subject: str = "拆迁补偿款迟迟不到位", unit: str = "housing", staff: str = "housing_staff") -> int:
    case = o.register(petition(subject))
    o.triage(case, "申诉求决类")
    o.route_to_units(case, unit)
    o.sign(case, staff)
    return case


def timeline(o, case: int) -> list[str]:
    return [e["message"] for e in o.case(case)["events"] if e["kind"] == "supervision_action"]


@pytest.mark.parametrize("method,user,note", [
    ("书函催办", "clerk", ""), ("电话询办", "clerk", "致电郑华，称已约谈开发商，下周拨付"),
    ("共同接办", "director", "会同区住建局共同接待信访人"), ("约谈", "director", "约谈区住建局分管负责人"),
    ("通报", "director", "在全区通报"), ("挂牌督办", "director", ""),
])
def test_each_supervision_act_is_on_the_case_and_in_the_ledger(office, method, user, note):
    o = office
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        case = handling_case(o)
        entry = o.s.supervision_ledger.record_action(case, user=user, method=method, unit="housing",
                                                     outcome="单位承诺十日内办结", note=note)
    assert (entry["method"], entry["unit_name"], entry["acted_on"]) == (method, "区住房和城乡建设局", "2025-03-23")
    assert entry["actor_name"] != user or user == "clerk"
    assert timeline(o, case) == [f"{method}：单位承诺十日内办结"]
    [row] = o.s.supervision_ledger.entries(user="director", method=method)
    assert row["id"] == entry["id"] and row["reg_no"] == o.case(case)["reg_no"]
    letters = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
    assert len(letters) == (1 if method == "书函催办" else 0), "书函催办 issues the case's next numbered letter"
    hanging = o.s.supervision.listed("hanging", user="clerk")
    assert [h["case_id"] for h in hanging] == ([case] if method == "挂牌督办" else [])


def test_who_may_record_what_and_bad_input_changes_nothing(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = handling_case(o)
        act = o.s.supervision_ledger.record_action
        for user, method in (("clerk", "约谈"), ("clerk", "通报"), ("leader", "电话询办"), ("housing_staff", "书函催办")):
            with pytest.raises(NotAllowed):
                act(case, user=user, method=method, unit="housing", outcome="x", note="x")
        with pytest.raises(NotAllowed):
            o.s.supervision_ledger.entries(user="housing_staff")
        bad = [dict(method="托人带话", unit="housing", outcome="x"),
               dict(method="电话询办", unit="housing", outcome="已通话", note=""),       # a call needs its note
               dict(method="通报", unit="nowhere", outcome="x"),
               dict(method="通报", unit="housing", outcome=" "),
               dict(method="通报", unit="housing", outcome="x", acted_on="2025-03-04"),  # tomorrow
               dict(method="通报", unit="housing", outcome="x", acted_on="三月三日")]
        for fields in bad:
            with pytest.raises(ValidationFailed):
                act(case, user="director", **fields)
        with pytest.raises(Conflict):                 # a unit with no open dated step: no letter to send
            act(case, user="clerk", method="书函催办", unit="city_agri", outcome="x")
    assert timeline(o, case) == [] and o.s.supervision_ledger.entries(user="director") == []
    assert o.s.supervision_ledger.entries(user="housing_staff", case_id=case) == []


def test_a_dispatch_meeting_records_each_cases_decision_and_the_ledger_exports(office):
    o = office
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        first = handling_case(o)
        second = handling_case(o, "医院收费不合理", "district_gov", "gov_staff")
        with pytest.raises(NotAllowed):
            o.s.supervision_ledger.record_meeting(user="clerk", kind="调度会", held_on="2025-04-12", title="x",
                                                  decisions=[{"case_id": first, "decision": "x"}])
        meeting = o.s.supervision_ledger.record_meeting(
            user="director", kind="调度会", held_on="2025-04-12", title="重大信访案件调度会",
            decisions=[{"case_id": first, "decision": "区住建局五日内拨付补偿款"},
                       {"case_id": second, "decision": "区政府牵头核查收费"}])
        o.s.supervision_ledger.record_action(first, user="clerk", method="电话询办", unit="housing",
                                             outcome="已拨付一半", note="致电郑华")
    assert [e["outcome"] for e in meeting["entries"]] == ["区住建局五日内拨付补偿款", "区政府牵头核查收费"]
    rows = o.s.supervision_ledger.entries(user="director", case_id=first)
    assert [r["method"] for r in rows] == ["电话询办", "调度会"]
    assert rows[1]["meeting"] == "调度会（2025-04-12）重大信访案件调度会"
    assert o.s.supervision_ledger.entries(user="director", unit="district_gov")[0]["case_id"] == second
    sheet = load_workbook(io.BytesIO(o.s.supervision_ledger.ledger_xlsx(user="director"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "督办台账" and values[1][:5] == ["日期", "信访件编号", "事项", "督办方式", "督办单位"]
    assert len(values) == 2 + 3 and "区住房和城乡建设局" in values[2] and "housing" not in values[2]
