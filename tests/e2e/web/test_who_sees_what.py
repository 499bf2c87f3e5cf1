"""Who sees what, for every demo user: that a case exists (lists, inbox, search), opening it, and
revealing its parties — for a 检举控告 case and a normal one, through the services and over HTTP.

The accusation accuses district_gov and is routed to the discipline unit (《信访工作条例》第30条;
docs/security.md, "Who sees what"). The normal case is routed to district_gov.
"""
from __future__ import annotations

import pytest

from engine.errors import NotAllowed
from office.operations.demo import DEMO_UNITS, DEMO_USERS
from tests.support.web import PASSWORD, route_to, sign_in, start_petition

NAME, ID_NUMBER = "张三丰", "110105199001011232"
UNIT_STAFF = ["gov_staff", "court_staff", "housing_staff", "police_staff", "agri_staff", "hrss_staff", "procur_staff"]
# demo user: (exists, opens, reveals) for the accusation, then for the normal case
EXPECTED = {
    "clerk": ((True, True, False), (True, True, True)),
    "director": ((True, True, True), (True, True, True)),
    "leader": ((False, False, False), (True, True, False)),
    "advisor": ((False, False, False), (True, True, True)),
    "analyst": ((False, False, False), (True, True, False)),
    "admin": ((False, False, False), (True, True, False)),
    "discipline_staff": ((True, True, True), (False, False, False)),
    "gov_staff": ((False, False, False), (True, True, False)),      # the accused unit, and the normal case's
    **{u: ((False, False, False), (False, False, False)) for u in UNIT_STAFF if u != "gov_staff"},
    "deputy": ((False, False, False), (False, False, False)),       # only the petitions they referred
}


def test_every_demo_user_has_a_row():
    assert set(EXPECTED) == {u for u, *_ in DEMO_USERS}


@pytest.fixture
def demo_office(office):
    return with_demo_users(office)


def with_demo_users(office):
    """The web office with the demo users, exactly as `make run` creates them."""
    for code, name, kind in DEMO_UNITS:
        office.users.add_unit(code, name, kind)
    existing = {u["username"] for u in office.admin.list_users(user="system")}
    for username, display, groups, unit in DEMO_USERS:
        if username in existing:
            office.admin.update_user(username, user="system", groups=groups, unit=unit or "")
        else:
            office.users.add_user(username, groups=groups, password=PASSWORD, display_name=display, unit=unit)
    normal = start_petition(office)["id"]
    route_to(office, normal, "district_gov")
    accusation = start_petition(office, purpose="揭发控告", subject="举报区政府某科长", accused_unit="district_gov",
                                petitioners=[{"name": "李举报", "id_number": "110105198001011238",
                                              "phone": "13912345678", "address": "某街道2号"}])["id"]
    route_to(office, accusation, "discipline")
    return office, {"accusation": accusation, "normal": normal}


def _by_service(svc, user: str, case_id: int) -> tuple[bool, bool, bool]:
    listed = case_id in {c["id"] for c in svc.cases.list_cases(user=user, per_page=200)["items"]}
    inbox = {t["case_id"] for t in svc.inbox.inbox(user=user, filters={"view": "all"} if user in ("director", "admin")
                                                     else {}, per_page=200)["items"]}
    try:
        svc.cases.get_case(case_id, user=user)
        opened = True
    except NotAllowed:
        opened = False
    try:
        svc.cases.reveal_identities(case_id, user=user, purpose="核查")
        revealed = True
    except NotAllowed:
        revealed = False
    if not listed:
        assert case_id not in inbox, f"{user} sees a task of case {case_id} it may not know of"
    return listed, opened, revealed


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_each_demo_user_through_the_services(demo_office, user):
    svc, cases = demo_office
    assert _by_service(svc, user, cases["accusation"]) == EXPECTED[user][0]
    assert _by_service(svc, user, cases["normal"]) == EXPECTED[user][1]


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_each_demo_user_over_http(app, demo_office, user):
    svc, cases = demo_office
    browser = sign_in(app, user)
    for kind, expected in zip(("accusation", "normal"), EXPECTED[user]):
        case_id = cases[kind]
        listed = case_id in {c["id"] for c in browser.get("/api/v1/cases?per_page=200").get_json()["items"]}
        in_tasks = case_id in {t["case_id"] for t in browser.get("/api/v1/tasks?per_page=200").get_json()["items"]}
        opened = browser.get(f"/api/v1/cases/{case_id}").status_code
        page = browser.get(f"/cases/{case_id}").status_code
        revealed = browser.post(f"/cases/{case_id}/reveal", {"purpose": "核查"})
        assert (listed, opened == 200, revealed.status_code == 200) == expected, kind
        assert page == opened and opened in (200, 403) and revealed.status_code in (200, 403)
        assert listed or not in_tasks
        if revealed.status_code == 200:
            assert ID_NUMBER in revealed.get_data(as_text=True) or "110105198001011238" in revealed.get_data(as_text=True)


def test_a_role_named_in_the_rule_exists(demo_office):
    """`discipline` reveals reports only because someone has it: the demo's discipline staff do."""
    from office.access import ACCUSATION_REVEAL_GROUPS, ROLES
    assert ACCUSATION_REVEAL_GROUPS <= set(ROLES)
    svc, _ = demo_office
    assert "discipline" in svc.users.get_user("discipline_staff")["groups"]


@pytest.mark.parametrize("user, withheld", [("leader", True), ("analyst", True), ("admin", True),
                                            ("director", False), ("clerk", False), ("discipline_staff", False)])
def test_a_figures_case_list_counts_a_report_but_withholds_it(demo_office, user, withheld):
    """KPI drill-downs and ledgers count every case; a report a role may not know of keeps its row
    but shows no subject, number or petitioner."""
    from office.access import WITHHELD_SUBJECT, withhold_reports
    svc, cases = demo_office
    rows = [{"case_id": cases["accusation"], "subject": "举报区政府某科长", "reg_no": "X-1", "petitioner": "李**"},
            {"case_id": cases["normal"], "subject": "拖欠工资", "reg_no": "X-2", "petitioner": "张**"}]
    with svc.core.uow(write=False) as uow:
        shown = withhold_reports(uow.session, svc.core.actor(uow.session, user), rows)
    assert len(shown) == 2 and shown[1] == rows[1]
    assert (shown[0]["subject"] == WITHHELD_SUBJECT and shown[0]["reg_no"] == shown[0]["petitioner"] == "") is withheld


@pytest.mark.postgres
def test_the_rule_holds_on_postgresql(pg_office):
    svc, cases = with_demo_users(pg_office)
    for user in ("director", "clerk", "leader", "admin", "gov_staff", "discipline_staff", "court_staff"):
        assert _by_service(svc, user, cases["accusation"]) == EXPECTED[user][0], user
        assert _by_service(svc, user, cases["normal"]) == EXPECTED[user][1], user
