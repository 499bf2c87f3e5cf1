"""The backlog ledger on the web: the director lists a case by its number, records its 化解, the page
and the .xlsx show it by unit; a clerk may read but not list (403), a unit may not read (403)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import time_machine
from openpyxl import load_workbook

from tests.support.office import make_office, petition
from tests.support.web import Browser
from webui.app import create_app

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def sign_in(app, user: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.post("/login", {"username": user, "password": "demo"}).status_code == 302
    browser.csrf()
    return browser


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
