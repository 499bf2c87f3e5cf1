"""Integration tests drive the service layer (office.root.Services) on SQLite and PostgreSQL with the
fixtures of tests/conftest.py; the diagrams they deploy may call the test handlers registered here."""
import pytest

from tests.support import handlers_for_tests


@pytest.fixture(scope="session", autouse=True)
def engine_test_handlers() -> list[str]:
    """The handlers the tests' diagrams call (test_echo, test_flaky ...), registered before any of
    them is deployed."""
    return handlers_for_tests.register()
