"""Notices rendered from the .docx templates, stored with the step that issued them."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import time_machine
from docx import Document as Docx

from engine.errors import NotAllowed, NotFound
from tests.support import bpmn_builder as b
from tests.support import handlers_for_tests

PETITIONER = {"name": "张三丰", "id_number": "110105199001011232", "phone": "13812345678", "address": "某街道1号"}


def notice_diagram() -> str:
    due = '<spiffworkflow:property name="dueDeadline" value="handle"/>'
    return b.linear("notices_t",
                    ("accept", b.service_task("accept", "issue_document", {"kind": "'受理告知书'"})),
                    ("handle_due", b.service_task("handle_due", "set_deadline", {"name": "'handle'"})),
                    ("assign", b.service_task("assign", "issue_document", {"kind": "'交办函'"})),
                    ("number", b.service_task("number", "test_flaky")),
                    ("work", b.user_task("work", "unit_staff", due)))


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs)


def _office(services):
    services.processes.deploy({"n.bpmn": notice_diagram()})
    services.users.add_user("boss", groups=["director"])
    services.users.add_user("worker", groups=["unit_staff"])
    services.users.add_unit("district_gov", "区人民政府", "government")
    return services


@pytest.fixture
def office(services):
    return _office(services)


def start(office, **data) -> int:
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), tick=False):
        return office.cases.start_case("notices_t", user="boss", data={
            "subject": "拖欠工资", "unit": "district_gov", "content": "某公司拖欠工资三个月", "petitioners": [PETITIONER],
            "reg_no": "RD-2026-00042", "received_at": "2026-03-02T02:00:00+00:00", "query_code": "K7Q2M9XW",
            "mode": "交办", "lead_unit": "district_gov", **data})["id"]


def test_acceptance_notice_names_the_petitioner_and_the_assignment_letter_its_deadline(office):
    case_id = start(office)
    docs = office.documents.list_documents(case_id, user="boss")
    assert [d["kind"] for d in docs] == ["受理告知书", "交办函"]
    assert {d["created_by"] for d in docs} == {"boss"}, "a notice records who issued it"
    _, content, mimetype = office.documents.get_document(case_id, docs[0]["id"], user="boss")
    assert mimetype.endswith("wordprocessingml.document")
    text = text_of(content)
    assert "张三丰：" in text and "拖欠工资" in text and "决定予以受理" in text and "2026年3月2日" in text
    letter = text_of(office.documents.get_document(case_id, docs[1]["id"], user="boss")[1])
    assert "区人民政府：" in letter
    assert "请于2026年5月6日前办结" in letter, "60 days from 2 March end on 1 May, in the May Day holiday: 6 May"


def test_a_letter_to_a_unit_about_an_accusation_withholds_the_reporter(office):
    case_id = start(office, category="检举控告类", subject="举报某科长")
    docs = {d["kind"]: d["id"] for d in office.documents.list_documents(case_id, user="boss")}
    letter = text_of(office.documents.get_document(case_id, docs["交办函"], user="boss")[1])
    assert "张三丰" not in letter and "（依法保密）" in letter


def test_a_failed_step_leaves_no_notice_behind(office):
    handlers_for_tests.FAIL["on"] = True
    try:
        with pytest.raises(Exception):
            start(office)
    finally:
        handlers_for_tests.FAIL["on"] = False
    with office.engine.connect() as conn:
        from sqlalchemy import text
        assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 0


def test_only_those_who_may_see_the_case_can_download_and_each_download_is_logged(office):
    case_id = start(office)
    office.users.add_unit("district_court", "区人民法院", "court")
    office.users.add_user("stranger", groups=["unit_staff"], unit="district_court")
    doc_id = office.documents.list_documents(case_id, user="boss")[0]["id"]
    with pytest.raises(NotAllowed):
        office.documents.get_document(case_id, doc_id, user="stranger")
    with pytest.raises(NotFound):
        office.documents.get_document(case_id, doc_id + 100, user="boss")
    office.documents.get_document(case_id, doc_id, user="boss")
    with office.engine.connect() as conn:
        from sqlalchemy import text
        rows = conn.execute(text("SELECT username, action FROM access_log WHERE action = 'download'")).all()
    assert [tuple(r) for r in rows] == [("boss", "download")]


def test_escalation_issues_a_supervision_letter(office):
    case_id = start(office)
    with time_machine.travel(datetime(2026, 5, 7, 2, 0, tzinfo=timezone.utc), tick=False):
        assert office.timers.scheduler(worker="t").tick().escalations == 1
    last = office.documents.list_documents(case_id, user="boss")[-1]
    assert (last["kind"], last["created_by"]) == ("督办函", "scheduler")


def test_notices_travel_in_the_backup_archive_byte_for_byte(sqlite_services, pg_services):
    from office.operations.backup import export_archive, import_archive
    from office.root import Services
    source = _office(sqlite_services)
    case_id = start(source)
    originals = [source.documents.get_document(case_id, d["id"], user="boss") for d in source.documents.list_documents(case_id, user="boss")]
    archive = io.BytesIO()
    export_archive(source.engine, archive)
    restored = Services(pg_services.settings.with_(field_keys=(source.identities.keys.primary,),
                                                   hash_key=source.identities.keys.hash_key.decode()), engine=pg_services.engine)
    import_archive(restored.engine, io.BytesIO(archive.getvalue()))
    copies = [restored.documents.get_document(case_id, d["id"], user="boss") for d in restored.documents.list_documents(case_id, user="boss")]
    assert copies == originals and len(copies) == 2
    assert "请于2026年5月6日前办结" in text_of(copies[1][1])
