"""Which version of `handling` a petition runs: the latest deployed when it is registered, unless the
intake diagram pins another (calledElementBinding); running cases keep what they started with."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import InvalidDiagram
from engine.store import repository

from tests.support.office import petition

BPMN = Path(__file__).resolve().parents[3] / "bpmn"
OLD_NAME = 'name="承办单位签收或异议退回"'
CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def handling_v2() -> str:
    text = (BPMN / "handling.bpmn").read_text(encoding="utf-8")
    assert OLD_NAME in text
    return text.replace(OLD_NAME, 'name="承办单位签收（新版）"')


def intake_pinned(binding: str, version: int | None = None) -> str:
    text = (BPMN / "intake.bpmn").read_text(encoding="utf-8")
    pin = f'camunda:calledElementBinding="{binding}"' + (f' camunda:calledElementVersion="{version}"' if version else "")
    text = text.replace('<bpmn:definitions ', f'<bpmn:definitions {CAMUNDA} ', 1)
    return text.replace('calledElement="handling"', f'calledElement="handling" {pin}', 1)


def sign_task_name(o, *, routed_before: int | None = None) -> str:
    case = routed_before if routed_before is not None else o.register(petition("道路破损无人维修"))
    o.triage(case, "申诉求决类")
    o.route_to_units(case, "housing")
    return o.task(case, "unit_sign")["name"]


def test_new_handling_version_reaches_new_petitions_and_not_running_ones(office):
    o = office
    waiting = o.register(petition("早登记的案件"))           # started while handling v1 is the latest
    assert sign_task_name(o) == "承办单位签收或异议退回"
    deployed = o.s.processes.deploy({"handling.bpmn": handling_v2()})
    assert deployed == [{"key": "handling", "version": 2, "new": True}]
    assert sign_task_name(o) == "承办单位签收（新版）"
    assert sign_task_name(o, routed_before=waiting) == "承办单位签收或异议退回", "a running case keeps v1"
    # redeploying intake on its own leaves handling at its latest version
    intake = (BPMN / "intake.bpmn").read_text(encoding="utf-8") + "\n<!-- redeployed -->\n"
    assert o.s.processes.deploy({"intake.bpmn": intake})[0]["version"] == 2
    assert sign_task_name(o) == "承办单位签收（新版）"


def test_a_pinned_version_or_the_deployment_binding_is_honoured(office):
    o = office
    o.s.processes.deploy({"handling.bpmn": handling_v2()})
    o.s.processes.deploy({"intake.bpmn": intake_pinned("version", 1)})
    assert sign_task_name(o) == "承办单位签收或异议退回"
    # deployed together: the bundle's own handling, even after a newer one is deployed alone
    o.s.processes.deploy({"intake.bpmn": intake_pinned("deployment"),
                          "handling.bpmn": handling_v2().replace("（新版）", "（同批）")})
    o.s.processes.deploy({"handling.bpmn": handling_v2().replace("（新版）", "（更新）")})
    assert sign_task_name(o) == "承办单位签收（同批）"


def test_a_pin_to_a_version_that_does_not_exist_is_refused(office):
    with pytest.raises(InvalidDiagram, match="handling version 9"):
        office.s.processes.deploy({"intake.bpmn": intake_pinned("version", 9)})
    with pytest.raises(InvalidDiagram, match="calledElementBinding"):
        office.s.processes.deploy({"intake.bpmn": intake_pinned("newest")})


RESOLVE = """
import json, sys, tempfile
from pathlib import Path
from engine.settings import Settings
from engine.store import repository
from office.root import Services
from office.operations.demo import setup_demo
sys.path.insert(0, {root!r})
from tests.integration.processes.test_version_binding import BPMN, handling_v2
with tempfile.TemporaryDirectory() as tmp:
    svc = Services(Settings(database_url=f"sqlite:///{{tmp}}/x.db", storage_dir=Path(tmp) / "docs", testing=True,
                            scheduler_enabled=False, secret_key="k"))
    svc.core.init_db()
    setup_demo(svc)
    svc.processes.deploy({{"handling.bpmn": handling_v2()}})
    svc.processes.deploy({{"intake.bpmn": (BPMN / "intake.bpmn").read_text() + "<!-- again -->"}})
    with svc.core.uow(write=False) as uow:
        intake = repository.latest_definition(uow.session, "intake")
        bound = svc.core.runner.specs.bind(uow.session, intake)
        versions = {{k: uow.session.get(type(intake), i).version for k, i in sorted(bound.items())}}
        bundled = "（新版）" in intake.bundle["handling.bpmn"]
    svc.engine.dispose()
print(json.dumps({{"versions": versions, "bundled_v2": bundled}}))
"""


def test_resolution_does_not_depend_on_hash_order():
    root = str(Path(__file__).resolve().parents[3])
    seen = set()
    for seed in ("0", "1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", RESOLVE.format(root=root)], env=env, cwd=root,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        seen.add(done.stdout.strip().splitlines()[-1])
    assert len(seen) == 1, seen
    result = json.loads(seen.pop())
    assert result["versions"]["handling"] == 2 and result["bundled_v2"] is True, result


def test_repository_finds_a_pinned_version(office):
    with office.s.core.uow(write=False) as uow:
        assert repository.definition_version_or_none(uow.session, "handling", 1).version == 1
        assert repository.definition_version_or_none(uow.session, "handling", 7) is None
