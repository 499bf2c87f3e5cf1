"""The REST API answers exactly what its OpenAPI document says: every response of these tests
is validated against the documented schema for its path, method and status code."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from tests.support.web import open_task, start_petition
from tests.support.web_diagrams import PROCESS
from webui.rest.openapi import spec

SPEC = spec()


def to_json_schema(node):
    """OpenAPI 3.0 `nullable` and component refs → JSON Schema 2020-12."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k not in ("nullable", "format")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("format") == "date-time":
        out["pattern"] = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        if "pattern" in out:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


DEFS = {name: to_json_schema(s) for name, s in SPEC["components"]["schemas"].items()}


def operation(method: str, url: str) -> tuple[str, dict]:
    path = url.split("?")[0].removeprefix("/api/v1")
    for template, ops in SPEC["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", r"[^/]+", template), path) and method in ops:
            return template, ops[method]
    raise AssertionError(f"{method.upper()} {path} is not documented")


def conforms(response, method: str, url: str):
    template, op = operation(method, url)
    status = str(response.status_code)
    assert status in op["responses"], f"{method.upper()} {template} answered undocumented {status}"
    assert response.is_json, response.get_data(as_text=True)[:300]
    schema = {**to_json_schema(op["responses"][status]["content"]["application/json"]["schema"]), "$defs": DEFS}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{method.upper()} {template} {status}: {errors[0].message} at {list(errors[0].path)}"
    return response.get_json()


class Api:
    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def call(self, method: str, url: str, expect: int, **kw):
        response = getattr(self.client, method)(url, headers=self.headers, **kw)
        assert response.status_code == expect, (url, response.get_json())
        return conforms(response, method, url)


@pytest.fixture
def api(app, office):
    def as_(user):
        return Api(app.test_client(), office.auth.create_api_token(user=user, name="test")["token"])
    return as_


def test_the_document_is_served_and_valid_openapi(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.0.3" and doc == SPEC
    for name, schema in DEFS.items():
        Draft202012Validator.check_schema({**schema, "$defs": DEFS})


def test_a_case_from_creation_to_completion_through_the_api(api, office):
    clerk, gov, director = api("clerk"), api("gov"), api("director")
    assert any(p["key"] == PROCESS for p in clerk.call("get", "/api/v1/processes", 200))
    case = clerk.call("post", "/api/v1/cases", 201, json={"process_key": PROCESS, "data": {"subject": "API案件"}})
    assert case["subject"] == "API案件" and case["status"] == "running"
    listed = clerk.call("get", "/api/v1/cases?per_page=5", 200)
    assert listed["items"][0]["id"] == case["id"] and (listed["total"], listed["more"]) == (1, False)
    second = clerk.call("post", "/api/v1/cases", 201, json={"process_key": PROCESS, "data": {"subject": "另一件"}})
    first_of_two = clerk.call("get", "/api/v1/cases?per_page=1", 200)
    assert (first_of_two["items"][0]["id"], first_of_two["total"], first_of_two["more"]) == (second["id"], None, True)
    assert clerk.call("get", "/api/v1/cases?per_page=1&count=1", 200)["total"] == 2
    office.cases.terminate_case(second["id"], user="director")
    page = clerk.call("get", f"/api/v1/cases/{case['id']}", 200)
    task_id = next(t["id"] for t in page["tasks"] if t["state"] == "open")
    task = clerk.call("get", f"/api/v1/tasks/{task_id}", 200)
    assert task["form"]["properties"]["unit"]["enum"][0] == "district_gov"
    clerk.call("post", f"/api/v1/tasks/{task_id}/claim", 200)
    clerk.call("post", f"/api/v1/tasks/{task_id}/unclaim", 200)
    director.call("post", f"/api/v1/tasks/{task_id}/assign", 200, json={"assignee": "clerk"})
    errors = clerk.call("post", f"/api/v1/tasks/{task_id}/complete", 400, json={"data": {"unit": "moon"}})
    assert {d["field"] for d in errors["details"]} == {"unit", "opinion"}
    clerk.call("post", f"/api/v1/tasks/{task_id}/complete", 200,
               json={"data": {"unit": "district_gov", "opinion": "转办"}})
    inbox = gov.call("get", "/api/v1/tasks?sort=due_at&overdue=false&view=inbox", 200)
    assert [t["bpmn_id"] for t in inbox["items"]] == ["handle"]
    counts = director.call("get", "/api/v1/kpis", 200)
    assert counts["cases_by_status"] == {"running": 1, "terminated": 1} and counts["open_tasks"] == 1


def test_kpi_figures_of_a_month(api):
    figures = api("director").call("get", "/api/v1/kpis/figures?month=2026-10&by=unit", 200)
    assert (figures["month"], figures["from"]) == ("2026-10", "2026-09-30T16:00:00+00:00")
    assert figures["figures"] == [], "no case was registered in October 2026"


@pytest.mark.parametrize("method,url,body,status", [
    ("post", "/api/v1/cases", {"data": {}}, 400),
    ("post", "/api/v1/cases", {"process_key": "nope"}, 404),
    ("post", "/api/v1/cases", {"process_key": PROCESS, "data": [1]}, 400),
    ("post", "/api/v1/cases", {"process_key": PROCESS, "version": "x"}, 400),
    ("get", "/api/v1/cases/999", None, 404),
    ("get", "/api/v1/cases?page=0", None, 400),
    ("get", "/api/v1/cases?per_page=abc", None, 400),
    ("get", "/api/v1/cases?count=yes", None, 400),
    ("get", "/api/v1/tasks/nope", None, 404),
    ("post", "/api/v1/tasks/nope/claim", None, 404),
    ("post", "/api/v1/tasks/nope/assign", {"assignee": ""}, 400),
    ("post", "/api/v1/tasks/nope/complete", {"data": {}}, 404),
    ("get", "/api/v1/tasks?view=everything", None, 400),
    ("get", "/api/v1/kpis/figures?month=2026-13", None, 400),
    ("get", "/api/v1/kpis/figures?month=2026-10&by=petitioner", None, 400),
    ("get", "/api/v1/tasks?due_before=tomorrow", None, 400),
    ("post", "/api/v1/processes", {"files": {"x.bpmn": "<not-bpmn"}}, 403),
])
def test_errors_are_json_with_the_documented_codes(api, method, url, body, status):
    clerk = api("clerk")
    result = clerk.call(method, url, status, **({"json": body} if body is not None else {}))
    assert set(result) == {"error", "message", "details"}


def test_a_malformed_body_is_400(app, office):
    token = office.auth.create_api_token(user="clerk", name="t")["token"]
    response = app.test_client().post("/api/v1/cases", data="{not json", content_type="application/json",
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"] == "validation_failed"


def test_claim_conflict_and_invalid_diagram(api, office):
    task = open_task(office, start_petition(office)["id"], "triage")
    office.inbox.claim_task(task["id"], user="clerk")
    office.users.add_user("clerk2", groups=["clerk"], password="x" * 10)
    api("clerk2").call("post", f"/api/v1/tasks/{task['id']}/claim", 409)
    api("gov").call("post", f"/api/v1/tasks/{task['id']}/complete", 403, json={})
    api("analyst").call("post", "/api/v1/processes", 422, json={"files": {"x.bpmn": "<bpmn/>"}})
    api("analyst").call("post", "/api/v1/processes", 400, json={"files": {"x.bpmn": 3}})


def test_deploy_by_multipart_upload(app, office):
    import io
    from tests.support.bpmn_builder import linear, user_task
    token = office.auth.create_api_token(user="analyst", name="t")["token"]
    xml = linear("uploaded", ("t", user_task("t"))).encode()
    response = app.test_client().post("/api/v1/processes", headers={"Authorization": f"Bearer {token}"},
                                      data={"files": [(io.BytesIO(xml), "uploaded.bpmn")]},
                                      content_type="multipart/form-data")
    assert conforms(response, "post", "/api/v1/processes") == [{"key": "uploaded", "version": 1, "new": True}]


def test_unauthenticated_calls_are_401_json(app):
    response = app.test_client().get("/api/v1/cases")
    assert response.status_code == 401 and conforms(response, "get", "/api/v1/cases")["error"] == "unauthorized"


def test_hot_spots_selection_and_evaluation_through_the_api(api, office):
    from tests.support.analysis_data import make_office, registered
    make_office(office, {"A": dict(subject="夜间施工噪音扰民", region="R1", **registered("03")),
                         "B": dict(subject="广场舞噪音扰民", region="R2", **registered("05")),
                         "L": dict(subject="法院判决后对方拒不执行", organ="某区人民法院", outcome="支持",
                                   **registered("08"))})
    analyst, director, gov = api("analyst"), api("director"), api("gov")
    found = analyst.call("get", "/api/v1/analysis/hotspots?month=2026-10&by=region", 200)
    assert found["cases"] == 3 and {row["group"] for row in found["topics"]} >= {"R1", "R2"}
    picks = analyst.call("get", "/api/v1/analysis/selection?month=2026-10&limit=2", 200)
    assert picks["limit"] == 2 and len(picks["cases"]) <= 2
    ranked = director.call("get", "/api/v1/analysis/evaluation?period=2026-10", 200)
    assert [o["organ"] for o in ranked["organs"]] == ["某区人民法院"]
    analyst.call("get", "/api/v1/analysis/hotspots?month=2026-13", 400)
    gov.call("get", "/api/v1/analysis/evaluation?period=2026", 403)      # 评 is not for the units
    gov.call("get", "/api/v1/analysis/evaluation?period=9999", 403)      # refused before the period is read
    director.call("get", "/api/v1/analysis/evaluation?period=9999", 400)
    gov.call("get", "/api/v1/analysis/selection?month=2026-10", 403)


ONLINE = {"name": "刘晓梅", "id_number": "11010119650101123X", "phone": "13912345678", "address": "北京市朝阳区幸福路1号",
          "subject": "小区供暖不达标", "content": "室温不足16度", "purpose": "求决", "region": "110105", "consent": True}


def test_online_petition_submitted_checked_and_registered_through_the_api(app, api, office):
    public = app.test_client()
    sent = conforms(public.post("/api/v1/public/petitions", json=ONLINE), "post", "/api/v1/public/petitions")
    bad = conforms(public.post("/api/v1/public/petitions", json={**ONLINE, "consent": False}), "post",
                   "/api/v1/public/petitions")
    assert bad["details"] == [{"field": "consent", "message": "请阅读并同意个人信息处理说明后提交"}]
    returned = conforms(public.post("/api/v1/public/petitions", json={**ONLINE, "subject": "咨询"}), "post",
                        "/api/v1/public/petitions")
    clerk = api("clerk")
    waiting = clerk.call("get", "/api/v1/online", 200)
    assert [w["number"] for w in waiting] == [sent["number"], returned["number"]]
    first = clerk.call("get", f"/api/v1/online/{waiting[0]['id']}", 200)
    assert first["form"]["name"] == "刘晓梅" and first["state"] == "pending"
    clerk.call("post", f"/api/v1/online/{waiting[0]['id']}/register", 400, json={"content_class": "?"})
    done = clerk.call("post", f"/api/v1/online/{waiting[0]['id']}/register", 201, json={"content_class": "城乡建设"})
    assert done["case_id"] and done["reg_no"]
    clerk.call("post", f"/api/v1/online/{waiting[0]['id']}/register", 409, json={"content_class": "城乡建设"})
    clerk.call("post", f"/api/v1/online/{waiting[1]['id']}/return", 400, json={"reason": ""})
    clerk.call("post", f"/api/v1/online/{waiting[1]['id']}/return", 200, json={"reason": "请向法院提出"})
    api("gov").call("get", "/api/v1/online", 403)
    api("gov").call("get", f"/api/v1/online/{waiting[0]['id']}", 403)
    clerk.call("get", "/api/v1/online/999", 404)
    case = clerk.call("get", f"/api/v1/cases/{done['case_id']}", 200)
    assert case["channel"] == "网信"
