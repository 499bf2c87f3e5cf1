"""The Content-Security-Policy (webui/security.py) in chromium: the BPMN editor, a case's diagram
(bpmn-js) and the dashboard (Chart.js) still render, and the browser reports no violation."""
from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, needs_chromium, serve, sign_in_page
from tests.support.dashboard_data import load_dataset
from tests.support.editor_diagrams import KEY, routing_diagram
from tests.support.web import PASSWORD, start_petition
from webui.app import create_app

pytestmark = needs_chromium
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""


@pytest.fixture
def watched():
    """A page that records every CSP violation event and console message about one."""
    with chromium_page(height=900) as page:
        page.add_init_script(WATCH)
        page.console_messages_about_csp = []
        page.on("console", lambda msg: "Content Security Policy" in msg.text
                and page.console_messages_about_csp.append(msg.text))
        yield page


def _no_violations(page) -> None:
    assert page.evaluate("window.__csp") == [] and page.console_messages_about_csp == []


def test_editor_and_case_diagram_render_under_the_policy(office, watched):
    office.processes.deploy({f"{KEY}.bpmn": routing_diagram()}, user="analyst")
    case = start_petition(office)
    with serve(create_app(office.settings, office)) as base:
        response = watched.goto(f"{base}/login")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        sign_in_page(watched, base, "analyst", PASSWORD)
        watched.goto(f"{base}/processes/{KEY}/edit")
        watched.wait_for_selector("body[data-editor-ready='1']")
        watched.wait_for_selector(".djs-element")
        _no_violations(watched)
        sign_in_page(watched, base, "director", PASSWORD)
        watched.goto(f"{base}/cases/{case['id']}")
        watched.wait_for_selector("#diagram .djs-element")
        _no_violations(watched)


def test_dashboard_chart_renders_under_the_policy(office, watched):
    load_dataset(office)
    with serve(create_app(office.settings, office)) as base:
        sign_in_page(watched, base, "director", PASSWORD)
        watched.goto(f"{base}/dashboard?month=2026-10")
        watched.wait_for_selector("#figures-chart")
        assert watched.evaluate("Chart.getChart('figures-chart').data.datasets[0].data.length") > 0
        _no_violations(watched)
