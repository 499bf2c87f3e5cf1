import pytest

from tests.support.office import make_office


@pytest.fixture
def office1(sqlite_services):
    """Golden texts and the scenario sweep: the words do not depend on the database."""
    return make_office(sqlite_services)


@pytest.fixture
def office(services):
    """Issuing, refusing and filing letters: on SQLite and PostgreSQL."""
    return make_office(services)
