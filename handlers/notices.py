"""Notices issued by service tasks (受理告知书, 交办函, 延期告知书 ...).

Every fact comes from the case: the units by their directory names, the signer by
processes.notice_kinds (the office, or the handling/reviewing organ), the 督办函's sequence from
the letters already issued. A missing fact makes the store refuse the notice, and the case
records why (the step stops with that error instead of sending a blank)."""
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
    sequence = documents.count("督办函") + 1 if kind == "督办函" else None
    fields = context(kind, data, reg_no=case.reg_no or data.get("reg_no"), today=clock.today(), names=names,
                     office=documents.office, unit_name=documents.unit_name, query_code=code,
                     sequence=sequence, now=clock.now())
    doc = documents.render(kind, **fields)
    return {"documents": {**(data.get("documents") or {}), kind: doc.id}}
