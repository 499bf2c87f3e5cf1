"""The 代表恳谈会 pages: record a meeting from the month's selection, the deputies' opinions, a
follow-up to a unit, the minutes; bad input is a 400 page that changes nothing; others get 403."""
from __future__ import annotations

from datetime import timedelta

from engine.clock import utcnow
from office.dates import local_time
from tests.e2e.web.test_deputies import setup_deputies
from tests.support.web import sign_in, start_petition


def test_meeting_pages_record_opinions_follow_ups_and_minutes(app, office):
    setup_deputies(app, office)
    for _ in range(2):
        start_petition(office)
    month = local_time(utcnow()).strftime("%Y-%m")
    picks = [c["case_id"] for c in office.analysis.meeting_selection("director", month, limit=50)["cases"]]
    director = sign_in(app, "director")
    page = director.get(f"/meetings?month={month}").get_data(as_text=True)
    assert "还没有恳谈会记录" in page and "王代表" in page and f'value="{picks[0]}"' in page
    assert director.get("/meetings?month=2025-13").status_code == 400
    today = local_time(utcnow()).date().isoformat()
    bad = director.post("/meetings", {"held_on": today, "month": month, "deputies": "王代表", "case_ids": "abc"})
    assert bad.status_code == 400 and office.meetings.list(user="director")["meetings"] == []
    made = director.post("/meetings", {"held_on": today, "month": month, "deputies": "王代表",
                                       "case_ids": str(picks[0])})
    assert made.status_code == 302
    url = made.headers["Location"]
    assert director.post(f"{url}/opinions", {"case_id": str(picks[0]), "deputy": "王代表", "opinion": ""}).status_code == 400
    assert director.post(f"{url}/opinions", {"case_id": str(picks[0]), "deputy": "王代表",
                                             "opinion": "应尽快补发"}).status_code == 302
    last = (local_time(utcnow()) + timedelta(days=20)).date().isoformat()
    assert director.post(f"{url}/follow-ups", {"unit": "", "task": "x", "last_day": last}).status_code == 400
    assert director.post(f"{url}/opinions", {"case_id": "99999999999999999999", "deputy": "王代表",
                                             "opinion": "x"}).status_code == 400
    assert director.post(f"{url}/follow-ups", {"unit": "district_gov", "task": "督促补发工资",
                                               "last_day": last}).status_code == 302
    shown = director.get(url).get_data(as_text=True)
    assert "王代表：应尽快补发" in shown and "督促补发工资" in shown and "办理中" in shown
    minutes = director.get(f"{url}/minutes.docx")
    assert minutes.status_code == 200 and minutes.data[:2] == b"PK" and ".docx" in minutes.headers["Content-Disposition"]
    assert sign_in(app, "gov").get(url).status_code == 403
    assert director.get("/meetings/999").status_code == 404
    director.post("/lang/en", {})
    assert "Deputies' meetings" in director.get("/meetings").get_data(as_text=True)
