"""A deadline as the office reads it: its last day, and the working days left or overdue.

One rule (docs/domain.md §2.1): a period runs out at 24:00 Beijing time of its last day, stored
as that instant (`calendar.end_of_day`, 16:00Z). A person never reads the instant: pages,
notices, reminders and figures name the last day ("截止2026年12月9日（24时）") and count the
working days from today, on the office's clock, with the official holiday calendar. Everything
that shows a deadline goes through this module, so they all agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from .calendar import OfficeCalendar, local_day

_DISPLAY = OfficeCalendar(lenient=True)     # a page never fails on a year whose holidays are unknown
MAX_COUNTED = 3660


@dataclass(frozen=True)
class Standing:
    """Where a deadline stands at a moment: its last day, whether it has run out, and how many
    working days are left after today (not overdue) or have passed since the last day (overdue)."""

    last_day: date
    overdue: bool
    working_days: int
    due_today: bool = False

    def as_dict(self) -> dict:
        return {"last_day": self.last_day.isoformat(), "overdue": self.overdue,
                "working_days": self.working_days, "due_today": self.due_today}


def as_instant(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value


def last_day(due: datetime | str) -> date:
    """The day a deadline belongs to: 24:00 of the 9th is the last moment of the 9th."""
    return local_day(as_instant(due) - timedelta(microseconds=1))


@lru_cache(maxsize=4096)
def working_days_between(first: date, last: date) -> int:
    """Working days d with first < d <= last (0 when last <= first). Kept per pair of days: an
    inbox page of 50 tasks counted up to 60 days each on every view (a third of a unit's page),
    and its rows share today and a few last days."""
    count, day = 0, first
    for _ in range(min(MAX_COUNTED, max(0, (last - first).days))):
        day += timedelta(days=1)
        count += _DISPLAY.is_working_day(day)
    return count


def standing(due: datetime | str, now: datetime) -> Standing:
    """Overdue once the instant has passed; working days counted from today's date."""
    due = as_instant(due)
    end, today = last_day(due), local_day(now)
    if now >= due:
        return Standing(end, True, working_days_between(end, today))
    return Standing(end, False, working_days_between(today, end), end == today)


def chinese_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_last_day(due: datetime | str | None) -> str:
    """"2026年12月9日" for a deadline of 24:00 on the 9th ("" for none): what a letter prints."""
    return chinese_day(last_day(due)) if due else ""


def chinese_standing(state: Standing) -> str:
    if state.overdue:
        return f"已超期{state.working_days}个工作日" if state.working_days else "已超期"
    if state.due_today:
        return "今日到期"
    return f"剩{state.working_days}个工作日"


def chinese_deadline(due: datetime | str, now: datetime) -> str:
    """"截止2026年12月9日（24时），剩3个工作日": how a reminder or a page states a deadline."""
    state = standing(due, now)
    return f"截止{chinese_day(state.last_day)}（24时），{chinese_standing(state)}"
