import pytest

from tests.support.office import make_office


@pytest.fixture
def office(services):
    return make_office(services)


@pytest.fixture
def office1(sqlite_services):
    """Story tests whose PostgreSQL run adds nothing beyond test_deploy_and_paths."""
    return make_office(sqlite_services)
