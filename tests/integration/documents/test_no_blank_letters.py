"""Every notice of every shipped scenario, and of the escalations after it, reads as a letter that
can be sent: no empty place, no internal code, no template tag (issue 17)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from tests.integration.processes.test_scenarios import FILES, T0, play
from tests.integration.documents.support import defects, documents


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_every_notice_of_the_scenario_reads_without_blanks_codes_or_tags(office1, path):
    o = office1
    case = play(o, json.loads(path.read_text(encoding="utf-8")))
    with time_machine.travel(T0 + timedelta(days=200), tick=False):
        o.s.timers.fire_due_timers()          # every overdue step escalates; its 督办函 must be right too
    assert o.case(case)["status"] != "error", o.case(case).get("error")
    letters = documents(o, case)
    for kind, text in letters:
        assert not defects(text), (kind, defects(text), text)


def test_the_sweep_can_fail():
    assert defects("督办函\n：\n请于前办结（第次督办）district_gov {{ x }}")
