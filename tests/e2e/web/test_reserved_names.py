"""The system's own actors (system, scheduler, petitioner, …) are never user accounts: no way in
creates one, and a row that bears such a name anyway (written straight into the database) signs
in nowhere and gains nothing (issue 21, item 5)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from engine.clock import utcnow
from engine.errors import NotFound, ValidationFailed
from engine.store.models import User, UserGroup
from office.access import INTERNAL_ACTORS, RESERVED_NAMES
from office.directory.names import ACTORS
from office.people.tokens import TOKEN_PREFIX, token_hash
from office.people.tables import ApiToken
from office.selfservice.service import SELF_SERVICE_ACTOR
from tests.support.web import PASSWORD, finish_job, sign_in, start_petition

NAMES = ["system", "scheduler", "petitioner", "System", "SCHEDULER"]


def test_every_name_the_system_acts_under_is_reserved():
    assert set(INTERNAL_ACTORS) | set(ACTORS) | {SELF_SERVICE_ACTOR} <= RESERVED_NAMES


@pytest.mark.parametrize("name", NAMES)
def test_no_service_creates_a_reserved_name(office, name):
    with pytest.raises(ValidationFailed, match="reserved"):
        office.users.add_user(name, groups=["clerk"], password=PASSWORD)
    with pytest.raises(ValidationFailed, match="reserved"):
        office.admin.create_user(name, user="admin", groups=["admin"], password=PASSWORD)
    assert name not in {u["username"] for u in office.admin.list_users(user="admin")}


def test_the_admin_page_refuses_a_reserved_name_with_400(app, office):
    admin = sign_in(app, "admin")
    answer = admin.post("/admin/users", {"username": "system", "groups": "admin", "password": PASSWORD})
    assert answer.status_code == 400 and "reserved" in answer.get_data(as_text=True)
    assert "system" not in {u["username"] for u in office.admin.list_users(user="admin")}


def test_a_csv_import_with_a_reserved_name_creates_nobody(app, office):
    content = "username,groups,password\nfine_user,clerk,long-enough-1\nscheduler,admin,long-enough-1\n".encode()
    with pytest.raises(ValidationFailed, match="line 3: user name 'scheduler' is reserved"):
        office.user_import.import_users(content, user="admin")
    started = sign_in(app, "admin").post("/admin/users/import", {"file": (io.BytesIO(content), "u.csv")},
                                         content_type="multipart/form-data", headers={"Accept": "application/json"})
    finish_job(started.json["id"])
    assert "fine_user" not in {u["username"] for u in office.admin.list_users(user="admin")}


@pytest.fixture
def planted(office):
    """A `system` row with a password, the admin group and an API token, as if written by hand."""
    with office.core.uow() as uow:
        uow.session.add(User(username="system", display_name="system", is_active=True, created_at=utcnow(),
                             password_hash=generate_password_hash(PASSWORD),
                             memberships=[UserGroup(group_name="admin")]))
        token = TOKEN_PREFIX + "planted-token-for-a-reserved-name-0001"
        uow.session.execute(insert(ApiToken).values(username="system", name="x", token_hash=token_hash(token),
                                                    prefix=token[:12], created_at=utcnow(), revoked=False))
        uow.commit()
    return token


def test_a_planted_row_named_system_gains_nothing(app, office, planted):
    accusation = start_petition(office, purpose="揭发控告", subject="举报", accused_unit="district_gov")["id"]
    client = app.test_client()
    signed = client.post("/login", data={"username": "system", "password": PASSWORD})
    assert signed.status_code != 302 or "/login" in signed.headers.get("Location", "")
    assert not office.users.check_password("system", PASSWORD)
    with pytest.raises(NotFound):
        office.users.get_user("system")
    assert office.auth.user_for_token(planted) is None
    bearer = {"Authorization": f"Bearer {planted}"}
    assert client.get(f"/api/v1/cases/{accusation}", headers=bearer).status_code == 401
    assert client.get("/api/v1/processes", headers=bearer).status_code == 401
    with client.session_transaction() as session:      # a session cookie naming it does no better
        session["_user_id"] = "system"
        session["_fresh"] = True
    assert client.get("/admin/users").status_code == 302
    assert client.get(f"/api/v1/cases/{accusation}").status_code == 401
