"""The backlog ledger on the web: the director lists a case by its number, records its 化解, the page
and the .xlsx show it by unit; a clerk may read but not list (403), a unit may not read (403)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import time_machine
from openpyxl import load_workbook

from tests.support.office import make_office, petition
from tests.support.web import demo_sign_in as sign_in
from webui.app import create_app

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)



def test_the_backlog_ledger_page_lists_and_resolves(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("多年拖欠工程款"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        app = create_app(o.s.settings, o.s)
        reg_no = o.case(case)["reg_no"]
        clerk = sign_in(app, "clerk")
        assert clerk.post("/supervision/backlog", {"reg_no": reg_no, "source": "本级排查"}).status_code == 403
        assert sign_in(app, "housing_staff").get("/supervision/backlog").status_code == 403
        director = sign_in(app, "director")
        assert director.post("/supervision/backlog", {"reg_no": reg_no, "source": "乱写"}).status_code == 400
        assert director.post("/supervision/backlog", {"reg_no": reg_no, "source": "上级交办"}).status_code == 302
        [row] = o.s.backlog.ledger(user="director")["items"]
        page = director.get("/supervision/backlog").get_data(as_text=True)
        assert reg_no in page and "区住房和城乡建设局" in page and "上级交办" in page and "housing" not in page
        assert director.post(f"/supervision/backlog/{row['id']}/resolve",
                             {"outcome": "已化解", "note": "款项结清"}).status_code == 302
        assert director.post("/supervision/backlog/999999/resolve",
                             {"outcome": "已化解", "note": "x"}).status_code == 404
        reply = clerk.get("/supervision/backlog.xlsx")
        assert reply.status_code == 200
        summary = [[c.value for c in r] for r in load_workbook(io.BytesIO(reply.data))["积案台账"].iter_rows()]
        assert ["区住房和城乡建设局", 1, 1, 0] in summary


def test_a_joint_meeting_from_the_case_page_gives_each_unit_its_task(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("征地补偿涉及多个部门"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing", "district_gov")
        app = create_app(o.s.settings, o.s)
        director = sign_in(app, "director")
        assert "记录会议并分派任务" in director.get(f"/cases/{case}").get_data(as_text=True)
        form = {"kind": "协调会", "held_on": "2025-03-03", "decision": "分工落实", "units": ["housing", "district_gov"],
                "duty_housing": "核定金额", "duty_district_gov": "拨付资金"}
        assert sign_in(app, "clerk").post(f"/supervision/cases/{case}/joint", form).status_code == 403
        assert director.post(f"/supervision/cases/{case}/joint", {**form, "units": ["housing"]}).status_code == 400
        assert director.post(f"/supervision/cases/{case}/joint", form).status_code == 302
        page = sign_in(app, "housing_staff").get(f"/cases/{case}").get_data(as_text=True)
        assert "核定金额" in page and "区住房和城乡建设局" in page
    names = {t["unit"] for t in o.s.tasks.list_tasks(user="director", per_page=100)["items"]
             if t["form_key"] == "joint_task"}
    assert names == {"housing", "district_gov"}


def test_the_inbox_shows_flag_badges_and_the_dashboard_counts_them(sqlite_services):
    o = make_office(sqlite_services)
    with time_machine.travel(T0, tick=False):
        o.register(petition("越级访事项", skip_level=True, sensitive=True))
        app = create_app(o.s.settings, o.s)
        director, clerk = sign_in(app, "director"), sign_in(app, "clerk")
        inbox = clerk.get("/inbox").get_data(as_text=True)
        assert 'flag-skip_level">越级访' in inbox and 'flag-sensitive">敏感' in inbox
        board = director.get("/dashboard?month=2025-03").get_data(as_text=True)
        assert 'id="flag-counts"' in board and 'flag-skip_level">越级访</span> 1' in board
        clerk.post("/lang/en", {"next": "/inbox"})
        english = clerk.get("/inbox").get_data(as_text=True)
        assert 'flag-skip_level">Skip-level' in english and 'flag-sensitive">Sensitive' in english
