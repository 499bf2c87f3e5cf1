"""The `xinfang` command line run in-process by click's runner, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import main


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    """`cli("deploy", path)` runs `xinfang --json deploy path` against this test's database and
    asserts exit 0; `ok=False` returns the result of a command expected to fail."""
    monkeypatch.setenv("XINFANG_DATABASE_URL", database_url)
    monkeypatch.setenv("XINFANG_STORAGE_DIR", str(tmp_path / "documents"))
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(main, ["--json", *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result
    return run
