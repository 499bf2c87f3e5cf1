"""Every KPI has one definition: the dashboard, the monthly report's appendix and docs/kpi.md say
the same words; each reads against its target in its own way."""
from __future__ import annotations

from office.kpi.definitions import DEFINITIONS
from office.kpi.figures import KPIS
from tests.support.paths import ROOT

DOCS = (ROOT / "docs" / "kpi.md").read_text(encoding="utf-8")


def test_every_kpi_counted_has_a_definition_and_the_manual_gives_it_word_for_word():
    assert [d.key for d in DEFINITIONS] == [k.key for k in KPIS]
    for d in DEFINITIONS:
        assert f"**{d.label}** (`{d.key}`). {d.text_en}" in DOCS, d.key


def test_a_rate_reads_met_not_met_or_exceeded_by_its_direction():
    by_key = {d.key: d for d in DEFINITIONS}
    closure, repeats, online = by_key["on_time_closure"], by_key["repeat_rate"], by_key["online_share"]
    assert (closure.verdict(100.0), closure.verdict(99.99), closure.verdict(None)) == ("达标", "未达标", None)
    assert (repeats.verdict(10.0), repeats.verdict(12.5)) == ("达标", "超出")
    assert (online.verdict(80.0), online.target_text) == (None, "—")
    assert (closure.target_text, repeats.target_text) == ("≥ 100%", "≤ 10%")
