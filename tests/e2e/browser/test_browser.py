"""In a real browser (Debian's chromium driven by Playwright), at 1366×768: a clerk registers a
petition; clerk, unit and clerk again claim and complete its tasks through to the reply, with the
inbox updating at each step; the petitioner then rates the handling on the self-service page.

Screenshots are kept in tests/artifacts/ (not committed).
"""
from __future__ import annotations

import re

from tests.support.browser import needs_chromium, shot, sign_in_page
from tests.support.handlers_for_web import query_code
from tests.support.web import PASSWORD

pytestmark = needs_chromium


def sign_out(page) -> None:
    page.click("text=退出")
    page.wait_for_url(re.compile(r".*/login"))


def claim_and_open(page, base: str, reg_no: str, step: str) -> None:
    shot(page, f"inbox-before-{step}")
    row = page.locator("#inbox-table tbody tr", has_text=reg_no)
    assert step in row.inner_text()
    with page.expect_navigation():
        row.locator("[data-action=claim]").click()
    shot(page, f"inbox-claimed-{step}")
    row = page.locator("#inbox-table tbody tr", has_text=reg_no)
    assert "退回" in row.inner_text(), "claimed: the row now offers to release it"
    row.locator("a.task-link").click()
    page.wait_for_selector("#task-form")


def inbox_rows(page, base: str, reg_no: str) -> int:
    page.goto(f"{base}/inbox")
    return page.locator("#inbox-table tbody tr", has_text=reg_no).count()


def test_petition_from_registration_to_the_petitioners_rating(server, page, office):
    base = server
    sign_in_page(page, base, "clerk", PASSWORD)
    page.goto(f"{base}/register")
    page.select_option("#f-channel", "来访")
    page.fill("#f-petitioners-0-name", "张三丰")
    page.fill("#f-petitioners-0-id_number", "110105199001011232")
    page.fill("#f-petitioners-0-phone", "13812345678")
    page.fill("#f-subject", "拖欠工资")
    page.fill("#f-content", "某公司拖欠农民工工资三个月。")
    page.select_option("#f-purpose", "求决")
    page.select_option("#f-content_class", "劳动和社会保障")
    page.fill("#f-problem_region", "110105")
    shot(page, "1-register")
    page.click("[data-action=register]")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    reg_no = office.cases.get_case(case_id)["reg_no"]
    assert reg_no in page.inner_text("h1")
    page.wait_for_selector("#diagram[data-ready='1']")
    assert page.locator("#diagram .djs-element.active").count() >= 1, "the waiting task is highlighted"
    shot(page, "2-case")

    page.goto(f"{base}/inbox")
    claim_and_open(page, base, reg_no, "拟办")
    page.click("[data-action=complete]")                      # empty: server-side validation answers
    assert page.locator(".field-error").count() >= 2
    shot(page, "3-form-errors")
    page.select_option("#f-unit", "district_gov")
    page.fill("#f-opinion", "转区人民政府办理")
    page.click("[data-action=complete]")
    page.wait_for_url(f"{base}/inbox")
    assert inbox_rows(page, base, reg_no) == 0, "the clerk's inbox no longer has it"
    sign_out(page)

    sign_in_page(page, base, "gov", PASSWORD)
    claim_and_open(page, base, reg_no, "承办")
    page.fill("#f-result", "已督促公司补发工资")
    page.fill("#f-people_met", "2")
    shot(page, "4-unit-form")
    page.click("[data-action=complete]")
    page.wait_for_url(f"{base}/inbox")
    assert inbox_rows(page, base, reg_no) == 0
    sign_out(page)

    sign_in_page(page, base, "clerk", PASSWORD)
    claim_and_open(page, base, reg_no, "答复")
    page.fill("#f-reply", "经督办，工资已补发。")
    page.click("[data-action=complete]")
    page.wait_for_url(f"{base}/inbox")
    assert inbox_rows(page, base, reg_no) == 0
    shot(page, "5-inbox-after-reply")
    sign_out(page)

    page.goto(f"{base}/public/")
    page.fill("#reg_no", reg_no)
    page.fill("#code", query_code(case_id))
    page.click("button[type=submit].primary")
    page.wait_for_selector("#public-status")
    page.check("input[name=unit_rating][value=满意]")
    page.check("input[name=office_rating][value=基本满意]")
    page.click("text=提交评价")
    page.wait_for_selector("text=已收到")
    shot(page, "6-rated")
    data = office.cases.get_case(case_id)["data"]
    assert (data["unit_satisfaction"], data["office_satisfaction"]) == ("满意", "基本满意")
