"""Camunda Modeler diagrams import with a report; malformed files give clear errors."""
from __future__ import annotations

import pytest

from engine.errors import InvalidDiagram
from engine.bpmn.interop import import_camunda
from tests.support.editor_diagrams import CAMUNDA_DIAGRAM
from tests.support.paths import MIWG


def test_camunda_attributes_map_to_our_extensions_and_the_rest_is_reported(sqlite_services):
    result = import_camunda("leave.bpmn", CAMUNDA_DIAGRAM)
    mapped = {(m["camunda"], m["property"], m["value"]) for m in result["mapped"]}
    assert mapped == {("candidateGroups", "candidateGroups", "director"), ("formKey", "formKey", "approve_form"),
                      ("dueDate", "dueIn", "P3D"), ("property", "reminders", "2,1")}
    assert {(i["element"], i["camunda"]) for i in result["ignored"]} == {("approve", "assignee"),
                                                                        ("approve", "taskListener")}
    assert "camunda:" not in result["xml"] and "camunda.org" not in result["xml"]
    svc = sqlite_services
    with pytest.raises(InvalidDiagram, match="form 'approve_form' does not exist"):
        svc.processes.deploy({"leave.bpmn": result["xml"]})                      # the form is not in bpmn/forms/
    form = '{"type": "object", "properties": {"approved": {"type": "boolean", "title": "同意"}}}'
    svc.processes.deploy({"leave.bpmn": result["xml"], "forms/approve_form.json": form})
    case = svc.cases.start_case("camunda_leave")
    task = svc.tasks.list_tasks(case_id=case["id"])["items"][0]
    assert task["groups"] == ["director"] and task["due_at"]
    assert svc.tasks.get_task(task["id"])["form"]["properties"]["approved"]["title"] == "同意"


def test_camunda_modeler_reference_file_report():
    result = import_camunda("C.1.1.bpmn", (MIWG / "camunda-modeler" / "C.1.1-roundtrip.bpmn").read_bytes())
    assert ("approveInvoice", "formKey") in {(m["element"], m["camunda"]) for m in result["mapped"]}
    assert ("approveInvoice", "assignee") in {(i["element"], i["camunda"]) for i in result["ignored"]}


@pytest.mark.parametrize("path", sorted((MIWG / "malformed").glob("*.bpmn")), ids=lambda p: p.name)
def test_malformed_files_get_a_clear_error_with_the_line(path):
    with pytest.raises(InvalidDiagram, match=r":\d+: not well-formed XML"):
        import_camunda(path.name, path.read_bytes())


def test_not_bpmn_is_refused():
    with pytest.raises(InvalidDiagram, match="not a BPMN 2.0 file"):
        import_camunda("x.bpmn", "<html/>")
