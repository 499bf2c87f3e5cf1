"""Deadline tables: statutory limits are versioned data per jurisdiction, not code."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from processes.deadlines import load_table

CONTRACT_NAMES = {"route", "unit_objection", "handle", "extension", "evaluate", "review_request",
                  "review_decision", "recheck_request", "recheck_decision", "lookback", "legal_study"}


def test_the_default_table_has_every_contract_rule_with_chinese_labels_and_reminders():
    table = load_table()
    assert table.jurisdiction == "default" and set(table.rules) >= CONTRACT_NAMES
    assert (table.rule("handle").days, table.rule("handle").reminders) == (60, (15, 3))
    assert (table.rule("unit_objection").days, table.rule("unit_objection").unit) == (5, "working")
    assert table.rule("route").label == "受理/告知期限"


def test_a_jurisdiction_inherits_the_national_rules_and_overrides_some():
    national, zhejiang = load_table("national"), load_table("zhejiang")
    assert zhejiang.rule("route").days == 30 and national.rule("route").days == 15
    assert zhejiang.rule("handle") == national.rule("handle")
    with pytest.raises(KeyError, match="no deadline table"):
        load_table("../etc")
    with pytest.raises(KeyError, match="no deadline rule 'nonsense'"):
        national.rule("nonsense")


def test_due_dates_follow_the_rule_unit():
    table = load_table()
    assert table.due_date("unit_objection", date(2025, 9, 30)) == date(2025, 10, 14)   # working days over 国庆
    assert table.due_date("route", date(2026, 2, 1)) == date(2026, 2, 24)             # ends in 春节 -> after it
    assert table.due_at("handle", datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 5, 6, 16, 0, tzinfo=timezone.utc), "1 May falls in the May Day holiday: 6 May, 24:00"


def write_versions(tmp_path) -> None:
    rule = {"unit": "natural", "label": "办理期限", "reminders": [15, 3]}
    (tmp_path / "test.json").write_text(json.dumps({"jurisdiction": "test", "versions": [
        {"version": 2, "effective": "2027-01-01", "rules": {"handle": {**rule, "days": 45}}},
        {"version": 1, "effective": "2022-05-01", "rules": {"handle": {**rule, "days": 60}}}]}))


def test_load_table_picks_the_latest_version_a_given_one_or_the_one_in_force_on_a_date(tmp_path):
    write_versions(tmp_path)
    assert load_table("test", tables=tmp_path).rule("handle").days == 45
    assert load_table("test", 1, tables=tmp_path).rule("handle").days == 60
    assert load_table("test", on=date(2026, 11, 23), tables=tmp_path).version == 1
    assert load_table("test", on=date(2027, 3, 1), tables=tmp_path).version == 2
    with pytest.raises(KeyError, match="no version 7"):
        load_table("test", 7, tables=tmp_path)


def test_a_malformed_rule_is_refused_with_its_name(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"versions": [
        {"version": 1, "effective": "2022-05-01", "rules": {"handle": {"days": "sixty", "unit": "natural"}}}]}))
    with pytest.raises(ValueError, match="'handle'"):
        load_table("bad", tables=tmp_path)
