"""Task pages: the form validated on the server with messages beside the fields, comments,
attachments with limits, CSRF on every form, and no 500 for bad input."""
from __future__ import annotations

import io

import pytest

from tests.support.web import open_task, route_to, start_petition

PDF = b"%PDF-1.4 test"


@pytest.fixture
def triage(office):
    return open_task(office, start_petition(office)["id"], "triage")


def test_missing_and_wrong_fields_are_shown_next_to_them(as_user, triage):
    response = as_user("clerk").post(f"/tasks/{triage['id']}", {"unit": "nowhere", "opinion": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    unit = page[page.index('data-field="unit"'):page.index('data-field="opinion"')]
    opinion = page[page.index('data-field="opinion"'):page.index('data-field="urgent"')]
    assert "请从选项中选择" in unit and "此项必填" in opinion


def test_a_valid_form_completes_the_task_and_the_next_one_opens(office, as_user, triage):
    response = as_user("clerk").post(f"/tasks/{triage['id']}", {"unit": "district_gov", "opinion": "转区政府", "urgent": "true"})
    assert response.status_code == 302
    case = office.cases.get_case(triage["case_id"])
    assert case["unit"] == "district_gov" and case["data"]["urgent"] is True
    handle = open_task(office, triage["case_id"], "handle")
    bad = as_user("gov").post(f"/tasks/{handle['id']}", {"result": "好", "people_met": "many", "visited_on": "yesterday"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请输入数字" in text and "内容过短" in text


def test_a_completed_task_cannot_be_completed_again(as_user, triage):
    clerk = as_user("clerk")
    clerk.post(f"/tasks/{triage['id']}", {"unit": "district_gov", "opinion": "x"})
    assert clerk.post(f"/tasks/{triage['id']}", {"unit": "district_gov", "opinion": "x"}).status_code == 409


def test_forms_without_a_csrf_token_are_refused(app, as_user, triage):
    clerk = as_user("clerk")
    response = clerk.client.post(f"/tasks/{triage['id']}", data={"unit": "district_gov", "opinion": "x"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_unknown_things_are_404_not_500(as_user):
    clerk = as_user("clerk")
    for url in ("/tasks/not-a-task", "/cases/999999", "/cases/99999999999999999999", "/attachments/5",
                "/jobs/zzz"):
        assert clerk.get(url).status_code == 404, url
    assert clerk.get("/inbox?search=a%00b").status_code == 400


def test_comments_appear_in_the_case_history(office, as_user, triage):
    clerk = as_user("clerk")
    clerk.post(f"/cases/{triage['case_id']}/comments", {"body": "已电话联系信访人"})
    assert "已电话联系信访人" in clerk.get(f"/tasks/{triage['id']}").get_data(as_text=True)
    assert clerk.post(f"/cases/{triage['case_id']}/comments", {"body": "  "}).status_code == 400


def test_a_comment_on_a_task_of_another_case_is_refused(office, as_user, triage):
    other = start_petition(office)
    other_task = [t for t in office.cases.get_case(other["id"])["tasks"] if t["state"] == "open"][0]
    clerk = as_user("clerk")
    url = f"/cases/{triage['case_id']}/comments"
    assert clerk.post(url, {"body": "关于另一件", "task_id": other_task["id"]}).status_code == 400
    assert clerk.post(url, {"body": "关于本件", "task_id": triage["id"]}).status_code in (200, 302)
    bodies = [c["body"] for c in office.comments.list_comments(triage["case_id"], user="clerk")]
    assert bodies == ["关于本件"]


def upload(browser, case_id, name, content):
    return browser.client.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data",
                               data={"csrf_token": browser.token, "file": (io.BytesIO(content), name)})


def test_attachments_are_stored_under_generated_names_and_download(office, as_user, triage):
    clerk = as_user("clerk")
    assert upload(clerk, triage["case_id"], "来信扫描件.pdf", PDF).status_code == 302
    stored = list((office.settings.storage_dir / "attachments").iterdir())
    assert len(stored) == 1 and stored[0].name.endswith(".pdf") and "来信" not in stored[0].name
    attachment = office.case_page.case_page(triage["case_id"], user="clerk")["attachments"][0]
    download = clerk.get(f"/attachments/{attachment['id']}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    assert as_user("court").get(f"/attachments/{attachment['id']}").status_code == 403


@pytest.mark.parametrize("name,content", [
    ("../../etc/passwd.pdf", PDF), ("..\\evil.pdf", PDF), ("a/b.pdf", PDF), ("script.exe", b"MZ"),
    ("fake.pdf", b"<html>"), ("big.pdf", b"%PDF" + b"x" * 300_000), ("empty.txt", b""), ("noext", b"x"),
])
def test_bad_uploads_are_refused_with_400(office, as_user, triage, name, content):
    assert upload(as_user("clerk"), triage["case_id"], name, content).status_code in (400, 413)
    assert not (office.settings.storage_dir / "attachments").exists() or \
        not list((office.settings.storage_dir / "attachments").iterdir())


def test_case_page_shows_history_deadlines_and_the_diagram_state(office, as_user):
    handle = route_to(office, start_petition(office)["id"], "district_gov")
    page = as_user("director").get(f"/cases/{handle['case_id']}").get_data(as_text=True)
    assert "办理完成" in page and "task_completed" not in page and "流程图" in page and "挂起" in page
    assert "转送办理" in page.split('class="dossier"')[1], "the case file shows what the clerk wrote"
    diagram = as_user("director").get(f"/cases/{handle['case_id']}/diagram.json").get_json()
    assert "<bpmn:process" in diagram["xml"] and diagram["active"] == ["handle"]
    assert {"start", "number", "triage"} <= set(diagram["completed"])


def test_director_suspends_and_resumes_a_case(office, as_user, triage):
    director = as_user("director")
    director.post(f"/cases/{triage['case_id']}/operation", {"operation": "suspend", "reason": "等待材料"})
    assert office.cases.get_case(triage["case_id"])["status"] == "suspended"
    director.post(f"/cases/{triage['case_id']}/operation", {"operation": "resume"})
    assert office.cases.get_case(triage["case_id"])["status"] == "running"
    assert as_user("clerk").post(f"/cases/{triage['case_id']}/operation", {"operation": "suspend"}).status_code == 403
    assert director.post(f"/cases/{triage['case_id']}/operation", {"operation": "explode"}).status_code == 400


def test_each_missing_field_gets_its_own_message(as_user, triage):
    page = as_user("clerk").post(f"/tasks/{triage['id']}", {}).get_data(as_text=True)
    unit = page[page.index('data-field="unit"'):page.index('data-field="opinion"')]
    opinion = page[page.index('data-field="opinion"'):page.index('data-field="urgent"')]
    assert unit.count("此项必填") == 1 and opinion.count("此项必填") == 1
