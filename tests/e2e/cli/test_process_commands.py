"""Commands that play the shipped processes: `xinfang demo` fills an office with cases and
`xinfang test-process` runs analyst scenario files (JSON or YAML), failing on a wrong expectation."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import main
from office.operations.demo import setup_demo
from tests.support.paths import ROOT


def test_demo_command_prints_progress_and_a_summary(sqlite_services, monkeypatch):
    monkeypatch.setenv("XINFANG_DATABASE_URL", sqlite_services.settings.database_url)
    setup_demo(sqlite_services)
    result = CliRunner().invoke(main, ["demo", "--cases", "50", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["cases"] == 50


def test_yaml_file_and_cli(tmp_path, monkeypatch):
    scenario = json.loads((ROOT / "bpmn/scenarios/intake/not_accepted.json").read_text(encoding="utf-8"))
    import yaml
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    scenario["expect"]["status"] = "running"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("XINFANG_DATABASE_URL", f"sqlite:///{tmp_path / 'live.db'}")
    ok = CliRunner().invoke(main, ["test-process", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["passed"] == 1
    failed = CliRunner().invoke(main, ["test-process", str(good), str(bad)])
    assert failed.exit_code == 1
    assert "FAIL" in failed.output and "1 passed, 1 failed" in failed.output
