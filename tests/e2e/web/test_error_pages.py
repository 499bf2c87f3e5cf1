"""Error pages speak the reader's language (403, 404, 429, 500, 503), never a machine code such as
not_allowed; a locked sign-in says when it frees, with Retry-After."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from engine.clock import utcnow
from office.dates import local_time
from tests.support.web import PASSWORD, sign_in
from webui.app import create_app

CODES = re.compile(r"not_allowed|not_found|too_many_attempts|internal_error|validation_failed")


def text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("lang, forbidden, missing, crash", [
    ("zh", "无权访问", "找不到该页面或记录", "系统出错"),
    ("en", "Not allowed", "Page or record not found", "System error")])
def test_403_404_and_500_pages_are_in_the_chosen_language(office, lang, forbidden, missing, crash):
    app = create_app(office.settings, office)

    @app.get("/test-crash")
    def crash_page():           # a fault no user input can cause, to see the 500 page
        raise RuntimeError("boom")

    browser = sign_in(app, "gov")
    browser.post(f"/lang/{lang}", {"next": "/"})
    pages = {403: browser.get("/admin/users"), 404: browser.get("/cases/987654"), 500: browser.get("/test-crash")}
    assert {code: r.status_code for code, r in pages.items()} == {403: 403, 404: 404, 500: 500}
    assert forbidden in text(pages[403]) and missing in text(pages[404]) and crash in text(pages[500])
    assert "boom" not in text(pages[500]) and "Traceback" not in text(pages[500])
    for response in pages.values():
        visible = text(response).split("</header>")[-1]
        assert not CODES.search(visible.split("<details")[0]), visible


@pytest.mark.parametrize("lang, words", [("zh", "之后再试"), ("en", "Try again after")])
def test_a_locked_sign_in_says_when_it_frees(office, lang, words):
    app = create_app(office.settings, office)
    browser = sign_in(app, None)
    browser.post(f"/lang/{lang}", {"next": "/login"})
    now = utcnow()
    with time_machine.travel(now, tick=False):
        for _ in range(5):
            assert browser.post("/login", {"username": "clerk", "password": "wrong"}).status_code == 401
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        locked = browser.post("/login", {"username": "clerk", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 10 * 60
    frees = local_time(now + timedelta(minutes=15)).strftime("%H:%M")
    assert words in text(locked) and frees in text(locked), text(locked)
    assert not CODES.search(text(locked))
    with time_machine.travel(now + timedelta(minutes=15, seconds=1), tick=False):
        assert browser.post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_too_many_wrong_query_codes_get_a_429_page_that_says_when_to_retry(office, app):
    browser = sign_in(app, None)
    for _ in range(10):
        browser.post("/public/status", {"reg_no": "LF000", "code": "00000000"})
    page = browser.post("/public/status", {"reg_no": "LF000", "code": "00000000"})
    assert page.status_code == 429 and "尝试次数过多" in text(page) and "之后再试" in text(page)
    assert page.headers.get("Retry-After")
