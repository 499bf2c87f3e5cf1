"""The case file (案卷): what each person wrote, with its form, by whom and when, in order.

Submitted data is in the audit trail (case_event rows of kind task_completed, data = the form
as submitted); the form of each step is the one its definition was deployed with (the task row's
form_key, FormRegistry.get). The web layer labels each field from that form, so the next person
reads 审核结论：发回重办 and the reason, not field names. Unit and region codes become names here.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Case, CaseEvent, HumanTask
from office.cases.attachments import attachments_of
from office.cases.comments import comments_of
from office.directory.names import Names, picker_of

REGISTRATION_FIELDS = ("channel", "source", "received_at", "subject", "content", "purpose", "content_class",
                       "category", "organ", "persons", "collective", "anonymous")
FLAGS = ("multi_addressed", "skip_level", "litigation_related", "sensitive", "urgent", "instructed", "key_case")
TIMER_KINDS = ("timer_fired",)
NOTE_KINDS = ("deadline_changed", "query_code_reissued", "case_suspended", "case_running", "case_terminated")


def registration(case: Case, data: dict, names: Names) -> dict:
    """The registration as the clerk entered it (identities as stored: masked)."""
    out = {key: data.get(key) for key in REGISTRATION_FIELDS if data.get(key) not in (None, "")}
    out["region_name"] = names.region(data.get("problem_region")) if data.get("problem_region") else ""
    out["accused_unit_name"] = names.unit(data.get("accused_unit")) if data.get("accused_unit") else ""
    out["petitioners"] = data.get("petitioners") or []
    out["representatives"] = data.get("representatives") or []
    out["flags"] = [flag for flag in FLAGS if data.get(flag)]
    out["number_overrides"] = [{**o, "by_name": names.person(o.get("by"))} for o in data.get("number_overrides") or []]
    return {"kind": "registration", "at": case.created_at.isoformat(), "by": case.started_by,
            "by_name": names.person(case.started_by), "fields": out, "repeat_kind": data.get("repeat_kind")}


def step_entry(event: CaseEvent, form: dict | None, names: Names) -> dict:
    """One completed step: its form and what was submitted, with names for unit and region codes."""
    answers = dict(event.data or {})
    shown = {name: names.value(picker_of(name, prop), answers[name])
             for name, prop in ((form or {}).get("properties") or {}).items()
             if picker_of(name, prop) and answers.get(name) not in (None, "", [])}
    return {"kind": "step", "at": event.at.isoformat(), "by": event.actor, "by_name": names.person(event.actor),
            "name": event.message, "bpmn_id": event.bpmn_id, "task_id": event.task_uuid, "form": form,
            "data": answers, "names": shown}


def dossier(session: Session, case: Case, data: dict, form_of, names: Names) -> list[dict]:
    """Registration, every completed step, lapsed windows, comments, attachments and notes, by time.
    `form_of(form_key)` gives the form a step was completed with."""
    keys = dict(session.execute(select(HumanTask.task_uuid, HumanTask.form_key)
                                .where(HumanTask.case_id == case.id)).all())
    events = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id,
        CaseEvent.kind.in_(("task_completed", *TIMER_KINDS, *NOTE_KINDS))).order_by(CaseEvent.id)).all()
    entries = [registration(case, data, names)]
    for event in events:
        if event.kind == "task_completed":
            entries.append(step_entry(event, form_of(keys.get(event.task_uuid)), names))
        else:
            entries.append({"kind": "timer" if event.kind in TIMER_KINDS else "note", "event": event.kind,
                            "at": event.at.isoformat(), "by": event.actor, "by_name": names.person(event.actor),
                            "name": event.message, "data": event.data or {}})
    entries += [{"kind": "comment", "at": c["at"], "by": c["author"], "by_name": names.person(c["author"]),
                 "body": c["body"]} for c in comments_of(session, case.id)]
    entries += [{"kind": "attachment", "at": a["at"], "by": a["uploaded_by"],
                 "by_name": names.person(a["uploaded_by"]), "id": a["id"], "filename": a["filename"]}
                for a in attachments_of(session, case.id)]
    entries.sort(key=lambda e: e["at"])
    for number, entry in enumerate(entries, start=1):
        entry["number"] = number
    return entries
