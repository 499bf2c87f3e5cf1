"""Who sees what, through every door (pages and API), as a matrix of role × case.

Case `gov_case` is handled by district_gov. Case `accusation` accuses district_gov and is
handled by the discipline unit: district_gov must never see it (《信访工作条例》第30条).
"""
from __future__ import annotations

import pytest

from engine.errors import NotAllowed
from tests.support.web import open_task, route_to, start_petition

OFFICE = ["clerk", "director", "leader", "advisor", "analyst", "admin"]


@pytest.fixture
def cases(office):
    gov_case = start_petition(office)
    route_to(office, gov_case["id"], "district_gov")
    accusation = start_petition(office, purpose="揭发控告", subject="举报区政府某科长", accused_unit="district_gov")
    route_to(office, accusation["id"], "discipline")
    return {"gov_case": gov_case["id"], "accusation": accusation["id"]}


# a report (检举控告) opens for the director and the clerk only, of the office (docs/security.md, "Who sees what")
CASE_MATRIX = [*[(u, "gov_case", 200) for u in OFFICE],
               *[(u, "accusation", 200 if u in ("clerk", "director") else 403) for u in OFFICE],
               ("gov", "gov_case", 200), ("gov2", "gov_case", 200), ("gov", "accusation", 403),
               ("gov2", "accusation", 403), ("court", "gov_case", 403), ("court", "accusation", 403),
               ("disc", "gov_case", 403), ("disc", "accusation", 200),
               ("nounit", "gov_case", 403), ("nounit", "accusation", 403)]


@pytest.mark.parametrize("user,case,status", CASE_MATRIX)
def test_case_page_and_api_agree_on_who_sees_a_case(as_user, cases, user, case, status):
    browser = as_user(user)
    assert browser.get(f"/cases/{cases[case]}").status_code == status
    assert browser.get(f"/api/v1/cases/{cases[case]}").status_code == status
    assert browser.get(f"/cases/{cases[case]}/diagram.json").status_code == status


@pytest.mark.parametrize("user,sees,hidden", [
    ("gov", "拖欠工资", "举报区政府某科长"), ("disc", "举报区政府某科长", "拖欠工资"), ("court", None, "拖欠工资"),
    ("nounit", None, "拖欠工资"), ("nounit", None, "举报区政府某科长")])
def test_a_unit_sees_only_its_own_tasks_and_never_an_accusation_against_it(as_user, cases, user, sees, hidden):
    inbox = as_user(user).get("/inbox").get_data(as_text=True)
    api = as_user(user).get("/api/v1/tasks").get_json()
    subjects = {t["subject"] for t in api["items"]}
    if sees:
        assert sees in inbox and sees in subjects
    assert hidden not in inbox and hidden not in subjects
    assert "举报区政府某科长" not in as_user("gov").get("/cases").get_data(as_text=True)


def test_search_does_not_reveal_an_accusation_to_the_accused_unit(as_user, cases):
    found = as_user("gov").get("/api/v1/tasks?search=举报").get_json()
    assert found["total"] == 0


@pytest.mark.parametrize("user,status", [("clerk", 200), ("director", 200), ("advisor", 200), ("leader", 403),
                                         ("analyst", 403), ("admin", 403), ("gov", 403), ("court", 403)])
def test_full_identity_only_for_the_roles_that_need_it(as_user, cases, user, status):
    browser = as_user(user)
    page = browser.get(f"/cases/{cases['gov_case']}").get_data(as_text=True)
    assert "110105199001011232" not in page and "13812345678" not in page, "case pages always mask"
    revealed = browser.post(f"/cases/{cases['gov_case']}/reveal", {"purpose": "核实身份"})
    assert revealed.status_code == status
    if status == 200:
        assert "110105199001011232" in revealed.get_data(as_text=True)


@pytest.mark.parametrize("user,status", [("director", 200), ("clerk", 403), ("advisor", 403), ("disc", 403),
                                         ("gov", 403)])
def test_an_accusers_identity_is_for_the_director_only(as_user, cases, user, status):
    assert as_user(user).post(f"/cases/{cases['accusation']}/reveal", {"purpose": "核查"}).status_code == status


@pytest.mark.parametrize("user,status", [("admin", 200), *[(u, 403) for u in ("clerk", "director", "gov", "analyst")]])
@pytest.mark.parametrize("url", ["/admin/users", "/admin/groups", "/admin/units"])
def test_only_administrators_manage_users_groups_and_units(as_user, user, status, url):
    assert as_user(user).get(url).status_code == status


@pytest.mark.parametrize("user,status", [*[(u, 200) for u in OFFICE], ("gov", 403), ("court", 403)])
def test_only_the_office_registers_petitions(as_user, user, status):
    assert as_user(user).get("/register").status_code == status


@pytest.mark.parametrize("user,status", [("director", 200), ("admin", 200), ("clerk", 403), ("gov", 403)])
def test_all_open_tasks_only_for_director_and_admin(as_user, cases, user, status):
    assert as_user(user).get("/inbox?view=all").status_code == status
    assert as_user(user).get("/api/v1/tasks?view=all").status_code == status


@pytest.mark.parametrize("user,status", [("analyst", 201), ("admin", 201), ("director", 403), ("clerk", 403),
                                         ("gov", 403)])
def test_deploying_processes_is_for_analysts_and_admins(as_user, office, user, status):
    from tests.support.bpmn_builder import linear, user_task
    xml = linear("api_deployed", ("t", user_task("t")))
    browser = as_user(user)
    response = browser.client.post("/api/v1/processes", json={"files": {"x.bpmn": xml}},
                                   headers={"X-CSRFToken": browser.csrf()})
    assert response.status_code == status, response.get_json()


def test_unit_counts_cover_only_the_units_cases(as_user, cases):
    gov = as_user("gov").get("/api/v1/kpis").get_json()
    director = as_user("director").get("/api/v1/kpis").get_json()
    assert gov["open_tasks"] == 1 and director["open_tasks"] == 2
    assert sum(director["cases_by_status"].values()) == 2 and sum(gov["cases_by_status"].values()) == 1


@pytest.mark.parametrize("user,status", [("gov", 403), ("court", 403), ("clerk", 200), ("leader", 200)])
def test_a_case_not_yet_sent_to_a_unit_is_for_the_office_only(office, as_user, user, status):
    case = start_petition(office)
    assert as_user(user).get(f"/api/v1/cases/{case['id']}").status_code == status


def test_an_account_without_a_unit_sees_no_units_work_and_cannot_do_it(office, as_user, cases):
    """Unit staff whose unit was never set must not fall through to seeing everything."""
    browser = as_user("nounit")
    listing = browser.get("/cases").get_data(as_text=True)
    assert "拖欠工资" not in listing and "举报区政府某科长" not in listing
    assert browser.get("/api/v1/tasks").get_json()["total"] == 0
    handle = open_task(office, cases["gov_case"], "handle")
    assert browser.post(f"/api/v1/tasks/{handle['id']}/claim").status_code == 403
    with pytest.raises(NotAllowed, match="no unit"):
        office.tasks.complete_task(handle["id"], user="nounit", data={})
    assert open_task(office, cases["gov_case"], "handle")["assignee"] is None
