"""代表建议 in a real browser: the clerk opens the page from the navigation, picks a month's hot topic
by name, records its cases as material for a 议案 with the deputy who will lodge it, then records
the lodged number and the answer; the case page links back to it."""
from __future__ import annotations

from tests.e2e.web.test_proposal_pages import hot_topic
from tests.support.browser import needs_chromium, sign_in_page
from tests.support.web import PASSWORD

pytestmark = needs_chromium
DEPUTIES = "name,delegation,contact,username\n王建华,农业界,,\n"


def test_clerk_proposes_a_hot_topic_then_records_number_and_answer(page, server, office):
    office.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    _, topic, cases = hot_topic(office)
    sign_in_page(page, server, "clerk", PASSWORD)
    page.click("#nav-proposals")
    page.wait_for_url(f"{server}/proposals")
    page.select_option("#f-topic-pick", topic)
    page.click("#topic-show")
    page.wait_for_url(f"{server}/proposals?*")
    boxes = page.locator("#f-cases input[name=case_ids]")
    assert boxes.count() == len(cases) and all(c["reg_no"] in page.inner_text("#f-cases") for c in cases)
    boxes.last.uncheck()
    page.check("#f-kind input[value='议案']")
    page.select_option("#f-deputy", "王建华")
    page.click("#proposal-submit")
    assert page.locator("#f-title:invalid").count() == 1, "the browser asks for the title first"
    page.fill("#f-title", "关于治理欠薪的议案")
    page.click("#proposal-submit")
    page.wait_for_url(f"{server}/proposals#proposal-*")
    row = page.locator("#proposal-list tr[data-proposal]").first
    assert "关于治理欠薪的议案" in row.inner_text() and "王建华" in row.inner_text()
    assert cases[-1]["reg_no"] not in row.locator(".cases").inner_text(), "the unticked case is left out"
    row.locator(".lodge-form input[name=number]").fill("议案第7号")
    row.locator(".lodge-form button").click()
    row = page.locator("#proposal-list tr[data-proposal]").first
    row.locator(".answer-form textarea").fill("已列入立法计划")
    row.locator(".answer-form button").click()
    row = page.locator("#proposal-list tr[data-proposal]").first
    assert "议案第7号" in row.inner_text() and "已列入立法计划" in row.inner_text()
    assert row.locator(".state").inner_text() == "已答复"
    row.locator(".cases a").first.click()
    page.wait_for_url(f"{server}/cases/*")
    link = page.locator("#case-proposals a")
    assert link.inner_text() == "“关于治理欠薪的议案”"
    link.click()
    page.wait_for_url(f"{server}/proposals#proposal-*")
