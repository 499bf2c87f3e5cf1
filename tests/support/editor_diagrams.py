"""Diagrams for the editor's tests: a small one with a due date and a gateway, drawn (with DI) so the
editor can show it, and a Camunda Modeler file to import."""
from __future__ import annotations

from tests.support import bpmn_builder as b

KEY = "routing"
DI_NS = ('xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
         'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" ')
BOXES = {"start": (60, 142, 36, 36), "decide": (150, 120, 100, 80), "gw": (310, 135, 50, 50),
         "fast": (420, 40, 100, 80), "slow": (420, 200, 100, 80), "end": (600, 142, 36, 36)}
FLOWS = [("f_start", "start", "decide", None), ("f_decide", "decide", "gw", None),
         ("f_fast", "gw", "fast", "urgent"), ("f_slow", "gw", "slow", "not urgent"),
         ("f_fast_end", "fast", "end", None), ("f_slow_end", "slow", "end", None)]


def routing_diagram() -> str:
    body = '<bpmn:startEvent id="start"/>\n<bpmn:endEvent id="end"/>\n'
    body += b.user_task("decide", "clerk", '<spiffworkflow:property name="dueIn" value="P15D"/>', name="研判")
    body += '<bpmn:exclusiveGateway id="gw" name="紧急?"/>\n'
    body += b.user_task("fast", "director", name="快办") + b.user_task("slow", "clerk", name="常规办理")
    body += "".join(b.flow(fid, src, dst, cond) for fid, src, dst, cond in FLOWS)
    shapes = "".join(f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}"><dc:Bounds x="{x}" y="{y}" width="{w}" '
                     f'height="{h}"/></bpmndi:BPMNShape>' for n, (x, y, w, h) in BOXES.items())
    edges = ""
    for fid, src, dst, _ in FLOWS:
        (sx, sy, sw, sh), (dx, dy, _, dh) = BOXES[src], BOXES[dst]
        edges += (f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}"><di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/>'
                  f'<di:waypoint x="{dx}" y="{dy + dh // 2}"/></bpmndi:BPMNEdge>')
    plane = (f'<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{KEY}">{shapes}{edges}'
             '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    xml = b.process(KEY, body)
    return xml.replace("<bpmn:definitions ", "<bpmn:definitions " + DI_NS, 1).replace(
        "</bpmn:definitions>", plane + "\n</bpmn:definitions>")


# As Camunda Modeler writes it: candidateGroups, formKey and dueDate map to ours; the rest is reported.
CAMUNDA_DIAGRAM = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="camunda_leave" name="请假" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="director" camunda:formKey="approve_form"
                   camunda:assignee="zhang" camunda:dueDate="P3D">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="reminders" value="2,1"/></camunda:properties>
        <camunda:taskListener event="create" class="org.example.Listener"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>'''
