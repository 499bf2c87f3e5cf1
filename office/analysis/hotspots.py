"""Hot spots: from 'one complaint' to 'one class of issues' (docs/domain.md §8).

Each case's 事由 (`cases.subject`; the full petition text lives only inside the workflow, which
analysis never loads) is cut into words by jieba and given its top TF-IDF keywords. A case's
topic is the keyword, among its own top three, that the most cases of the analysed window share
(ties: the case's own TF-IDF order). So 「夜间施工噪音扰民」 and 「娱乐场所噪声扰民」 meet under
「扰民」, while a one-off subject keeps its own first keyword. Simple, deterministic and explainable:
a reader can check any assignment by hand.
"""
from __future__ import annotations

import logging
import tempfile
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from office.kpi.tables import CaseMetrics as M
from engine.store.models import Case

TOP_KEYWORDS = 3
EXAMPLES = 3
# words every petition says: they would make one giant topic of the whole office's mail
STOP_WORDS = frozenset("""
要求 反映 问题 请求 希望 解决 处理 依法 有关 有关部门 相关 部门 情况 信访 信访人 群众 举报 投诉 咨询 建议 意见
迟迟 有误 完善 增设 加强 方便 影响 存在 至今 长期 多次 没有 不予 一直 尽快 给予 进行 严重 导致 造成
申请 办理 政府 工作人员 认为 未能 不能 无法 已经 能够 是否 其他 关于 对于 以及 拒不 仍然 重新 市民 居民 本人
不服 不满 重新处理
""".split())
# office words jieba's dictionary lacks or cuts wrongly (「住建局」 came out as 「建局」)
OFFICE_WORDS = ("住建局", "人社局", "自然资源局", "阳光房", "农民工工资", "宅基地", "低保", "物业费", "业委会",
                "拆迁安置", "校园餐", "学位", "医保", "公积金", "居住证", "不起诉")
GROUPS = {"region": M.region, "organ": M.organ}

_lock = threading.Lock()
_state: dict = {}


def _extractor(cache_dir: Path | None = None):
    """jieba's dictionary takes about a second to load and prints to stderr while doing it; load it
    once per process, on first use, quietly, with its cache in our own directory."""
    with _lock:
        if "tfidf" not in _state:
            import jieba
            import jieba.analyse
            jieba.setLogLevel(logging.WARNING)
            folder = Path(cache_dir or Path(tempfile.gettempdir()) / "xinfang-jieba")
            folder.mkdir(parents=True, exist_ok=True)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(folder)
            tokenizer.initialize()
            for word in OFFICE_WORDS:
                tokenizer.add_word(word, freq=20000)
            tfidf = jieba.analyse.TFIDF()
            tfidf.tokenizer = tokenizer
            tfidf.stop_words = set(tfidf.stop_words) | STOP_WORDS
            _state["tfidf"] = tfidf
        return _state["tfidf"]


def prepare(cache_dir: Path | None = None) -> None:
    _extractor(cache_dir)


@lru_cache(maxsize=50_000)
def keywords(subject: str) -> tuple[str, ...]:
    """The subject's top TF-IDF keywords, best first (single characters and digits left out)."""
    words = _extractor().extract_tags(subject or "", topK=TOP_KEYWORDS * 3)
    return tuple(w for w in words if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS)[:TOP_KEYWORDS]


@dataclass(frozen=True)
class Item:
    case_id: int
    reg_no: str | None
    subject: str
    region: str | None
    organ: str | None
    unit: str | None
    registered_at: datetime
    persons: int
    is_repeat: bool


def scope(unit: str | None):
    """Unit staff see topics of the cases their unit leads, never of reports against it (Art. 30)."""
    if unit is None:
        return true()
    return and_(M.unit == unit, or_(M.accused_unit.is_(None), M.accused_unit != unit))


def load(session: Session, start: datetime, end: datetime, *, unit: str | None = None,
         region: str | None = None, organ: str | None = None) -> list[Item]:
    """Cases registered in [start, end), oldest first: columns only, no workflow is loaded."""
    query = (select(M.case_id, M.reg_no, Case.subject, M.region, M.organ, M.unit, M.registered_at, M.persons,
                    M.is_repeat)
             .join(Case, Case.id == M.case_id)
             .where(M.registered_at >= start, M.registered_at < end, scope(unit))
             .order_by(M.registered_at, M.case_id))
    if region:
        query = query.where(M.region == region)
    if organ:
        query = query.where(M.organ == organ)
    return [Item(*row) for row in session.execute(query)]


def assign(items: list[Item]) -> dict[int, str]:
    """case id -> topic: of the case's own keywords, the one most cases share."""
    words = {item.case_id: keywords(item.subject or "") for item in items}
    shared = Counter(w for ws in words.values() for w in set(ws))
    return {case_id: (min(ws, key=lambda w: (-shared[w], ws.index(w))) if ws else "")
            for case_id, ws in words.items()}


def _related(members: list[Item], topic: str, size: int = 3) -> list[str]:
    counts = Counter(w for item in members for w in keywords(item.subject or "") if w != topic)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]]


def _examples(members: list[Item]) -> list[dict]:
    """Most persons first, then the earliest: the case a deputy would want to hear about."""
    chosen = sorted(members, key=lambda i: (-i.persons, i.registered_at, i.case_id))[:EXAMPLES]
    return [{"case_id": i.case_id, "reg_no": i.reg_no, "subject": i.subject} for i in chosen]


def _tally(members: list[Item], attribute: str) -> dict[str, int]:
    counts = Counter(getattr(i, attribute) or "" for i in members)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _grouped(items: list[Item]) -> dict[str, list[Item]]:
    topics = assign(items)
    members: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        members[topics[item.case_id]].append(item)
    return members


def _order(row: dict) -> tuple:
    return -row["count"], -row["persons"], row["topic"] == "", row["topic"]


def topics(items: list[Item], *, by: str | None = None) -> list[dict]:
    """One row per topic (or per region/organ and topic): cases, persons (人次), repeat petitions,
    the keywords its cases share besides the topic, and the regions and organs involved."""
    rows = []
    for topic, members in _grouped(items).items():
        parts = {"": members} if by is None else defaultdict(list)
        if by is not None:
            for item in members:
                parts[getattr(item, by) or ""].append(item)
        for group, part in parts.items():
            rows.append({"group": group, "topic": topic, "count": len(part),
                         "persons": sum(i.persons for i in part), "repeats": sum(1 for i in part if i.is_repeat),
                         "related": _related(part, topic), "regions": _tally(part, "region"),
                         "organs": _tally(part, "organ")})
    return sorted(rows, key=lambda r: (r["group"], *_order(r)))


def rising(items: list[Item], month_start: datetime) -> list[dict]:
    """Topics with more cases in the month starting at `month_start` than in the month before.
    `items` span both months, so a topic means the same thing in each."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic, members in _grouped(items).items():
        for item in members:
            counts[topic][item.registered_at >= month_start] += 1
    rows = [{"topic": t, "previous": prev, "count": now, "growth": now - prev,
             "growth_rate": round(100 * (now - prev) / prev, 2) if prev else None}
            for t, (prev, now) in counts.items() if now > prev and t]
    return sorted(rows, key=lambda r: (-r["growth"], -r["count"], r["topic"]))


def suggestions(items: list[Item], *, limit: int = 10, min_count: int = 2) -> list[dict]:
    """Candidate supervision topics (《监督法》Art. 12(5)): topics shared by at least `min_count`
    cases, most cases first, with regions, organs and units involved and example cases."""
    rows = []
    for topic, members in _grouped(items).items():
        if not topic or len(members) < min_count:
            continue
        rows.append({"topic": topic, "count": len(members), "persons": sum(i.persons for i in members),
                     "repeats": sum(1 for i in members if i.is_repeat), "related": _related(members, topic),
                     "regions": _tally(members, "region"), "organs": _tally(members, "organ"),
                     "units": _tally(members, "unit"), "examples": _examples(members)})
    rows.sort(key=_order)
    for rank, row in enumerate(rows[:limit], start=1):
        row["rank"] = rank
    return rows[:limit]
