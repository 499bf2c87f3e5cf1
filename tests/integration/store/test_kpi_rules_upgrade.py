"""Upgrading to 0015_kpi_rules recomputes the stored KPI rows by the rules as they now read, and
the figures then match the ones worked out by hand.

The cases were run through the shipped processes, then the database was taken back to 0014 and
its KPI rows written as the earlier code wrote them: 办结 at the approved report when no reply was
served, every archived case resolved, a 涉法涉诉 case counted. (2025, Asia/Shanghai; T0 = Monday
3 March 09:00 = 01:00Z.)
  A  交办 housing, signed 4 Mar, report approved 8 Mar, replied 13 Mar; archived when its 复查
     window lapsed (12 Apr).
  A2 A's petitioner again on 24 Mar (a 重件 of A), triage 不予受理: archived at once.
  C  即接即办, answered on the spot on 3 Mar.
  D  包案, triage 告知: archived on 3 Mar.
  E  交办 district_gov, signed 4 Mar, report approved 30 Apr, no reply served.
  L  triage 涉法涉诉.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from alembic import command

from engine.settings import Settings
from engine.store import db
from office.dates import Month
from office.kpi.tables import CaseMetrics, StatsDecision, UnitMetrics
from office.root import Services
from tests.support.databases import truncate_pg
from tests.support.office import id_number, make_office, petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
JULY = datetime(2025, 7, 1, 2, tzinfo=timezone.utc)
REPORTED_E = datetime(2025, 4, 30, 2, tzinfo=timezone.utc)
MARCH, MAY = Month.parse("2025-03").bounds(), Month.parse("2025-05").bounds()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "x.db")
        return f"sqlite:///{tmp_path / 'x.db'}"
    found = request.getfixturevalue("pg_url")
    truncate_pg(found)
    return found


def _run_cases(s: Services) -> dict[str, int]:
    o = make_office(s)
    ids = {}
    with time_machine.travel(T0, tick=False) as clock:
        for name, subject, extra in (("A", "小区违建阳光房影响采光", {}), ("C", "咨询医保异地备案流程", {}),
                                     ("D", "对国有土地征收决定不服", {"key_case": True}),
                                     ("E", "低保资格被取消", {}), ("L", "不服一审判决要求监督法院", {})):
            ids[name] = o.register(petition(subject, name=f"李{name}", id_number=id_number(f"1101011980010100{len(ids)}"),
                                            **extra))
        for name, unit in (("A", "housing"), ("E", "district_gov")):
            o.triage(ids[name], "申诉求决类")
            o.route_to_units(ids[name], unit)
        o.triage(ids["C"], "即接即办")
        o.do(ids["C"], "first_contact", "clerk", method="即接即办", outcome="解释说明", answer="当场答复",
             resolution="已化解")
        o.triage(ids["D"], "告知", competent_organ="市自然资源和规划局")
        o.triage(ids["L"], "涉法涉诉", "涉法涉诉")
        clock.move_to(T0 + timedelta(days=1))
        o.sign(ids["A"], "housing_staff")
        o.sign(ids["E"], "gov_staff")
        clock.move_to(T0 + timedelta(days=5))
        o.do(ids["A"], "handle", "housing_staff", result="办结", report="已拆除")
        o.do(ids["A"], "review_report", "director", quality="通过")
        clock.move_to(T0 + timedelta(days=10))
        o.do(ids["A"], "reply", "clerk", outcome="支持", reply_text="已拆除违建", resolution="已化解")
        clock.move_to(T0 + timedelta(days=21))
        ids["A2"] = o.register(petition("小区违建阳光房影响采光，再次反映", name="李A", id_number=id_number("11010119800101000")))
        o.triage(ids["A2"], "不予受理")
        clock.move_to(datetime(2025, 4, 20, 2, tzinfo=timezone.utc))
        s.timers.fire_due_timers()
        clock.move_to(REPORTED_E)
        o.do(ids["E"], "handle", "gov_staff", result="办结", report="已恢复低保")
        o.do(ids["E"], "review_report", "director", quality="通过")
    return ids


def _as_the_earlier_code_wrote_them(engine, ids: dict[str, int]) -> None:
    """Back to 0014 (the 化解 records and decisions go), then the rows as the earlier code kept them."""
    command.downgrade(db.alembic_config(engine), "0014_task_kind")
    metrics = sa.table("case_metrics", sa.column("case_id"), sa.column("done_at"), sa.column("in_stats"),
                       sa.column("resolved"), sa.column("closed_at"))
    units = sa.table("unit_metrics", sa.column("case_id"), sa.column("lead"), sa.column("done_at"))
    reported = (REPORTED_E - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
    with engine.begin() as conn:
        conn.execute(metrics.update().where(metrics.c.case_id == ids["E"]).values(done_at=reported))
        conn.execute(units.update().where(units.c.case_id == ids["E"]).values(done_at=reported))
        conn.execute(metrics.update().where(metrics.c.case_id == ids["L"]).values(in_stats=True))
        conn.execute(metrics.update().values(resolved=metrics.c.closed_at.is_not(None)))


def test_the_upgrade_recomputes_the_kpi_rows_and_the_figures_follow_the_rules(url, tmp_path):
    s = Services(Settings(database_url=url, testing=True, scheduler_enabled=False, secret_key="test-secret",
                          storage_dir=tmp_path / "files"))
    ids = _run_cases(s)
    _as_the_earlier_code_wrote_them(s.engine, ids)
    db.upgrade(s.engine)
    assert db.migrations_current(s.engine)
    with s.engine.connect() as conn:
        rows = {r.case_id: r for r in conn.execute(sa.select(CaseMetrics))}
        lead_e = conn.execute(sa.select(UnitMetrics.done_at).where(UnitMetrics.case_id == ids["E"])).scalar_one()
        decisions = conn.execute(sa.select(StatsDecision)).all()
    # E: the report approved on 30 April is not 办结; no reply was served
    assert (rows[ids["E"]].done_at, lead_e, rows[ids["E"]].window_end) == (None, None, None)
    # A: 办结 at the reply, 13 Mar 09:00; its window: 13 Mar + 90 days = Wed 11 June, 24:00 local
    assert rows[ids["A"]].done_at == T0 + timedelta(days=10)
    assert rows[ids["A"]].window_end == datetime(2025, 6, 11, 16, tzinfo=timezone.utc)
    # C: answered on the spot; 3 Mar + 90 days = Sun 1 June, past the 端午 holiday (31 May–2 June): Tue 3 June
    assert rows[ids["C"]].window_end == datetime(2025, 6, 3, 16, tzinfo=timezone.utc)
    # nothing was recorded as 化解 before: no case is resolved, archived or not
    assert {(r.resolved, r.resolution, r.resolved_at) for r in rows.values()} == {(False, None, None)}
    # L, sent down the 涉法涉诉 route at triage, is out of the figures, by a recorded decision
    assert rows[ids["L"]].in_stats is False
    assert [(d.case_id, d.counted, d.decided_by) for d in decisions] == [(ids["L"], False, "system")]
    assert s.case_page.case_page(ids["L"], user="director")["counting"]["source"] == "分流规则"

    with time_machine.travel(JULY, tick=False):
        march = {r["key"]: r for r in s.kpi.kpis("director", *MARCH)}
        may = {r["key"]: r for r in s.kpi.kpis("director", *MAY)}
    nd = lambda row: (row["numerator"], row["denominator"], row["rate"])   # noqa: E731
    # handle deadline Tue 6 May 24:00 (4 Mar + 60 d = Sat 3 May, in the May Day holiday) for A and E:
    # A replied 13 Mar; E never replied (the earlier rows said done on 30 April): 1 / 2
    assert nd(may["on_time_closure"]) == (1, 2, 50.0)
    # 初件 with 办结 in March: A (came back as A2 on 24 Mar, inside its window) and C: 1 / 2
    assert nd(march["first_time_resolution"]) == (1, 2, 50.0)
    # 包案 registered in March: D, archived after 告知, nothing recorded: 0 / 1 (the earlier rows: 1 / 1)
    assert nd(march["key_case_resolution"]) == (0, 1, 0.0)
    # registered in March and counted: A, A2, C, D, E (L left out): one 重件
    assert nd(march["repeat_rate"]) == (1, 5, 20.0)

    with time_machine.travel(JULY, tick=False):
        s.resolutions.set_resolution(ids["D"], "已化解", user="director", reason="经回访，信访人已息诉")
        june_on = {r["key"]: r for r in s.kpi.kpis("director", *Month.parse("2025-07").bounds())}
        march_after = {r["key"]: r for r in s.kpi.kpis("director", *MARCH)}
    # resolved on 1 July: not by the end of March; the record and the figures agree at once
    assert nd(march_after["key_case_resolution"]) == (0, 1, 0.0)
    assert june_on["key_case_resolution"]["denominator"] == 0                 # D was registered in March
    with s.engine.connect() as conn:
        d = conn.execute(sa.select(CaseMetrics).where(CaseMetrics.case_id == ids["D"])).one()
    assert (d.resolution, d.resolved, d.resolved_at) == ("已化解", True, JULY)
    s.engine.dispose()
