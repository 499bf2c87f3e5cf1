"""The hand-computed KPI dataset (tests/support/kpi_dataset.py) as an office, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.support import kpi_dataset


@pytest.fixture
def office(services):
    """Services with the dataset's cases started; `office.ids` maps each case's letter to its id."""
    services.ids = kpi_dataset.load(services)
    return services
