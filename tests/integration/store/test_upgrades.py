"""Safe upgrades: the schema upgrades from the previous release, and a library change that
would make stored cases unreadable stops the system from starting."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from engine.store import db
from engine.store.compat import IncompatibleStore, check_stored_cases
from engine.errors import ValidationFailed
from engine.settings import Settings
from tests.support import bpmn_builder as b


def test_refuses_to_start_on_cases_from_an_untested_serializer(sqlite_services):
    svc = sqlite_services
    svc.processes.deploy({"p.bpmn": b.linear("p", ("t", b.user_task("t", "clerk")))})
    case = svc.cases.start_case("p")
    svc.operations.check_ready_to_start()
    with svc.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state_format='1.3', lib_version='3.0.0' WHERE id=:i"), {"i": case["id"]})
    with pytest.raises(IncompatibleStore, match=r"format 1.3 \(SpiffWorkflow 3.0.0\)"):
        svc.operations.check_ready_to_start()
    check_stored_cases(svc.engine, tested={("1.3", "3.0.0"), ("1.5", "3.2.0")})


def test_refuses_to_start_on_an_old_schema(tmp_path):
    from office.root import Services
    svc = Services(Settings(database_url=f"sqlite:///{tmp_path}/old.db", storage_dir=tmp_path / "d"))
    db.upgrade(svc.engine, "0001")
    with pytest.raises(ValidationFailed, match="not current"):
        svc.operations.check_ready_to_start()
    svc.engine.dispose()


def test_upgrade_from_the_first_release_keeps_its_cases(database_url):
    """Release 0.1 had only the 0001 tables; a case stored then survives the upgrade."""
    engine = db.make_engine(Settings(database_url=database_url))
    with engine.begin() as conn:
        for table in reversed(inspect(conn).get_table_names()):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE' if conn.dialect.name == "postgresql"
                              else f'DROP TABLE IF EXISTS "{table}"'))
    db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO definition (id, process_key, version, name, content_hash, bundle, spec, "
                          "lib_version, deployed_by, deployed_at) VALUES (1, 'p', 1, 'p', 'h', '{}', '{}', "
                          "'3.2.0', 'x', '2026-01-01 00:00:00+00:00')"))
        conn.execute(text("INSERT INTO cases (id, reg_no, status, process_key, definition_id, definition_version, "
                          "subject, petitioner, started_by, created_at, updated_at, state, state_format, "
                          "lib_version, tree_depth, row_version) VALUES (1, 'LF1', 'running', 'p', 1, 1, 's', '', "
                          "'x', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', :blob, '1.5', '3.2.0', "
                          "0, 1)"), {"blob": b"\x78\x9c\x03\x00\x00\x00\x00\x01"})
    db.upgrade(engine)
    assert db.migrations_current(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT reg_no, is_repeat, facts FROM cases WHERE id=1")).one()
    assert row.reg_no == "LF1" and row.is_repeat in (False, 0) and row.facts is None
    engine.dispose()
