"""Process library, version diffs and case migration (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from engine.errors import Conflict, NotAllowed
from tests.support.bpmn_builder import linear, user_task

V1 = linear("leave", ("ask", user_task("ask")), ("decide", user_task("decide", "director")))
V2 = linear("leave", ("ask", user_task("ask")),
            ("decide", user_task("decide", "director", '<spiffworkflow:property name="dueIn" value="P3D"/>')),
            ("archive", user_task("archive")))


@pytest.fixture
def office(services):
    services.users.add_user("analyst", groups=["analyst"])
    services.users.add_user("clerk", groups=["clerk"])
    services.users.add_user("director", groups=["director"])
    services.processes.deploy({"leave.bpmn": V1}, user="analyst")
    return services


def _open(svc, case_id):
    return [t["bpmn_id"] for t in svc.tasks.list_tasks(case_id=case_id)["items"]]


def _complete(svc, case_id, bpmn_id, user):
    task = next(t for t in svc.tasks.list_tasks(case_id=case_id)["items"] if t["bpmn_id"] == bpmn_id)
    svc.tasks.complete_task(task["id"], user=user)


def test_library_diff_and_safe_migration_with_reversal(office):
    waiting = office.cases.start_case("leave", user="clerk")["id"]          # at 'ask': unchanged in v2
    deciding = office.cases.start_case("leave", user="clerk")["id"]
    _complete(office, deciding, "ask", "clerk")                         # at 'decide': changed in v2
    office.processes.deploy({"leave.bpmn": V2}, user="analyst")

    library = office.editor.process_library(user="analyst")
    versions = library[0]["versions"]
    assert [(v["version"], v["running_cases"], v["deployed_by"]) for v in versions] == [(2, 0, "analyst"),
                                                                                        (1, 2, "analyst")]
    diff = office.editor.diff_versions("leave", 1, 2, user="analyst")["processes"][0]
    assert [e["id"] for e in diff["added"]] == ["archive"]
    changed = {e["id"]: e["attributes"] for e in diff["changed"]}
    assert "extensions" in changed["decide"] and "end" in changed      # end: new predecessor
    assert diff["removed"] == []

    with pytest.raises(Conflict, match="decide is ready and was changed"):
        office.editor.migrate_case(deciding, 2, user="analyst")
    batch = office.editor.migrate_cases("leave", 1, 2, user="analyst")
    assert [m["case_id"] for m in batch["moved"]] == [waiting]
    assert [r["case_id"] for r in batch["refused"]] == [deciding]
    assert office.cases.get_case(waiting)["version"] == 2

    migration = batch["moved"][0]["migration_id"]
    office.editor.revert_migration(migration, user="analyst")
    assert office.cases.get_case(waiting)["version"] == 1
    with pytest.raises(Conflict, match="already reversed"):
        office.editor.revert_migration(migration, user="analyst")

    moved = office.editor.migrate_case(waiting, 2, user="analyst")
    _complete(office, waiting, "ask", "clerk")
    _complete(office, waiting, "decide", "director")
    assert _open(office, waiting) == ["archive"]                        # the new step of v2
    with pytest.raises(Conflict, match="moved on"):
        office.editor.revert_migration(moved["migration_id"], user="analyst")
    _complete(office, deciding, "decide", "director")                   # the refused case goes on on v1
    assert office.cases.get_case(deciding)["status"] == "complete"
    events = [e["kind"] for e in office.cases.get_case(waiting)["events"]]
    assert events.count("case_migrated") == 2 and "case_migration_reverted" in events


def test_only_analysts_and_admins(office):
    case = office.cases.start_case("leave", user="clerk")["id"]
    office.processes.deploy({"leave.bpmn": V2}, user="analyst")
    for call in (lambda: office.editor.process_library(user="clerk"),
                 lambda: office.editor.diff_versions("leave", 1, 2, user="director"),
                 lambda: office.editor.migrate_case(case, 2, user="director")):
        with pytest.raises(NotAllowed):
            call()
    assert office.cases.get_case(case)["version"] == 1
