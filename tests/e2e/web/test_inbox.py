"""The inbox: views, filters, saved filters with placeholders, claim, delegation, bulk reassign, export."""
from __future__ import annotations

import time
from datetime import timedelta

import time_machine

from engine.clock import utcnow
from tests.support.web import open_task, route_to, start_petition


def test_claim_moves_a_task_from_the_group_to_me_and_back(office, as_user):
    case = start_petition(office)
    task = open_task(office, case["id"], "triage")
    clerk = as_user("clerk")
    assert case["reg_no"] in clerk.get("/inbox?view=groups").get_data(as_text=True)
    assert clerk.post(f"/tasks/{task['id']}/claim", {"next": "/inbox?view=mine"}).headers["Location"] == "/inbox?view=mine"
    assert case["reg_no"] in clerk.get("/inbox?view=mine").get_data(as_text=True)
    assert case["reg_no"] not in clerk.get("/inbox?view=groups").get_data(as_text=True)
    clerk.post(f"/tasks/{task['id']}/unclaim")
    assert office.tasks.get_task(task["id"])["assignee"] is None


def test_claiming_a_task_someone_else_holds_is_a_conflict(office, as_user):
    office.users.add_user("clerk2", groups=["clerk"], password="x" * 10)
    task = open_task(office, start_petition(office)["id"], "triage")
    office.inbox.claim_task(task["id"], user="clerk2")
    assert as_user("clerk").post(f"/tasks/{task['id']}/claim").status_code == 409


def test_due_dates_show_days_left_and_overdue_in_red(office, as_user):
    start_petition(office)
    with time_machine.travel(utcnow() + timedelta(days=20)):
        api = as_user("clerk").get("/api/v1/tasks").get_json()["items"][0]
        page = as_user("clerk").get("/inbox").get_data(as_text=True)
    assert api["overdue"] is True and api["deadline"]["overdue"] and api["deadline"]["working_days"] >= 3
    assert 'class="overdue"' in page and "已超期" in page


def test_filters_and_search(office, as_user):
    start_petition(office, subject="噪音扰民", channel="来信")
    start_petition(office)
    clerk = as_user("clerk")
    assert clerk.get("/api/v1/tasks?channel=来信").get_json()["total"] == 1
    assert clerk.get("/api/v1/tasks?search=噪音").get_json()["total"] == 1
    assert clerk.get("/api/v1/tasks?search=张三丰").get_json()["total"] == 2, "exact name, through the identity hash"
    assert clerk.get("/api/v1/tasks?search=%_").get_json()["total"] == 0, "LIKE wildcards are literal"
    assert clerk.get("/api/v1/tasks?sort=nonsense").status_code == 400


def test_a_saved_filter_shared_with_a_group_means_me_for_whoever_runs_it(office, as_user):
    office.users.add_user("clerk2", groups=["clerk"], password="x" * 10)
    t1 = open_task(office, start_petition(office)["id"], "triage")
    t2 = open_task(office, start_petition(office)["id"], "triage")
    office.inbox.claim_task(t1["id"], user="clerk")
    office.inbox.claim_task(t2["id"], user="clerk2")
    saved = office.inbox.save_filter(user="clerk", name="我的", query={"view": "mine", "assignee": "me"}, share_with="clerk")
    assert [t["id"] for t in office.inbox.run_filter(saved["id"], user="clerk")["items"]] == [t1["id"]]
    assert [t["id"] for t in office.inbox.run_filter(saved["id"], user="clerk2")["items"]] == [t2["id"]]
    page = as_user("clerk").get(f"/inbox?filter_id={saved['id']}").get_data(as_text=True)
    assert "我的 · 登记员" in page, "the group shared with, by its role's name"
    assert office.inbox.list_filters(user="director") == []


def test_saving_a_filter_from_the_page(office, as_user):
    clerk = as_user("clerk")
    response = clerk.post("/inbox/filters", {"name": "来信", "channel": "来信", "overdue": "true"})
    assert response.status_code == 302
    assert office.inbox.list_filters(user="clerk")[0]["query"] == {"channel": "来信", "overdue": True}
    assert clerk.post("/inbox/filters", {"name": "x", "share_with": "director"}).status_code == 403


def test_delegated_task_returns_to_its_owner(office, as_user):
    handle = route_to(office, start_petition(office)["id"], "district_gov")
    gov, gov2 = as_user("gov"), as_user("gov2")
    gov.post(f"/tasks/{handle['id']}/claim")
    gov.post(f"/tasks/{handle['id']}/delegate", {"delegate": "gov2"})
    assert office.inbox.inbox(user="gov", filters={"view": "delegated"})["items"][0]["assignee"] == "gov2"
    refused = gov2.post(f"/tasks/{handle['id']}", {"result": "已核实"})
    assert refused.status_code == 403, "the delegate hands it back; the owner completes"
    gov2.post(f"/tasks/{handle['id']}/resolve", {"note": "已走访核实"})
    back = office.tasks.get_task(handle["id"])
    assert back["assignee"] == "gov" and office.inbox.inbox(user="gov", filters={"view": "delegated"})["total"] == 0
    assert gov.post(f"/tasks/{handle['id']}", {"result": "已核实并答复"}).status_code == 302
    assert "已走访核实" in gov.get(f"/cases/{handle['case_id']}").get_data(as_text=True)


def test_director_reassigns_in_bulk_and_the_case_keeps_running(office, as_user):
    office.users.add_user("clerk2", groups=["clerk"], password="x" * 10)
    tasks = [open_task(office, start_petition(office)["id"], "triage") for _ in range(3)]
    office.inbox.claim_task(tasks[0]["id"], user="clerk")
    response = as_user("director").post("/inbox/reassign", {"task_ids": [t["id"] for t in tasks] + ["nope"],
                                                            "assignee": "clerk2"})
    assert response.status_code == 302
    assert {office.tasks.get_task(t["id"])["assignee"] for t in tasks} == {"clerk2"}
    assert {office.cases.get_case(t["case_id"])["status"] for t in tasks} == {"running"}
    assert as_user("clerk").post("/inbox/reassign", {"task_ids": [tasks[0]["id"]], "assignee": "clerk"}).status_code == 403


def test_pagination(office, as_user):
    for _ in range(3):
        start_petition(office)
    clerk = as_user("clerk")
    first = clerk.get("/api/v1/tasks?per_page=2").get_json()
    second = clerk.get("/api/v1/tasks?per_page=2&page=2").get_json()
    assert (first["total"], first["more"], first["pages"], len(first["items"])) == (None, True, 2, 2), \
        "a full page is not counted unless asked"
    assert (second["total"], second["more"], len(second["items"])) == (3, False, 1), "the rows end here: exact"
    counted = clerk.get("/api/v1/tasks?per_page=2&count=true").get_json()
    assert (counted["total"], counted["total_capped"], counted["pages"]) == (3, False, 2)
    assert clerk.get("/inbox?page=abc").status_code == 400
    refused = clerk.get("/api/v1/tasks?count=maybe")
    assert refused.status_code == 400 and refused.get_json()["details"][0]["field"] == "count"


def test_the_inbox_counts_a_long_list_when_the_clerk_asks(office, as_user, monkeypatch):
    """The web inbox opens without counting a list that goes on; its 统计总数 link counts it and
    the pages after it keep counting. (Pages of 2 here: the web inbox shows 50.)"""
    from engine import queries
    for _ in range(3):
        start_petition(office)
    clerk = as_user("clerk")
    page_result = queries.page_result
    monkeypatch.setattr(queries, "page_result",
                        lambda rows, page, per_page, render, count: page_result(rows, page, 2, render, count))
    opened = clerk.get("/inbox").get_data(as_text=True)
    assert "共 2 件以上" in opened and 'id="inbox-count"' in opened and "1 / 2+" in opened
    counted = clerk.get("/inbox?count=1").get_data(as_text=True)
    assert "共 3 件" in counted and 'id="inbox-count"' not in counted and "1 / 2<" in counted
    assert "count=1" in counted.split('class="pager"')[1], "the next page keeps counting"


def test_csv_export_reports_progress_and_downloads(office, as_user):
    for _ in range(3):
        start_petition(office)
    clerk = as_user("clerk")
    job = clerk.client.post("/inbox/export", data={"channel": "来访"}, headers={"X-CSRFToken": clerk.token}).get_json()
    for _ in range(50):
        job = clerk.get(f"/jobs/{job['id']}").get_json()
        if job["status"] != "running":
            break
        time.sleep(0.1)
    assert (job["status"], job["done"], job["total"], job["percent"]) == ("done", 3, 3, 100)
    csv = clerk.get(f"/jobs/{job['id']}/download").get_data().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("登记号,事由") and "张**" in csv and len(csv.splitlines()) == 4
    assert "年" in csv.splitlines()[1] and "个工作日" in csv.splitlines()[1], "a deadline as its last day"
    assert as_user("director").get(f"/jobs/{job['id']}").status_code == 404, "a job is its owner's"


def test_tasks_for_several_groups_reach_every_member_once(office, as_user):
    from tests.support.bpmn_builder import linear, user_task
    office.processes.deploy({"multi.bpmn": linear("multi", ("t", user_task("t", "leader,legal_advisor", name="会商")))})
    case = office.cases.start_case("multi", {"subject": "会商事项"}, user="clerk")
    for user in ("leader", "advisor"):
        inbox = as_user(user).get("/api/v1/tasks").get_json()
        assert [t["case_id"] for t in inbox["items"]] == [case["id"]] and inbox["total"] == 1
        assert as_user(user).get("/api/v1/tasks?view=groups").get_json()["total"] == 1
    assert as_user("clerk").get("/api/v1/tasks?search=会商").get_json()["total"] == 0
    office.inbox.claim_task(office.tasks.list_tasks(case_id=case["id"])["items"][0]["id"], user="leader")
    assert as_user("advisor").get("/api/v1/tasks").get_json()["total"] == 0
    assert as_user("leader").get("/api/v1/tasks?view=mine").get_json()["total"] == 1



def test_a_task_of_one_group_is_offered_by_its_groups_column_and_one_of_several_by_its_group_rows(office):
    """Only tasks of several groups get human_task_group rows; listing by group finds both kinds."""
    from sqlalchemy import func, select
    from engine.store.models import HumanTask, HumanTaskGroup
    from tests.support.bpmn_builder import linear, user_task
    office.processes.deploy({"multi.bpmn": linear("multi", ("t", user_task("t", "leader,legal_advisor", name="会商")))})
    several = office.cases.start_case("multi", {"subject": "会商事项"}, user="clerk")["id"]
    one = start_petition(office)["id"]
    with office.engine.connect() as conn:
        def group_rows(case_id):
            return conn.scalar(select(func.count()).select_from(HumanTaskGroup).join(
                HumanTask, HumanTask.id == HumanTaskGroup.task_id).where(HumanTask.case_id == case_id))
        assert (group_rows(several), group_rows(one)) == (2, 0)
    single_group = office.tasks.list_tasks(case_id=one)["items"][0]["groups"][0]
    for groups, case_id in ((["legal_advisor"], several), ([single_group], one)):
        assert [t["case_id"] for t in office.tasks.list_tasks(groups=groups)["items"]] == [case_id]
    assert office.tasks.list_tasks(user="advisor")["total"] == 1

def test_a_broad_inbox_stops_counting_at_the_cap_and_still_pages_on(office, monkeypatch):
    from engine import queries
    from tests.support.web import start_petition
    for _ in range(4):
        start_petition(office)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    first = office.inbox.inbox(user="clerk", per_page=2, count=True)
    assert (first["total"], first["total_capped"], first["pages"]) == (2, True, 2)
    second = office.inbox.inbox(user="clerk", page=2, per_page=2, count=True)
    assert len(second["items"]) == 2 and second["pages"] >= 2
    assert {t["id"] for t in first["items"]}.isdisjoint({t["id"] for t in second["items"]})


def test_a_unit_inbox_holds_its_own_and_its_shared_tasks_in_due_order_and_counts_them(office):
    """The page is two parts (the unit's own rows, rows of several units); together they hold
    every task of the unit, in one due-date order, and the count is their sum."""
    from datetime import datetime, timedelta, timezone
    from sqlalchemy import insert
    from engine.store.models import HumanTask
    svc = office
    svc.users.add_user("u7", groups=["unit_staff"], unit="district_gov")
    case_id = start_petition(svc)["id"]
    now = datetime.now(timezone.utc)
    units = ["district_gov", "unit8,district_gov", "district_gov,unit9", "unit8", "district_gov2",
             "unit8,district_gov2"]
    with svc.engine.begin() as conn:
        for i, unit in enumerate(units):
            conn.execute(insert(HumanTask).values(
                case_id=case_id, task_uuid=f"t{i}", bpmn_id="handle", kind="bpmn", name=f"办理{i}",
                groups="unit_staff", state="open", created_at=now, due_at=now + timedelta(days=10 - i),
                unit=unit, priority=50, category="申诉求决类"))
    page = svc.inbox.inbox(user="u7", filters={"category": "申诉求决类"}, per_page=2, count=True)
    assert page["total"] == 3
    assert [t["id"] for t in page["items"]] == ["t2", "t1"], "the earliest last day first, across both parts"
    rest = svc.inbox.inbox(user="u7", filters={"category": "申诉求决类"}, page=2, per_page=2)
    assert [t["id"] for t in rest["items"]] == ["t0"]
    everything = svc.inbox.inbox(user="u7")
    assert {t["id"] for t in everything["items"]} >= {"t0", "t1", "t2"}
    assert not {t["id"] for t in everything["items"]} & {"t3", "t4", "t5"}
