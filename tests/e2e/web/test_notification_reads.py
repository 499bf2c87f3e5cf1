"""A group message about a case reaches only the members who may see that case; the others can
neither read it nor mark it read (issue 21, lesser items: another unit's group notification)."""
from __future__ import annotations

import pytest

from engine.clock import utcnow
from engine.errors import NotFound
from office.supervision.tables import Notification
from tests.support.web import route_to, start_petition


@pytest.fixture
def note(office):
    """A reminder to the unit_staff group about a case of district_gov."""
    case_id = start_petition(office)["id"]
    route_to(office, case_id, "district_gov")
    with office.core.uow() as uow:
        row = Notification(case_id=case_id, kind="reminder", recipient_group="unit_staff", text="请尽快办理",
                           created_at=utcnow())
        uow.session.add(row)
        uow.commit()
        return row.id


def read_at(office, note_id: int):
    with office.core.uow(write=False) as uow:
        return uow.session.get(Notification, note_id).read_at


def test_another_unit_cannot_mark_a_group_message_read(office, as_user, note):
    assert note not in {n["id"] for n in office.notifications.notifications("court")}
    with pytest.raises(NotFound):
        office.notifications.mark_notifications_read("court", [note])
    answer = as_user("court").post("/notifications/read", {"id": str(note)})
    assert answer.status_code == 404
    assert read_at(office, note) is None, "nothing changed"


def test_one_unknown_id_marks_nothing(office, note):
    with pytest.raises(NotFound):
        office.notifications.mark_notifications_read("gov", [note, 999_999])
    assert read_at(office, note) is None


def test_the_unit_it_concerns_marks_it_read(office, as_user, note):
    assert note in {n["id"] for n in office.notifications.notifications("gov")}
    answer = as_user("gov").post("/notifications/read", {"id": str(note)})
    assert answer.status_code == 302 and read_at(office, note) is not None
