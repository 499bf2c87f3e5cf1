"""Statutory day arithmetic (《民法典》Art. 201/203) around Spring Festival and National Day."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from processes.calendar import (KNOWN, OfficeCalendar, OutsideCalendar, add_days, add_working_days,
                                end_of_day, is_working_day)


def test_spring_festival_2026_holiday_and_its_make_up_saturdays():
    assert not is_working_day(date(2026, 2, 16))            # 除夕前后, 2月15日—23日放假
    assert is_working_day(date(2026, 2, 14))                # Saturday worked (调休)
    assert is_working_day(date(2026, 2, 28))                # Saturday worked (调休)
    assert not is_working_day(date(2026, 2, 21))            # a Saturday inside the holiday


def test_a_period_ending_in_the_spring_festival_moves_to_the_day_after_it():
    # registered 1 February 2026: 15 days end on 16 February, inside the holiday -> 24 February
    assert add_days(date(2026, 2, 1), 15) == date(2026, 2, 24)


def test_the_start_day_is_not_counted():
    assert add_days(date(2026, 3, 2), 1) == date(2026, 3, 3)
    assert add_days(date(2026, 3, 2), 15) == date(2026, 3, 17)


def test_a_period_ending_on_a_make_up_saturday_does_not_move():
    assert add_days(date(2026, 2, 13), 15) == date(2026, 2, 28)


def test_a_period_ending_on_an_ordinary_sunday_moves_to_monday():
    assert add_days(date(2026, 3, 1), 14) == date(2026, 3, 16)


def test_five_working_days_over_national_day_2025_count_the_make_up_saturday():
    # 30 Sep (Tue) +5 working days: 1–8 Oct are holidays, 9 (Thu), 10 (Fri), 11 (Sat, 调休), 13, 14
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert is_working_day(date(2025, 10, 11)) and is_working_day(date(2025, 9, 28))


def test_national_day_2026_sixty_days_and_working_days():
    assert add_days(date(2026, 8, 2), 60) == date(2026, 10, 8)          # 1 Oct falls in 1–7 Oct -> 8 Oct
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # 8, 9 Oct, then Saturday 10 (调休)
    assert is_working_day(date(2026, 10, 10))


def test_a_deadline_runs_out_at_midnight_in_beijing():
    assert end_of_day(date(2026, 3, 17)) == datetime(2026, 3, 17, 16, 0, tzinfo=timezone.utc)


def test_unknown_years_are_refused_or_flagged_never_silently_guessed(tmp_path):
    year = KNOWN[1] + 1
    with pytest.raises(OutsideCalendar, match=f"{year}"):
        add_days(date(year, 1, 10), 15)
    lenient = OfficeCalendar(lenient=True, overrides=tmp_path)
    assert lenient.add_days(date(year, 1, 10), 15) == date(year, 1, 25)
    assert lenient.approximated == {year}


def test_an_office_supplied_year_file_is_used(tmp_path):
    year = KNOWN[1] + 2
    (tmp_path / f"{year}.json").write_text(json.dumps({"holidays": [f"{year}-02-08", f"{year}-02-09"],
                                                       "workdays": [f"{year}-02-13"]}))
    cal = OfficeCalendar(overrides=tmp_path)
    assert not cal.is_working_day(date(year, 2, 8)) and cal.is_working_day(date(year, 2, 13))
    assert cal.approximated == set()


def test_a_period_may_not_be_negative_or_absurd():
    with pytest.raises(ValueError):
        add_days(date(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 10**6)


DAYS_2025_2026 = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=200, deadline=None)
@given(DAYS_2025_2026, st.integers(min_value=1, max_value=60))
def test_working_day_periods_end_on_working_days_after_the_start(start, n):
    end = add_working_days(start, n)
    assert is_working_day(end) and end > start
    assert sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)) == n


@settings(max_examples=200, deadline=None)
@given(DAYS_2025_2026, st.integers(min_value=1, max_value=90))
def test_natural_day_periods_are_monotonic_and_never_count_the_start(start, n):
    end = add_days(start, n)
    assert end >= start + timedelta(days=n) and is_working_day(end)
    assert add_days(start, n + 1) >= end
    assert all(not is_working_day(d) for d in (start + timedelta(days=i) for i in range(n, (end - start).days)))


def test_an_inbox_page_of_deadlines_asks_the_holiday_tables_once_per_day(monkeypatch):
    """50 tasks due within 60 days used to cost 3,000 holiday-table scans (100 ms a page)."""
    import chinese_calendar

    from processes import calendar, due
    asked = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: asked.append(day) or real(day))
    calendar._library_workday.cache_clear()
    due.working_days_between.cache_clear()
    for _ in range(50):
        due.working_days_between(date(2025, 3, 1), date(2025, 4, 30))
    assert len(asked) == len(set(asked)) == 60
