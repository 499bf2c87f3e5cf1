"""Standard JSON only, and no XML declarations (issue 21, lesser items): NaN/Infinity in case or
form data and JSON nested 50,000 deep are a 400 naming the problem; a BPMN upload with an internal
entity is a clear diagram error, never a 500; the API never emits invalid JSON."""
from __future__ import annotations

import json

import pytest

from engine.errors import ValidationFailed
from tests.support.web import open_task, start_petition
from tests.support.web_diagrams import PROCESS

ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x "boom">]>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
          '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" name="&x;"/></bpmn:process>'
          '</bpmn:definitions>\n')


@pytest.fixture
def api(app, office):
    client = app.test_client()

    def call(user: str, method: str, url: str, body: str | None = None):
        token = office.auth.create_api_token(user=user, name="t")["token"]
        return getattr(client, method)(url, data=body, headers={"Authorization": f"Bearer {token}",
                                                                "Content-Type": "application/json"})
    return call


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_in_case_and_form_data(office, api, constant):
    case = api("clerk", "post", "/api/v1/cases", f'{{"process_key": "{PROCESS}", "data": {{"x": {constant}}}}}')
    assert case.status_code == 400 and constant.lstrip("-") in case.get_json()["message"]
    task = open_task(office, start_petition(office)["id"], "triage")
    done = api("clerk", "post", f"/api/v1/tasks/{task['id']}/complete", f'{{"data": {{"opinion": {constant}}}}}')
    assert done.status_code == 400 and constant.lstrip("-") in done.get_json()["message"]


def test_non_finite_numbers_are_refused_by_the_services_too(office):
    with pytest.raises(ValidationFailed, match="NaN|finite"):
        office.cases.start_case(PROCESS, {"amount": float("nan")}, user="clerk")
    task = open_task(office, start_petition(office)["id"], "triage")
    with pytest.raises(ValidationFailed, match="finite"):
        office.tasks.complete_task(task["id"], user="clerk", data={"opinion": float("inf")})


def test_json_nested_50000_deep_is_a_400(api):
    deep = '{"process_key": "x", "data": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = api("clerk", "post", "/api/v1/cases", deep)
    assert response.status_code == 400 and "nested too deeply" in response.get_json()["message"]
    deep_files = '{"files": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert api("admin", "post", "/api/v1/processes", deep_files).status_code == 400


def test_api_answers_are_standard_json(office, api):
    case = start_petition(office)
    text = api("clerk", "get", f"/api/v1/cases/{case['id']}").get_data(as_text=True)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the API's JSON"))


def test_an_internal_entity_in_a_bpmn_upload_is_a_clear_error(office, api):
    response = api("admin", "post", "/api/v1/processes", json.dumps({"files": {"x.bpmn": ENTITY}}))
    body = response.get_json()
    assert response.status_code in (400, 422), body
    assert "DOCTYPE" in body["message"] + json.dumps(body["details"], ensure_ascii=False)
    assert office.processes.list_processes() and all(p["key"] != "p" for p in office.processes.list_processes())


@pytest.mark.parametrize("method, url, body", [
    ("get", "/api/v1/tasks?search=a%00b", None),
    ("get", "/api/v1/cases/1%00", None),
    ("post", "/api/v1/cases", '{"process_key": "a\\u0000b"}'),
])
def test_a_nul_character_anywhere_in_a_request_is_a_400_that_says_so(api, method, url, body):
    response = api("director", method, url, body)
    assert response.status_code == 400 and "NUL" in response.get_json()["message"]


def test_a_nul_character_in_a_form_is_refused_and_a_form_without_one_is_not(as_user):
    clerk = as_user("clerk")
    refused = clerk.client.post("/inbox/filters", data={"name": "a\x00b"}, headers={"X-CSRFToken": clerk.token})
    assert refused.status_code == 400
    assert clerk.client.post("/inbox/filters", data={"name": "ab"},
                             headers={"X-CSRFToken": clerk.token}).status_code != 400
