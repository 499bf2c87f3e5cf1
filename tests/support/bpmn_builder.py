"""Tiny BPMN documents for engine tests, so each test shows the diagram it runs."""
from __future__ import annotations

HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Defs_{pid}" targetNamespace="http://example.org/bpmn">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
'''
TAIL = '''  </bpmn:process>
</bpmn:definitions>
'''


def user_task(tid: str, groups: str = "clerk", extra_props: str = "", name: str | None = None) -> str:
    return (f'<bpmn:userTask id="{tid}" name="{name or tid}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="candidateGroups" value="{groups}"/>{extra_props}'
            f'</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>\n')


def service_task(tid: str, handler: str, params: dict[str, str] | None = None) -> str:
    ps = "".join(f'<spiffworkflow:parameter id="{k}" type="any" value="{v}"/>' for k, v in (params or {}).items())
    return (f'<bpmn:serviceTask id="{tid}" name="{tid}"><bpmn:extensionElements>'
            f'<spiffworkflow:serviceTaskOperator id="{handler}"><spiffworkflow:parameters>{ps}'
            f'</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
            f'</bpmn:serviceTask>\n')


def flow(fid: str, src: str, dst: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}"/>\n'
    return (f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">'
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
            f'</bpmn:conditionExpression></bpmn:sequenceFlow>\n')


def process(pid: str, body: str) -> str:
    return HEAD.format(pid=pid) + body + TAIL


def linear(pid: str, *nodes: tuple[str, str]) -> str:
    """start -> nodes... -> end, each node given as (id, xml)."""
    body = '<bpmn:startEvent id="start"/>\n<bpmn:endEvent id="end"/>\n'
    ids = ["start"] + [n for n, _ in nodes] + ["end"]
    body += "".join(xml for _, xml in nodes)
    body += "".join(flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:])))
    return process(pid, body)


def boundary_timer(bid: str, attached: str, expression: str, interrupting: bool = True,
                   kind: str = "timeDuration") -> str:
    cancel = "true" if interrupting else "false"
    return (f'<bpmn:boundaryEvent id="{bid}" attachedToRef="{attached}" cancelActivity="{cancel}">'
            f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}'
            f'</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:boundaryEvent>\n')
