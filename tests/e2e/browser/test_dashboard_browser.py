"""指标看板 in a real browser (Debian's chromium via Playwright) at 1366×768: the chart is drawn,
a figure opens the cases behind it, and the monthly report's progress bar ends in download links.

Screenshots are kept in tests/artifacts/ (not committed), like the other browser tests.
"""
from __future__ import annotations

import pytest

from tests.support.browser import needs_chromium, serve, shot, sign_in_page
from tests.support.dashboard_data import load_dataset
from tests.support.web import PASSWORD
from webui.app import create_app

pytestmark = needs_chromium


@pytest.fixture
def server(office):
    office.ids = load_dataset(office)
    with serve(create_app(office.settings, office)) as base:
        yield base


def test_the_dashboard_draws_its_chart_and_a_figure_opens_its_cases(server, page, office):
    base = server
    sign_in_page(page, base, "director", PASSWORD)
    page.click("header nav >> text=指标")
    page.wait_for_url(f"{base}/dashboard")
    page.goto(f"{base}/dashboard?month=2026-10")
    page.wait_for_selector("#figures-chart")
    drawn = page.evaluate("""() => {
        const chart = Chart.getChart('figures-chart'), canvas = document.getElementById('figures-chart');
        return {bars: chart.data.datasets[0].data.length, width: canvas.width, height: canvas.height,
                wide: document.documentElement.scrollWidth}; }""")
    assert drawn["bars"] == 11 and drawn["width"] > 600 and drawn["height"] > 150
    assert drawn["wide"] <= 1366, "no sideways scrolling at 1366×768"
    shot(page, "dashboard")

    page.click("#report-btn")                          # 生成月报: progress bar, then both files
    page.wait_for_selector("#report-links:not([hidden])")
    assert page.get_attribute("#report-xlsx", "href").endswith(".xlsx")
    shot(page, "dashboard-report")

    row = page.locator("#figures-table tr[data-kpi=on_time_closure]")
    with page.expect_navigation():
        row.locator("a.denominator").click()
    assert "/dashboard/cases" in page.url and "part=denominator" in page.url
    assert page.locator("#cases-table tbody tr[data-case]").count() == 3
    assert "REG-B" in page.inner_text("#cases-table")
    shot(page, "dashboard-drilldown")

    for url, canvas, name in (("/dashboard/trend?from_month=2026-08&to_month=2026-11", "trend-chart", "trend"),
                              ("/dashboard/ledger?month=2026-10", "ledger-chart", "ledger")):
        page.goto(base + url)
        assert page.evaluate(f"() => Chart.getChart('{canvas}').data.datasets.length") >= 3
        shot(page, f"dashboard-{name}")
