"""The supervision lists on the web: who may read them, lifting a case off, bad input."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from tests.support.office import make_office, petition
from tests.support.web import demo_sign_in as sign_in
from webui.app import create_app

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)



def test_the_leaders_list_and_lifting_a_case_off_it(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
    due = datetime.fromisoformat(o.data(case)["deadlines"]["handle"])
    with time_machine.travel(due + timedelta(days=31), tick=False):
        o.s.timers.scheduler(worker="web").tick()
    app = create_app(o.s.settings, o.s)
    reg_no = o.case(case)["reg_no"]
    leader = sign_in(app, "leader").get("/supervision/leader")
    assert leader.status_code == 200
    page = leader.get_data(as_text=True)
    assert reg_no in page and "区住房和城乡建设局" in page and "housing" not in page
    assert sign_in(app, "housing_staff").get("/supervision/leader").status_code == 403
    assert sign_in(app, "leader").get("/supervision/nothing").status_code == 404
    [listed] = o.s.supervision.listed("leader", user="director")
    assert sign_in(app, "clerk").post(f"/supervision/listings/{listed['id']}/lift").status_code == 403
    director = sign_in(app, "director")
    assert director.post(f"/supervision/listings/{listed['id']}/lift", data={"note": "已约谈"}).status_code == 302
    assert director.post(f"/supervision/listings/{listed['id']}/lift").status_code == 409
    assert director.post("/supervision/listings/999999/lift").status_code == 404
    assert reg_no not in director.get("/supervision/leader").get_data(as_text=True)


def test_a_phone_enquiry_from_the_case_page_reaches_the_ledger_and_its_workbook(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
    app = create_app(o.s.settings, o.s)
    clerk = sign_in(app, "clerk")
    page = clerk.get(f"/cases/{case}").get_data(as_text=True)
    assert 'id="supervision"' in page and "区住房和城乡建设局" in page and '<option value="约谈">' not in page
    url = f"/supervision/cases/{case}"
    assert clerk.post(url, data={"method": "电话询办", "unit": "housing", "outcome": "已通话"}).status_code == 400
    assert clerk.post(url, data={"method": "约谈", "unit": "housing", "outcome": "x"}).status_code == 403
    assert sign_in(app, "housing_staff").post(url, data={"method": "电话询办", "unit": "housing", "outcome": "x",
                                                         "note": "x"}).status_code == 403
    done = clerk.post(url, data={"method": "电话询办", "unit": "housing", "outcome": "承诺本周办结",
                                 "note": "致电郑华"})
    assert done.status_code == 302 and done.headers["Location"].endswith("#supervision")
    assert "致电郑华" in clerk.get(f"/cases/{case}").get_data(as_text=True)
    ledger = clerk.get("/supervision/ledger?method=电话询办").get_data(as_text=True)
    assert "承诺本周办结" in ledger and "区住房和城乡建设局" in ledger
    assert clerk.get("/supervision/ledger?since=yesterday").status_code == 400
    assert sign_in(app, "housing_staff").get("/supervision/ledger").status_code == 403
    xlsx = clerk.get("/supervision/ledger.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    reg_no = o.case(case)["reg_no"]
    director = sign_in(app, "director")
    meeting = {"kind": "交办督办会", "held_on": "2025-03-03", "title": "月度交办督办会",
               "decisions": f"{reg_no} 限期十日办结"}
    assert director.post("/supervision/meetings", data={**meeting, "decisions": "LF-NONE 无"}).status_code == 400
    assert clerk.post("/supervision/meetings", data=meeting).status_code == 403
    assert director.post("/supervision/meetings", data=meeting).status_code == 302
    assert "限期十日办结" in director.get("/supervision/ledger").get_data(as_text=True)


def test_leader_ownership_and_an_instruction_from_the_case_page(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
    app = create_app(o.s.settings, o.s)
    director, leader = sign_in(app, "director"), sign_in(app, "leader")
    url = f"/supervision/cases/{case}/leader"
    assert sign_in(app, "clerk").post(url, data={"leader": "leader", "reason": "x"}).status_code == 403
    assert director.post(url, data={"leader": "clerk", "reason": "骨头案"}).status_code == 400
    assert director.post(url, data={"leader": "leader", "reason": "骨头案"}).status_code == 302
    assert director.post(url, data={"leader": "leader", "reason": "骨头案"}).status_code == 409
    assert "骨头案" in leader.get("/supervision/my-cases").get_data(as_text=True)
    assert director.get("/supervision/my-cases").status_code == 403
    assert director.post(f"/supervision/cases/{case}/instructions", data={"text": "x"}).status_code == 403
    assert leader.post(f"/supervision/cases/{case}/instructions", data={"text": "十日内拿出方案"}).status_code == 302
    unit_page = sign_in(app, "housing_staff").get(f"/cases/{case}").get_data(as_text=True)
    assert "十日内拿出方案" in unit_page and "待单位答复" in unit_page
