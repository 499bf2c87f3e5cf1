"""Notices issued by service tasks (受理告知书, 交办函, 延期告知书 ...)."""
from __future__ import annotations

from processes.notices import CARRIES_QUERY_CODE, KINDS, TO_PETITIONER, context

from .registry import handler


@handler("issue_document")
def issue_document(kind: str, *, data: dict, case, clock, documents) -> dict:
    """Renders the notice and stores it with the case; the case data keeps its id per kind."""
    if kind not in KINDS:
        raise ValueError(f"no notice {kind!r}; known: {', '.join(KINDS)}")
    names = documents.names() if kind in TO_PETITIONER else []
    code = (documents.query_code() or data.get("query_code") or "") if kind in CARRIES_QUERY_CODE else ""
    fields = context(kind, data, reg_no=case.reg_no or data.get("reg_no"), today=clock.today(), names=names,
                     office=documents.office,
                     unit_name=documents.unit_name(data.get("lead_unit") or data.get("unit")), query_code=code)
    doc = documents.render(kind, **fields)
    return {"documents": {**(data.get("documents") or {}), kind: doc.id}}
