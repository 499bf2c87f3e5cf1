"""The 代表恳谈会 with its follow-up tasks: cases from the month's selection, the deputies' opinions,
tasks to units tracked until done (overdue ones listed), and the minutes as .docx."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import time_machine
from docx import Document

from engine.errors import NotAllowed, ValidationFailed
from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def test_meeting_with_opinions_follow_ups_and_minutes(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(4):
            o.register(petition(f"征地补偿标准过低问题{i}", name=f"村民{i}", id_number="", content_class="农村农业"))
        o.s.deputies.import_csv("deputies", "name,delegation,contact,username\n王建华,农业界,,\n李红梅,法律界,,\n",
                                user="clerk")
        picks = [p["case_id"] for p in o.s.analysis.meeting_selection("director", "2025-03", limit=50)["cases"]]
        assert picks, "the month's selection proposes cases"
        with pytest.raises(ValidationFailed):
            o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                deputies=["王建华"], case_ids=[999999])
        with pytest.raises(NotAllowed):
            o.s.meetings.record(user="housing_staff", held_on="2025-03-28", month="2025-03", title="",
                                deputies=["王建华"], case_ids=picks[:1])
        meeting = o.s.meetings.record(user="director", held_on="2025-03-28", month="2025-03", title="",
                                      deputies=["王建华", "李红梅"], case_ids=picks[:2])
        mid, case = meeting["id"], picks[0]
        assert meeting["title"] == "2025-03代表恳谈会" and meeting["deputies"] == ["李红梅", "王建华"]
        o.s.meetings.opinion(mid, user="director", case_id=case, deputy="王建华", opinion="补偿标准应按新规重新核定")
        o.s.meetings.opinion(mid, user="director", case_id=case, deputy="李红梅", opinion="建议公开测算依据")
        with pytest.raises(ValidationFailed):
            o.s.meetings.opinion(mid, user="director", case_id=case, deputy="张三", opinion="x")
        with pytest.raises(ValidationFailed):
            o.s.meetings.follow_up(mid, user="director", unit="没有这个单位", task="x", last_day="2025-04-30")
        view = o.s.meetings.follow_up(mid, user="director", unit="city_agri", task="重新核定补偿标准并答复",
                                      last_day="2025-04-30", case_id=case)
        follow = view["follow_ups"][0]
        assert follow["due_at"] == "2025-04-30T16:00:00+00:00" and follow["deadline"]["overdue"] is False
        o.s.meetings.follow_up(mid, user="director", unit="city_housing", task="公开测算依据", last_day="2025-04-15")
        clock.move_to(datetime(2025, 4, 16, 2, tzinfo=timezone.utc))
        late = o.s.meetings.overdue(user="director")
        assert [f["task"] for f in late] == ["公开测算依据"], "past its last day and still open"
        with pytest.raises(NotAllowed):
            o.s.meetings.finish_follow_up(follow["id"], user="housing_staff", result="x")
        o.s.meetings.finish_follow_up(follow["id"], user="agri_staff", result="已按新标准补足")
        name, content = o.s.meetings.minutes_docx(mid, user="director")
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert name.endswith("会议纪要.docx") and "2025年3月28日" in text and "王建华代表：补偿标准应按新规重新核定" in text
    assert "于2025年4月30日前办结报告（已办结：已按新标准补足）" in text and "公开测算依据" in text
