"""The editor's pages and JSON endpoints through the Flask test client."""
from __future__ import annotations

import pytest

from tests.support.editor_diagrams import CAMUNDA_DIAGRAM, KEY, routing_diagram

BROKEN = routing_diagram().replace('value="P15D"', 'value="P15D"').replace(
    '>urgent</bpmn:conditionExpression>', '>__import__("os")</bpmn:conditionExpression>')


def _headers(browser):
    return {"X-CSRFToken": browser.token, "Accept": "application/json"}


@pytest.mark.parametrize("user", ["clerk", "director", "gov"])
def test_only_analysts_and_admins_get_in(as_user, office, user):
    browser = as_user(user)
    assert browser.get("/processes").status_code == 403
    assert browser.get("/processes/web_intake/edit").status_code == 403
    response = browser.client.post("/processes/deploy", json={"files": {"x.bpmn": routing_diagram()}},
                                   headers=_headers(browser))
    assert response.status_code == 403
    assert [p["key"] for p in office.processes.list_processes()] == ["web_intake"]


def test_library_lists_versions(as_user, office):
    office.processes.deploy({f"{KEY}.bpmn": routing_diagram()}, user="admin")
    page = as_user("analyst").get("/processes").get_data(as_text=True)
    assert 'data-key="routing"' in page and 'data-key="web_intake"' in page and "admin" in page


def test_validation_errors_name_the_element_and_nothing_is_deployed(as_user, office):
    browser = as_user("analyst")
    body = {"files": {f"{KEY}.bpmn": BROKEN}}
    checked = browser.client.post("/processes/validate", json=body, headers=_headers(browser)).get_json()
    assert any(e["element"] == "f_fast" for e in checked["errors"]), checked
    refused = browser.client.post("/processes/deploy", json=body, headers=_headers(browser))
    assert refused.status_code == 422
    assert any(e["element"] == "f_fast" for e in refused.get_json()["details"])
    assert KEY not in [p["key"] for p in office.processes.list_processes()]
    bad = browser.client.post("/processes/validate", json={"files": "nope"}, headers=_headers(browser))
    assert bad.status_code == 400


def test_diff_page_migrate_and_revert(as_user, office):
    office.processes.deploy({f"{KEY}.bpmn": routing_diagram()}, user="analyst")
    case = office.cases.start_case(KEY, user="clerk")["id"]
    office.processes.deploy({f"{KEY}.bpmn": routing_diagram().replace(">not urgent<", ">urgent == False<")}, user="analyst")
    browser = as_user("analyst")
    page = browser.get(f"/processes/{KEY}/diff?from=1&to=2").get_data(as_text=True)
    assert "gw" in page.split('class="changed"')[1]                     # the gateway's outgoing flow changed
    response = browser.post(f"/processes/{KEY}/migrate", {"from": "1", "to": "2", "case_id": str(case)})
    assert response.status_code == 302
    assert office.cases.get_case(case)["version"] == 2
    migration = office.editor.list_migrations(user="analyst")[0]["id"]
    assert browser.post(f"/migrations/{migration}/revert").status_code == 302
    assert office.cases.get_case(case)["version"] == 1
    assert browser.post(f"/migrations/{migration}/revert").status_code == 409


@pytest.fixture
def scenario_dir(office):
    """The web office's bpmn dir is shared by the session: the scenario is removed afterwards."""
    import shutil
    folder = office.settings.bpmn_dir / "scenarios" / KEY
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shutil.rmtree(office.settings.bpmn_dir / "scenarios")


def test_scenario_button_runs_the_process_scenarios_against_the_edited_diagram(as_user, scenario_dir):
    import json
    folder = scenario_dir
    (folder / "urgent.json").write_text(json.dumps({
        "process": KEY, "start": {}, "user": "clerk",
        "steps": [{"complete": "decide", "user": "clerk", "data": {"urgent": True, "persons": 1}}],
        "expect": {"status": "running", "open_tasks": ["fast"]}}), encoding="utf-8")
    browser = as_user("analyst")
    ok = browser.client.post(f"/processes/{KEY}/test", json={"files": {f"{KEY}.bpmn": routing_diagram()}},
                             headers=_headers(browser)).get_json()
    assert [r["passed"] for r in ok["results"]] == [True]
    swapped = routing_diagram().replace(">urgent<", ">not urgent and False<")
    failed = browser.client.post(f"/processes/{KEY}/test", json={"files": {f"{KEY}.bpmn": swapped}},
                                 headers=_headers(browser)).get_json()
    assert failed["results"][0]["passed"] is False
    assert "No conditions satisfied for gw" in failed["results"][0]["failures"][0]


FORM = '{"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string", "title": "谈话摘要"}}}'


def test_form_preview_shows_the_fields_or_says_what_is_wrong(as_user, office):
    browser = as_user("analyst")
    shown = browser.client.post("/forms/preview", json={"form": FORM}, headers=_headers(browser))
    assert shown.status_code == 200
    assert "谈话摘要" in shown.get_json()["html"] and 'name="summary"' in shown.get_json()["html"]
    for text, expected in (('{"type": "object",\n "properties": {', "line 2"),
                           ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "$.properties.a.type"),
                           ('[1, 2]', "is not of type 'object'"), ('true', "object schema")):
        refused = browser.client.post("/forms/preview", json={"form": text}, headers=_headers(browser))
        assert refused.status_code == 400 and expected in refused.get_json()["message"], refused.get_json()
    assert browser.client.post("/forms/preview", data="{", headers=_headers(browser)).status_code == 400
    no_token = browser.client.post("/forms/preview", json={"form": FORM}, headers={"Accept": "application/json"})
    assert no_token.status_code == 400                                # CSRF protected


def test_form_preview_and_sources_are_not_for_clerks(as_user):
    browser = as_user("clerk")
    assert browser.client.post("/forms/preview", json={"form": FORM}, headers=_headers(browser)).status_code == 403
    assert browser.get("/processes/forms/web_form.json").status_code == 403


def test_a_shipped_form_opens_for_editing(as_user, office):
    browser = as_user("analyst")
    names = browser.get("/processes/editor-options.json").get_json()["forms"]
    found = browser.get(f"/processes/forms/{names[0]}.json").get_json()
    assert found["key"] == names[0] and found["text"].lstrip().startswith("{")
    assert browser.get("/processes/forms/nope.json").status_code == 404
    assert browser.get("/processes/forms/Bad-Key.json").status_code == 400


def test_import_page_shows_the_report(as_user):
    browser = as_user("analyst")
    from io import BytesIO
    page = browser.post("/processes/import", {"file": (BytesIO(CAMUNDA_DIAGRAM.encode()), "leave.bpmn")},
                        content_type="multipart/form-data").get_data(as_text=True)
    report = page.split('id="import-report"')[1].split("</section>")[0]
    assert "camunda:candidateGroups → candidateGroups = director" in report
    assert "camunda:assignee = zhang" in report
    assert as_user("clerk").post("/processes/import", {"file": (BytesIO(b"x"), "x.bpmn")},
                                 content_type="multipart/form-data").status_code == 403
