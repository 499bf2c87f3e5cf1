"""The office's calendar month: parsed strictly, bounded on the office's clock, shifted across years."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.errors import ValidationFailed
from office.dates import Month, months_between


def test_a_month_runs_from_midnight_beijing_to_the_next_first():
    start, end = Month.parse("2026-10").bounds()
    assert start == datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)


def test_a_deadline_at_24_00_of_the_last_day_falls_inside_its_own_month():
    assert Month.of(datetime(2026, 10, 31, 15, 59, tzinfo=timezone.utc)) == Month(2026, 10)
    assert Month.of(datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)) == Month(2026, 11)


def test_shifting_crosses_years_both_ways():
    assert str(Month.parse("2026-01").previous()) == "2025-12"
    assert str(Month.parse("2025-12").next()) == "2026-01"
    assert str(Month.parse("2026-03").shift(-14)) == "2025-01"
    assert [str(m) for m in months_between(Month(2025, 11), Month(2026, 2))] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between(Month(2026, 2), Month(2026, 1)) == []


def test_a_month_reads_in_chinese():
    assert Month.parse("2026-07").label() == "2026年7月"


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-10", "2026/10", "", None, 202610, "1999-12", "2200-01",
                                   "２０２６-10"])
def test_anything_but_a_plausible_month_is_refused_by_field(value):
    with pytest.raises(ValidationFailed, match="from"):
        Month.parse(value, "from")
