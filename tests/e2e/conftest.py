"""End-to-end fixtures: the small web office (users of every role, the intake diagram, SQLite; `pg_office`
on PostgreSQL), the Flask app and signed-in test clients. Helpers live in tests/support/web.py.
"""
from __future__ import annotations

import shutil

import pytest

from office.root import Services
from engine.settings import Settings
from tests.support import handlers_for_web
from tests.support.databases import truncate_pg
from tests.support.web import make_office, make_world, sign_in
from tests.support.web_diagrams import PROCESS, write_bpmn_dir
from webui.app import create_app


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """`make translations` compiles the catalogs; tests compile them too when they are missing or stale."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from webui.app import TRANSLATIONS
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src, mo.open("wb") as out:
                write_mo(out, read_po(src))


@pytest.fixture(scope="session", autouse=True)
def web_test_handlers() -> list[str]:
    """The handler the small intake diagram calls (web_test_number), registered before it is deployed."""
    return handlers_for_web.register()


@pytest.fixture(scope="session")
def office_template(tmp_path_factory, sqlite_template, web_test_handlers):
    """Users (password hashing is slow on purpose), units and the diagram, made once per run."""
    root = tmp_path_factory.mktemp("office")
    shutil.copy(sqlite_template, root / "office.db")
    bpmn_dir = write_bpmn_dir(root / "bpmn")
    svc = make_office(Services(Settings(database_url=f"sqlite:///{root / 'office.db'}", bpmn_dir=bpmn_dir,
                                        storage_dir=root / "storage", testing=True, scheduler_enabled=False)))
    svc.close()
    return root


@pytest.fixture
def web_settings(tmp_path, office_template):
    shutil.copy(office_template / "office.db", tmp_path / "web.db")
    return Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}", storage_dir=tmp_path / "storage", testing=True,
                    scheduler_enabled=False, secret_key="test-secret", bpmn_dir=office_template / "bpmn",
                    extra={"intake_process": PROCESS, "max_upload_bytes": 200_000})


@pytest.fixture
def office(web_settings):
    svc = Services(web_settings)
    yield svc
    svc.close()


@pytest.fixture
def pg_office(pg_url, tmp_path, web_test_handlers):
    truncate_pg(pg_url)
    settings = Settings(database_url=pg_url, storage_dir=tmp_path / "storage", testing=True, scheduler_enabled=False,
                        secret_key="test-secret", bpmn_dir=write_bpmn_dir(tmp_path / "bpmn"),
                        extra={"intake_process": PROCESS})
    svc = make_office(Services(settings))
    yield svc
    svc.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_office(request):
    """The small office on SQLite, then on PostgreSQL, for behaviour the database may change."""
    return request.getfixturevalue("office" if request.param == "sqlite" else "pg_office")


@pytest.fixture
def app(office):
    return create_app(office.settings, office)


@pytest.fixture
def as_user(app):
    return lambda username: sign_in(app, username)


@pytest.fixture
def world(office):
    return make_world(office)
