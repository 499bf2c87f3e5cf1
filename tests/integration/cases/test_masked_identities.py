"""Values that look masked are never stored in plain text (issue 21): registration refuses them by
field, and any that reach a case another way (the API's start data) are encrypted into a party
record like every identity, the second petitioner's as the first's."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import ValidationFailed
from office.people.tables import Party
from tests.support import bpmn_builder as b
from tests.support.office import make_office, petition


@pytest.mark.parametrize("field, value", [("name", "李*明"), ("address", "幸福路**号")])
def test_registration_refuses_a_masked_looking_value_by_field(sqlite_services, field, value):
    o = make_office(sqlite_services)
    second = {"name": "王五", field: value}
    with pytest.raises(ValidationFailed) as err:
        o.register(petition("遮蔽值", petitioners=[{"name": "张建国"}, second]))
    assert f"petitioners.1.{field}" in {d["field"] for d in err.value.details}


def test_masked_looking_start_data_is_encrypted_for_every_petitioner(sqlite_services):
    svc = sqlite_services
    make_office(svc)
    svc.processes.deploy({"bare.bpmn": b.linear("bare", ("t1", b.user_task("t1", "clerk")))})
    data = {"subject": "两位信访人", "petitioners": [{"name": "张建国", "phone": "13800000000"},
                                                    {"name": "李*明", "address": "幸福路**号"}]}
    case = svc.cases.start_case("bare", data, user="clerk")
    stored = svc.cases.get_case(case["id"])["data"]["petitioners"]
    assert all(p.get("party_id") for p in stored), stored
    assert stored[1]["address"].endswith("…"), "the case keeps the mask; the value is in the party record"
    with svc.core.uow(write=False) as uow:
        parties = uow.session.scalars(select(Party).where(Party.case_id == case["id"]).order_by(Party.seq)).all()
        assert [p.seq for p in parties] == [0, 1] and all(p.name_enc for p in parties) and parties[1].address_enc
        revealed = svc.identities.reveal(uow.session, case["id"])
    assert [p["name"] for p in revealed] == ["张建国", "李*明"] and revealed[1]["address"] == "幸福路**号"
