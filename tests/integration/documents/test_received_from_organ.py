"""An organ outside the system answers with its own letter: the office files it as received from
that organ on that date (不包办代替), and never files one of its own notices this way."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed
from tests.integration.documents.test_golden import T0, assigned

PDF = b"%PDF-1.4 organ's own opinion"


def test_the_organs_own_opinion_is_filed_as_received_with_its_date(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = assigned(o)
        filed = o.s.documents.record_received(case, kind="信访处理意见书", organ="district_gov",
                                              received_on=date(2026, 4, 20), filename="意见书.pdf",
                                              content=PDF, user="clerk")
    assert filed["filename"].endswith("信访处理意见书（区人民政府，2026年4月20日收）.pdf")
    name, content, mimetype = o.s.documents.get_document(case, filed["id"], user="director")
    assert content == PDF and mimetype == "application/pdf"
    event = [e for e in o.case(case)["events"] if e["kind"] == "document_received"][0]
    assert event["message"] == "收到区人民政府出具的信访处理意见书（2026年4月20日）" and event["actor"] == "clerk"


def test_only_organ_letters_from_directory_units_by_office_staff(office):
    o = office
    with time_machine.travel(T0, tick=False):
        case = assigned(o)
        args = dict(received_on=date(2026, 4, 20), filename="a.pdf", content=PDF)
        with pytest.raises(ValidationFailed):
            o.s.documents.record_received(case, kind="交办函", organ="district_gov", user="clerk", **args)
        with pytest.raises(ValidationFailed):
            o.s.documents.record_received(case, kind="复查意见书", organ="nowhere", user="clerk", **args)
        with pytest.raises(NotAllowed):
            o.s.documents.record_received(case, kind="复查意见书", organ="district_gov", user="gov_staff", **args)
    assert not [e for e in o.case(case)["events"] if e["kind"] == "document_received"]
