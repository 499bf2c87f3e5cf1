"""Analyst scenario files: BPMN unit tests run against a throwaway database with a moved clock.

A scenario (bpmn/scenarios/<key>/<name>.json, or YAML) starts a case with given data, completes
tasks, moves the clock and checks the path and end state. It never touches the live database:
each run gets its own temporary SQLite file, deploys the diagrams there and is deleted after.
The clock is moved for the running thread only (engine.clock.travel), so the editor runs
scenarios inside its request while other requests and the scheduler keep the real time.
"""
from __future__ import annotations

import json
import re
import secrets
import tempfile
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine import clock
from engine.errors import CaseFailed, ValidationFailed, XinfangError
from engine.settings import Settings

START = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)   # a Monday, 09:00 in Beijing
_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_STEP_KINDS = ("complete", "advance", "fire_timers")


@dataclass
class Result:
    name: str
    process: str
    description: str = ""
    failures: list[str] = field(default_factory=list)
    status: str | None = None
    path: list[str] = field(default_factory=list)
    open_tasks: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {"name": self.name, "process": self.process, "description": self.description,
                "passed": self.passed, "failures": self.failures, "status": self.status,
                "path": self.path, "open_tasks": self.open_tasks}


def duration(text: str) -> timedelta:
    """ISO 8601 duration without years/months (their length depends on the start date)."""
    match = _DURATION.match(text or "") if isinstance(text, str) else None
    if not match or text == "P" or text.endswith("T"):
        raise ValidationFailed(f"not an ISO 8601 duration like P16D or PT2H: {text!r}")
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def load_file(path: Path) -> dict:
    """JSON or YAML (.yaml/.yml); the structure is checked before anything runs."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml
            scenario = yaml.safe_load(text)
        else:
            scenario = json.loads(text)
    except Exception as err:   # both parsers' errors carry line information in their message
        raise ValidationFailed(f"{path.name}: cannot read the scenario: {err}") from None
    check(scenario, path.name)
    return scenario


def check(scenario, name: str = "scenario") -> None:
    problems = _structure_problems(scenario)
    if problems:
        raise ValidationFailed(f"{name}: " + "; ".join(problems), [{"message": p} for p in problems])


def _structure_problems(scenario) -> list[str]:
    if not isinstance(scenario, dict):
        return ["a scenario is an object with process, start, steps and expect"]
    problems = []
    if not isinstance(scenario.get("process"), str) or not scenario["process"]:
        problems.append("'process' (the process key) is required")
    if not isinstance(scenario.get("start", {}), dict):
        problems.append("'start' must be an object (the case's start data)")
    steps = scenario.get("steps", [])
    if not isinstance(steps, list):
        return problems + ["'steps' must be a list"]
    for number, step in enumerate(steps, 1):
        kinds = [k for k in _STEP_KINDS if isinstance(step, dict) and k in step]
        if len(kinds) != 1:
            problems.append(f"step {number}: needs exactly one of {', '.join(_STEP_KINDS)}")
        elif kinds == ["advance"]:
            try:
                duration(step["advance"])
            except ValidationFailed as err:
                problems.append(f"step {number}: {err.message}")
    expect = scenario.get("expect", {})
    if not isinstance(expect, dict):
        problems.append("'expect' must be an object")
    elif expect.get("status") not in (None, "complete", "running", "error"):
        problems.append("expect.status is one of complete, running, error")
    return problems


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(s == w for s in it) for w in wanted)


def find_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
        else:
            out.append(path)
    return out


def run(scenario: dict, settings: Settings, *, name: str = "scenario",
        diagrams: dict[str, str] | None = None) -> Result:
    """Runs one scenario. `diagrams` ({file: xml}) replace files of settings.bpmn_dir with the same
    name (the editor passes the unsaved diagram); every other shipped diagram is deployed too."""
    check(scenario, name)
    result = Result(name, scenario["process"], scenario.get("description", ""))
    with tempfile.TemporaryDirectory(prefix="xinfang-scenario-") as tmp:
        services = _throwaway(settings, Path(tmp))
        try:
            try:
                _deploy(services, settings.bpmn_dir, scenario["process"], diagrams)
            except XinfangError as err:
                result.failures.append(f"the diagrams do not deploy: {err.message}")
                return result
            _play(services, scenario, result)
        finally:
            services.engine.dispose()
    return result


def _deploy(services, bpmn_dir: Path, key: str, diagrams: dict[str, str] | None) -> None:
    """The diagram under test must deploy. Normally everything deploys together; if some other shipped
    diagram cannot (e.g. it needs a handler this process lacks), the others are deployed one by one
    where they can be, then the diagram under test."""
    shipped = {p.name: p.read_text(encoding="utf-8") for p in sorted(bpmn_dir.glob("*.bpmn"))}
    main = dict(diagrams) if diagrams else ({f"{key}.bpmn": shipped[f"{key}.bpmn"]} if f"{key}.bpmn" in shipped
                                            else dict(shipped))
    others = {n: t for n, t in shipped.items() if n not in main}
    try:
        services.processes.deploy({**others, **main}, user="scenario")     # normally all together (calls may cycle)
        return
    except XinfangError:
        if not others:
            raise
    for _ in range(2):
        for name in list(others):
            try:
                services.processes.deploy({name: others[name]}, user="scenario")
                del others[name]
            except XinfangError:
                pass
    services.processes.deploy(main, user="scenario")


def run_files(paths: list[Path], settings: Settings, diagrams: dict[str, str] | None = None) -> list[dict]:
    """Every file as a result dict (a refused file is a failed result)."""
    out = []
    for path in paths:
        try:
            out.append(run(load_file(path), settings, name=path.name, diagrams=diagrams).as_dict())
        except ValidationFailed as err:
            out.append(Result(path.name, path.parent.name, failures=[err.message]).as_dict())
    return out


def _throwaway(settings: Settings, tmp: Path):
    from office.operations.demo import DEMO_UNITS, DEMO_USERS
    from office.root import Services
    fernet = urlsafe_b64encode(secrets.token_bytes(32)).decode()
    services = Services(settings.with_(database_url=f"sqlite:///{tmp / 'scenario.db'}", storage_dir=tmp / "docs",
                                       scheduler_enabled=False, field_keys=(fernet,),
                                       hash_key=secrets.token_hex(16)))
    services.operations.init_db()
    for code, unit_name, kind in DEMO_UNITS:
        services.users.add_unit(code, unit_name, kind)
    for username, display, groups, unit in DEMO_USERS:
        services.users.add_user(username, groups=groups, display_name=display, unit=unit)
    return services


def _play(services, scenario: dict, result: Result) -> None:
    case_id = None
    with clock.travel(START) as moved:
        try:
            case = services.cases.start_case(scenario["process"], scenario.get("start", {}),
                                             user=scenario.get("user", "system"))
            case_id = case["id"]
            for number, step in enumerate(scenario.get("steps", []), 1):
                _step(services, case_id, step, number, moved)
        except CaseFailed as err:   # the case stopped in error: compare with what was expected
            case_id = case_id if case_id is not None else (err.details or {}).get("case_id")
            if scenario.get("expect", {}).get("status") != "error":
                result.failures.append(err.message)
        except XinfangError as err:
            result.failures.append(err.message)
        if case_id is not None:
            _compare(services, case_id, scenario.get("expect", {}), result)


def _step(services, case_id: int, step: dict, number: int, moved: clock.MovedClock) -> None:
    if "advance" in step:
        moved.shift(duration(step["advance"]))
        services.timers.fire_due_timers()
    elif "fire_timers" in step:
        services.timers.fire_due_timers()
    else:
        open_tasks = services.tasks.list_tasks(case_id=case_id, per_page=200)["items"]
        found = [t for t in open_tasks if t["bpmn_id"] == step["complete"]]
        if not found:
            ids = sorted(t["bpmn_id"] for t in open_tasks)
            raise ValidationFailed(f"step {number}: no open task {step['complete']!r} (open: {ids})")
        services.tasks.complete_task(found[0]["id"], user=step.get("user", "system"), data=step.get("data", {}))


def _compare(services, case_id: int, expect: dict, result: Result) -> None:
    detail = services.cases.get_case(case_id)
    result.status = detail["status"]
    result.path = [e["bpmn_id"] for e in sorted(detail["events"], key=lambda e: e["id"]) if e.get("bpmn_id")]
    result.open_tasks = sorted(t["bpmn_id"] for t in services.tasks.list_tasks(case_id=case_id, per_page=200)["items"]
                               if ":" not in t["bpmn_id"])
    if expect.get("status") and expect["status"] != result.status:
        where = f" ({detail.get('error')})" if detail.get("error") else ""
        result.failures.append(f"status is {result.status}, expected {expect['status']}{where}")
    if not is_subsequence(expect.get("path", []), result.path):
        result.failures.append(f"path {result.path} does not contain {expect['path']} in order")
    if "open_tasks" in expect and sorted(expect["open_tasks"]) != result.open_tasks:
        result.failures.append(f"open tasks are {result.open_tasks}, expected {sorted(expect['open_tasks'])}")
    for key, value in expect.get("data", {}).items():
        if detail["data"].get(key) != value:
            result.failures.append(f"data[{key!r}] is {detail['data'].get(key)!r}, expected {value!r}")
