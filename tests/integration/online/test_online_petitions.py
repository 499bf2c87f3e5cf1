"""网上信访 end to end on the shipped processes: submit online, 登记审核, register, triage, handle,
reply, and the petitioner follows it all with the number and code given at submission."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import text

from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from office.online.checks import Upload

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def online_form(**changes) -> dict:
    form = {"name": "刘晓梅", "id_number": "11010119650101123X", "phone": "13912345678",
            "address": "河南省鹤壁市鹤山区新华街8号", "subject": "小区供暖不达标",
            "content": "今年入冬以来室温不足16度，多次反映物业未解决", "purpose": "求决", "region": "鹤山区",
            "consent": True}
    return {**form, **changes}


def test_online_petition_from_submission_to_the_reply_the_petitioner_reads(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        sent = o.s.online.submit(online_form(), [Upload("暖气照片.png", PNG), Upload("缴费单.pdf", PDF)])
        number, code = sent["number"], sent["query_code"]
        assert number.startswith("WX20250303") and len(code) == 8
        seen = o.s.selfservice.public_status(number, code)
        assert seen["step"] == "online_review" and seen["stage"] == "待登记审核"
        waiting = o.s.online.pending(user="clerk")
        assert [w["number"] for w in waiting] == [number] and "刘晓梅" not in str(waiting), "masked in the list"
        with pytest.raises(NotAllowed):
            o.s.online.pending(user="housing_staff")
        with pytest.raises(ValidationFailed):
            o.s.online.register(waiting[0]["id"], user="clerk", content_class="不存在")
        done = o.s.online.register(waiting[0]["id"], user="clerk", content_class="城乡建设")
        with pytest.raises(Conflict):
            o.s.online.register(waiting[0]["id"], user="clerk", content_class="城乡建设")
        case = done["case_id"]
        data = o.data(case)
        assert data["channel"] == "网信" and data["source"] == "本人提出" and data["problem_region"] == "410602"
        assert "刘晓梅" not in str(data) and "11010119650101123X" not in str(data), "identities protected"
        with o.s.engine.connect() as conn:
            files = set(conn.execute(text("select filename from attachment where case_id = :c"), {"c": case}).scalars())
        assert files == {"暖气照片.png", "缴费单.pdf"}
        assert o.s.selfservice.public_status(number, code)["step"] == "registered"
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        o.sign(case, "housing_staff")
        assert o.s.selfservice.public_status(number, code)["step"] == "handling"
        o.do(case, "handle", "housing_staff", result="办结", report="已督促物业检修管网，室温达标")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="支持", reply_text="经核查，已督促物业整改，室温已达标", resolution="已化解")
        seen = o.s.selfservice.public_status(number, code)
    assert seen["step"] in ("replied", "closed") and "室温已达标" in seen["reply"]["text"]
    assert seen["reg_no"] == data["reg_no"], "the petitioner's number opens the registered case"


def test_returned_submission_shows_the_reason_and_makes_no_case(office1):
    o = office1
    sent = o.s.online.submit(online_form(subject="咨询"))
    sid = o.s.online.pending(user="clerk")[0]["id"]
    with pytest.raises(ValidationFailed):
        o.s.online.return_submission(sid, user="clerk", reason=" ")
    o.s.online.return_submission(sid, user="clerk", reason="内容不属于人大信访受理范围，请向法院咨询")
    seen = o.s.selfservice.public_status(sent["number"], sent["query_code"])
    assert seen["step"] == "online_returned" and "法院" in seen["return_reason"]
    assert o.s.online.pending(user="clerk") == []
    with pytest.raises(NotFound):
        o.s.selfservice.public_status(sent["number"], "00000000")


def test_identities_are_encrypted_at_rest(office1):
    o = office1
    o.s.online.submit(online_form())
    with o.s.engine.connect() as conn:
        raw = str(conn.execute(text("select * from online_submission")).all())
    assert "刘晓梅" not in raw and "11010119650101123X" not in raw and "13912345678" not in raw


def test_same_idempotency_key_gives_the_same_answer_and_one_submission(office1):
    o = office1
    first = o.s.online.submit(online_form(), idempotency_key="k-1")
    again = o.s.online.submit(online_form(), idempotency_key="k-1")
    assert first == again and len(o.s.online.pending(user="clerk")) == 1
    with pytest.raises(Conflict):
        o.s.online.submit(online_form(subject="另一件事"), idempotency_key="k-1")


@pytest.mark.parametrize("changes,field", [
    ({"name": ""}, "name"), ({"id_number": "110101196501011230"}, "id_number"), ({"phone": "123"}, "phone"),
    ({"consent": False}, "consent"), ({"region": "不存在区"}, "region"), ({"purpose": "随便"}, "purpose"),
    ({"subject": "x" * 201}, "subject"), ({"address": ""}, "address")])
def test_bad_fields_are_named_in_chinese(office1, changes, field):
    with pytest.raises(ValidationFailed) as err:
        office1.s.online.submit(online_form(**changes))
    assert field in {d["field"] for d in err.value.details}
    assert office1.s.online.pending(user="clerk") == []


@pytest.mark.parametrize("files,message", [
    ([Upload("a.png", b"MZ\x90\x00 not an image")], "不是图片"),
    ([Upload("a.pdf", b"")], "大小"),
    ([Upload(f"{i}.png", PNG) for i in range(6)], "最多5个"),
    ([Upload("../x.png", PNG)], "文件名")])
def test_files_are_checked_by_content_count_and_size(office1, files, message):
    with pytest.raises(ValidationFailed) as err:
        office1.s.online.submit(online_form(), files)
    assert message in str(err.value.details)
