"""Our SpiffWorkflow parser: the Spiff dialect, XSD validation, service tasks that merge a
handler's result into the case data, and timer events on engine.clock."""
from __future__ import annotations

import json

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, IntermediateThrowEvent, StartEvent
from SpiffWorkflow.spiff.parser.event_parsers import (SpiffBoundaryEventParser, SpiffIntermediateCatchEventParser,
                                                      SpiffIntermediateThrowEventParser, SpiffStartEventParser)
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

from engine.bpmn.timer_events import ON_OUR_CLOCK


class HandlerTask(ServiceTask):
    """A service task bound to a registered handler.

    Without an explicit resultVariable the handler's dict is merged into the task
    data, so diagrams read `reg_no`, not `spiff__assign_number_result["reg_no"]`.
    """

    def _execute(self, task):
        result = json.loads(task.workflow.script_engine.call_service(
            task, operation_name=self.operation_name,
            operation_params=self.evaluate_params(task)))
        if self.result_variable.startswith("spiff__"):
            task.data.update(result or {})
        else:
            task.data[self.result_variable] = result
        return True


class OnOurClock:
    """Event-parser mixin: the library's `parse_timer_event` names its timer classes directly,
    so what it parsed is rebuilt as ours (same name, expression and description)."""

    def parse_timer_event(self, event):
        parsed = super().parse_timer_event(event)
        return ON_OUR_CLOCK[type(parsed)](parsed.name, parsed.expression, description=parsed.description)


class StartEventParser(OnOurClock, SpiffStartEventParser):
    pass


class BoundaryEventParser(OnOurClock, SpiffBoundaryEventParser):
    pass


class IntermediateCatchEventParser(OnOurClock, SpiffIntermediateCatchEventParser):
    pass


class IntermediateThrowEventParser(OnOurClock, SpiffIntermediateThrowEventParser):
    pass


class XinfangParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, HandlerTask),
        full_tag("startEvent"): (StartEventParser, StartEvent),
        full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (IntermediateThrowEventParser, IntermediateThrowEvent),
    }


def new_parser() -> XinfangParser:
    return XinfangParser(validator=VALIDATOR)


SERVICE_TASK_CONVERTERS = {HandlerTask: ServiceTaskConverter}
