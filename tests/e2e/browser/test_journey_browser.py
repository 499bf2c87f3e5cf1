"""In chromium, the shipped processes end to end as the office works them: the clerk registers
(the region typed by name), triages; the director assigns (交办) to a lead unit and a co-handling
unit picked by name; the unit signs, the co-handling unit gives its opinion, the unit reports;
the director sends the report back (发回重办), the unit reports again, the director passes it;
the clerk replies; the petitioner reads the answer on the self-service page, rates it and asks
for a 复查, which the director then sees.

At each step the person acting finds, beside their form, what the previous person wrote.
Screenshots of the main pages go to tests/artifacts/journey-*.png (not committed).
"""
from __future__ import annotations

import re

from tests.support.browser import ARGS, CHROMIUM, needs_chromium, serve, sign_in_page
from tests.support.paths import ARTIFACTS
from webui.app import create_app

pytestmark = needs_chromium
PASSWORD = "demo"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def act_as(page, base: str, user: str) -> None:
    page.context.clear_cookies()
    sign_in_page(page, base, user, PASSWORD)


def open_step(page, base: str, reg_no: str, step: str) -> None:
    """From the inbox, the row of this case at this step; the task page with its form."""
    page.goto(f"{base}/inbox")
    row = page.locator("#inbox-table tbody tr", has_text=reg_no).filter(has_text=step)
    assert row.count() == 1, page.locator("#inbox-table").inner_text()
    row.locator("a.task-link").click()
    page.wait_for_selector("#task-form")


def case_file(page) -> str:
    """What the task page shows of the case file beside the form."""
    return page.locator("ol.dossier").inner_text()


def submit(page, name: str) -> None:
    shot(page, name)
    with page.expect_navigation():
        page.click("#task-form button[data-action=complete]")
    assert page.locator(".form-error, .field-error").count() == 0, page.content()[:3000]


def test_a_petition_travels_the_office_and_each_person_reads_the_last_ones_words(office1):
    o = office1
    with serve(create_app(o.s.settings, o.s)) as base:
        from playwright.sync_api import sync_playwright
        ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
            page.set_default_timeout(20_000)
            try:
                walk(page, base, o)
            finally:
                browser.close()


def walk(page, base: str, o) -> None:
    reg_no, code = register(page, base)
    case_id = o.s.cases.list_cases(per_page=5)["items"][0]["id"]

    act_as(page, base, "clerk")
    open_step(page, base, reg_no, "甄别分流")
    seen = case_file(page)
    assert "小区拆迁补偿款拖欠" in seen and "湖北省襄阳市樊城区" in seen and "登记员 王芳" in seen
    page.select_option("#f-route", "申诉求决类")
    page.select_option("#f-category", "申诉求决类")
    page.fill("#f-proposal", "建议交区住建局主办，市人社局协办")
    submit(page, "triage")

    act_as(page, base, "director")
    open_step(page, base, reg_no, "主任签批")
    assert "建议交区住建局主办，市人社局协办" in case_file(page), "the director reads the clerk's proposal"
    page.select_option("#f-mode", "交办")
    page.select_option("#f-lead_unit", label="区住房和城乡建设局")
    page.fill("[data-filter-for=f-co_units]", "人力资源")
    assert page.locator("#f-co_units option:not([hidden])").count() == 1, "the box filters units by name"
    page.select_option("#f-co_units", label="市人力资源和社会保障局")
    page.fill("#f-instruction", "请于期限内查明补偿款去向并报送")
    submit(page, "sign-off")
    case_page = page.goto(f"{base}/cases/{case_id}")
    assert case_page.ok
    assert page.locator("#case-units").inner_text() == "区住房和城乡建设局、市人力资源和社会保障局"
    assert "截止" in page.locator("#deadlines").inner_text()
    shot(page, "case-after-sign-off")

    act_as(page, base, "housing_staff")
    open_step(page, base, reg_no, "签收")
    assert "请于期限内查明补偿款去向并报送" in case_file(page), "the unit reads the director's instruction"
    page.select_option("#f-decision", "签收")
    submit(page, "unit-sign")

    act_as(page, base, "hrss_staff")
    open_step(page, base, reg_no, "协办单位办理意见")
    assert "请于期限内查明补偿款去向并报送" in case_file(page)
    page.fill("#f-co_opinion", "已核查社保补缴情况，无欠缴")
    submit(page, "co-handle")

    act_as(page, base, "housing_staff")
    open_step(page, base, reg_no, "承办单位办理")
    assert "已核查社保补缴情况，无欠缴" in case_file(page), "the lead unit reads the co-handling opinion"
    page.select_option("#f-result", "办结")
    page.fill("#f-report", "已约谈开发商，补偿款已拨付一半")
    submit(page, "handle")

    act_as(page, base, "director")
    open_step(page, base, reg_no, "审核办结报告")
    assert "已约谈开发商，补偿款已拨付一半" in case_file(page), "the director reads the report"
    page.select_option("#f-quality", "发回重办")
    page.fill("#f-review_note", "补偿款尚未全部到位，请继续督促后再报")
    submit(page, "review-send-back")

    act_as(page, base, "housing_staff")
    open_step(page, base, reg_no, "承办单位办理")
    seen = case_file(page)
    assert "补偿款尚未全部到位，请继续督促后再报" in seen and "发回重办" in seen, "the unit reads why"
    page.select_option("#f-result", "办结")
    page.fill("#f-report", "补偿款已于本月全部发放到位")
    submit(page, "handle-again")

    act_as(page, base, "director")
    open_step(page, base, reg_no, "审核办结报告")
    assert "补偿款已于本月全部发放到位" in case_file(page).split("审核办结报告")[0], "the newest report first"
    page.select_option("#f-quality", "通过")
    submit(page, "review-pass")

    act_as(page, base, "clerk")
    open_step(page, base, reg_no, "答复信访人")
    assert "补偿款已于本月全部发放到位" in case_file(page), "the clerk drafting the reply reads the report"
    page.select_option("#f-outcome", "支持")
    page.fill("#f-reply_text", "经核查，您反映的拆迁补偿款已全部发放到位。")
    page.fill("#f-legal_basis", "《国有土地上房屋征收与补偿条例》")
    page.select_option("#f-resolution", "已化解")
    submit(page, "reply")
    assert o.s.inbox.inbox(user="clerk")["total"] == 0, "the petitioner's windows are not the clerk's work"

    petitioner(page, base, reg_no, code)

    act_as(page, base, "director")
    open_step(page, base, reg_no, "复查决定")
    seen = case_file(page)
    assert "对补偿标准仍有异议" in seen and "满意度评价" in seen, "the director reads the petitioner's request"
    shot(page, "review-decide")
    page.goto(f"{base}/cases/{case_id}")
    shot(page, "case-under-review")
    assert "复查中" in page.locator("dl.summary").first.inner_text(), "after a 复查 request the case no longer reads 已答复"
    standing = page.locator("#standing").inner_text()
    assert "已化解" in standing and "clerk" not in standing, "who recorded 化解 reads as a name: " + standing
    assert page.locator("#steps tr[data-step=review_decide]").inner_text().count("信访办主任") == 1
    page.wait_for_selector("#diagram[data-ready='1']")
    box = page.locator("#diagram .djs-element.active .djs-visual rect").first.bounding_box()
    assert box and box["width"] >= 60, f"the current step is drawn at a readable size: {box}"


def register(page, base: str) -> tuple[str, str]:
    act_as(page, base, "clerk")
    page.goto(f"{base}/register")
    page.select_option("#f-channel", "来访")
    page.select_option("#f-source", "本人提出")
    page.fill("#f-petitioners-0-name", "赵德明")
    page.fill("#f-petitioners-0-id_number", "420606199503152314")
    page.fill("#f-petitioners-0-phone", "13871234567")
    page.fill("#f-subject", "小区拆迁补偿款拖欠")
    page.fill("#f-content", "开发商拖欠拆迁补偿款一年，多次催要无果。")
    page.select_option("#f-purpose", "求决")
    page.select_option("#f-content_class", "城乡建设")
    page.fill("#f-problem_region", "樊城区")
    shot(page, "register")
    with page.expect_navigation():
        page.click("button[data-action=register]")
    shot(page, "registered")
    code = page.locator("#issued-code").inner_text().strip()
    reg_no = page.locator("#issued-reg-no").inner_text().strip()
    assert re.fullmatch(r"\d{8}", code) and reg_no.startswith("LF420606"), (reg_no, code)
    assert page.locator("#receipt-link").count() == 1
    receipt = page.request.get(base + page.locator("#receipt-link").get_attribute("href"))
    assert receipt.ok and len(receipt.body()) > 1000, "the 回执 prints the code"
    return reg_no, code


def petitioner(page, base: str, reg_no: str, code: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/public/")
    page.fill("#reg_no", reg_no)
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    shot(page, "public-status")
    assert "经核查，您反映的拆迁补偿款已全部发放到位。" in page.locator("#public-reply").inner_text()
    assert "支持" in page.locator("#public-reply").inner_text()
    windows = page.locator("#public-windows").inner_text()
    assert "满意度评价期" in windows and "复查申请期" in windows and "年" in windows, windows
    page.check("input[name=unit_rating][value=满意]")
    page.check("input[name=office_rating][value=基本满意]")
    with page.expect_navigation():
        page.click("text=提交评价")
    page.fill("textarea[name=reason]", "对补偿标准仍有异议")
    with page.expect_navigation():
        page.click("form[action$='/public/review'] button")
    shot(page, "public-after-review-request")
    step = page.locator("#public-step")
    assert step.get_attribute("data-step") == "reviewing" and "复查" in step.inner_text()
    assert "已答复" not in step.inner_text()
