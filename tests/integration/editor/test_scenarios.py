"""Analyst scenario files: every shipped file passes, a wrong expectation is reported, bad files are refused,
and the editor runs them inside its request on a clock moved for that request only."""
from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.settings import Settings
from office.editor import scenarios
from office.root import Services
from tests.support.paths import ROOT

FILES = scenarios.find_files([ROOT / "bpmn" / "scenarios"])


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'live.db'}", storage_dir=tmp_path / "docs", testing=True)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_shipped_scenario_passes(settings, path):
    result = scenarios.run(scenarios.load_file(path), settings, name=path.name)
    assert result.passed, result.failures


def test_wrong_expectation_is_reported_and_live_database_untouched(settings, tmp_path):
    scenario = json.loads(FILES[0].read_text(encoding="utf-8"))
    scenario["expect"] = {"status": "running", "path": ["no_such_step"], "data": {"route": "nowhere"}}
    result = scenarios.run(scenario, settings)
    assert not result.passed
    assert any("status is" in f for f in result.failures)
    assert any("no_such_step" in f for f in result.failures)
    assert any("data['route']" in f for f in result.failures)
    assert not (tmp_path / "live.db").exists()


def test_missing_task_names_the_open_ones(settings):
    scenario = {"process": "intake", "start": {"channel": "来信", "subject": "x"},
                "steps": [{"complete": "not_a_task", "user": "clerk"}], "expect": {}}
    result = scenarios.run(scenario, settings)
    assert result.failures and "no open task 'not_a_task'" in result.failures[0]
    assert "triage" in result.failures[0]


@pytest.mark.parametrize("bad, message", [
    ({"start": {}}, "'process'"),
    ({"process": "intake", "steps": [{"advance": "16 days"}]}, "ISO 8601 duration"),
    ({"process": "intake", "steps": [{"complete": "a", "advance": "P1D"}]}, "exactly one of"),
    ({"process": "intake", "expect": {"status": "done"}}, "expect.status"),
])
def test_malformed_scenarios_are_refused(settings, bad, message):
    with pytest.raises(ValidationFailed, match=message):
        scenarios.run(bad, settings)


@pytest.fixture
def analysts_office(settings):
    svc = Services(settings)
    svc.operations.init_db()
    svc.users.add_user("analyst", groups=["analyst"])
    yield svc
    svc.engine.dispose()


def test_editor_runs_scenarios_in_its_request_without_moving_other_threads_clocks(analysts_office, monkeypatch):
    """No worker process any more: the scenarios' moved clock is the request thread's alone."""
    def no_processes(process):
        raise AssertionError(f"scenarios started a process ({process.name})")
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_processes)
    done, seen = threading.Event(), []

    def other_request():
        while not done.is_set():
            seen.append((utcnow(), datetime.now(timezone.utc)))
            done.wait(0.01)
    watcher = threading.Thread(target=other_request)
    watcher.start()
    try:
        results = analysts_office.editor.run_scenarios("intake", user="analyst")
    finally:
        done.set()
        watcher.join(5)
    intake = [p.name for p in FILES if p.parent.name == "intake"]
    assert sorted(r["name"] for r in results) == sorted(intake) and all(r["passed"] for r in results), results
    assert len(seen) > 10 and all(abs(ours - real) < timedelta(seconds=5) for ours, real in seen)
    assert multiprocessing.active_children() == []
