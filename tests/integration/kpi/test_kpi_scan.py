"""The split scan SQLite uses on big tables, and the trend's one pass over all its months, give
exactly the figures of the single scan of one period."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import true

from office.access import Actor
from office.dates import Month
from office.kpi import figures as kpi
from office.kpi.months import Months
from tests.support.kpi_dataset import DIRECTOR, NOW, figures

MONTHS = [f"2026-{m:02d}" for m in range(4, 13)]     # before the first case to after the last deadline


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)   # PostgreSQL never splits
@pytest.mark.parametrize("by", [None, "unit", "channel"])
def test_split_scan_adds_up_to_the_single_scan(office, monkeypatch, by):
    monkeypatch.setattr(kpi, "SPLIT_WAYS", 1)
    single = figures(office, by=by)
    pools = []

    def counting_pool(*args, **kwargs):
        pools.append(args)
        return ThreadPoolExecutor(*args, **kwargs)
    monkeypatch.setattr(kpi, "ThreadPoolExecutor", counting_pool)
    monkeypatch.setattr(kpi, "SPLIT_WAYS", 3)
    monkeypatch.setattr(kpi, "SPLIT_ROWS", 0)
    split = figures(office, by=by)
    assert pools, "the scan was split"
    assert any(row["denominator"] for row in single.values())
    assert split == single


@pytest.mark.parametrize("month", ["2026-06", "2026-09", "2026-10", "2026-11", "2026-12"])
def test_the_activity_filter_leaves_every_figure_as_it_was(office, monkeypatch, month):
    """first_at/last_at only spare the scan rows of other periods; without them nothing changes."""
    filtered = figures(office, month, by="unit")
    monkeypatch.setattr(kpi, "_active", lambda a: true())
    assert figures(office, month, by="unit") == filtered


@pytest.mark.parametrize("now", [NOW, datetime(2026, 10, 18, tzinfo=timezone.utc), datetime(2027, 3, 1, tzinfo=timezone.utc)])
def test_the_trend_gives_each_month_what_that_month_alone_gives(office, now):
    """Repeats inside and past their window, 积案 and 包案 resolved in one month and counted from
    it, lapsed ratings, a case not counted, deadlines still ahead: each month of the trend is the
    month asked alone, for the office, by unit and channel, and for a unit's own staff."""
    clerk = Actor("u1staff", frozenset({"unit_staff"}), unit="U1")
    with time_machine.travel(now, tick=False):
        office_trend = office.kpi.kpi_trend(DIRECTOR, MONTHS[0], MONTHS[-1])
        for user, by in ((DIRECTOR, None), (DIRECTOR, "unit"), (DIRECTOR, "channel"), (clerk, None)):
            trend = office.kpi.kpi_trend(user, MONTHS[0], MONTHS[-1], by=by)
            for month in MONTHS:
                alone = office.kpi.kpis(user, *Month.parse(month).bounds(), by=by)
                assert [{k: v for k, v in t.items() if k != "month"} for t in trend if t["month"] == month] == alone
    counted = {t["month"] for t in office_trend if t["denominator"]}
    assert counted >= {"2026-05", "2026-06", "2026-09", "2026-10", "2026-11"}
    assert {t["month"] for t in office_trend if t["key"] == "backlog_resolution" and t["numerator"]} >= {"2026-10"}


def test_a_trend_too_long_for_one_grouping_integer_gives_each_month_what_it_alone_gives(office):
    """Up to two years, a trend groups its rows by one integer (the places and the pattern); a
    longer one by the two apart, with the same figures."""
    def spans(first: str, count: int) -> list[tuple]:
        months = [Month.parse(first).shift(i) for i in range(count)]
        return [(str(m), *m.bounds()) for m in months]
    for count, keys in ((24, 1), (30, 2)):
        months = spans("2025-07", count)
        a = kpi.Ask(months[0][1], months[-1][2], NOW, kpi.came_back(), Months.of(months))
        assert len(kpi._keys(list(kpi.KPIS), a, None)) == keys
    with time_machine.travel(NOW, tick=False):
        trend = office.kpi.kpi_trend(DIRECTOR, "2025-07", "2027-12")
        assert {t["month"] for t in trend if t["denominator"]} >= {"2026-05", "2026-10", "2026-11"}
        for month in sorted({t["month"] for t in trend}):
            alone = office.kpi.kpis(DIRECTOR, *Month.parse(month).bounds())
            assert [{k: v for k, v in t.items() if k != "month"} for t in trend if t["month"] == month] == alone
