"""代表建议 from the web: the office marks a month's hot topic, or cases named by their 信访件编号, as
material for a 代表建议 or 议案, then records the lodged number and the answer; the case page links
to it. Only the roles the API allows (director, clerk, analyst, admin) use the page."""
from __future__ import annotations

from engine.clock import utcnow
from office.dates import local_time
from tests.e2e.web.test_deputies import setup_deputies
from tests.e2e.web.test_english import chinese_in, known_data
from tests.support.web import sign_in, start_petition

SUBJECTS = ("拖欠工资三个月未发", "建筑公司拖欠工资", "拖欠工资年底未结清")


def hot_topic(office) -> tuple[str, str, list[dict]]:
    for subject in SUBJECTS:
        start_petition(office, subject=subject)
    month = local_time(utcnow()).strftime("%Y-%m")
    topic = office.analysis.topic_cases("clerk", month)["topics"][0]["topic"]
    return month, topic, office.analysis.topic_cases("clerk", month, topic)["cases"]


def test_the_clerk_proposes_a_hot_topics_cases_then_records_the_number_and_answer(app, office):
    setup_deputies(app, office)
    month, topic, cases = hot_topic(office)
    assert len(cases) == 3
    clerk = sign_in(app, "clerk")
    assert 'id="nav-proposals"' in clerk.get("/inbox").get_data(as_text=True), "reachable from the navigation"
    page = clerk.get("/proposals").get_data(as_text=True)
    assert topic in page and "还没有代表建议素材" in page
    picked = clerk.get(f"/proposals?month={month}&topic={topic}").get_data(as_text=True)
    assert all(c["reg_no"] in picked for c in cases), "the topic's cases, by their numbers"
    form = {"kind": "议案", "title": "关于治理欠薪的议案", "deputy": "王代表", "month": month, "topic": topic,
            "case_ids": [str(c["case_id"]) for c in cases[:2]], "reg_nos": ""}
    assert clerk.post("/proposals", data={**form, "title": ""}).status_code == 400
    bad = clerk.post("/proposals", data={**form, "reg_nos": "XF-NO-SUCH"})
    assert bad.status_code == 400 and "没有编号为XF-NO-SUCH的信访件" in bad.get_data(as_text=True)
    assert office.proposals.list(user="clerk") == [], "a refused form changes nothing"
    made = clerk.post("/proposals", data={**form, "reg_nos": cases[2]["reg_no"]})
    assert made.status_code == 302 and "#proposal-" in made.headers["Location"]
    [proposal] = office.proposals.list(user="clerk")
    assert proposal["case_ids"] == sorted(c["case_id"] for c in cases) and proposal["topic"] == topic
    assert proposal["deputy"] == "王代表" and proposal["kind"] == "议案"

    pid = proposal["id"]
    assert clerk.post(f"/proposals/{pid}/answer", data={"answer": "已答复"}).status_code == 409, "number first"
    assert clerk.post(f"/proposals/{pid}/lodge", data={"number": ""}).status_code == 400
    assert clerk.post(f"/proposals/{pid}/lodge", data={"number": "议案第7号"}).status_code == 302
    assert clerk.post(f"/proposals/{pid}/lodge", data={"number": "议案第8号"}).status_code == 409
    assert clerk.post(f"/proposals/{pid}/answer", data={"answer": "已列入立法计划"}).status_code == 302
    listing = clerk.get("/proposals").get_data(as_text=True)
    assert "议案第7号" in listing and "已列入立法计划" in listing and "已答复" in listing
    case_page = clerk.get(f"/cases/{cases[0]['case_id']}").get_data(as_text=True)
    assert f'/proposals#proposal-{pid}"' in case_page and "关于治理欠薪的议案" in case_page


def test_a_case_is_proposed_by_its_number_from_its_own_page(app, office):
    case = start_petition(office)
    clerk = sign_in(app, "clerk")
    page = clerk.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'id="case-propose"' in page
    form = clerk.get(f"/proposals?reg_no={case['reg_no']}").get_data(as_text=True)
    assert f">{case['reg_no']}</textarea>" in form
    assert clerk.post("/proposals", data={"kind": "代表建议", "title": "关于欠薪的建议",
                                          "reg_nos": case["reg_no"]}).status_code == 302
    assert office.proposals.of_case(case["id"], user="clerk")[0]["title"] == "关于欠薪的建议"


def test_only_the_roles_the_api_allows_use_the_page(app, office):
    for user in ("gov", "leader"):
        browser = sign_in(app, user)
        assert 'id="nav-proposals"' not in browser.get("/inbox").get_data(as_text=True)
        assert browser.get("/proposals").status_code == 403
        assert browser.post("/proposals", data={"kind": "议案", "title": "x", "reg_nos": "x"}).status_code == 403
    for user in ("director", "analyst", "admin"):
        assert sign_in(app, user).get("/proposals").status_code == 200


def test_a_month_or_topic_that_is_not_there_is_a_clear_400(app, office):
    clerk = sign_in(app, "clerk")
    for query in ("month=2025-13", "topic=没有这个词"):
        response = clerk.get(f"/proposals?{query}")
        assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)


def test_the_page_reads_in_english(app, office):
    """Only data stays Chinese: the deputies' names, the topic and the petitions' subjects."""
    setup_deputies(app, office)
    month, topic, cases = hot_topic(office)
    clerk = sign_in(app, "clerk")
    assert clerk.post("/lang/en", data={"next": "/proposals"}).status_code == 302
    page = clerk.get(f"/proposals?month={month}&topic={topic}").get_data(as_text=True)
    data = known_data() + ["王代表", "李代表", "孙代表", *SUBJECTS, topic]
    assert chinese_in(page, sorted(data, key=len, reverse=True)) == []
    assert "Deputy's proposal</label>" in page and "Bill</label>" in page, "the kinds, in words"
    bad = clerk.post("/proposals", data={"kind": "议案", "title": "", "reg_nos": "XF-NO-SUCH"})
    assert bad.status_code == 400 and chinese_in(bad.get_data(as_text=True), data) == []
