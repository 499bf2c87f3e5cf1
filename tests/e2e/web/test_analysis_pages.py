"""热点分析, 恳谈会选案 and 评议 pages: who sees them, their tables as .xlsx, and bad input as 4xx."""
from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.support.analysis_data import make_office, registered

CASES = {
    "A": dict(subject="夜间施工噪音扰民", region="R1", unit="district_gov", persons=1, **registered("03")),
    "B": dict(subject="住宅楼内开设娱乐场所噪声扰民", region="R2", unit="district_gov", persons=6, **registered("05")),
    "C": dict(subject="广场舞噪音扰民", region="R1", unit="housing", persons=2, **registered("07")),
    "L": dict(subject="法院判决后对方拒不执行", organ="某区人民法院", unit="district_court", outcome="支持",
              rating="满意", **registered("08")),
    "S": dict(subject="夜间施工噪音扰民", region="R1", unit="housing", **registered("10", 9)),
}
GOOD_CSV = "organ,period,appeal_rate,reversal_rate,cases\n某区人民法院,2026-10,20,5,100\n".encode()
BAD_CSV = "organ,period,appeal_rate,reversal_rate\n某区人民法院,2026-10,20,5\n某区人民检察院,2026-10,abc,1\n".encode()


@pytest.fixture
def cases(office):
    office.ids = make_office(office, CASES)
    return office


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("user", ["analyst", "director"])
def test_hotspot_page_shows_topics_chart_rising_topics_and_example_cases(cases, as_user, user):
    page = as_user(user).get("/analysis/hotspots?month=2026-10")
    body = text(page)
    assert page.status_code == 200
    assert "热点分析" in body and "扰民" in body and 'id="topic-chart"' in body and "chart.umd.min.js" in body
    assert f'href="/cases/{cases.ids["B"]}"' in body                       # the example case links to its page
    assert "+2" in body                                                    # 扰民: 1 in September, 3 in October


def test_grouped_topics_still_chart_the_office_wide_counts(cases, as_user):
    body = text(as_user("analyst").get("/analysis/hotspots?month=2026-10&by=region"))
    chart = json.loads(re.search(r'id="topic-data">(.*?)</script>', body, re.S).group(1))
    assert chart[0] == {"topic": "扰民", "count": 3}                      # R1 2 + R2 1
    assert "<td>R1</td><td>扰民</td><td>2</td>" in body


def test_selection_page_lists_the_months_picks_with_reasons(cases, as_user):
    body = text(as_user("director").get("/analysis/selection?month=2026-10&limit=5"))
    assert "代表恳谈会选案" in body and "REG-B" in body and "集体访（6人）" in body


def test_evaluation_page_ranks_courts_and_imports_a_csv(cases, as_user):
    analyst = as_user("analyst")
    response = analyst.post("/analysis/evaluation/rates", {"period": "2026-10",
                                                           "file": (BytesIO(GOOD_CSV), "rates.csv")})
    assert response.status_code == 302
    body = text(analyst.get("/analysis/evaluation?period=2026-10"))
    # 信访率 1 per 100 -> 99, 满意 100, 上诉 80, 改判 95: 93.5
    assert "某区人民法院" in body and "93.5" in body and "已导入 1 行" in body


def test_a_bad_csv_is_a_400_naming_each_bad_line_and_stores_nothing(cases, as_user):
    advisor = as_user("advisor")
    response = advisor.post("/analysis/evaluation/rates", {"period": "2026-10", "file": (BytesIO(BAD_CSV), "bad.csv")})
    assert response.status_code == 400
    assert "第 3 行" in text(response) and "上诉率" in text(response)
    assert "某区人民检察院" not in text(advisor.get("/analysis/evaluation?period=2026-10"))


def test_weights_are_saved_and_bad_weights_are_a_400(cases, as_user):
    director = as_user("director")
    good = {"period": "2026", "petition_rate": "0.1", "satisfaction": "0.5", "appeal_rate": "0.2", "reversal_rate": "0.2"}
    assert director.post("/analysis/evaluation/weights", good).status_code == 302
    assert cases.analysis.evaluation_weights("director")["satisfaction"] == 0.5
    response = director.post("/analysis/evaluation/weights", {**good, "satisfaction": "0.9"})
    assert response.status_code == 400 and "之和应为 1" in text(response)
    assert cases.analysis.evaluation_weights("director")["satisfaction"] == 0.5


@pytest.mark.parametrize("url, sheets", [
    ("/analysis/hotspots.xlsx?month=2026-10", ["热点主题", "环比上升", "建议监督主题"]),
    ("/analysis/selection.xlsx?month=2026-10", ["恳谈会选案"]),
    ("/analysis/evaluation.xlsx?period=2026-10", ["评议", "权重"])])
def test_every_table_downloads_as_a_workbook(cases, as_user, url, sheets):
    response = as_user("analyst").get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == sheets
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(v in ("扰民", "REG-B", "某区人民法院") for v in values)


def test_unit_staff_see_only_their_units_topics_and_no_selection_or_evaluation(cases, as_user):
    gov = as_user("gov")
    body = text(gov.get("/analysis/hotspots?month=2026-10"))
    assert "扰民" in body and "广场舞" not in body and "REG-C" not in body      # C is the housing unit's
    assert 'href="/analysis/"' in text(gov.get("/inbox"))                       # their own unit's hot spots
    assert "恳谈会选案" not in body and "评议" not in body                          # no tabs they cannot open
    for url in ("/analysis/selection?month=2026-10", "/analysis/selection.xlsx?month=2026-10",
                "/analysis/evaluation?period=2026", "/analysis/evaluation.xlsx?period=2026"):
        assert gov.get(url).status_code == 403, url
    assert gov.post("/analysis/evaluation/rates", {"file": (BytesIO(GOOD_CSV), "r.csv")}).status_code == 403


def test_the_office_clerk_is_refused_the_analysis_and_sees_no_link(cases, as_user):
    clerk = as_user("clerk")
    assert clerk.get("/analysis/hotspots?month=2026-10").status_code == 403
    assert 'href="/analysis/"' not in text(clerk.get("/inbox"))


def test_nav_link_leads_analysts_to_hot_spots_and_advisers_to_the_evaluation(cases, as_user):
    assert 'href="/analysis/"' in text(as_user("analyst").get("/inbox"))
    assert as_user("analyst").get("/analysis/").headers["Location"].endswith("/analysis/hotspots")
    assert as_user("advisor").get("/analysis/").headers["Location"].endswith("/analysis/evaluation")


@pytest.mark.parametrize("url", ["/analysis/hotspots?month=2026-13", "/analysis/hotspots?month=2026-10&by=x",
                                 "/analysis/hotspots?months=abc", "/analysis/selection?limit=0",
                                 "/analysis/selection?month=x", "/analysis/evaluation?period=2026-H9",
                                 "/analysis/hotspots.xlsx?months=99"])
def test_bad_parameters_are_a_400_never_a_500(cases, as_user, url):
    assert as_user("director").get(url).status_code == 400


def test_pages_render_on_an_empty_office(office, as_user):
    director = as_user("director")
    for url in ("/analysis/hotspots", "/analysis/selection", "/analysis/evaluation"):
        assert director.get(url).status_code == 200, url


def test_the_pages_speak_english_when_asked(cases, as_user):
    analyst = as_user("analyst")
    analyst.post("/lang/en", {"next": "/inbox"})
    assert "Topics rising month over month" in text(analyst.get("/analysis/hotspots?month=2026-10"))
    assert "Cases for the deputies' consultation meeting" in text(analyst.get("/analysis/selection?month=2026-10"))
    assert "Import appeal and reversal rates (CSV)" in text(analyst.get("/analysis/evaluation?period=2026"))


def test_selection_reasons_are_translated(cases, as_user):
    analyst = as_user("analyst")
    analyst.post("/lang/en", {"next": "/inbox"})
    body = text(analyst.get("/analysis/selection?month=2026-10"))
    assert "Group petition (6 persons)" in body and "Hot topic: 扰民 (3 cases this month)" in body
