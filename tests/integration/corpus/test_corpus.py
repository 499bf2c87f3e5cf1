"""Cases stored mid-flight by earlier code (cases.jsonl.gz beside this file) load with the current code,
on SQLite and PostgreSQL, and play on to their end: tasks complete, timers fire, nothing fails."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from office.operations.backup import import_archive
from engine.store.compat import check_stored_cases
from office.operations.demo_cases import play
from office.root import Services
from tests.integration.corpus.build_corpus import settings

HERE = Path(__file__).resolve().parent
MANIFEST = json.loads((HERE / "manifest.json").read_text())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def restored(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        from tests.support.databases import truncate_pg
        truncate_pg(url)
    svc = Services(settings(url, tmp_path / "storage"))
    svc.operations.init_db()
    with (HERE / "cases.jsonl.gz").open("rb") as archive:
        import_archive(svc.engine, archive)
    yield svc
    svc.engine.dispose()


def test_every_stored_case_loads_and_shows_its_diagram(restored):
    check_stored_cases(restored.engine)
    built = datetime.fromisoformat(MANIFEST["built_at"])
    with time_machine.travel(built, tick=False):
        for case_id in MANIFEST["cases"].values():
            detail = restored.cases.get_case(case_id)
            assert detail["status"] in ("running", "complete"), detail["error"]
            if detail["status"] == "running":
                assert restored.case_page.case_diagram(case_id, user="director")["active"], case_id


def test_stored_cases_play_on_to_their_end(restored):
    built = datetime.fromisoformat(MANIFEST["built_at"])
    cases = {int(k): v for k, v in MANIFEST["cases"].items()}
    stats = play(restored, MANIFEST["count"], days=MANIFEST["days"], seed=MANIFEST["seed"],
                 anchor=built, since=built, now=built + timedelta(days=400), cases=cases)
    assert stats.get("failed", 0) == 0, stats
    statuses = [restored.cases.get_case(cid)["status"] for cid in cases.values()]
    assert "error" not in statuses
    assert statuses.count("complete") > MANIFEST["statuses"]["complete"], "stored cases went on and finished"
