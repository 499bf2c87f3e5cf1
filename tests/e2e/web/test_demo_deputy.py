"""`make run`'s demo office shows the deputies' channel: a deputy account in the directory with a
liaison station, able to refer a petition; setting the demo up again changes nothing."""
from __future__ import annotations

from office.operations.demo import setup_demo
from tests.support.web import Browser
from webui.app import create_app


def test_the_demo_deputy_signs_in_and_sees_their_station(office1):
    svc = office1.s
    setup_demo(svc)                                   # a second run (make run on an existing database)
    assert [s["name"] for s in svc.deputies.my_stations(user="deputy")] == ["朝阳区代表联络站"]
    assert [d["name"] for d in svc.deputies.directory(user="director")["deputies"]].count("张志远") == 1
    app = create_app(svc.settings, svc)
    browser = Browser(app.test_client())
    assert browser.post("/login", {"username": "deputy", "password": "demo"}).status_code == 302
    browser.csrf()
    page = browser.get("/deputy").get_data(as_text=True)
    assert 'id="nav-deputy"' in page and "朝阳区代表联络站" in page
