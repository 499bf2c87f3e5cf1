"""The deputies' channel end to end: directory by CSV, a deputy refers a constituent's petition
(代表转交), the normal triage and handling follow, and the reply comes back to the deputy."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import NotAllowed, ValidationFailed
from office.supervision.tables import Notification

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
DEPUTIES = "name,delegation,contact,username\n王代表,樊城区代表团,13800000001,dep_wang\n李代表,襄州区选区,13800000002,dep_li\n"
STATIONS = "name,region,deputies\n鹤山区中山街道代表联络站,鹤山区,王代表、李代表\n新华街代表联络站,,李代表\n"


def referral(**changes) -> dict:
    form = {"station": "鹤山区中山街道代表联络站", "subject": "老旧小区加装电梯补贴迟迟未发放",
            "content": "选民反映加装电梯补贴申请半年未批复", "purpose": "求决", "content_class": "城乡建设",
            "problem_region": "410602", "petitioners": [{"name": "赵选民", "phone": "13912340000"}]}
    return {**form, **changes}


@pytest.fixture
def office(office1):
    o = office1
    o.s.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    o.s.deputies.import_csv("stations", STATIONS, user="clerk")
    for name in ("dep_wang", "dep_li"):
        o.s.users.add_user(name, groups=["deputy"], password="deputy-password-1", display_name=name)
    return o


def test_directory_import_checks_every_row(office1):
    o = office1
    with pytest.raises(NotAllowed):
        o.s.deputies.import_csv("deputies", DEPUTIES, user="housing_staff")
    o.s.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    before = o.s.deputies.directory(user="clerk")["stations"]          # the demo office's own station
    with pytest.raises(ValidationFailed) as err:
        o.s.deputies.import_csv("stations", "name,region,deputies\n某站,,张不存在\n,,\n", user="clerk")
    assert "张不存在" in str(err.value.details) and "名称必填" in str(err.value.details)
    assert o.s.deputies.directory(user="clerk")["stations"] == before, "nothing of a bad file is saved"
    again = o.s.deputies.import_csv("deputies", DEPUTIES.replace("13800000001", "13800000009"), user="clerk")
    mine = [d for d in again["deputies"] if d["name"] != "张志远"]     # less the demo deputy
    assert len(mine) == 2 and mine[1]["contact"] == "13800000009", "updated by name"


def test_referral_from_registration_to_the_feedback_notice(office):
    o = office
    with time_machine.travel(T0, tick=False):
        sent = o.s.deputies.refer(referral(), user="dep_wang")
        case = sent["case_id"]
        data = o.data(case)
        assert data["source"] == "人大代表转交" and data["deputy"] == "王代表"
        assert data["liaison_station"] == "鹤山区中山街道代表联络站" and "赵选民" not in str(data)
        assert o.open_ids(case) == ["triage"], "the normal triage follows"
        mine = o.s.deputies.my_cases(user="dep_wang")
        assert [c["case_id"] for c in mine] == [case] and mine[0]["reply"] is None
        assert o.s.deputies.my_cases(user="dep_li") == [], "never another deputy's referrals"
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
        o.do(case, "handle", "housing_staff", result="办结", report="已核发补贴")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="支持", reply_text="补贴已于3月核发到位", resolution="已化解")
    mine = o.s.deputies.my_cases(user="dep_wang")[0]
    assert mine["reply"]["text"] == "补贴已于3月核发到位" and mine["feedback_at"]
    assert "赵选民" not in str(mine) and "13912340000" not in str(mine)
    with o.s.engine.connect() as conn:
        notes = conn.execute(select(Notification.recipient_user, Notification.text)
                             .where(Notification.kind == "feedback")).all()
    assert len(notes) == 1 and notes[0][0] == "dep_wang" and "办理结果反馈" in notes[0][1]
    letters = [d for d in o.s.documents.list_documents(case, user="clerk") if d["kind"] == "办理结果反馈"]
    assert len(letters) == 1
    _, content, _ = o.s.documents.get_document(case, letters[0]["id"], user="clerk")
    from docx import Document
    import io
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "王代表代表" in text and "补贴已于3月核发到位" in text and "老旧小区加装电梯" in text
    assert "{{" not in text
    with pytest.raises(NotAllowed):
        o.s.cases.get_case(case, user="dep_wang")
    counts = o.s.deputies.referral_counts(user="director")
    assert counts["by_deputy"] == [{"deputy": "王代表", "referrals": 1}]
    assert counts["by_station"] == [{"station": "鹤山区中山街道代表联络站", "referrals": 1}]


def test_a_deputy_refers_only_through_their_own_station_and_with_a_valid_form(office):
    o = office
    with pytest.raises(ValidationFailed) as err:
        o.s.deputies.refer(referral(station="新华街代表联络站", subject=""), user="dep_wang")
    fields = {d["field"] for d in err.value.details}
    assert {"station", "subject"} <= fields
    with pytest.raises(NotAllowed):
        o.s.deputies.refer(referral(), user="clerk")
    with pytest.raises(NotAllowed):
        o.s.deputies.my_cases(user="housing_staff")
    assert [s["name"] for s in o.s.deputies.my_stations(user="dep_li")] == ["新华街代表联络站", "鹤山区中山街道代表联络站"]
