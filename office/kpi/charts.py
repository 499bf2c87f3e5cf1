"""Charts for the monthly Word report, drawn with matplotlib's Agg backend into PNG bytes.

The report is read on paper and in meetings, so the charts carry their own labels in Chinese: a CJK
font is looked up among the common ones (Debian's fonts-wqy-microhei is installed by the Makefile).
Without one the chart still renders and a warning is logged once.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager                      # noqa: E402  (after the backend is chosen)
from matplotlib.figure import Figure                     # noqa: E402

log = logging.getLogger(__name__)
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei")
CJK_FILES = re.compile(r"(wqy|NotoSansCJK|NotoSerifCJK|SourceHanSans|simhei|msyh)", re.IGNORECASE)
TREND_KEYS = ("on_time_closure", "satisfaction", "timely_acceptance")
GROUP_KEYS = ("on_time_closure", "satisfaction")
MAX_BARS = 15


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The first installed CJK font family, or None (then Chinese labels render as boxes)."""
    family = _installed_cjk()
    if family is None:
        # matplotlib caches the font list in ~/.cache/matplotlib when it is first imported: a font
        # installed after that (apt after the first run) is only seen if we add its file ourselves.
        for path in font_manager.findSystemFonts():
            if CJK_FILES.search(path):
                font_manager.fontManager.addfont(path)
        family = _installed_cjk()
    if family is None:
        log.warning("no CJK font found (install fonts-wqy-microhei); report charts will show boxes")
    else:
        matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]    # only this module draws
    return family


def _installed_cjk() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def _figure(height: float) -> Figure:
    cjk_family()
    return Figure(figsize=(7.5, height), dpi=110, layout="tight")


def _png(fig: Figure) -> bytes:
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def rates_chart(figures: list[dict], title: str) -> bytes | None:
    """Horizontal bars of every rate that has a denominator; None when the month has no figures."""
    rows = [f for f in figures if f.get("rate") is not None]
    if not rows:
        return None
    fig = _figure(0.45 * len(rows) + 1.2)
    ax = fig.add_subplot()
    labels, values = [f["label"] for f in rows][::-1], [f["rate"] for f in rows][::-1]
    bars = ax.barh(labels, values, color="#2f6fb3")
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("%")
    ax.set_title(title)
    return _png(fig)


def group_chart(figures: list[dict], key: str, title: str) -> bytes | None:
    """One KPI across the groups of a grouping (e.g. 按期办结率 by unit), largest denominators first."""
    rows = sorted((f for f in figures if f.get("key") == key and f.get("rate") is not None),
                  key=lambda f: -f["denominator"])[:MAX_BARS]
    if not rows:
        return None
    fig = _figure(0.4 * len(rows) + 1.2)
    ax = fig.add_subplot()
    labels = [str(f.get("group") or "—") for f in rows][::-1]
    values = [f["rate"] for f in rows][::-1]
    bars = ax.barh(labels, values, color="#c0504d")
    ax.bar_label(bars, labels=[f"{v:.1f}%（{f['numerator']}/{f['denominator']}）" for v, f in
                               zip(values, rows[::-1])], padding=3, fontsize=8)
    ax.set_xlim(0, 125)
    ax.set_title(title)
    return _png(fig)


def trend_chart(trend: list[dict], title: str, keys: tuple[str, ...] = TREND_KEYS) -> bytes | None:
    """Lines of a few KPIs month by month; months without a denominator leave a gap."""
    months = sorted({row["month"] for row in trend})
    if len(months) < 2:
        return None
    fig = _figure(3.2)
    ax = fig.add_subplot()
    for key in keys:
        by_month = {row["month"]: row for row in trend if row["key"] == key}
        if not by_month:
            continue
        label = next(iter(by_month.values()))["label"]
        ax.plot(months, [by_month.get(m, {}).get("rate") for m in months], marker="o", label=label)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _png(fig)
