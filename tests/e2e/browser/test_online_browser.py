"""The petitioner's online submission in a real browser, on a phone-sized screen: fill in, attach,
double-click submit (one submission), keep the code, then follow the 登记审核 with it."""
from __future__ import annotations

import pytest

from tests.support.browser import ARGS, ARTIFACTS, CHROMIUM, needs_chromium

pytestmark = needs_chromium
PHONE = {"width": 375, "height": 740}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def page():
    ARTIFACTS.mkdir(exist_ok=True)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
        phone.set_default_timeout(15_000)
        try:
            yield phone
        finally:
            browser.close()


def test_petitioner_submits_on_a_phone_and_follows_it_with_the_code(page, server, office, tmp_path):
    photo = tmp_path / "暖气.png"
    photo.write_bytes(PNG)
    page.goto(f"{server}/public/")
    page.click("#to-submit")
    page.wait_for_url(f"{server}/public/submit")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    page.click("#submit-petition")           # the browser's own checks stop an empty form
    assert office.online.pending(user="clerk") == []
    for field, value in {"name": "刘晓梅", "id_number": "110101196501011230", "phone": "13912345678",
                         "address": "鹤壁市鹤山区新华街8号", "subject": "小区供暖不达标",
                         "content": "入冬以来室温不足16度", "region": "鹤山区"}.items():
        page.fill(f"#f-{field}", value)
    page.select_option("#f-purpose", "求决")
    page.set_input_files("#f-attachments", str(photo))
    page.click("#submit-petition")
    assert page.locator(".field-error").count() >= 2, "wrong check digit and no consent are shown"
    assert "身份证号码不正确" in page.inner_text("#online-submit")
    page.fill("#f-id_number", "11010119650101123X")
    page.check("#f-consent")
    page.set_input_files("#f-attachments", str(photo))
    page.dblclick("#submit-petition")
    page.wait_for_selector("#sent-code")
    page.screenshot(path=str(ARTIFACTS / "browser-online-submitted.png"), full_page=True)
    number, code = page.inner_text("#sent-number"), page.inner_text("#sent-code")
    assert "只显示这一次" in page.inner_text("#online-submitted")
    waiting = office.online.pending(user="clerk")
    assert [w["number"] for w in waiting] == [number], "a double click files one petition"
    office.online.return_submission(waiting[0]["id"], user="clerk", reason="请补充物业缴费凭证后重新提交")
    page.goto(f"{server}/public/")
    page.fill("#reg_no", number)
    page.fill("#code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#public-step")
    assert page.get_attribute("#public-step", "data-step") == "online_returned"
    assert "请补充物业缴费凭证" in page.inner_text("#public-returned")
