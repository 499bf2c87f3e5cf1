"""The split scan SQLite uses on big tables gives exactly the figures of the single scan."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import true

from office.kpi import figures as kpi
from tests.support.kpi_dataset import figures


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
