"""Petitioner self-service: status with registration number + query code, evaluation and review
request delivered into the waiting workflow, nothing else of the case visible, lookups rate-limited."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.clock import utcnow
from tests.support.web import open_task, route_to, start_petition
from tests.support.handlers_for_web import query_code


def public(app):
    from tests.support.web import Browser
    return Browser(app.test_client())


def replied_case(office) -> dict:
    handle = route_to(office, start_petition(office)["id"], "district_gov")
    office.tasks.complete_task(handle["id"], user="gov", data={"result": "已补发工资"})
    reply = open_task(office, handle["case_id"], "reply")
    office.tasks.complete_task(reply["id"], user="clerk", data={"reply": "已督促补发"})
    return office.cases.get_case(handle["case_id"])


def test_status_shows_stage_and_dates_only(app, office):
    case = start_petition(office)
    page = public(app).post("/public/status", {"reg_no": case["reg_no"], "code": query_code(case["id"])})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and case["reg_no"] in text and "您的信访事项已登记" in text
    for secret in ("拖欠工资", "张", "district_gov", "拟办", "某公司"):
        assert secret not in text.split("</header>")[1], secret


@pytest.mark.parametrize("reg_no,code", [("LF11000000000001", "wrong"), ("nope", "code-1"), ("", "")])
def test_wrong_number_or_code_tells_nothing(app, office, reg_no, code):
    start_petition(office)
    response = public(app).post("/public/status", {"reg_no": reg_no, "code": code})
    assert response.status_code == 404 and "登记号或查询码不正确" in response.get_data(as_text=True)


def test_guessing_codes_is_rate_limited(app, office):
    case = start_petition(office)
    browser = public(app)
    for _ in range(10):
        assert browser.post("/public/status", {"reg_no": case["reg_no"], "code": "guess"}).status_code == 404
    assert browser.post("/public/status", {"reg_no": case["reg_no"], "code": query_code(case["id"])}).status_code == 429
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert browser.post("/public/status", {"reg_no": case["reg_no"],
                                               "code": query_code(case["id"])}).status_code == 200


def test_evaluation_completes_the_waiting_task_as_data(app, office):
    case = replied_case(office)
    creds = {"reg_no": case["reg_no"], "code": query_code(case["id"])}
    browser = public(app)
    page = browser.post("/public/status", creds).get_data(as_text=True)
    assert "满意度评价" in page and "申请复查" not in page.split("</header>")[1]
    assert "对承办单位的评价" in page and "对信访办的评价" in page, "the unit and the office are rated apart"
    assert browser.post("/public/evaluate", {**creds, "unit_rating": "很好"}).status_code == 400
    assert browser.post("/public/evaluate", {**creds, "office_rating": "满意"}).status_code == 400, "unit first"
    assert browser.post("/public/evaluate", {**creds, "unit_rating": "满意", "office_rating": "很好"}).status_code == 400
    done = browser.post("/public/evaluate", {**creds, "unit_rating": "基本满意", "office_rating": "满意",
                                             "comment": "处理及时"})
    assert done.status_code == 200 and "已收到" in done.get_data(as_text=True)
    data = office.cases.get_case(case["id"])["data"]
    assert (data["unit_satisfaction"], data["office_satisfaction"], data["evaluation_comment"]) == (
        "基本满意", "满意", "处理及时")
    assert browser.post("/public/evaluate", {**creds, "unit_rating": "满意"}).status_code == 409, "only once"


def test_review_request_within_the_window_and_not_after(app, office):
    case = replied_case(office)
    creds = {"reg_no": case["reg_no"], "code": query_code(case["id"])}
    office.selfservice.public_evaluate(case["reg_no"], creds["code"], unit_rating="不满意")
    browser = public(app)
    assert browser.post("/public/review", {**creds, "reason": ""}).status_code == 400
    assert browser.post("/public/review", {**creds, "reason": "答复未回应工资计算问题"}).status_code == 200
    assert office.cases.get_case(case["id"])["data"]["review_reason"] == "答复未回应工资计算问题"
    late = replied_case(office)
    late_creds = {"reg_no": late["reg_no"], "code": query_code(late["id"])}
    office.selfservice.public_evaluate(late["reg_no"], late_creds["code"], unit_rating="满意")
    with time_machine.travel(utcnow() + timedelta(days=31)):
        office.timers.fire_due_timers()
        late_visit = public(app)    # a month later: a new browser session
        assert late_visit.post("/public/review", {**late_creds, "reason": "太晚了"}).status_code == 409


def test_self_service_answers_are_in_the_case_history_as_the_petitioner(office):
    case = replied_case(office)
    office.selfservice.public_evaluate(case["reg_no"], query_code(case["id"]), unit_rating="满意")
    events = office.cases.get_case(case["id"])["events"]
    assert any(e["kind"] == "task_completed" and e["bpmn_id"] == "evaluate" and e["actor"] == "petitioner"
               for e in events)
