"""Browser-test plumbing shared by every Playwright test: Debian's chromium (never a downloaded
browser), launched headless with the flags this machine needs, and the app served on loopback."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.support.paths import ARTIFACTS

CHROMIUM = shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                                    reason="chromium is not installed (make browser-deps)")


@contextmanager
def serve(app) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)


@contextmanager
def chromium_page(height: int = 768) -> Iterator[object]:
    """A 1366-wide page (1366×768 is the office's smallest screen); the artifacts folder exists."""
    ARTIFACTS.mkdir(exist_ok=True)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": height}, locale="zh-CN").new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()


def shot(page, name: str) -> None:
    """A full-page screenshot, tests/artifacts/browser-<name>.png."""
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def sign_in_page(page, base: str, user: str, password: str) -> None:
    """Signs in through the login form and waits for the inbox, where every user lands."""
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/inbox")
