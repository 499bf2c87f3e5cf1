"""One date rule everywhere: a deadline is its last day (24:00 Beijing), and remaining or overdue
working days are counted on the office's clock. For one case's 60-day handling deadline — which
falls in the May Day holiday and so moves to the next working day — the inbox, the case page, the
reminder, the ledger, the KPI's case list and the 督办函 name the same last day, and agree on
whether it is still running or overdue, before, on and after that day. On SQLite and PostgreSQL.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import time_machine
from docx import Document

from office.dates import deadline, last_day
from office.kpi.dashboard import local_time, parse_period
from processes.calendar import add_days, end_of_day
from tests.support.office import petition
from webui.app import create_app

T0 = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)          # Monday 10:00 in Beijing
SIGNED = T0 + timedelta(days=1)                            # the unit signs on Tuesday 3 March


def beijing(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=timezone.utc)


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sign_in(app, user: str):
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": user, "password": "demo", "csrf_token": token}).status_code == 302
    return client


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_inbox_case_page_reminder_ledger_kpi_and_letter_agree_on_the_last_day(office):
    o = office
    last = add_days(SIGNED.date(), 60)
    assert last == date(2026, 5, 6), "2 May is in the May Day holiday: the period ends on 6 May"
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        clock.move_to(SIGNED)
        o.sign(case, "housing_staff")
        due = o.data(case)["deadlines"]["handle"]
        assert datetime.fromisoformat(due) == end_of_day(last), "stored as 24:00 of the last day"

        clock.move_to(beijing(date(2026, 5, 4), 9))         # a holiday, two days before
        o.s.timers.fire_due_timers()
        before = deadline(due)
        assert not before["overdue"] and before["last_day"] == "2026-05-06"
        agree(o, case, last, f"剩{before['working_days']}个工作日", overdue=False)
        reminder = [n["text"] for n in o.s.notifications.notifications("housing_staff") if n["kind"] == "reminder"]
        assert reminder and f"截止{chinese(last)}（24时），剩{before['working_days']}个工作日" in reminder[0]

        clock.move_to(beijing(last, 17))
        agree(o, case, last, "今日到期", overdue=False)

        clock.move_to(beijing(last + timedelta(days=1), 9))   # Thursday 7 May: one working day late
        o.s.timers.fire_due_timers()
        agree(o, case, last, "已超期1个工作日", overdue=True)
        letters = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
        assert letters, "the 督办函 went out"
        for letter in letters:
            _, content, _ = o.s.documents.get_document(case, letter["id"], user="director")
            text = "".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
            assert f"办理期限已于{chinese(last)}届满" in text, text


def agree(o, case: int, last: date, words: str, *, overdue: bool) -> None:
    """Inbox, case page, ledger and KPI case list, at the moment the clock shows."""
    app = create_app(o.s.settings, o.s)
    long_day = chinese(last)
    inbox = visible(sign_in(app, "housing_staff").get("/inbox").get_data(as_text=True))
    assert f"截止 {long_day}（24时）" in inbox and words in inbox, inbox[inbox.find("inbox-table"):][:2000]
    page = sign_in(app, "director").get(f"/cases/{case}").get_data(as_text=True)
    handle = re.search(r'data-deadline="handle">(.*?)</li>', page, re.S).group(1)
    assert f"截止 {long_day}（24时）" in visible(handle) and words in visible(handle), handle
    period = parse_period(month=f"{last.year}-{last.month:02d}")
    items = o.s.dashboard.dashboard_ledger_cases("director", parse_period(month="2026-03"), "housing", "assigned")
    ledger = next(i for i in items["items"] if i["case_id"] == case)
    assert ledger["state"] == ("overdue" if overdue else "open") and last_day(ledger["due"]) == last
    # due and unreplied: in the rate's denominator; still ahead: counted apart as not yet due (未到期)
    kpi = o.s.dashboard.dashboard_cases("director", "on_time_closure", period,
                                        part="denominator" if overdue else "pending")
    row = next(i for i in kpi["items"] if i["reg_no"] == o.case(case)["reg_no"])
    assert last_day(row["handle_due"]) == last and local_time(row["handle_due"], due=True) == f"{last} 24:00"
    cases_page = visible(sign_in(app, "director").get(f"/dashboard/cases?key=on_time_closure&part={kpi['part']}"
                                                      f"&month={last:%Y-%m}").get_data(as_text=True))
    assert long_day in cases_page, "the KPI's own page names the same last day"


def test_a_sweep_run_for_a_later_moment_states_that_moments_overdue_days(office):
    """`fire_due_timers(now)` (a catch-up sweep, the CLI's `--now`) words its 督办 by that `now`,
    never by the wall clock: no "已超期 -32 天"."""
    o = office
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("楼道堆物消防隐患"))
        route_last = last_day(o.data(case)["deadlines"]["route"])
        later = beijing(route_last + timedelta(days=10), 9)
        o.s.timers.fire_due_timers(later)
    state = deadline(o.data(case)["deadlines"]["route"], later)
    assert state["overdue"] and state["working_days"] > 0
    texts = [n["text"] for n in o.s.notifications.notifications("director") if n["kind"] == "escalation"]
    assert texts and f"截止{chinese(route_last)}（24时），已超期{state['working_days']}个工作日" in texts[0], texts
    assert "-" not in texts[0].split("已超期")[1]
