"""The case page's 统计与化解: what stands, who decided it and why; the director changes 纳入统计 and
化解 with a reason, nobody else can, and the figures follow at once."""
from __future__ import annotations

import html
import re

from office.dates import Month
from tests.support.web import sign_in, start_petition


def page(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


def standing(text: str) -> str:
    return re.search(r'<section id="standing">(.*?)</section>', text, re.S).group(1)


def counted_now(office) -> int:
    rows = office.kpi.kpis("director", *Month.current().bounds())
    return next(r for r in rows if r["key"] == "online_share")["denominator"]


def test_the_director_leaves_a_case_out_of_the_statistics_with_a_reason(app, office):
    case = start_petition(office)["id"]
    director = sign_in(app, "director")
    before = standing(page(director, f"/cases/{case}"))
    assert 'data-counted="yes"' in before and "未记录（不计为化解）" in before and 'id="counted-form"' in before
    assert counted_now(office) == 1
    assert director.post(f"/cases/{case}/counted", {"counted": "no", "reason": ""}).status_code == 400
    assert director.post(f"/cases/{case}/counted", {"counted": "maybe", "reason": "x"}).status_code == 400
    done = director.post(f"/cases/{case}/counted", {"counted": "no", "reason": "同一事项重复登记"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{case}#standing")
    after = standing(page(director, f"/cases/{case}"))
    assert 'data-counted="no"' in after and "主任决定" in after and "同一事项重复登记" in after
    assert counted_now(office) == 0, "the figures follow the decision at once"
    events = office.cases.get_case(case)["events"]
    assert [e["message"] for e in events if e["kind"] == "in_stats_changed"] == ["同一事项重复登记"]


def test_the_director_records_a_resolution_and_others_cannot(app, office):
    case = start_petition(office)["id"]
    clerk = sign_in(app, "clerk")
    assert 'id="resolution-form"' not in standing(page(clerk, f"/cases/{case}"))
    assert clerk.post(f"/cases/{case}/resolution", {"outcome": "已化解", "reason": "回访"}).status_code == 403
    assert clerk.post(f"/cases/{case}/counted", {"counted": "no", "reason": "x"}).status_code == 403
    director = sign_in(app, "director")
    assert director.post(f"/cases/{case}/resolution", {"outcome": "化解了", "reason": "回访"}).status_code == 400
    assert director.post(f"/cases/{case}/resolution", {"outcome": "部分化解", "reason": "回访，诉求部分解决"}).status_code == 302
    assert director.post(f"/cases/{case}/resolution", {"outcome": "已化解", "reason": "二次回访，已息诉"}).status_code == 302
    shown = standing(page(director, f"/cases/{case}"))
    assert 'data-outcome="已化解"' in shown and "主任认定" in shown and "二次回访，已息诉" in shown
    assert len(re.findall(r"<li>", re.search(r'id="resolution-history">(.*?)</ol>', shown, re.S).group(1))) == 2
    director.post("/lang/en", {"next": "/"})
    english = standing(page(director, f"/cases/{case}"))
    assert "Resolved" in english and "Director's finding" in english and "Statistics and resolution" in english
