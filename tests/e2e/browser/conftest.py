"""Browser fixtures: a Playwright page in Debian's chromium, and the web office served on loopback.

A module that needs another office or page size overrides `server` or `page` with its own.
"""
from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, serve
from webui.app import create_app


@pytest.fixture
def page():
    """A page 1366×768 (the office's smallest screen) in Debian's chromium (tests/support/browser.py)."""
    with chromium_page() as browser_page:
        yield browser_page


@pytest.fixture
def server(office):
    """The web office (tests/e2e/conftest.py) served on a free loopback port; yields its base URL."""
    with serve(create_app(office.settings, office)) as base:
        yield base
