"""Every GET page and API route, given hostile query values for every parameter the app reads,
answers with a page or a 4xx: never a 500 and never the "database unavailable" 503 that an
integer overflow or a bad date would turn into on PostgreSQL.

The parameter names are collected from the web layer's source (``args.get("…")``), so a new
filter is swept without anyone remembering to add it here.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.webui.conftest import make_world, sign_in, urls
from webui import create_app

WEBUI = Path(__file__).resolve().parents[2] / "webui"
HOSTILE = ("abc", "-1", "0", "99999999999999999999", "2147483648", "²", "2026-13", "9999-12-31", "0000",
           "' OR 1=1 --", "x" * 3000)


def parameter_names() -> list[str]:
    pattern = re.compile(r"""args(?:\.get|\.getlist)?\(\s*["']([a-z_]+)["']|args\[["']([a-z_]+)["']\]""")
    names = set()
    for source in WEBUI.glob("*.py"):
        names |= {a or b for a, b in pattern.findall(source.read_text(encoding="utf-8"))}
    return sorted(names)


def test_the_sweep_knows_the_filters_the_pages_read():
    names = parameter_names()
    assert {"page", "month", "period", "case_id", "since", "limit"} <= set(names), names


@pytest.fixture(params=["sqlite", "postgresql"])
def any_office(request):
    return request.getfixturevalue("office" if request.param == "sqlite" else "pg_office")


@pytest.mark.parametrize("user", ["director", "admin", "gov"])
def test_hostile_query_values_never_break_a_page(any_office, user):
    office = any_office
    world = make_world(office)
    app = create_app(office.settings, office)
    browser = sign_in(app, user)
    names = parameter_names()
    broken = []
    for url in urls(app, office, world, user):
        if url in ("/readyz",) or "/download" in url or url.endswith((".docx", ".pdf")):
            continue
        base = url.split("?")[0]
        for value in HOSTILE:
            target = f"{base}?{urlencode({name: value for name in names})}"
            response = browser.get(target)
            if response.status_code >= 500:
                broken.append(f"{response.status_code} {base} ← {value[:20]!r}")
    assert not broken, "\n".join(broken)
