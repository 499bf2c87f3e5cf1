import pytest

from tests.support.office import make_office


@pytest.fixture
def office(services):
    return make_office(services)
