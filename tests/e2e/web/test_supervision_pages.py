"""The supervision lists on the web: who may read them, lifting a case off, bad input."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from tests.support.office import make_office, petition
from tests.support.web import Browser
from webui.app import create_app

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def sign_in(app, user: str) -> Browser:
    """The demo office's accounts (password "demo")."""
    browser = Browser(app.test_client())
    assert browser.post("/login", {"username": user, "password": "demo"}).status_code == 302
    browser.csrf()
    return browser


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
