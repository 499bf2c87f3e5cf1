"""Our SpiffWorkflow parser: the Spiff dialect, XSD validation, and service tasks that
merge a handler's result into the case data."""
from __future__ import annotations

import json

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask


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


class XinfangParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = dict(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES[full_tag("serviceTask")] = (ServiceTaskParser, HandlerTask)


def new_parser() -> XinfangParser:
    return XinfangParser(validator=VALIDATOR)


SERVICE_TASK_CONVERTERS = {HandlerTask: ServiceTaskConverter}
