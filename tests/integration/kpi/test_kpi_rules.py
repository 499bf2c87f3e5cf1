"""The KPIs follow the office's rules, on petitions run through the shipped processes, with every
figure worked out by hand below (issue: 办结 is the served reply, 化解 is recorded, every rate reads
only what is due).

The story (2025, Asia/Shanghai; T0 = Monday 3 March 09:00 = 01:00Z). Each petitioner is a
different person except A2, who is A's.
  A  网信  交办 housing, signed 4 Mar, reported and approved 8 Mar, replied 13 Mar (支持, 已化解);
           rated 15 Mar: the unit 满意, the office 不满意. Its 复查 window ends 12 Apr: archived then.
  A2 来访  A's petitioner on the same matter, registered 24 Mar (11 days after A's reply, inside the
           复查 window, while A still runs): a 重件 of A; triage 不予受理, archived at once.
  B  来信  交办 city_hrss, like A; replied 13 Mar (解释说明, 部分化解); rated 15 Mar: the unit 基本满意,
           the office not asked; hearing the petitioner then, the clerk revises the 化解 to 已化解.
  C  电话  即接即办: answered on the spot at 09:19 on 3 Mar (已化解).
  D  网信  包案 at registration; triage 告知 (another organ is competent): archived on 3 Mar.
  E  来信  交办 district_gov, signed 4 Mar; report approved 30 Apr; the reply never served.
  E2 网信  交办 district_gov, signed 4 Mar; report approved 5 May; replied 6 May 23:30 local.
  K  来信  包案, 交办 housing; replied 13 Mar (不予支持, 未化解); not rated (window lapses 28 Mar 24:00);
           asks for 复查 18 Mar; the director's 复查 decision of 28 Mar: 变更, 已化解.
  L  来访  triage 涉法涉诉: not counted, by the rule triage applies.
  M  网信  triage 申诉求决类; the director leaves it out of the statistics on 10 Mar (a duplicate
           registration), with a reason.
Handle deadlines: signed Tue 4 March -> 60 days end Sat 3 May, inside the May Day holiday (1–5 May)
-> Tue 6 May 24:00 (16:00Z). Rating windows: reply 13 Mar + 15 days -> Fri 28 Mar 24:00.
Figures are read on 1 July 2025 unless said otherwise: every March 一次性化解 window has ended.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed
from office.dates import Month
from tests.support.databases import module_services
from tests.support.office import id_number, make_office, petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
JULY = datetime(2025, 7, 1, 2, tzinfo=timezone.utc)
MARCH, MAY = Month.parse("2025-03").bounds(), Month.parse("2025-05").bounds()
PEOPLE = {name: (f"王{name}", id_number(f"11010119700101{i:03d}")) for i, name in enumerate(
    ("A", "B", "C", "D", "E", "E2", "K", "L", "M"), start=100)}


def register(o, name: str, subject: str, channel: str, **extra) -> int:
    person, id_number = PEOPLE[name]
    return o.register(petition(subject, channel=channel, name=person, id_number=id_number, **extra))


def handled(o, case: int, unit: str, staff: str, **sign_off) -> None:
    o.triage(case, "申诉求决类")
    o.route_to_units(case, unit, **sign_off)


def report(o, case: int, staff: str) -> None:
    o.do(case, "handle", staff, result="办结", report="已调查处理")
    o.do(case, "review_report", "director", quality="通过")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def story(request, tmp_path_factory, sqlite_template):
    """Built once per database (driving the processes is slow) and only read by the tests."""
    s = module_services(request, tmp_path_factory, sqlite_template)
    o = make_office(s)
    ids = {}
    with time_machine.travel(T0, tick=False) as clock:
        ids["A"] = register(o, "A", "小区违建阳光房影响采光", "网信")
        ids["B"] = register(o, "B", "企业拖欠农民工工资", "来信", content_class="劳动和社会保障")
        ids["C"] = register(o, "C", "咨询人才安家补贴申领条件", "电话", purpose="其他", content_class="党务政务")
        ids["D"] = register(o, "D", "对国有土地征收决定不服", "网信", key_case=True, content_class="自然资源")
        ids["E"] = register(o, "E", "低保资格被取消", "来信", content_class="民政与应急")
        ids["E2"] = register(o, "E2", "孩子入学学位分配不公", "网信", content_class="教育")
        ids["K"] = register(o, "K", "拆迁安置补偿款迟迟未到位", "来信", key_case=True)
        ids["L"] = register(o, "L", "不服一审判决要求监督法院", "来访", content_class="政法")
        ids["M"] = register(o, "M", "道路破损无人维修", "网信", content_class="交通运输")
        handled(o, ids["A"], "housing", "housing_staff")
        handled(o, ids["B"], "city_hrss", "hrss_staff")
        handled(o, ids["E"], "district_gov", "gov_staff")
        handled(o, ids["E2"], "district_gov", "gov_staff")
        handled(o, ids["K"], "housing", "housing_staff", key_case=True)
        o.triage(ids["D"], "告知", competent_organ="市自然资源和规划局")
        o.triage(ids["L"], "涉法涉诉", "涉法涉诉")
        o.triage(ids["M"], "申诉求决类")
        clock.shift(timedelta(minutes=19))
        o.triage(ids["C"], "即接即办")
        o.do(ids["C"], "first_contact", "clerk", method="即接即办", outcome="解释说明", answer="当场答复",
             resolution="已化解")
        clock.move_to(T0 + timedelta(days=1))
        for name, staff in (("A", "housing_staff"), ("B", "hrss_staff"), ("E", "gov_staff"), ("E2", "gov_staff"),
                            ("K", "housing_staff")):
            o.sign(ids[name], staff)
        clock.move_to(T0 + timedelta(days=5))
        for name, staff in (("A", "housing_staff"), ("B", "hrss_staff"), ("K", "housing_staff")):
            report(o, ids[name], staff)
        clock.move_to(T0 + timedelta(days=7))
        s.counting.set_counted(ids["M"], False, user="director", reason="重复登记，已并入其他事项")
        clock.move_to(T0 + timedelta(days=10))
        o.do(ids["A"], "reply", "clerk", outcome="支持", reply_text="已拆除违建", resolution="已化解")
        o.do(ids["B"], "reply", "clerk", outcome="解释说明", reply_text="已督促支付", resolution="部分化解")
        o.do(ids["K"], "reply", "clerk", outcome="不予支持", reply_text="补偿符合标准", resolution="未化解")
        clock.move_to(T0 + timedelta(days=12))
        o.do(ids["A"], "evaluate", "clerk", unit_satisfaction="满意", office_satisfaction="不满意")
        o.do(ids["B"], "evaluate", "clerk", unit_satisfaction="基本满意", revised_resolution="已化解")
        clock.move_to(T0 + timedelta(days=15))
        o.do(ids["K"], "request_review", "clerk", review_requested=True, review_reason="补偿标准过低")
        clock.move_to(T0 + timedelta(days=21))
        ids["A2"] = register(o, "A", "小区违建阳光房影响采光，再次反映", "来访")
        o.triage(ids["A2"], "不予受理")
        clock.move_to(T0 + timedelta(days=25))
        o.do(ids["K"], "review_decide", "director", decision="变更", opinion="提高补偿标准", resolution="已化解")
        clock.move_to(datetime(2025, 3, 29, 2, tzinfo=timezone.utc))
        s.timers.fire_due_timers()                       # K's rating window lapsed on 28 Mar 24:00
        clock.move_to(datetime(2025, 4, 20, 2, tzinfo=timezone.utc))
        s.timers.fire_due_timers()                       # A's and B's 复查 windows lapsed: archived
        clock.move_to(datetime(2025, 4, 30, 2, tzinfo=timezone.utc))
        report(o, ids["E"], "gov_staff")
        clock.move_to(datetime(2025, 5, 5, 2, tzinfo=timezone.utc))
        report(o, ids["E2"], "gov_staff")
        clock.move_to(datetime(2025, 5, 6, 15, 30, tzinfo=timezone.utc))      # 23:30 on the last day
        o.do(ids["E2"], "reply", "clerk", outcome="支持", reply_text="已调整学位", resolution="已化解")
    yield s, ids
    s.engine.dispose()


def figures(s, period, when=JULY, by=None) -> dict:
    with time_machine.travel(when, tick=False):
        return {(r["key"], r["group"]): r for r in s.kpi.kpis("director", *period, by=by)}


def listed(s, key, period, part, when=JULY, **kw) -> list[str]:
    """The cases of a drill-down, by their names in the story."""
    names = {v: k for k, v in s.story_ids.items()}
    with time_machine.travel(when, tick=False):
        return sorted(names[r["case_id"]] for r in s.kpi.kpi_cases("director", key, *period, part=part, **kw))


def nd(row) -> tuple:
    return row["numerator"], row["denominator"], row["rate"]


@pytest.fixture
def office(story):
    s, ids = story
    s.story_ids = ids
    return s


def test_the_story_ran_as_told(office):
    ids = office.story_ids
    data = {name: office.cases.get_case(case)["data"] for name, case in ids.items()}
    assert data["A2"]["is_repeat"] is True and data["A2"]["main_case_id"] == ids["A"]
    assert office.cases.get_case(ids["A"])["status"] == "complete"             # archived after 12 April
    assert "replied" not in data["E"]["milestones"] and "reported" in data["E"]["milestones"]
    assert data["E2"]["milestones"]["replied"] == "2025-05-06T15:30:00+00:00"
    assert data["A"]["deadlines"]["handle"] == "2025-05-06T16:00:00+00:00"
    assert "evaluation_lapsed" in data["K"]["milestones"]
    assert (data["L"]["in_stats"], data["A"]["in_stats"]) == (False, True)


def test_first_time_resolution_counts_from_the_served_reply_and_sees_a_return_in_the_review_window(office):
    f = figures(office, MARCH)["first_time_resolution", ""]
    # 初件 with 办结 in March: A, B, K (replies of 13 Mar) and C (answered 3 Mar); D (告知) and E are
    # never 办结, A2 is a 重件. A's petitioner came back on 24 Mar, 11 days after the reply and
    # before A was archived (12 Apr): missed. B and K (windows to 11 Jun 24:00) and C (3 Mar + 90 d
    # = Sun 1 Jun, moved past the 端午 holiday to Tue 3 Jun) had no 重件: 3 / 4
    assert nd(f) == (3, 4, 75.0) and f["pending"] == 0
    assert listed(office, "first_time_resolution", MARCH, "missed") == ["A"]
    assert listed(office, "first_time_resolution", MARCH, "numerator") == ["B", "C", "K"]
    # read on 1 April: A is judged (it came back); B, C, K still inside their windows, not yet due
    april = figures(office, MARCH, when=datetime(2025, 4, 1, tzinfo=timezone.utc))["first_time_resolution", ""]
    assert (nd(april), april["pending"]) == ((0, 1, 0.0), 3)
    assert listed(office, "first_time_resolution", MARCH, "pending", when=datetime(2025, 4, 1, tzinfo=timezone.utc)) \
        == ["B", "C", "K"]
    # April: nothing was 办结 in April (A's archive on 12 April is not 办结)
    assert figures(office, Month.parse("2025-04").bounds())["first_time_resolution", ""]["denominator"] == 0


def test_resolution_is_the_recorded_outcome_not_the_archive(office):
    f = figures(office, MARCH)["key_case_resolution", ""]
    # 包案 registered in March: D and K. D was archived after 告知 with nothing recorded: not resolved.
    # K: 未化解 at the reply (13 Mar), 已化解 by the 复查 decision of 28 Mar, before the month's end
    assert nd(f) == (1, 2, 50.0)
    assert listed(office, "key_case_resolution", MARCH, "missed") == ["D"]
    ids = office.story_ids
    k = office.case_page.case_page(ids["K"], user="director")["resolution"]
    assert [(h["outcome"], h["source"], h["decided_by"]) for h in k["history"]] == [
        ("未化解", "答复信访人", "clerk"), ("已化解", "复查决定", "director")]
    assert k["current"]["resolved_since"] == "2025-03-28T01:00:00+00:00"
    b = office.case_page.case_page(ids["B"], user="director")["resolution"]
    assert [(h["outcome"], h["source"], h["decided_at"]) for h in b["history"]] == [
        ("部分化解", "答复信访人", "2025-03-13T01:00:00+00:00"), ("已化解", "满意度评价", "2025-03-15T01:00:00+00:00")]
    assert (b["current"]["resolved"], b["current"]["decided_by"]) == (True, "clerk")
    a = office.case_page.case_page(ids["A"], user="director")["resolution"]["history"]
    assert [h["source"] for h in a] == ["答复信访人"], "a rating without a revision records nothing"
    # nor is a 不予受理 closure resolved by being archived
    for gate in ("D", "A2"):
        assert office.case_page.case_page(ids[gate], user="director")["resolution"]["current"] is None
        assert office.cases.get_case(ids[gate])["status"] == "complete"


def test_on_time_closure_needs_the_reply_served_by_the_deadline(office):
    f = figures(office, MAY)["on_time_closure", ""]
    # handle deadline 6 May 24:00 for A, B, E, E2, K. A, B, K replied 13 Mar; E2 replied at 23:30 on
    # the last day: on time. E's report was approved on 30 April but no reply was served: overdue
    assert nd(f) == (4, 5, 80.0)
    assert f["classes"] == {"按期办结": 4, "超期办结": 0, "超期未办结": 1, "未到期": 0}
    assert listed(office, "on_time_closure", MAY, "missed") == ["E"]
    assert listed(office, "on_time_closure", MAY, "open_overdue") == ["E"]
    units = figures(office, MAY, by="unit")
    assert nd(units["on_time_closure", "district_gov"]) == (1, 2, 50.0)       # E2 on time, E not
    # read on 6 May at 23:59 local: E is not yet due, E2 already closed: 4 / 4 with E pending
    last_day = figures(office, MAY, when=datetime(2025, 5, 6, 15, 59, tzinfo=timezone.utc))["on_time_closure", ""]
    assert (nd(last_day), last_day["pending"]) == ((4, 4, 100.0), 1)


def test_the_unit_and_the_office_are_rated_apart(office):
    f = figures(office, MARCH)
    # ratings given in March: A (unit 满意, office 不满意), B (unit 基本满意, office not asked)
    assert nd(f["unit_satisfaction", ""]) == (2, 2, 100.0)
    assert nd(f["satisfaction", ""]) == (0, 1, 0.0)
    assert listed(office, "satisfaction", MARCH, "denominator") == ["A"]
    # rating windows ending in March (28 Mar): A and B rated, K's lapsed: 2 / 3
    assert nd(f["evaluation_rate", ""]) == (2, 3, 66.67)
    assert listed(office, "evaluation_rate", MARCH, "missed") == ["K"]


def test_cases_not_counted_stay_out_of_every_figure(office):
    f = figures(office, MARCH)
    # registered in March and counted: A, A2, B, C, D, E, E2, K (L by triage's rule, M by the director)
    assert nd(f["repeat_rate", ""]) == (1, 8, 12.5)                    # A2
    assert nd(f["online_share", ""]) == (3, 8, 37.5)                   # A, D, E2 (M is 网信 but not counted)
    assert listed(office, "online_share", MARCH, "denominator") == ["A", "A2", "B", "C", "D", "E", "E2", "K"]
    # route deadline 18 March for all but A2 (8 April); each triaged on 3 March
    assert nd(f["timely_acceptance", ""]) == (7, 7, 100.0)
    ids = office.story_ids
    rule = office.case_page.case_page(ids["L"], user="director")["counting"]
    assert (rule["counted"], rule["source"]) == (False, "分流规则") and "涉法涉诉" in rule["basis"]
    director = office.case_page.case_page(ids["M"], user="director")["counting"]
    assert (director["counted"], director["source"], director["decided_by"]) == (False, "主任决定", "director")
    assert director["basis"] == "重复登记，已并入其他事项"
    events = office.cases.get_case(ids["M"])["events"]
    assert any(e["kind"] == "in_stats_changed" and e["actor"] == "director" for e in events)


def test_each_rate_reads_its_own_way(office):
    f = figures(office, MARCH)
    # lower is better: 12.5 % is above the 10 % target, so it reads 超出 and lists no "missed" cases
    assert (f["repeat_rate", ""]["verdict"], f["repeat_rate", ""]["missed"]) == ("超出", None)
    # a share has no target: no verdict, nothing missed
    assert (f["online_share", ""]["verdict"], f["online_share", ""]["missed"]) == (None, None)
    # higher is better: 2 of 3 rated, 95 % target: 未达标, and the one due and missed is counted
    assert (f["evaluation_rate", ""]["verdict"], f["evaluation_rate", ""]["missed"]) == ("未达标", 1)
    assert f["timely_acceptance", ""]["verdict"] == "达标"
    with pytest.raises(ValidationFailed):
        office.kpi.kpi_cases("director", "repeat_rate", *MARCH, part="missed")
    with pytest.raises(ValidationFailed):
        office.kpi.kpi_cases("director", "online_share", *MARCH, part="pending")


@pytest.mark.parametrize("period", [MARCH, Month.parse("2025-04").bounds(), MAY])
def test_every_drill_down_lists_exactly_the_cases_its_figure_counts(office, period):
    from office.kpi.figures import BY_KEY, parts
    for (key, _), row in figures(office, period).items():
        counts = {"numerator": row["numerator"], "denominator": row["denominator"], "pending": row["pending"],
                  "missed": row["missed"]}
        counts.update({name: row["classes"][label] for name, label, _ in BY_KEY[key].classes})
        lists = {part: listed(office, key, period, part) for part in parts(key)}
        for part, found in lists.items():
            assert len(found) == counts[part], (key, part, found)
        assert set(lists["numerator"]) <= set(lists["denominator"]), key
        assert set(lists.get("pending", ())).isdisjoint(lists["denominator"]), key


def test_only_the_director_sets_resolution_and_counting_with_a_reason(office):
    ids = office.story_ids
    with pytest.raises(NotAllowed):
        office.resolutions.set_resolution(ids["D"], "已化解", user="clerk", reason="回访")
    with pytest.raises(NotAllowed):
        office.counting.set_counted(ids["D"], False, user="leader", reason="x")
    with pytest.raises(ValidationFailed):
        office.resolutions.set_resolution(ids["D"], "已化解", user="director", reason=" ")
    with pytest.raises(ValidationFailed):
        office.resolutions.set_resolution(ids["D"], "化解了", user="director", reason="回访")
    with pytest.raises(ValidationFailed):
        office.counting.set_counted(ids["D"], "no", user="director", reason="x")
    assert office.case_page.case_page(ids["D"], user="director")["resolution"]["current"] is None


OLD_EVALUATE_FORM = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "满意度评价",
                     "type": "object", "required": ["satisfaction"],
                     "properties": {"satisfaction": {"type": "string", "title": "评价",
                                                     "enum": ["满意", "基本满意", "不满意"]},
                                    "evaluation_comment": {"type": "string", "title": "意见", "maxLength": 2000}}}


def _replied(o, subject: str, name: str) -> dict:
    case = o.register(petition(subject, name=name, id_number=""))
    o.triage(case, "申诉求决类")
    o.route_to_units(case, "housing")
    o.sign(case, "housing_staff")
    report(o, case, "housing_staff")
    o.do(case, "reply", "clerk", outcome="支持", reply_text="已办理", resolution="已化解")
    return {**o.data(case), "case_id": case, "query_code": o.code(case)}


@pytest.mark.parametrize("old_form", [False, True], ids=["two ratings", "a stored one-rating form"])
def test_self_service_rates_the_unit_and_the_office_apart(services, old_form):
    """The petitioner rates the unit (required) and the office (optional) on /public. A process
    deployed with the earlier one-rating form still takes the answer: the unit's rating, which
    that form's single rating meant for both."""
    import json
    o = make_office(services)
    if old_form:    # the processes as deployed before, with that version's evaluation form
        files = {p.name: p.read_text(encoding="utf-8") for p in services.settings.bpmn_dir.glob("*.bpmn")}
        services.processes.deploy({**files, "forms/evaluate.json": json.dumps(OLD_EVALUATE_FORM)})
    with time_machine.travel(T0, tick=False):
        data = _replied(o, "小区违建阳光房影响采光", "周甲")
        with pytest.raises(ValidationFailed):
            services.selfservice.public_evaluate(data["reg_no"], data["query_code"], unit_rating="")
        services.selfservice.public_evaluate(data["reg_no"], data["query_code"], unit_rating="基本满意",
                                             office_rating="不满意")
        f = {r["key"]: r for r in services.kpi.kpis("director", *MARCH)}
    stored = services.cases.get_case(data["case_id"])["data"]
    if old_form:
        # the stored form asked one rating; it took the unit's, and it counts for the unit and the office
        assert stored["satisfaction"] == "基本满意" and "office_satisfaction" not in stored
        assert nd(f["unit_satisfaction"]) == (1, 1, 100.0) and nd(f["satisfaction"]) == (1, 1, 100.0)
    else:
        # unit 基本满意 (satisfied enough), office 不满意: each counted in its own 满意率
        assert (stored["unit_rating"], stored["office_rating"]) == ("基本满意", "不满意")
        assert nd(f["unit_satisfaction"]) == (1, 1, 100.0) and nd(f["satisfaction"]) == (0, 1, 0.0)
