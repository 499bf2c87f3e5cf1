"""From cases to 代表建议 (一类事项→一项机制): a hot topic's cases become material, the proposal is
lodged with its number and answered, and each case shows the link."""
from __future__ import annotations

import pytest

from engine.errors import Conflict, NotAllowed, ValidationFailed
from tests.support.office import petition


def test_cases_become_a_proposal_lodged_and_answered(office1):
    o = office1
    cases = [o.register(petition(f"老旧小区加装电梯补贴问题{i}", name=f"张{i}", id_number="")) for i in range(3)]
    o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,樊城区代表团,,\n", user="clerk")
    with pytest.raises(ValidationFailed) as err:
        o.s.proposals.propose(user="director", kind="提案", title="", case_ids=[])
    assert {d["field"] for d in err.value.details} == {"kind", "title", "case_ids"}
    with pytest.raises(NotAllowed):
        o.s.proposals.propose(user="housing_staff", kind="代表建议", title="x", case_ids=cases)
    made = o.s.proposals.propose(user="director", kind="代表建议", title="关于完善老旧小区加装电梯补贴机制的建议",
                                 case_ids=cases, topic="加装电梯", deputy="王建华")
    assert made["state"] == "proposed" and made["case_ids"] == sorted(cases) and made["deputy"] == "王建华"
    with pytest.raises(Conflict):
        o.s.proposals.answer(made["id"], user="director", answer="已答复")
    lodged = o.s.proposals.lodge(made["id"], user="clerk", number="第0123号")
    assert lodged["state"] == "lodged" and lodged["number"] == "第0123号"
    with pytest.raises(Conflict):
        o.s.proposals.lodge(made["id"], user="clerk", number="第0124号")
    answered = o.s.proposals.answer(made["id"], user="clerk", answer="市住建局已出台补贴实施细则")
    assert answered["state"] == "answered"
    shown = o.s.proposals.of_case(cases[1], user="clerk")
    assert [(p["number"], p["state"]) for p in shown] == [("第0123号", "answered")]
    assert o.s.proposals.of_case(o.register(petition("别的事", name="李四", id_number="")), user="clerk") == []
