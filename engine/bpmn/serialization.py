"""Workflow state as a compact blob that refers to its definition instead of embedding it.

SpiffWorkflow's default serializer writes the whole process spec into every case
(about 10 of 14 KB); we store specs once per definition and keep only the task tree
and data per case, zlib-compressed.
"""
from __future__ import annotations

import json
import zlib
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn.parsing import SERVICE_TASK_CONVERTERS
from engine.bpmn.timer_events import ON_OUR_CLOCK

LIB_VERSION = version("SpiffWorkflow")
STATE_FORMAT = VERSION          # the serializer format stored with each case (engine/store/compat.py)


class SpecByReferenceConverter(BpmnWorkflowConverter):
    """Leaves the specs out of the dict; `from_dict` takes them from the definition cache."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry(spec_by_reference: bool):
    # our timer classes carry the library's names, so stored specs restore into them
    config = {cls: converter for cls, converter in SPIFF_CONFIG.items() if cls not in ON_OUR_CLOCK}
    config.update({ours: SPIFF_CONFIG[theirs] for theirs, ours in ON_OUR_CLOCK.items()})
    config.update(SERVICE_TASK_CONVERTERS)
    if spec_by_reference:
        config[BpmnWorkflow] = SpecByReferenceConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"v": v.isoformat()}, lambda d: date.fromisoformat(d["v"]))
    registry.register(Decimal, lambda v: {"v": str(v)}, lambda d: Decimal(d["v"]))
    return registry


_STATE = BpmnWorkflowSerializer(_registry(spec_by_reference=True))
_FULL = BpmnWorkflowSerializer(_registry(spec_by_reference=False))


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Compact, compressed case state without its spec."""
    _STATE.registry._encoder_mode = True
    try:
        dct = _STATE.to_dict(workflow)
        text = json.dumps(dct, cls=_STATE._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    finally:
        _STATE.registry._encoder_mode = False
    return zlib.compress(text.encode("utf-8"), 6)


def load_state(blob: bytes, spec, subprocess_specs: dict) -> BpmnWorkflow:
    dct = json.loads(zlib.decompress(blob).decode("utf-8"))
    return _STATE.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)


def state_as_dict(blob: bytes) -> dict:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


def dump_specs(spec, subprocess_specs: dict, calls: dict | None = None) -> str:
    """The definition's specs; `calls`: the call activities' pinned bindings (engine/bpmn/binding.py)."""
    return json.dumps({
        "spec": _FULL.registry.convert(spec),
        "subprocess_specs": {k: _FULL.registry.convert(v) for k, v in subprocess_specs.items()},
        "calls": calls or {},
    }, separators=(",", ":"), ensure_ascii=False)


def load_definition(text: str) -> tuple:
    """(spec, subprocess specs, pinned call bindings); definitions stored before bindings have none."""
    dct = json.loads(text)
    spec = _FULL.registry.restore(dct["spec"])
    subs = {k: _FULL.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
    return spec, subs, dct.get("calls") or {}


def load_specs(text: str):
    spec, subs, _ = load_definition(text)
    return spec, subs
