"""积案: the director lists a case (上级交办), records its 化解; 积案化解率 and the backlog ledger
by unit follow the records; a clerk or a unit may not list."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from openpyxl import load_workbook

from engine.errors import Conflict, NotAllowed, ValidationFailed
from office.dates import Month
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def backlog_rate(o) -> tuple:
    start, end = Month.parse("2025-03").bounds()
    [row] = [r for r in o.s.kpi.kpis("director", start, end) if r["kpi"] == "backlog_resolution" and not r["group"]]
    return row["numerator"], row["denominator"]


def test_a_case_listed_as_backlog_and_resolved_shows_in_the_rate_and_the_ledger(office):
    o = office
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("多年拖欠工程款"))
        other = o.register(petition("宅基地纠纷"))
        for c in (case, other):
            o.triage(c, "申诉求决类")
            o.route_to_units(c, "housing")
        assert backlog_rate(o) == (0, 0)
        with pytest.raises(NotAllowed):
            o.s.backlog.list_case(case, user="clerk", source="本级排查")
        with pytest.raises(NotAllowed):
            o.s.backlog.list_case(case, user="housing_staff", source="本级排查")
        with pytest.raises(ValidationFailed):
            o.s.backlog.list_case(case, user="director", source="随便")
        with pytest.raises(ValidationFailed):
            o.s.backlog.list_case(case, user="director", source="上级交办", listed_on="2099-01-01")
        listed = o.s.backlog.list_case(case, user="director", source="上级交办", listed_on="2025-03-01",
                                       note="市人大常委会交办")
        o.s.backlog.list_case(other, user="leader", source="本级排查")
        with pytest.raises(Conflict):
            o.s.backlog.list_case(case, user="director", source="本级排查")
        assert listed["unit_name"] == "区住房和城乡建设局" and listed["listed_by_name"] != "director"
        assert backlog_rate(o) == (0, 2)

        clock.shift(timedelta(days=5))
        with pytest.raises(NotAllowed):
            o.s.backlog.resolve(listed["id"], user="clerk", outcome="已化解", note="x")
        with pytest.raises(ValidationFailed):
            o.s.backlog.resolve(listed["id"], user="director", outcome="已化解", note=" ")
        o.s.backlog.resolve(listed["id"], user="director", outcome="部分化解", note="已支付一半")
        assert backlog_rate(o) == (0, 2), "partly resolved is not resolved, and the listing stays open"
        done = o.s.backlog.resolve(listed["id"], user="director", outcome="已化解", note="款项结清，当事人息诉罢访")
        assert done["resolved"] and done["resolved_on"] == "2025-03-08"
        with pytest.raises(Conflict):
            o.s.backlog.resolve(listed["id"], user="director", outcome="已化解", note="again")
        assert backlog_rate(o) == (1, 2)

        ledger = o.s.backlog.ledger(user="clerk")
        assert ledger["by_unit"] == [{"unit_name": "区住房和城乡建设局", "listed": 2, "resolved": 1, "open": 1}]
        assert ledger["total"] == {"unit_name": "合计", "listed": 2, "resolved": 1, "open": 1}
        assert [i["case_id"] for i in o.s.backlog.ledger(user="clerk", state="open")["items"]] == [other]
        with pytest.raises(NotAllowed):
            o.s.backlog.ledger(user="housing_staff")
        kinds = [e["kind"] for e in o.case(case)["events"]]
        assert "backlog_listed" in kinds and kinds.count("backlog_resolved") == 2
        sheets = load_workbook(io.BytesIO(o.s.backlog.ledger_xlsx(user="director")))
        summary = [[c.value for c in row] for row in sheets["积案台账"].iter_rows()]
        assert ["区住房和城乡建设局", 2, 1, 1] in summary and ["合计", 2, 1, 1] in summary
        detail = [[c.value for c in row] for row in sheets["积案明细"].iter_rows()]
        assert any("上级交办" in row and "已化解" in row for row in detail)
