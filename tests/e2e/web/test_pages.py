"""Pages render for the people who use them, and bad input is a 4xx, never a 500."""
from __future__ import annotations

import pytest

from tests.support.web_diagrams import PROCESS
from tests.support.web import open_task, start_petition


def test_sign_in_lands_on_the_inbox_and_shows_chinese(as_user):
    clerk = as_user("clerk")
    page = clerk.get("/inbox")
    assert page.status_code == 200
    assert "我的待办" in page.get_data(as_text=True)


def test_pages_need_a_signed_in_user(as_user):
    anonymous = as_user(None)
    response = anonymous.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registered_petition_appears_in_the_clerks_inbox(office, as_user):
    case = start_petition(office)
    page = as_user("clerk").get("/inbox").get_data(as_text=True)
    assert case["reg_no"] in page and "拖欠工资" in page and "张**" in page
    assert "110105199001011232" not in page


@pytest.mark.parametrize("url", ["/cases", "/register", "/tokens", "/inbox?view=groups", "/inbox?sort=reg_no&desc=true"])
def test_clerk_pages_render(as_user, url):
    assert as_user("clerk").get(url).status_code == 200


def test_case_and_task_pages(office, as_user):
    case = start_petition(office)
    clerk = as_user("clerk")
    page = clerk.get(f"/cases/{case['id']}")
    assert page.status_code == 200 and "拟办" in page.get_data(as_text=True)
    task = open_task(office, case["id"], "triage")
    form = clerk.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "承办单位" in form and "区人民政府" in form and 'name="opinion"' in form


def test_a_provisional_deadline_is_marked_on_the_case_page(office, as_user):
    note = "2027年节假日安排尚未收录，办理期限暂按周末推算为 2027-02-18，请核对国务院放假通知"
    # deadlines are the case's own data (a task's form can never write them): given at the start
    case = office.cases.start_case(PROCESS, {"subject": "暂定期限", "deadlines": {"handle": "2027-02-18T16:00:00+00:00"},
                                             "deadline_notes": {"handle": note}}, user="clerk")
    page = as_user("clerk").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "暂定" in page and note in page
