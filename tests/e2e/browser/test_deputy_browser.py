"""A deputy's page in a real browser: sign in, refer a constituent's petition through their station
(a wrong form shows the problems), see it listed, and once the office replies, read the reply."""
from __future__ import annotations

import pytest

from tests.support.browser import needs_chromium, serve, sign_in_page
from webui.app import create_app

pytestmark = needs_chromium
DEPUTIES = "name,delegation,contact,username\n王建华,朝阳区代表团,13800000001,dep_wang\n"
STATIONS = "name,region,deputies\n朝阳区代表联络站,110105,王建华\n"
PASSWORD = "deputy-password-1"


@pytest.fixture
def server(office1):
    """The shipped processes (the reply is a served milestone there), served on loopback."""
    with serve(create_app(office1.s.settings, office1.s)) as base:
        yield base


@pytest.fixture
def office(office1):
    return office1.s


def test_deputy_refers_and_reads_the_reply(page, server, office, office1):
    office.users.add_user("dep_wang", groups=["deputy"], password=PASSWORD, display_name="王建华")
    office.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    office.deputies.import_csv("stations", STATIONS, user="clerk")
    sign_in_page(page, server, "dep_wang", PASSWORD)
    page.click("#nav-deputy")
    page.wait_for_url(f"{server}/deputy")
    assert "还没有转交" in page.inner_text("#deputy-cases")
    page.fill("#f-petitioner_name", "赵选民")
    page.fill("#f-petitioner_phone", "123")
    page.fill("#f-subject", "小区路灯长期不亮")
    page.fill("#f-content", "选民反映小区路灯损坏三个月无人维修")
    page.select_option("#f-content_class", "城乡建设")
    page.fill("#f-problem_region", "110105")
    page.click("#refer-submit")
    assert "电话号码不正确" in page.inner_text("#referral-form")
    page.fill("#f-petitioner_phone", "13912340000")
    page.click("#refer-submit")
    page.wait_for_url(f"{server}/deputy")
    row = page.locator("#deputy-cases tr[data-case]")
    assert row.count() == 1 and "小区路灯长期不亮" in row.inner_text() and "朝阳区代表联络站" in row.inner_text()
    case_id = int(row.get_attribute("data-case"))
    o = office1
    o.triage(case_id, "申诉求决类")
    o.route_to_units(case_id, "housing")
    o.sign(case_id, "housing_staff")
    page.reload()
    assert "路灯已修复" not in page.inner_text("#deputy-cases")
    o.do(case_id, "handle", "housing_staff", result="办结", report="已修复")
    o.do(case_id, "review_report", "director", quality="通过")
    o.do(case_id, "reply", "clerk", outcome="支持", reply_text="路灯已修复", resolution="已化解")
    page.reload()
    assert "路灯已修复" in page.inner_text("#deputy-cases .reply")
    assert "赵选民" not in page.inner_text("#deputy-cases")
