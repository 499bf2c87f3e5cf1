"""Usable on a 1366×768 screen (Debian's chromium via Playwright): the main pages never scroll
sideways and each page's main action button lies inside the viewport once scrolled to; the users
import runs through the shared job poller to its result. Screenshots go to tests/artifacts/."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import ARTIFACTS, chromium_page, needs_chromium, sign_in_page
from tests.support.web import PASSWORD, route_to, start_petition

WIDTH, HEIGHT = 1366, 768
pytestmark = needs_chromium
LONG_SUBJECT = "反映某县城关镇多个小区物业公司长期拖欠维修资金、电梯停运、消防通道堵塞且多次投诉无人处理的问题"


@pytest.fixture
def page():
    with chromium_page(height=HEIGHT) as browser_page:
        yield browser_page


def sign_in(page, base: str, user: str, lang: str = "zh") -> None:
    page.context.clear_cookies()
    sign_in_page(page, base, user, PASSWORD)
    if lang == "en":        # English labels are longer: the pages must fit in both languages
        with page.expect_navigation():
            page.click("header button:has-text('English')")


def check_fits(page, name: str, action: str) -> None:
    """No horizontal scrolling, and the main action fully on screen when scrolled to."""
    page.wait_for_load_state("networkidle")
    name = f"{name}-{page.evaluate('document.documentElement.lang')}"
    page.screenshot(path=str(ARTIFACTS / f"small-screen-{name}.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width}px wide"
    button = page.locator(action).first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box, f"{name}: {action} is not shown"
    assert 0 <= box["x"] and box["x"] + box["width"] <= WIDTH, f"{name}: {action} at {box}"
    assert 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT, f"{name}: {action} at {box}"
    assert page.evaluate("window.scrollX") == 0, f"{name}: scrolled sideways to show {action}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_pages_fit_a_1366x768_screen(server, page, office, lang):
    base = server
    unit_case = start_petition(office, subject=LONG_SUBJECT)
    route_to(office, unit_case["id"], "district_gov")
    start_petition(office, subject=LONG_SUBJECT)
    sign_in(page, base, "clerk", lang)
    check_fits(page, "inbox", "#inbox-table [data-action=claim]")
    page.locator("#inbox-table a.task-link").first.click()
    page.wait_for_selector("#task-form")
    check_fits(page, "task", "[data-action=claim], [data-action=complete]")
    page.goto(f"{base}/cases/{unit_case['id']}")
    page.wait_for_selector(".diagram svg")
    check_fits(page, "case", ".diagram")
    page.goto(f"{base}/register")
    check_fits(page, "register", "[data-action=register]")

    sign_in(page, base, "admin", lang)
    page.goto(f"{base}/admin/users")
    check_fits(page, "admin-users", "#import-btn")
    page.goto(f"{base}/processes")
    check_fits(page, "processes", "main form button[type=submit]")
    page.goto(f"{base}/processes/web_intake/edit")
    page.wait_for_selector(".djs-container")
    check_fits(page, "editor", "#ed-deploy")
    page.goto(f"{base}/dashboard")
    check_fits(page, "dashboard", "#report-btn")


def test_users_import_in_the_browser_reports_its_result(server, page, office, tmp_path):
    good = tmp_path / "users.csv"
    good.write_text("username,display_name,groups,unit,password\nli.na,Li Na,clerk,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("username,groups\nclerk,clerk\n", encoding="utf-8")
    sign_in(page, server, "admin")
    page.goto(f"{server}/admin/users")
    page.set_input_files("#import-form input[type=file]", str(bad))
    page.click("#import-btn")
    page.wait_for_selector("#import-errors:not([hidden])")
    assert "line 2: user 'clerk' already exists" in page.inner_text("#import-errors")
    page.set_input_files("#import-form input[type=file]", str(good))
    page.click("#import-btn")
    page.wait_for_selector("#import-passwords:not([hidden])")
    assert "已创建 1 个用户" in page.inner_text("#import-result")
    assert page.locator("#import-errors").is_hidden() and page.locator("#import-progress").get_attribute("value") == "100"
    page.screenshot(path=str(ARTIFACTS / "small-screen-import.png"))
    with page.expect_download() as download:
        page.click("#import-passwords")
    assert "li.na," in Path(download.value.path()).read_text(encoding="utf-8-sig")
