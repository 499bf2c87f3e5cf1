"""Export and import: a lossless round trip between SQLite and PostgreSQL, and cases go on."""
from __future__ import annotations

import gzip
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from office.operations.backup import export_archive, import_archive
from engine.errors import Conflict, ValidationFailed
from office.root import Services
from tests.support import bpmn_builder as b

DIAGRAM = b.process("backup_demo", (
    '<bpmn:startEvent id="start"/>' + b.user_task("decide", "reviewers") +
    b.boundary_timer("late", "decide", '"P14D"') + b.user_task("escalate", "director") +
    b.user_task("reply", "reviewers") + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>' +
    b.flow("f1", "start", "decide") + b.flow("f2", "decide", "reply") + b.flow("f5", "reply", "e1") +
    b.flow("f3", "late", "escalate") + b.flow("f4", "escalate", "e2")))
T0 = datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)


def populate(svc: Services) -> tuple[int, int]:
    svc.processes.deploy({"b.bpmn": DIAGRAM})
    svc.users.add_user("rev", groups=["reviewers"], password="pw-123456")
    svc.users.add_user("boss", groups=["director"])
    with time_machine.travel(T0, tick=False):
        waiting = svc.cases.start_case("backup_demo", {"subject": "退休金", "petitioners": [
            {"name": "王五", "id_number": "110101195001011239", "phone": "13700000000"}]}, user="rev")
        moving = svc.cases.start_case("backup_demo", {"subject": "噪音"}, user="rev")
        task = svc.tasks.list_tasks(case_id=moving["id"])["items"][0]
        svc.tasks.complete_task(task["id"], user="rev", data={"note": "已核实"})
    return waiting["id"], moving["id"]


def rows(archive: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(archive).splitlines()[1:]]


@pytest.mark.parametrize("direction", ["sqlite_to_postgres", "postgres_to_sqlite"])
def test_round_trip_is_lossless_and_cases_continue(direction, sqlite_services, pg_services):
    source, target = ((sqlite_services, pg_services) if direction == "sqlite_to_postgres"
                      else (pg_services, sqlite_services))
    target_keys = target.settings.with_(field_keys=(source.identities.keys.primary,), hash_key=source.identities.keys.hash_key.decode())
    waiting, moving = populate(source)
    buf = io.BytesIO()
    export_archive(source.engine, buf, source.settings.storage_dir)
    archive = buf.getvalue()
    restored = Services(target_keys, engine=target.engine)
    import_archive(restored.engine, io.BytesIO(archive), restored.settings.storage_dir)
    again = io.BytesIO()
    export_archive(restored.engine, again)
    assert rows(again.getvalue()) == rows(archive), "export → import → export changes nothing"
    assert restored.users.check_password("rev", "pw-123456")
    assert restored.cases.reveal_identities(waiting, user="boss", purpose="核对")[0]["name"] == "王五"
    reply = restored.tasks.list_tasks(case_id=moving)["items"][0]
    assert restored.tasks.complete_task(reply["id"], user="rev")["status"] == "complete"
    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        assert restored.timers.fire_due_timers() == 1
    assert restored.tasks.list_tasks(case_id=waiting)["items"][0]["bpmn_id"] == "escalate"
    new = restored.cases.start_case("backup_demo", user="rev")
    assert new["id"] == max(waiting, moving) + 1, "identity sequences continue after the restore"


def test_import_refuses_a_non_empty_database_and_foreign_files(sqlite_services):
    populate(sqlite_services)
    buf = io.BytesIO()
    export_archive(sqlite_services.engine, buf)
    with pytest.raises(Conflict, match="not empty"):
        import_archive(sqlite_services.engine, io.BytesIO(buf.getvalue()))
    with pytest.raises(ValidationFailed, match="not a Xinfang archive"):
        import_archive(sqlite_services.engine, io.BytesIO(gzip.compress(b'{"hello": 1}\n')))
