"""Malformed diagrams get a clear deploy error naming file and line, and nothing is stored.

The cases mirror bpmn-js's error fixtures (test/fixtures/bpmn/error: binary, no-xml,
duplicate-ids, invalid-child, invalid-flow-element, missing-namespace, di-no-bpmn-element,
di-plane-no-bpmn-element, no-process-collaboration, categoryValue, extension-elements), re-created here, plus the MIWG suite's
malformed exports (tests/data/miwg, CC BY 3.0).
"""
from __future__ import annotations


import pytest

from engine.errors import InvalidDiagram
from tests.support import bpmn_builder as b
from tests.support.paths import MIWG

MALFORMED = MIWG / "malformed"
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" targetNamespace="http://x"')
GOOD = b.linear("ok_process", ("t1", b.user_task("t1", "clerk")))


def with_diagram(shapes: str, plane_element: str = "ok_process") -> str:
    di = (f'<bpmndi:BPMNDiagram id="d1"><bpmndi:BPMNPlane id="p1" bpmnElement="{plane_element}">{shapes}'
          '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    return GOOD.replace("</bpmn:definitions>", di + "</bpmn:definitions>").replace(
        'xmlns:spiffworkflow', 'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow')


SHAPE = '<bpmndi:BPMNShape id="s1" bpmnElement="{ref}"><dc:Bounds x="1" y="1" width="10" height="10"/></bpmndi:BPMNShape>'

CASES = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not"),
    "no-xml": (b"this is not a diagram", "not"),
    "duplicate-ids": (GOOD.replace('id="t1"', 'id="start"'), "start"),
    "invalid-child": (GOOD.replace('<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end"><bpmn:task id="x"/></bpmn:endEvent>'), ""),
    "invalid-flow-element": (GOOD.replace('targetRef="end"', 'targetRef="nowhere"'), "nowhere"),
    "missing-namespace": ('<?xml version="1.0"?><definitions id="d"><process id="p"><startEvent id="s"/>'
                          '</process></definitions>', "BPMN"),
    "di-no-bpmn-element": (with_diagram(SHAPE.format(ref="ghost")), "ghost"),
    "di-plane-no-bpmn-element": (with_diagram(SHAPE.format(ref="t1"), plane_element="ghost_process"), "ghost_process"),
    "categoryValue": (f'<?xml version="1.0"?><bpmn:definitions id="d" {NS}><bpmn:categoryValue id="cv" value="组"/>'
                      '<bpmn:process id="p1"><bpmn:group id="g1" categoryValueRef="cv"/></bpmn:process>'
                      '</bpmn:definitions>', "categoryValue"),
    "extension-elements": (f'<?xml version="1.0"?><bpmn:definitions id="d" {NS} xmlns:vendor="http://vendor">'
                           '<bpmn:extensionElements><vendor:info key="bgcolor" value="#ffffff"/>'
                           '</bpmn:extensionElements></bpmn:definitions>', "extensionElements"),
    "no-process-collaboration": (f'<?xml version="1.0"?><bpmn:definitions id="d" {NS}><bpmn:collaboration id="c">'
                                 '<bpmn:participant id="pp" processRef="missing_process"/></bpmn:collaboration>'
                                 '</bpmn:definitions>', "missing_process"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_diagrams_are_refused_with_file_line_and_reason(sqlite_services, name):
    content, mention = CASES[name]
    with pytest.raises(InvalidDiagram) as err:
        sqlite_services.processes.deploy({f"{name}.bpmn": content})
    problems = err.value.details
    assert problems and all(p["file"] == f"{name}.bpmn" and p["message"] for p in problems)
    assert any(p["line"] for p in problems) or name in ("binary",)
    assert any(mention in (p["message"] + str(p.get("element") or "")) for p in problems), problems
    assert sqlite_services.processes.list_processes() == []


@pytest.mark.parametrize("path", sorted(MALFORMED.glob("*.bpmn")), ids=lambda p: p.name)
def test_miwg_malformed_exports_are_refused_naming_the_line(sqlite_services, path):
    with pytest.raises(InvalidDiagram) as err:
        sqlite_services.processes.deploy({path.name: path.read_bytes()})
    [problem] = err.value.details
    bad_line = {"genmymodel-C.1.0-export.bpmn": 97, "genmymodel-C.1.1-export.bpmn": 26}[path.name]
    assert problem["line"] == bad_line and "not well-formed" in problem["message"]
    assert sqlite_services.processes.list_processes() == []


def test_a_good_diagram_with_complete_di_deploys(sqlite_services):
    assert sqlite_services.processes.deploy({"ok.bpmn": with_diagram(SHAPE.format(ref="t1"))})
