"""Identities are encrypted at field level, searchable by keyed hash, masked everywhere else."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from engine.errors import NotAllowed, ValidationFailed
from office.people.tables import Party
from office.root import Services
from tests.support import bpmn_builder as b

ID = "110101199003071234"
PHONE = "13912345678"


@pytest.fixture
def office(services):
    services.processes.deploy({"p.bpmn": b.linear("intake", ("t1", b.user_task("t1", "clerk")))})
    services.users.add_user("clerk1", groups=["clerk"])
    services.users.add_user("analyst1", groups=["analyst"])
    services.users.add_user("boss", groups=["director"])
    return services


def petition(name="张三丰", id_number=ID, phone=PHONE) -> dict:
    return {"subject": "拆迁补偿", "petitioners": [{"name": name, "id_number": id_number, "phone": phone,
                                                   "address": "北京市东城区某街道1号"}]}


def test_identities_never_reach_the_workflow_blob_or_lists(office):
    case = office.cases.start_case("intake", petition(), user="clerk1")
    detail = office.cases.get_case(case["id"])
    person = detail["data"]["petitioners"][0]
    assert person["id_number"] == "1101**********1234" and person["phone"] == "139****5678"
    assert person["name"] == "张**" and person["party_id"]
    assert case["petitioner"] == "张**"
    with office.engine.connect() as conn:
        raw = conn.execute(text("SELECT state FROM cases")).scalar_one()
        row = conn.execute(select(Party)).one()
    import zlib
    assert ID not in zlib.decompress(raw).decode() and PHONE not in zlib.decompress(raw).decode()
    assert ID not in row.id_number_enc and row.id_number_hash and len(row.id_number_hash) == 64


def test_reveal_is_for_roles_that_need_it_and_is_logged(office):
    case = office.cases.start_case("intake", petition(), user="clerk1")
    with pytest.raises(NotAllowed):
        office.cases.reveal_identities(case["id"], user="analyst1", purpose="curious")
    with pytest.raises(ValidationFailed):
        office.cases.reveal_identities(case["id"], user="clerk1", purpose=" ")
    people = office.cases.reveal_identities(case["id"], user="clerk1", purpose="电话回访")
    assert people[0]["id_number"] == ID and people[0]["phone"] == PHONE
    with office.engine.connect() as conn:
        log = conn.execute(text("SELECT username, action, detail FROM access_log WHERE action='reveal'")).all()
    assert [tuple(r) for r in log] == [("clerk1", "reveal", "电话回访")]


def test_accusation_reporter_is_visible_only_to_handling_roles(office):
    data = petition() | {"accused_unit": "housing", "category": "检举控告类"}
    case = office.cases.start_case("intake", data, user="clerk1")
    with pytest.raises(NotAllowed):
        office.cases.reveal_identities(case["id"], user="clerk1", purpose="登记核对")
    assert office.cases.reveal_identities(case["id"], user="boss", purpose="转纪委")[0]["name"] == "张三丰"


def test_same_petitioner_is_found_by_hash_however_typed(office):
    first = office.cases.start_case("intake", petition(), user="clerk1")
    second = office.cases.start_case("intake", petition(id_number=" 110101199003071234 "), user="clerk1")
    other = office.cases.start_case("intake", petition(name="李四", id_number="110101198001010011",
                                                 phone="13800000000"), user="clerk1")
    from office.cases.lookup import CaseLookup
    with office.core.uow(write=False) as uow:
        found = CaseLookup(uow.session, second["id"]).earlier_cases_of_same_petitioners()
        none = CaseLookup(uow.session, other["id"]).earlier_cases_of_same_petitioners()
    assert [c["case_id"] for c in found] == [first["id"]] and none == []


def test_serials_are_consecutive(office):
    from office.cases.lookup import CaseLookup
    with office.core.uow() as uow:
        values = [CaseLookup(uow.session, 0).next_serial("LF110101-20261122") for _ in range(3)]
        uow.commit()
    assert values == [1, 2, 3]


def test_key_rotation_keeps_every_identity_readable(office):
    case = office.cases.start_case("intake", petition(), user="clerk1")
    old = office.identities.keys
    new_key = Fernet.generate_key().decode()
    rotated = Services(office.settings.with_(field_keys=(new_key, old.primary),
                                             hash_key=old.hash_key.decode()), engine=office.engine)
    assert rotated.operations.rotate_keys() == 1
    only_new = Services(office.settings.with_(field_keys=(new_key,), hash_key=old.hash_key.decode()),
                        engine=office.engine)
    assert only_new.cases.reveal_identities(case["id"], user="boss", purpose="核对")[0]["id_number"] == ID
