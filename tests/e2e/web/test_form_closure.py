"""A task writes only what its form declares (issue 21, item 1): a gov_staff completing its own 办理
could once move the deadlines to 2099, set the rating and the query code and overwrite the parties."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bpmn.forms import FormRegistry
from engine.errors import ValidationFailed
from office.cases.facts import CASE_OWNED
from tests.support.office import petition
from webui.app import create_app

FORMS = Path(__file__).resolve().parents[3] / "bpmn" / "forms"
PLANTED = {"deadlines": {"handle": "2099-12-31T16:00:00+00:00"}, "satisfaction": "满意", "query_code": "000000",
           "petitioners": [{"name": "冒名者"}], "milestones": {"registered_at": "2000-01-01T00:00:00+00:00"},
           "backlog": True, "not_a_field": "x"}


@pytest.mark.parametrize("form", sorted(p.stem for p in FORMS.glob("*.json")))
def test_every_shipped_form_refuses_what_it_does_not_declare(form):
    registry = FormRegistry(FORMS)
    registry.reserve(CASE_OWNED)
    declared = set(json.loads((FORMS / f"{form}.json").read_text(encoding="utf-8"))["properties"])
    refused = {e["field"] for e in registry.validate(form, dict(PLANTED)) if "not a field" in e["message"]}
    assert refused == set(PLANTED) - declared and "deadlines" in refused and "not_a_field" in refused


def test_only_the_steps_that_decide_a_case_fact_declare_it():
    """The leader's sign-off decides 包案 (key_case), triage the category, the clerk's counter
    evaluation the rating of the office; no other form names a fact the case owns."""
    owned = {p.stem: set(json.loads(p.read_text(encoding="utf-8"))["properties"]) & CASE_OWNED
             for p in FORMS.glob("*.json")}
    assert {form: keys for form, keys in owned.items() if keys} == {"sign_off": {"key_case"}, "triage": {"category"},
                                                             "evaluate": {"office_satisfaction"}}


def _probe(o, client_for, case: int, bpmn_id: str, user: str) -> None:
    """Every planted key is refused by name, through the service and the API, and nothing changes."""
    before = o.data(case)
    task = o.task(case, bpmn_id)
    with pytest.raises(ValidationFailed) as refused:
        o.s.tasks.complete_task(task["id"], user=user, data=dict(PLANTED))
    assert set(PLANTED) <= {d["field"] for d in refused.value.details}
    response = client_for(user).post(f"/api/v1/tasks/{task['id']}/complete", json={"data": dict(PLANTED)})
    assert response.status_code == 400, response.get_json()
    assert set(PLANTED) <= {d["field"] for d in response.get_json()["details"]}
    assert o.data(case) == before and o.task(case, bpmn_id)["id"] == task["id"], "nothing changed"


def test_no_step_of_a_petition_can_rewrite_the_case(office1):
    o = office1
    app = create_app(o.s.settings, o.s)
    tokens = {}

    def client_for(user):
        if user not in tokens:
            tokens[user] = o.s.auth.create_api_token(user=user, name="closure")["token"]
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user]}"
        return client

    case = o.register(petition("楼上装修噪音扰民", id_number="11010119650101123X"))
    walk = [("triage", "clerk", lambda: o.triage(case, "申诉求决类")),
            ("sign_off", "director", lambda: o.route_to_units(case, "housing")),
            ("unit_sign", "housing_staff", lambda: o.sign(case, "housing_staff")),
            ("handle", "housing_staff", lambda: o.do(case, "handle", "housing_staff", result="办结",
                                                     report="已调查处理")),
            ("review_report", "director", lambda: o.do(case, "review_report", "director", quality="通过"))]
    for bpmn_id, user, complete in walk:
        _probe(o, client_for, case, bpmn_id, user)
        complete()
    deadlines = o.data(case)["deadlines"]
    assert all(not at.startswith("2099") for at in deadlines.values() if at)
    assert o.data(case)["petitioners"][0].get("name") != "冒名者"
