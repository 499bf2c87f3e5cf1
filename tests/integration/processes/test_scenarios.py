"""The analyst scenario files shipped in bpmn/scenarios hold for the shipped processes.

A minimal player of the contract's format (start, complete, advance, fire_timers, expect), driven
through the service API with a moved clock; the editor's `xinfang test-process` runs the same files.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from tests.support.paths import ROOT

FILES = sorted((ROOT / "bpmn" / "scenarios").glob("*/*.json"))
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def duration(text: str) -> timedelta:
    days, hours, minutes = (int(g or 0) for g in _DURATION.match(text).groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(s == w for s in it) for w in wanted)


def play(o, scenario: dict) -> int:
    with time_machine.travel(T0, tick=False) as clock:
        case = o.s.cases.start_case(scenario["process"], scenario["start"], user=scenario.get("user", "clerk"))["id"]
        for step in scenario["steps"]:
            if "advance" in step:
                clock.shift(duration(step["advance"]))
                o.s.timers.fire_due_timers()
            elif step.get("fire_timers"):
                o.s.timers.fire_due_timers()
            else:
                o.do(case, step["complete"], step["user"], **step.get("data", {}))
    return case


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_scenario(office1, path):
    scenario = json.loads(path.read_text(encoding="utf-8"))
    assert path.parent.name == scenario["process"]
    case = play(office1, scenario)
    expect = scenario["expect"]
    detail = office1.case(case)
    assert detail["status"] == expect["status"], detail.get("error")
    assert is_subsequence(expect.get("path", []), office1.path(case)), office1.path(case)
    if "open_tasks" in expect:
        assert office1.open_ids(case) == sorted(expect["open_tasks"])
    for key, value in expect.get("data", {}).items():
        assert detail["data"].get(key) == value, key


def test_every_shipped_process_has_scenarios():
    assert {p.parent.name for p in FILES} == {"intake", "handling", "review", "litigation", "accusation"}
