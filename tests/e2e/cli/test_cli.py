"""The `xinfang` command line: JSON out, exit 0 on success, 2 with a reason on bad input."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import bpmn_builder as b
from tests.support.cli import out
from tests.support.paths import SIMPLE


def test_a_case_from_the_command_line(cli, tmp_path):
    cli("init-db")
    cli("users", "add", "clerk1", "--groups", "intake_staff", "--password", "s3cret-pass")
    cli("users", "add", "rev1", "--groups", "reviewers")
    assert out(cli("deploy", str(SIMPLE))) == {"deployed": [{"key": "complaint_simple", "version": 1}]}
    case = out(cli("start", "complaint_simple", "--data", '{"subject": "噪音"}', "--user", "clerk1"))
    assert case["status"] == "running" and case["id"] == 1
    tasks = out(cli("tasks", "--case", "1"))
    assert set(tasks[0]) == {"id", "case_id", "bpmn_id", "name", "groups", "assignee", "due_at"}
    assert tasks[0]["groups"] == ["intake_staff"]
    cli("complete", tasks[0]["id"], "--user", "clerk1", "--data", "{}")
    review = out(cli("tasks", "--user", "rev1"))[0]
    cli("complete", review["id"], "--user", "rev1", "--data", '{"decision": "reject"}')
    shown = out(cli("case", "1"))
    assert shown["status"] == "complete" and shown["process_key"] == "complaint_simple"
    assert {"version", "data", "tasks", "events"} <= set(shown)
    assert out(cli("timers", "fire-due", "--now", "2030-01-01T00:00:00+08:00")) == {"fired": 0}


@pytest.mark.parametrize("args, reason", [
    (("start", "nope"), "no deployed process"),
    (("start", "complaint_simple", "--data", "[1]"), "must be a JSON object"),
    (("start", "complaint_simple", "--data", "{bad"), "not valid JSON"),
    (("complete", "00000000-0000-0000-0000-000000000000", "--user", "clerk1"), "no task"),
    (("case", "999"), "no case 999"),
    (("timers", "fire-due", "--now", "2026-01-01T00:00:00"), "no UTC offset"),
    (("users", "add", "x y"), "invalid user name"),
    (("users", "add", "system", "--groups", "clerk"), "is reserved for the system's own actors"),
    (("users", "add", "Scheduler", "--groups", "clerk"), "is reserved for the system's own actors"),
    (("report", "--month", "2026-13"), "month must look like 2026-10"),
    (("report", "--month", "0000-01"), "month must lie between 2000 and 2199"),
])
def test_bad_input_exits_2_with_a_reason(cli, args, reason):
    cli("init-db")
    cli("users", "add", "clerk1", "--groups", "intake_staff")
    cli("deploy", str(SIMPLE))
    result = cli(*args, ok=False)
    assert result.exit_code == 2
    assert reason in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("variable, value", [("XINFANG_TIMER_BATCH", "abc"), ("XINFANG_TIMER_BATCH", "0"),
                                             ("XINFANG_SCHEDULER_THREADS", "-2"), ("XINFANG_TICK_SECONDS", "nan")])
def test_a_bad_number_in_the_environment_is_named_not_a_traceback(cli, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    result = cli("timers", "fire-due", ok=False)
    assert result.exit_code == 2
    assert f"{variable} must be a" in result.stderr and repr(value) in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_invalid_diagram_prints_every_error_as_json(cli, tmp_path):
    cli("init-db")
    bad = tmp_path / "bad.bpmn"
    bad.write_text(b.linear("p1", ("t1", '<bpmn:userTask id="t1"/>'), ("s1", b.service_task("s1", "nope"))))
    result = cli("deploy", str(bad), ok=False)
    assert result.exit_code == 2
    errors = out(result)["errors"]
    assert {e["element"] for e in errors} == {"t1", "s1"}
    assert all(e["file"] == "bad.bpmn" and e["line"] for e in errors)
    assert out(cli("deploy", str(SIMPLE)))["deployed"][0]["version"] == 1, "nothing was stored before"


def test_completing_someone_elses_task_is_refused(cli):
    cli("init-db")
    cli("users", "add", "clerk1", "--groups", "intake_staff")
    cli("users", "add", "rev1", "--groups", "reviewers")
    cli("deploy", str(SIMPLE))
    cli("start", "complaint_simple")
    task = out(cli("tasks", "--case", "1"))[0]
    result = cli("complete", task["id"], "--user", "rev1", ok=False)
    assert result.exit_code == 2 and "not a member" in result.stderr
    result = cli("complete", task["id"], "--user", "ghost", ok=False)
    assert result.exit_code == 2 and "no active user 'ghost'" in result.stderr


def test_an_export_from_the_command_line_is_in_the_access_log(cli, tmp_path, database_url):
    from sqlalchemy import create_engine, text
    cli("init-db")
    archive = tmp_path / "backup.jsonl.gz"
    assert out(cli("export", str(archive)))["path"] == str(archive)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, action, detail FROM access_log")).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0][1] == "export" and rows[0][0].startswith("cli:")
    assert "backup.jsonl.gz" in rows[0][2]


def test_the_monthly_report_is_written_as_xlsx_and_docx(cli, tmp_path):
    cli("init-db")
    cli("deploy", str(SIMPLE))
    cli("start", "complaint_simple", "--data",
        '{"reg_no": "R1", "channel": "网信", "milestones": {"registered": "2026-10-03T02:00:00Z"}}')
    files = out(cli("report", "--month", "2026-10", "--out", str(tmp_path / "out")))["files"]
    assert [Path(f).name for f in files] == ["xinfang-2026-10.xlsx", "xinfang-2026-10.docx"]
    from openpyxl import load_workbook
    book = load_workbook(files[0])
    assert book.sheetnames == ["全部", "按单位", "按类别", "按属地", "按渠道", "代表转交（按代表）", "代表转交（按联络站）", "指标口径"]
    from office.kpi.definitions import DEFINITIONS
    appendix = list(book["指标口径"].iter_rows(values_only=True))
    assert [r[0] for r in appendix[2:]] == [d.label for d in DEFINITIONS]      # every KPI, with its words
    closure = next(r for r in appendix if r[0] == "按期办结率")
    assert closure[1] == "≥ 100%" and "送达答复" in closure[2] and "served" in closure[4]
    online = next(r for r in book["全部"].iter_rows(values_only=True) if r[0] == "网信占比")
    assert online[2:5] == (1, 1, 100.0)
    assert next(r for r in book["按渠道"].iter_rows(values_only=True) if r[0] == "网信占比")[1] == "网信"
    from docx import Document
    doc = Document(files[1])
    assert doc.paragraphs[0].text == "2026-10 信访工作月度报告"
    assert any(row.cells[0].text == "网信占比" and row.cells[4].text == "100.0"
               for table in doc.tables for row in table.rows)
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("附录：指标口径")                     # the definitions close the report
    assert all(any(t.startswith(d.label) for t in texts[at:]) for d in DEFINITIONS)
    assert next(d.text_en for d in DEFINITIONS if d.key == "repeat_rate") in texts[at:]
    pictures = [shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in doc.inline_shapes]
    assert len(pictures) >= 2                              # the month's rates and the six-month trend
    assert all(doc.part.related_parts[rid].blob.startswith(b"\x89PNG") for rid in pictures)


def test_report_charts_draw_chinese_labels_with_a_cjk_font():
    from office.kpi import charts as report_charts
    assert report_charts.cjk_family() is not None          # `make test` installs fonts-wqy-microhei
    figures = [{"key": "online_share", "label": "网信占比", "rate": 40.0, "numerator": 2, "denominator": 5}]
    assert report_charts.rates_chart(figures, "2026-10").startswith(b"\x89PNG")
    assert report_charts.rates_chart([{**figures[0], "rate": None}], "2026-10") is None
    assert report_charts.trend_chart([{"month": "2026-10", **figures[0]}], "t") is None   # one month: no line
