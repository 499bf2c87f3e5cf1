"""The deputies' channel over HTTP: the office imports the directory, a deputy refers a petition by
the API and by the page, sees only their own referrals, and the office counts them."""
from __future__ import annotations

import io

from tests.support.web import PASSWORD, open_task, sign_in
from tests.e2e.web.test_api import Api

DEPUTIES = "name,delegation,contact,username\n王代表,朝阳区代表团,13800000001,dep_wang\n李代表,海淀区选区,13800000002,dep_li\n"
STATIONS = "name,region,deputies\n朝阳区代表联络站,110105,王代表、李代表\n"
REFERRAL = {"station": "朝阳区代表联络站", "subject": "电梯补贴未发放", "content": "选民反映补贴半年未批", "purpose": "求决",
            "content_class": "城乡建设", "problem_region": "110105",
            "petitioners": [{"name": "赵选民", "phone": "13912340000"}]}


def setup_deputies(app, office) -> dict:
    for name in ("dep_wang", "dep_li"):
        office.users.add_user(name, groups=["deputy"], password=PASSWORD, display_name=name)
    token = lambda user: office.auth.create_api_token(user=user, name="t")["token"]  # noqa: E731
    apis = {u: Api(app.test_client(), token(u)) for u in ("clerk", "dep_wang", "dep_li", "gov")}
    apis["clerk"].call("post", "/api/v1/deputies/import", 200, json={"kind": "deputies", "csv": DEPUTIES})
    apis["clerk"].call("post", "/api/v1/deputies/import", 400, json={"kind": "stations",
                                                                    "csv": "name,region,deputies\n站,,无此人\n"})
    apis["clerk"].call("post", "/api/v1/deputies/import", 200, json={"kind": "stations", "csv": STATIONS})
    return apis


def test_referral_through_the_api_and_the_reply_back(app, office):
    apis = setup_deputies(app, office)
    sent = apis["dep_wang"].call("post", "/api/v1/deputy/referrals", 201, json=REFERRAL)
    bad = apis["dep_wang"].call("post", "/api/v1/deputy/referrals", 400, json={**REFERRAL, "station": "别的站",
                                                                              "subject": ""})
    assert {d["field"] for d in bad["details"]} >= {"station", "subject"}
    apis["clerk"].call("post", "/api/v1/deputy/referrals", 403, json=REFERRAL)
    apis["gov"].call("get", "/api/v1/deputy/cases", 403)
    apis["gov"].call("get", "/api/v1/deputies", 403)
    case = office.cases.get_case(sent["case_id"])
    assert case["data"]["source"] == "人大代表转交" and case["data"]["deputy"] == "王代表"
    handle = open_task(office, sent["case_id"], "triage")
    office.tasks.complete_task(handle["id"], user="clerk", data={"unit": "district_gov", "opinion": "转送"})
    office.tasks.complete_task(open_task(office, sent["case_id"], "handle")["id"], user="gov", data={"result": "已发放"})
    office.tasks.complete_task(open_task(office, sent["case_id"], "reply")["id"], user="clerk",
                               data={"reply": "补贴已发放"})
    mine = apis["dep_wang"].call("get", "/api/v1/deputy/cases", 200)
    assert [c["case_id"] for c in mine] == [sent["case_id"]] and "赵选民" not in str(mine)
    assert apis["dep_li"].call("get", "/api/v1/deputy/cases", 200) == []
    counts = apis["clerk"].call("get", "/api/v1/deputies/referral-counts", 200)
    assert counts["by_deputy"] == [{"deputy": "王代表", "referrals": 1}]
    assert counts["by_station"] == [{"station": "朝阳区代表联络站", "referrals": 1}]


def test_deputy_page_and_office_directory_page(app, office):
    setup_deputies(app, office)
    deputy = sign_in(app, "dep_wang")
    page = deputy.get("/deputy").get_data(as_text=True)
    assert "朝阳区代表联络站" in page and "还没有转交" in page
    form = {"station": "朝阳区代表联络站", "petitioner_name": "赵选民", "subject": "", "content": "x",
            "purpose": "求决", "content_class": "城乡建设", "problem_region": "110105"}
    assert deputy.post("/deputy/referrals", form).status_code == 400
    assert deputy.post("/deputy/referrals", {**form, "subject": "路灯不亮"}).status_code == 302
    assert "路灯不亮" in deputy.get("/deputy").get_data(as_text=True)
    assert deputy.get("/deputies").status_code == 403
    clerk = sign_in(app, "clerk")
    assert clerk.get("/deputy").status_code == 403
    listing = clerk.get("/deputies").get_data(as_text=True)
    assert "王代表" in listing and "朝阳区代表联络站" in listing
    upload = clerk.post("/deputies/import", {"kind": "deputies",
                                             "file": (io.BytesIO("name,delegation,contact,username\n孙代表,,,\n"
                                                                 .encode()), "d.csv")},
                        content_type="multipart/form-data")
    assert upload.status_code == 302 and "孙代表" in clerk.get("/deputies").get_data(as_text=True)


def test_proposals_through_the_api_and_on_the_case_page(app, office):
    from tests.support.web import start_petition
    apis = setup_deputies(app, office)
    case = start_petition(office)["id"]
    clerk = apis["clerk"]
    clerk.call("post", "/api/v1/proposals", 400, json={"kind": "代表建议", "title": "", "case_ids": []})
    apis["gov"].call("post", "/api/v1/proposals", 403, json={"kind": "议案", "title": "x", "case_ids": [case]})
    made = clerk.call("post", "/api/v1/proposals", 201, json={"kind": "议案", "title": "关于欠薪治理的议案",
                                                              "case_ids": [case], "deputy": "王代表"})
    clerk.call("post", f"/api/v1/proposals/{made['id']}/lodge", 200, json={"number": "议案第7号"})
    clerk.call("post", f"/api/v1/proposals/{made['id']}/answer", 200, json={"answer": "已列入立法计划"})
    clerk.call("post", "/api/v1/proposals/999/lodge", 404, json={"number": "x"})
    assert clerk.call("get", f"/api/v1/cases/{case}/proposals", 200)[0]["number"] == "议案第7号"
    assert clerk.call("get", "/api/v1/proposals", 200)[0]["state"] == "answered"
    page = sign_in(app, "clerk").get(f"/cases/{case}").get_data(as_text=True)
    assert "关于欠薪治理的议案" in page and "议案第7号" in page and "已列入立法计划" in page


def test_meeting_through_the_api_with_follow_ups_and_minutes(app, office):
    from datetime import timedelta
    from engine.clock import utcnow
    from office.dates import local_time
    from tests.support.web import start_petition
    setup_deputies(app, office)
    for _ in range(2):
        start_petition(office)
    director = Api(app.test_client(), office.auth.create_api_token(user="director", name="t")["token"])
    month = local_time(utcnow()).strftime("%Y-%m")
    picks = [c["case_id"] for c in director.call("get", f"/api/v1/analysis/selection?month={month}", 200)["cases"]]
    assert picks
    body = {"held_on": local_time(utcnow()).date().isoformat(), "month": month, "deputies": ["王代表"],
            "case_ids": picks[:1]}
    director.call("post", "/api/v1/meetings", 400, json={**body, "deputies": ["无此人"]})
    meeting = director.call("post", "/api/v1/meetings", 201, json=body)
    mid = meeting["id"]
    director.call("post", f"/api/v1/meetings/{mid}/opinions", 200,
                  json={"case_id": picks[0], "deputy": "王代表", "opinion": "应尽快补发"})
    last_day = (local_time(utcnow()) + timedelta(days=20)).date().isoformat()
    view = director.call("post", f"/api/v1/meetings/{mid}/follow-ups", 201,
                         json={"unit": "district_gov", "task": "督促补发工资", "last_day": last_day})
    follow = view["follow_ups"][0]
    assert follow["deadline"]["overdue"] is False
    Api(app.test_client(), office.auth.create_api_token(user="court", name="t")["token"]).call(
        "post", f"/api/v1/meeting-follow-ups/{follow['id']}/done", 403, json={"result": "x"})
    Api(app.test_client(), office.auth.create_api_token(user="gov", name="t")["token"]).call(
        "post", f"/api/v1/meeting-follow-ups/{follow['id']}/done", 200, json={"result": "已补发"})
    assert director.call("get", "/api/v1/meeting-follow-ups/overdue", 200) == []
    minutes = director.client.get(f"/api/v1/meetings/{mid}/minutes.docx", headers=director.headers)
    assert minutes.status_code == 200 and minutes.data[:2] == b"PK"
    assert director.client.get("/api/v1/meetings/999", headers=director.headers).status_code == 404


def test_a_meeting_follow_up_is_done_from_the_units_inbox_page(app, office):
    from datetime import timedelta
    from engine.clock import utcnow
    from office.dates import local_time
    from tests.support.web import start_petition
    setup_deputies(app, office)
    for _ in range(2):
        start_petition(office)
    month = local_time(utcnow()).strftime("%Y-%m")
    picks = [c["case_id"] for c in office.analysis.meeting_selection("director", month, limit=50)["cases"]]
    mid = office.meetings.record(user="director", held_on=local_time(utcnow()).date().isoformat(), month=month,
                                 title="", deputies=["王代表"], case_ids=picks[:1])["id"]
    last_day = (local_time(utcnow()) + timedelta(days=20)).date()
    office.meetings.follow_up(mid, user="director", unit="district_gov", task="督促补发工资并答复代表",
                              last_day=last_day.isoformat())
    gov = sign_in(app, "gov")
    inbox = gov.get("/inbox").get_data(as_text=True)
    assert "代表恳谈会交办：督促补发工资并答复代表" in inbox
    task = next(t for t in office.tasks.list_tasks(user="gov")["items"] if t["bpmn_id"].startswith("follow_up:"))
    assert f'/tasks/{task["id"]}"' in inbox
    page = gov.get(f"/tasks/{task['id']}")
    assert page.status_code == 200 and "办理结果" in page.get_data(as_text=True)
    assert f"{last_day.year}年{last_day.month}月{last_day.day}日" in page.get_data(as_text=True)
    assert gov.post(f"/tasks/{task['id']}", {"result": ""}).status_code == 400
    assert sign_in(app, "court").post(f"/tasks/{task['id']}", {"result": "x"}).status_code == 403
    assert gov.post(f"/tasks/{task['id']}", {"result": "已全额补发"}).status_code == 302
    done = office.meetings.get(mid, user="director")["follow_ups"][0]
    assert done["state"] == "done" and done["result"] == "已全额补发" and done["done_by"] == "gov"
    assert f'/tasks/{task["id"]}"' not in gov.get("/inbox").get_data(as_text=True), "no longer in the inbox"


def test_directory_edit_form_and_counts_by_period(app, office):
    setup_deputies(app, office)
    clerk = sign_in(app, "clerk")
    assert clerk.post("/deputies/people", {"name": "", "active": "on"}).status_code == 400
    assert clerk.post("/deputies/people", {"name": "赵代表", "delegation": "西城区代表团", "active": "on"}).status_code == 302
    zhao = next(d for d in office.deputies.directory(user="clerk")["deputies"] if d["name"] == "赵代表")
    assert zhao["active"] is True
    assert clerk.post("/deputies/people", {"id": str(zhao["id"]), "name": "赵代表"}).status_code == 302   # unticked
    page = clerk.get("/deputies").get_data(as_text=True)
    assert "已停用" in page and "添加或修改联络站" in page
    assert clerk.post("/deputies/stations", {"name": "西城区代表联络站", "deputies": "无此人", "active": "on"}).status_code == 400
    assert clerk.post("/deputies/stations", {"name": "西城区代表联络站", "region": "110102", "deputies": "王代表",
                                             "active": "on"}).status_code == 302
    assert "西城区代表联络站" in clerk.get("/deputies").get_data(as_text=True)
    assert clerk.get("/deputies?since=2020-01-01&until=2020-01-31").status_code == 200
    assert clerk.get("/deputies?since=abc").status_code == 400
    assert clerk.get("/deputies?until=9999-12-31").status_code == 400
    assert clerk.post("/deputies/people", {"id": "99999999999999999999", "name": "x"}).status_code == 400
    assert sign_in(app, "gov").post("/deputies/people", {"name": "x"}).status_code == 403


def test_referral_counts_over_a_period_through_the_api(app, office):
    apis = setup_deputies(app, office)
    apis["dep_wang"].call("post", "/api/v1/deputy/referrals", 201, json=REFERRAL)
    assert apis["clerk"].call("get", "/api/v1/deputies/referral-counts", 200)["by_deputy"][0]["referrals"] == 1
    empty = apis["clerk"].call("get", "/api/v1/deputies/referral-counts?since=2000-01-01&until=2000-12-31", 200)
    assert empty == {"by_deputy": [], "by_station": []}
    apis["clerk"].call("get", "/api/v1/deputies/referral-counts?since=2000-13-01", 400)
    apis["clerk"].call("get", "/api/v1/deputies/referral-counts?until=9999-12-31", 400)


def test_the_kpi_dashboard_shows_the_periods_referrals_by_deputy_and_station(app, office):
    apis = setup_deputies(app, office)
    apis["dep_wang"].call("post", "/api/v1/deputy/referrals", 201, json=REFERRAL)
    page = sign_in(app, "leader").get("/dashboard").get_data(as_text=True)
    assert 'id="referrals-by-deputy"' in page and "<td>王代表</td><td>1</td>" in page
    assert "<td>朝阳区代表联络站</td><td>1</td>" in page and "dep_wang" not in page
    earlier = sign_in(app, "leader").get("/dashboard?month=2020-01").get_data(as_text=True)
    assert "<td>王代表</td>" not in earlier, "only the selected period's referrals"
    assert 'id="referrals-by-deputy"' not in sign_in(app, "gov").get("/dashboard").get_data(as_text=True)
