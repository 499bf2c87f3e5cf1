"""A form is the only thing a task can write (issue 21, item 1): every shipped form's task
refuses a key its form does not declare, and every key the case owns (deadlines, milestones,
flags, query code, parties, ratings), through the service and through the REST API, with a
400 that names the field, and the case's data stays as it was."""
from __future__ import annotations

import json

import pytest

from engine.errors import ValidationFailed
from tests.support import bpmn_builder as b
from tests.support.paths import ROOT

FORMS = sorted(p.stem for p in (ROOT / "bpmn" / "forms").glob("*.json"))
CASE_OWNED = {
    "deadlines": {"handle": "2099-12-31T16:00:00+00:00"},
    "milestones": {"registered": "2000-01-01T00:00:00+00:00"},
    "satisfaction": "满意",
    "query_code": "AAAA-BBBB",
    "petitioners": [{"name": "冒名者", "id_number": "110101199001011234"}],
    "backlog": True,
    "rating": "满意",
}
START = {"subject": "完整性", "deadlines": {"handle": "2030-01-31T16:00:00+00:00"},
         "milestones": {"registered": "2030-01-01T01:00:00+00:00"}, "query_code": "REAL-CODE",
         "backlog": False}


def every_form_diagram() -> str:
    """One user task per shipped form, all open at once behind a parallel gateway."""
    tasks = "".join(b.user_task(f"t_{key}", "clerk", f'<spiffworkflow:property name="formKey" value="{key}"/>')
                    for key in FORMS)
    flows = "".join(b.flow(f"in_{key}", "split", f"t_{key}") + b.flow(f"out_{key}", f"t_{key}", "join")
                    for key in FORMS)
    return b.process("every_form", '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/>'
                     '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>' + tasks + flows +
                     b.flow("f0", "start", "split") + b.flow("f9", "join", "end"))


@pytest.fixture
def open_forms(office):
    files = {"every_form.bpmn": every_form_diagram()}
    files.update({f"forms/{key}.json": (ROOT / "bpmn" / "forms" / f"{key}.json").read_text(encoding="utf-8")
                  for key in FORMS})
    office.processes.deploy(files)
    case = office.cases.start_case("every_form", dict(START), user="clerk")
    tasks = {t["bpmn_id"][2:]: t["id"] for t in office.tasks.list_tasks(case_id=case["id"], per_page=100)["items"]}
    assert sorted(tasks) == FORMS
    return case["id"], tasks


def test_every_shipped_form_is_a_closed_schema():
    assert len(FORMS) >= 27
    for key in FORMS:
        assert json.loads((ROOT / "bpmn" / "forms" / f"{key}.json").read_text())["additionalProperties"] is False, key


@pytest.mark.parametrize("key", FORMS)
def test_no_task_writes_a_field_its_form_does_not_declare(office, open_forms, key):
    case_id, tasks = open_forms
    before = office.cases.get_case(case_id)["data"]
    for field, value in [("undeclared_field", 1), *CASE_OWNED.items()]:
        with pytest.raises(ValidationFailed) as err:
            office.tasks.complete_task(tasks[key], user="clerk", data={field: value})
        assert field in err.value.message and field in {d["field"] for d in err.value.details}
    assert office.cases.get_case(case_id)["data"] == before
    assert office.tasks.get_task(tasks[key])["state"] == "open"


def test_the_api_refuses_case_owned_and_undeclared_keys_for_every_form(app, office, open_forms):
    case_id, tasks = open_forms
    before = office.cases.get_case(case_id)["data"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {office.auth.create_api_token(user='clerk', name='t')['token']}"}
    for key, task_id in tasks.items():
        for field, value in [("undeclared_field", 1), *CASE_OWNED.items()]:
            response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                                   json={"data": {field: value}})
            body = response.get_json()
            assert response.status_code == 400, (key, field, body)
            assert field in body["message"] and field in {d["field"] for d in body["details"]}, (key, body)
    after = office.cases.get_case(case_id)["data"]
    assert after == before and after["deadlines"] == START["deadlines"] and after["milestones"] == START["milestones"]


def test_every_shipped_user_task_has_a_form():
    from lxml import etree
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "s": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
    for path in (ROOT / "bpmn").glob("*.bpmn"):
        for task in etree.parse(str(path)).iterfind(".//bpmn:userTask", ns):
            assert task.find(".//s:property[@name='formKey']", ns) is not None, (path.name, task.get("id"))


def test_no_shipped_form_declares_a_case_owned_key():
    from office.root import CASE_OWNED
    for key in FORMS:
        fields = set(json.loads((ROOT / "bpmn" / "forms" / f"{key}.json").read_text())["properties"])
        assert not fields & set(CASE_OWNED), key


def test_a_task_without_a_form_still_cannot_write_case_owned_keys(office):
    office.processes.deploy({"bare.bpmn": b.linear("bare", ("t1", b.user_task("t1", "clerk")))})
    case = office.cases.start_case("bare", {"deadlines": {"handle": "2030-01-31T16:00:00+00:00"}}, user="clerk")
    task = office.tasks.list_tasks(case_id=case["id"])["items"][0]
    from office.root import CASE_OWNED as OWNED
    for field, value in [(k, v) for k, v in CASE_OWNED.items() if k in OWNED] + [("reg_no", "X-1")]:
        with pytest.raises(ValidationFailed, match=field):
            office.tasks.complete_task(task["id"], user="clerk", data={field: value})
    assert office.cases.get_case(case["id"])["data"]["deadlines"] == {"handle": "2030-01-31T16:00:00+00:00"}
    office.tasks.complete_task(task["id"], user="clerk", data={"note": "a diagram's own field"})
    assert office.cases.get_case(case["id"])["data"]["note"] == "a diagram's own field"
