"""Builds the stored-case corpus: cases of the shipped processes saved mid-flight at every stage.

    PYTHONPATH=. .venv/bin/python -m tests.integration.corpus.build_corpus

It plays the demo stories up to BUILT_AT, exports the database with `xinfang export`'s archive
format and records which story each case is. Rebuild it only when the shipped diagrams change on
purpose; the point of the corpus is that cases stored by *earlier* code keep loading and finishing
(test_corpus.py beside this file). The keys below encrypt the corpus's fictional identities only.
"""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from office.operations.backup import export_archive
from office.operations.demo import setup_demo
from office.operations.demo_cases import play
from office.root import Services
from engine.settings import Settings
from tests.support.paths import ROOT

HERE = Path(__file__).resolve().parent
BUILT_AT = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
STORIES = {"count": 36, "days": 120, "seed": 11}
CORPUS_FIELD_KEY = "omIDCTzXYM6VBCdncfHarrcOYVAFMzu_PzMsw5lmuSw="   # corpus-only: fictional people
CORPUS_HASH_KEY = "corpus-only-hash-key"


def settings(database_url: str, storage: Path) -> Settings:
    return Settings(database_url=database_url, storage_dir=storage, testing=True, scheduler_enabled=False,
                    field_keys=(CORPUS_FIELD_KEY,), hash_key=CORPUS_HASH_KEY, bpmn_dir=ROOT / "bpmn")


def build() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        svc = Services(settings(f"sqlite:///{tmp}/corpus.db", Path(tmp) / "storage"))
        svc.operations.init_db()
        setup_demo(svc)
        cases: dict[int, int] = {}
        stats = play(svc, STORIES["count"], days=STORIES["days"], seed=STORIES["seed"], now=BUILT_AT, cases=cases)
        with (HERE / "cases.jsonl.gz").open("wb") as out:
            counts = export_archive(svc.engine, out)
        statuses = Counter(svc.cases.get_case(cid)["status"] for cid in cases.values())
        svc.engine.dispose()
    manifest = {"built_at": BUILT_AT.isoformat(), **STORIES, "cases": {str(k): v for k, v in cases.items()},
                "statuses": dict(statuses), "rows": counts, "play": stats}
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return manifest


if __name__ == "__main__":
    print(json.dumps(build(), ensure_ascii=False)[:2000])
