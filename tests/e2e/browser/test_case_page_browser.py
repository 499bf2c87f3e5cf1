"""In chromium: the case page draws each shipped process with bpmn-js (lanes, shapes, markers).

A case inside a call activity shows the diagram it is in now (办理 within 登记与分流, and so on).
"""
from __future__ import annotations

import os

import pytest

from tests.support.browser import CHROMIUM, chromium_page, serve
from tests.support.office import make_office, petition
from tests.support.paths import ROOT
from webui.app import create_app

VIEWER = ROOT / "webui" / "static" / "vendor" / "bpmn-navigated-viewer.production.min.js"
pytestmark = pytest.mark.skipif((CHROMIUM is None or not VIEWER.exists()) and os.environ.get("CI", "").lower() != "true",
                                reason="chromium or the vendored bpmn-js is missing (make browser-deps vendor)")


def cases_in_every_process(o) -> dict[str, int]:
    out = {}
    c = o.register(petition("咨询政策", channel="电话", purpose="其他", content_class="党务政务"))
    out["intake"] = c
    c = o.register(petition("拆迁补偿款迟迟不到位", name="赵一"))
    o.triage(c, "申诉求决类")
    out["handling"] = c
    c = o.register(petition("不服判决", name="钱二", purpose="申诉", content_class="政法"))
    o.triage(c, "涉法涉诉")
    out["litigation"] = c
    c = o.register(petition("举报干部受贿", name="孙三", purpose="揭发控告", accused_unit="housing"))
    o.triage(c, "检举控告类")
    out["accusation"] = c
    c = o.register(petition("征地补偿过低", name="李四"))
    o.triage(c, "申诉求决类")
    o.route_to_units(c, "district_gov")
    o.sign(c, "gov_staff")
    o.do(c, "handle", "gov_staff", result="办结", report="已办")
    o.do(c, "review_report", "director", quality="通过")
    o.do(c, "reply", "clerk", outcome="不予支持", reply_text="无依据", resolution="未化解")
    o.do(c, "request_review", "clerk", review_requested=True, review_reason="不服")
    out["review"] = c
    return out


@pytest.fixture
def demo_office(sqlite_services):
    """The demo office (units, staff, the shipped processes), driven like its staff would."""
    return make_office(sqlite_services)


@pytest.fixture
def server(demo_office):
    with serve(create_app(demo_office.s.settings, demo_office.s)) as base:
        yield base


def test_case_page_draws_each_shipped_process(demo_office, server):
    cases = cases_in_every_process(demo_office)
    for key, case_id in cases.items():
        assert demo_office.s.case_page.case_diagram(case_id, user="director")["shown_process"] == key
    with chromium_page() as page:
        page.goto(f"{server}/login")
        page.fill("#username", "director")
        page.fill("#password", "demo")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{server}/inbox")
        for key, case_id in cases.items():
            page.goto(f"{server}/cases/{case_id}")
            page.wait_for_selector("#diagram[data-ready='1']")
            assert page.locator("#diagram svg").count() > 0, f"{key}: bpmn-js fell back to text"
            lanes = page.locator("#diagram .djs-element[data-element-id^='Lane_']").count()
            tasks = page.locator("#diagram .djs-element.djs-shape").count()
            assert lanes >= 1 and tasks > 10, (key, lanes, tasks)
            assert page.locator("#diagram .djs-element.active").count() >= 1, f"{key}: no active step marked"
