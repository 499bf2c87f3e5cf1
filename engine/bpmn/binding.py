"""Which version of a called process a call activity starts (Camunda's `calledElementBinding`).

    <bpmn:callActivity id="handling_call" calledElement="handling"
        camunda:calledElementBinding="version" camunda:calledElementVersion="2"/>

- `latest` (the default): the newest version deployed when the case starts;
- `deployment`: the version deployed together with the calling diagram (the copy in its bundle);
- `version`: the given version number.

The binding is read from the XML at deploy time and stored with the definition's specs; the
versions are chosen once per case, when it starts (engine/spec_cache.py), so a running case keeps
the versions it started with until a migration moves it on purpose.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask

from engine.bpmn.lint import NS, Problem

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BINDINGS = ("latest", "deployment", "version")
LATEST = {"binding": "latest"}


def call_bindings(trees: dict[str, object]) -> tuple[dict[str, dict], list[Problem]]:
    """{call activity id: {"called", "binding"[, "version"]}} for every call activity that pins a
    binding other than `latest`, and the problems with the attributes found."""
    out: dict[str, dict] = {}
    problems: list[Problem] = []
    for name in sorted(trees):
        for node in trees[name].getroot().iterfind(".//bpmn:callActivity", NS):
            binding = node.get(f"{{{CAMUNDA}}}calledElementBinding", "latest")
            version = node.get(f"{{{CAMUNDA}}}calledElementVersion")
            where = node.get("id")
            if binding not in BINDINGS:
                problems.append(Problem(name, node.sourceline, where, f"calledElementBinding must be one of "
                                                                      f"{', '.join(BINDINGS)}, not {binding!r}"))
            elif binding == "version" and not (version or "").isdigit():
                problems.append(Problem(name, node.sourceline, where,
                                        "calledElementBinding=\"version\" needs calledElementVersion, a number"))
            elif binding != "latest":
                entry = {"called": node.get("calledElement"), "binding": binding}
                if binding == "version":
                    entry["version"] = int(version)
                out[where] = entry
    return out, problems


def pinned_versions(calls: dict[str, dict]) -> list[tuple[str, int]]:
    """(process key, version) pairs the bundle pins, for deploy to check that they exist."""
    return sorted({(c["called"], c["version"]) for c in calls.values() if c["binding"] == "version"})


def calls_in(spec) -> list[tuple[str, str]]:
    """(call activity id, called process key) in a process spec, in a fixed order."""
    return sorted((ts.bpmn_id, ts.spec) for ts in spec.task_specs.values() if isinstance(ts, CallActivity))


def embedded_in(spec) -> list[str]:
    """The embedded subprocesses (not call activities) of a spec: they come with their process."""
    return sorted({ts.spec for ts in spec.task_specs.values()
                   if isinstance(ts, SubWorkflowTask) and not isinstance(ts, CallActivity)})
