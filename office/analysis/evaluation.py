"""评: the evaluation of courts and procuratorates (研交督评, docs/domain.md §3.3 and §8).

An organ is the court or procuratorate unit (unit kind `court`/`procuratorate`) a case was sent
to, by its name, or else the organ the petition names (`organ`, when it contains 法院 or 检察院).
Per organ and period: petitions about it (all registered cases naming it, 纳入统计 or not, since
涉法涉诉 items are often left out of the statistics), their outcomes, the petitioners' satisfaction
with the handling, and the appeal (上诉率) and reversal (改判率) rates the courts report, imported
from CSV. Each component becomes a 0–100 score — satisfaction as it is, the other rates as
100 − rate, 信访率 being petitions per 100 concluded cases (`cases` in the CSV) — and the weighted
mean of the components present is the organ's score. Formula and weights are [config].
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from office.analysis.tables import EvaluationWeight, OrganRates
from office.dates import Month
from office.kpi.cohorts import SATISFIED, RATINGS
from office.kpi.tables import CaseMetrics as M
from engine.store.models import Unit

COMPONENTS = ("petition_rate", "satisfaction", "appeal_rate", "reversal_rate")
DEFAULT_WEIGHTS = {name: 0.25 for name in COMPONENTS}
ORGAN_WORDS = ("法院", "检察院")
ORGAN_KINDS = ("court", "procuratorate")
COLUMNS, OPTIONAL = ("organ", "period", "appeal_rate", "reversal_rate"), ("cases",)
MAX_BYTES, MAX_ROWS = 1_000_000, 5_000
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-H([12])|-Q([1-4]))?$")


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """"2026", "2026-H1", "2026-Q3" or "2026-10" -> [start, end) in Asia/Shanghai, as UTC."""
    match = PERIOD.match(period) if isinstance(period, str) else None
    if not match:
        raise ValidationFailed(f"期间应为 2026、2026-H1、2026-Q3 或 2026-10 的形式，而不是 {period!r}")
    year, month, half, quarter = match.groups()
    Month.parse(f"{year}-01", "period")
    first, last = (int(month), int(month)) if month else (6 * int(half) - 5, 6 * int(half)) if half else \
        (3 * int(quarter) - 2, 3 * int(quarter)) if quarter else (1, 12)
    return Month(int(year), first).bounds()[0], Month(int(year), last).bounds()[1]


# -- CSV -----------------------------------------------------------------------------------------

def _decode(content: bytes) -> str:
    """Excel on a Chinese Windows saves CSV as GBK; everything else as UTF-8 (maybe with a BOM)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")


def _rate(value: str, label: str) -> float:
    try:
        number = float(value.strip().rstrip("%"))
    except (ValueError, AttributeError):
        raise ValueError(f"{label}应为数字，而不是 {value!r}") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError(f"{label}应在 0 到 100 之间（百分比），而不是 {value!r}")
    return number


def _row(raw: dict) -> dict:
    organ = (raw.get("organ") or "").strip()
    if not organ or len(organ) > 64:
        raise ValueError("机关名称必填，最多64字")
    period = (raw.get("period") or "").strip()
    period_bounds(period)
    cases = (raw.get("cases") or "").strip()
    if cases and not cases.isdigit():
        raise ValueError(f"结案数应为非负整数，而不是 {cases!r}")
    return {"organ": organ, "period": period, "appeal_rate": _rate(raw.get("appeal_rate") or "", "上诉率"),
            "reversal_rate": _rate(raw.get("reversal_rate") or "", "改判率"), "cases": int(cases) if cases else None}


def _header(reader: csv.DictReader) -> None:
    names = [(n or "").strip() for n in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS + OPTIONAL]
    if missing or unknown:
        raise ValidationFailed("CSV 表头有误", [{"line": 1, "message": "表头应为 organ,period,appeal_rate,"
                               f"reversal_rate[,cases]；缺少：{'、'.join(missing) or '无'}；"
                               f"无法识别：{'、'.join(unknown) or '无'}"}])
    reader.fieldnames = names


def parse_rates(content: bytes) -> list[dict]:
    """Every row checked; any error rejects the whole file, with each bad line's number."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(f"文件过大（最多 {MAX_BYTES // 1000} KB）")
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""))
    _header(reader)
    rows, errors, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        if None in raw or not any((v or "").strip() for v in raw.values()):
            if None in raw:
                errors.append({"line": line, "message": "列数多于表头"})
            continue
        try:
            row = _row(raw)
        except (ValueError, ValidationFailed) as err:
            errors.append({"line": line, "message": str(getattr(err, "message", err))})
            continue
        key = (row["organ"], row["period"])
        if key in seen:
            errors.append({"line": line, "message": f"与第 {seen[key]} 行的机关和期间重复"})
        seen.setdefault(key, line)
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"最多 {MAX_ROWS} 行")
    if errors:
        lines = "；".join(f"第 {e['line']} 行：{e['message']}" for e in errors[:20])
        raise ValidationFailed(f"CSV 有 {len(errors)} 处错误，未导入任何数据：{lines}", errors)
    if not rows:
        raise ValidationFailed("CSV 没有数据行")
    return rows


def store_rates(session: Session, rows: list[dict], *, user: str, now: datetime) -> int:
    """Replaces the organ's figures for each period the file names; others stay."""
    for row in rows:
        session.execute(delete(OrganRates).where(OrganRates.organ == row["organ"],
                                                 OrganRates.period == row["period"]))
    session.add_all(OrganRates(**row, imported_by=user, imported_at=now) for row in rows)
    return len(rows)


# -- weights -------------------------------------------------------------------------------------

def check_weights(weights) -> dict[str, float]:
    """Exactly the four components, each a non-negative number, adding up to 1."""
    if not isinstance(weights, dict) or set(weights) != set(COMPONENTS):
        raise ValidationFailed(f"权重须包含且仅包含：{'、'.join(COMPONENTS)}")
    checked = {}
    for name in COMPONENTS:
        try:
            value = float(weights[name])
        except (TypeError, ValueError):
            raise ValidationFailed(f"权重 {name} 应为数字") from None
        if not math.isfinite(value) or value < 0:
            raise ValidationFailed(f"权重 {name} 不能为负数")
        checked[name] = value
    if abs(sum(checked.values()) - 1) > 1e-6:
        raise ValidationFailed(f"各项权重之和应为 1，现为 {round(sum(checked.values()), 6)}")
    return checked


def load_weights(session: Session) -> dict[str, float]:
    stored = dict(session.execute(select(EvaluationWeight.component, EvaluationWeight.weight)).all())
    return {name: stored[name] for name in COMPONENTS} if set(stored) >= set(COMPONENTS) else dict(DEFAULT_WEIGHTS)


def store_weights(session: Session, weights: dict[str, float], *, user: str, now: datetime) -> None:
    session.execute(delete(EvaluationWeight))
    session.add_all(EvaluationWeight(component=k, weight=v, updated_by=user, updated_at=now) for k, v in weights.items())


# -- the evaluation ------------------------------------------------------------------------------

def _petitions(session: Session, start: datetime, end: datetime) -> dict[str, dict]:
    organ_match = or_(Unit.code.is_not(None), *(M.organ.contains(word) for word in ORGAN_WORDS))
    organ = func.coalesce(Unit.name, M.organ)
    query = (select(organ, M.outcome, M.unit_rating, func.count()).select_from(M)
             .outerjoin(Unit, and_(Unit.code == M.unit, Unit.kind.in_(ORGAN_KINDS)))
             .where(M.registered_at >= start, M.registered_at < end, organ_match)
             .group_by(organ, M.outcome, M.unit_rating))
    organs: dict[str, dict] = defaultdict(lambda: {"petitions": 0, "outcomes": defaultdict(int),
                                                   "satisfied": 0, "rated": 0})
    for organ, outcome, rating, count in session.execute(query):
        entry = organs[organ]
        entry["petitions"] += count
        entry["outcomes"][outcome or "未办结"] += count
        entry["rated"] += count if rating in RATINGS else 0
        entry["satisfied"] += count if rating in SATISFIED else 0
    return organs


def _scores(row: dict) -> dict[str, float | None]:
    def inverse(rate):
        return None if rate is None else round(100 - min(100.0, rate), 2)
    return {"petition_rate": inverse(row["petition_rate"]), "satisfaction": row["satisfaction"],
            "appeal_rate": inverse(row["appeal_rate"]), "reversal_rate": inverse(row["reversal_rate"])}


def _score(components: dict, weights: dict) -> float | None:
    present = [(weights[k], v) for k, v in components.items() if v is not None and weights[k] > 0]
    total = sum(w for w, _ in present)
    return round(sum(w * v for w, v in present) / total, 2) if total else None


def evaluate(session: Session, period: str, weights: dict[str, float]) -> list[dict]:
    """One row per court or procuratorate with petitions in the period or rates imported for it,
    best score first; `rank` is shared by equal scores, organs without any figure come last."""
    start, end = period_bounds(period)
    organs = _petitions(session, start, end)
    names = dict(session.execute(select(Unit.code, Unit.name).where(Unit.kind.in_(ORGAN_KINDS))).all())
    rates = {names.get(r.organ, r.organ): r for r in
             session.scalars(select(OrganRates).where(OrganRates.period == period).order_by(OrganRates.organ))}
    rows = []
    for organ in sorted(set(organs) | set(rates)):
        p, r = organs.get(organ), rates.get(organ)
        petitions = p["petitions"] if p else 0
        row = {"organ": organ, "period": period, "petitions": petitions,
               "outcomes": dict(sorted(p["outcomes"].items())) if p else {},
               "rated": p["rated"] if p else 0,
               "satisfaction": round(100 * p["satisfied"] / p["rated"], 2) if p and p["rated"] else None,
               "cases": r.cases if r else None,
               "petition_rate": round(100 * petitions / r.cases, 2) if r and r.cases else None,
               "appeal_rate": r.appeal_rate if r else None, "reversal_rate": r.reversal_rate if r else None}
        row["components"] = _scores(row)
        row["score"] = _score(row["components"], weights)
        row["complete"] = all(v is not None for k, v in row["components"].items() if weights[k] > 0)
        rows.append(row)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["organ"]))
    for row in rows:
        row["rank"] = None if row["score"] is None else \
            1 + sum(1 for other in rows if other["score"] is not None and other["score"] > row["score"])
    return rows
