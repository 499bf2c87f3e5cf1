import pytest

from tests.support.office import make_office


@pytest.fixture
def office1(sqlite_services):
    return make_office(sqlite_services)
