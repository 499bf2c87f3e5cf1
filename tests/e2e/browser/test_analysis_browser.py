"""In chromium at 1366×768: an analyst sees the hot-spot chart drawn and a legal adviser sees a
bad CSV's lines listed on the 评议 page. Screenshots go to tests/artifacts/ (not committed)."""
from __future__ import annotations


import pytest

from tests.support.browser import ARTIFACTS, needs_chromium, serve, sign_in_page
from tests.support.analysis_data import make_office, registered
from tests.support.web import PASSWORD
from webui.app import create_app

pytestmark = needs_chromium


@pytest.fixture
def server(office):
    make_office(office, {"A": dict(subject="夜间施工噪音扰民", **registered("03")),
                         "B": dict(subject="广场舞噪音扰民", persons=6, **registered("04")),
                         "C": dict(subject="企业拖欠农民工工资", **registered("05"))})
    with serve(create_app(office.settings, office)) as base:
        yield base


def test_hot_spot_chart_and_csv_errors_in_the_browser(server, page, tmp_path):
    sign_in_page(page, server, "analyst", PASSWORD)
    page.click("header nav >> text=分析")
    page.wait_for_url(f"{server}/analysis/hotspots")
    page.goto(f"{server}/analysis/hotspots?month=2026-10")
    bars = page.evaluate("() => Chart.getChart('topic-chart').data")
    assert bars["labels"][0] == "扰民" and bars["datasets"][0]["data"][0] == 2
    assert page.locator("table.suggestions a", has_text="REG-B").is_visible()
    page.screenshot(path=str(ARTIFACTS / "analysis-hotspots.png"))
    bad = tmp_path / "rates.csv"
    bad.write_text("organ,period,appeal_rate,reversal_rate\n区人民法院,2026,120,1\n", encoding="utf-8")
    page.goto(f"{server}/analysis/evaluation?period=2026")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:text-is('导入')")
    assert "第 2 行" in page.locator(".csv-errors").inner_text()
    page.screenshot(path=str(ARTIFACTS / "analysis-evaluation-errors.png"))
