"""The script engine we give SpiffWorkflow: restricted expressions, no scripts, handlers.

SpiffWorkflow's default engine runs every condition, timer and parameter through
eval() with full builtins, and a freshly deserialized workflow silently gets that
default back. `attach()` is therefore called on every load and every new workflow.
"""
from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.bpmn import expressions


@dataclass
class StepContext:
    """What handlers and expression functions may see during one engine step."""

    case_id: int | None
    actor: str
    now: datetime
    dependencies: dict[str, Any] = field(default_factory=dict)
    handlers: Any = None                 # the registry: .get_handler(name) -> function
    handler_calls: list[dict] = field(default_factory=list)

    def dependency(self, name: str) -> Any:
        if name not in self.dependencies:
            raise LookupError(f"handler dependency {name!r} is not provided by the engine")
        value = self.dependencies[name]
        if callable(value) and getattr(value, "_lazy_dependency", False):
            value = self.dependencies[name] = value()
        return value


def handler_parameters(fn: Callable) -> tuple[set[str], set[str], set[str]]:
    """(required, optional) BPMN parameter names and keyword-only dependency names of a handler:
    parameters come from the diagram, dependencies from the engine, chosen by name."""
    required, optional, deps = set(), set(), set()
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.KEYWORD_ONLY:
            deps.add(p.name)
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY):
            (required if p.default is p.empty else optional).add(p.name)
    return required, optional, deps


def lazy(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Marks a dependency factory so it is only built when a handler asks for it."""
    factory._lazy_dependency = True
    return factory


def _deadline(data: dict) -> Callable[[str], str]:
    def deadline(name: str) -> str:
        try:
            return data["deadlines"][name]
        except (KeyError, TypeError):
            raise ValueError(f"no deadline {name!r} has been computed for this case") from None
    return deadline


SAFE_FUNCTIONS: dict[str, Callable] = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool,
    "abs": abs, "min": min, "max": max, "round": round,
}
# Names an expression may call; `deadline` is bound to the task's data at evaluation time.
EXPRESSION_FUNCTIONS = frozenset(SAFE_FUNCTIONS) | {"deadline"}


class ScriptsForbidden(RuntimeError):
    pass


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, context: StepContext):
        super().__init__({})
        self.context = context

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        functions = dict(SAFE_FUNCTIONS, deadline=_deadline(context))
        return expressions.evaluate(expression, names, functions)

    def execute(self, script, context, external_context=None):
        raise ScriptsForbidden("scripts are not executed; put the logic in a registered handler")

    def call_service(self, context, operation_name=None, operation_params=None, **_):
        fn = self.context.handlers.get_handler(operation_name)
        _, _, deps = handler_parameters(fn)
        kwargs = {k: v["value"] for k, v in (operation_params or {}).items()}
        kwargs.update({name: self._dependency(name, context) for name in deps})
        result = fn(**kwargs)
        if result is None:
            result = {}
        if not isinstance(result, dict):
            raise TypeError(f"handler {operation_name!r} returned {type(result).__name__}, not a dict")
        self.context.handler_calls.append({"handler": operation_name, "result": sorted(result)})
        return json.dumps(result, default=str)

    def _dependency(self, name: str, data: dict) -> Any:
        if name == "data":
            return dict(data)
        return self.context.dependency(name)


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self, context: StepContext):
        super().__init__(environment=SafeEnvironment(context))
        self.context = context

    def call_service(self, task, **kwargs):
        """Keeps the handler's own exception as the cause (the library loses it)."""
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            name = kwargs.get("operation_name")
            raise WorkflowTaskException(f"handler {name!r} failed: {type(err).__name__}: {err}",
                                        task=task, exception=err) from err


def attach(workflow, context: StepContext):
    workflow.script_engine = SafeScriptEngine(context)
    return workflow
