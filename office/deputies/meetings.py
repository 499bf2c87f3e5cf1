"""The 代表恳谈会 (seed 000: monthly, representative cases heard by deputies of the field): the
meeting takes its cases from the month's selection (office.analysis), records each deputy's opinion
per case, and gives units follow-up tasks with a last day, tracked until done like any other 督办:
reminders before the last day, then the escalation ladder (office/supervision/ladder.py) until the
task is reported done. The minutes export to .docx."""
from __future__ import annotations

import io
import uuid as uuidlib
from datetime import date, datetime

from docx import Document as Docx
from sqlalchemy import func, select

from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.store.models import Case, HumanTask
from office.dates import deadline, local_time
from office.deputies.meeting_tables import FollowUp, Meeting, MeetingCase, MeetingDeputy, MeetingOpinion
from office.deputies.tables import Deputy
from office.directory.names import Names
from office.directory.service import resolve_unit
from office.supervision import reminders
from office.supervision.ladder import UNIT
from processes.calendar import end_of_day, local_day
from processes.due import chinese_last_day

ORGANISERS = frozenset({"director", "leader", "analyst", "admin"})      # who read the selection
SELECTION_LIMIT = 50
FOLLOW_UP_KIND, FOLLOW_UP_FORM, FOLLOW_UP_PREFIX = "follow_up", "follow_up_report", "follow_up:"


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": field, "message": message}])


def _day(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise _bad(field, "日期格式应为 YYYY-MM-DD") from None


class Meetings:
    def __init__(self, core, analysis, ladder_on):
        self.core = core
        self.analysis = analysis
        self.ladder_on = ladder_on        # day -> the escalation ladder in force (office/root.py)

    def _organiser(self, session, user: str) -> None:
        if not self.core.actor(session, user).groups & ORGANISERS:
            raise NotAllowed("only the office's leadership and analysts record the deputies' meetings")

    def _meeting(self, session, meeting_id: int) -> Meeting:
        row = session.get(Meeting, meeting_id)
        if row is None:
            raise NotFound(f"no meeting {meeting_id}")
        return row

    def record(self, *, user: str, held_on: str, month: str, title: str, deputies: list, case_ids: list) -> dict:
        """The meeting, its invited deputies (by name) and cases (from the month's selection only)."""
        day = _day(held_on, "held_on")
        title = (title or "").strip() or f"{month}代表恳谈会"
        if not isinstance(deputies, list) or not deputies:
            raise _bad("deputies", "请选择参加的代表")
        if not isinstance(case_ids, list) or not case_ids:
            raise _bad("case_ids", "请从本月选案中选择信访件")
        picks = {p["case_id"] for p in self.analysis.meeting_selection(user, month, limit=SELECTION_LIMIT)["cases"]}
        outside = [i for i in case_ids if i not in picks]
        if outside:
            raise _bad("case_ids", f"信访件{outside}不在{month}的恳谈会选案中")
        with self.core.uow() as uow:
            session = uow.session
            self._organiser(session, user)
            rows = {d.name: d for d in session.scalars(select(Deputy).where(Deputy.name.in_(
                [str(n).strip() for n in deputies]))).all()}
            missing = [n for n in deputies if str(n).strip() not in rows]
            if missing:
                raise _bad("deputies", f"代表名录中没有{'、'.join(map(str, missing))}")
            meeting = Meeting(held_on=day, month=month, title=title[:200], created_by=user, created_at=utcnow())
            session.add(meeting)
            session.flush()
            session.add_all(MeetingDeputy(meeting_id=meeting.id, deputy_id=d.id) for d in rows.values())
            session.add_all(MeetingCase(meeting_id=meeting.id, case_id=i) for i in sorted(set(case_ids)))
            uow.commit()
            return self._view(session, meeting)

    def opinion(self, meeting_id: int, *, user: str, case_id: int, deputy: str, opinion: str) -> dict:
        opinion = (opinion or "").strip()
        if not opinion:
            raise _bad("opinion", "请填写代表意见")
        with self.core.uow() as uow:
            session = uow.session
            self._organiser(session, user)
            meeting = self._meeting(session, meeting_id)
            found = session.scalar(select(Deputy).join(MeetingDeputy, MeetingDeputy.deputy_id == Deputy.id).where(
                MeetingDeputy.meeting_id == meeting_id, Deputy.name == (deputy or "").strip()))
            if found is None:
                raise _bad("deputy", "该代表未参加本次恳谈会")
            if session.get(MeetingCase, (meeting_id, case_id)) is None:
                raise _bad("case_id", "该信访件不在本次恳谈会上")
            row = session.get(MeetingOpinion, (meeting_id, case_id, found.id)) or MeetingOpinion(
                meeting_id=meeting_id, case_id=case_id, deputy_id=found.id)
            row.opinion = opinion[:4000]
            session.add(row)
            uow.commit()
            return self._view(session, meeting)

    def follow_up(self, meeting_id: int, *, user: str, unit: str, task: str, last_day: str,
                  case_id: int | None = None) -> dict:
        """A task to a unit, due at 24:00 of `last_day` (the one date rule)."""
        task, day = (task or "").strip(), _day(last_day, "last_day")
        if not task:
            raise _bad("task", "请填写交办事项")
        if day < local_time(utcnow()).date():
            raise _bad("last_day", "办理期限不能早于今天")
        with self.core.uow() as uow:
            session = uow.session
            self._organiser(session, user)
            meeting = self._meeting(session, meeting_id)
            code, problems = resolve_unit(Names(session), unit, "unit")
            if problems:
                raise ValidationFailed("单位有误", problems)
            if case_id is not None and session.get(MeetingCase, (meeting_id, case_id)) is None:
                raise _bad("case_id", "该信访件不在本次恳谈会上")
            row = FollowUp(meeting_id=meeting_id, case_id=case_id, unit=code, task=task[:4000],
                           due_at=end_of_day(day), state="open")
            session.add(row)
            session.flush()
            now = utcnow()
            task = _open_task(session, row, user, now)
            reminders.arm_task(session, session.get(Case, task.case_id), task, now,
                               self.ladder_on(local_day(now)), party=UNIT)
            uow.commit()
            return self._view(session, meeting)

    def finish_follow_up(self, follow_up_id: int, *, user: str, result: str) -> dict:
        """The unit (or the office) reports the task done."""
        result = (result or "").strip()
        if not result:
            raise _bad("result", "请填写办理结果")
        with self.core.uow() as uow:
            session = uow.session
            row = session.get(FollowUp, follow_up_id)
            if row is None:
                raise NotFound(f"no follow-up {follow_up_id}")
            actor = self.core.actor(session, user)
            if not (actor.groups & ORGANISERS or actor.is_office or (actor.unit and actor.unit == row.unit)):
                raise NotAllowed("only the unit given the task, or the office, reports it done")
            now = utcnow()
            _finish(row, user, result, now)
            task = _task_of(session, row)
            if task is not None and task.state == "open":     # the unit's inbox task closes with it
                task.state, task.completed_at, task.completed_by = "completed", now, user
                record(session, task.case_id, "task_completed", actor=user, at=now, message=task.name,
                       task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"result": result})
            if task is not None:
                reminders.cancel(session, task.case_id, task.task_uuid)
            uow.commit()
            return self._view(session, self._meeting(session, row.meeting_id))

    @staticmethod
    def reported(session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
        """The close hook of a follow-up task done from the unit's inbox: the meeting records the
        report, and the task's reminders and ladder stop."""
        result = data.get("result")
        if not isinstance(result, str) or not result.strip():
            raise _bad("result", "请填写办理结果")
        row = session.get(FollowUp, int(task.bpmn_id.removeprefix(FOLLOW_UP_PREFIX)))
        if row is not None:
            _finish(row, user, result.strip(), now)
        reminders.cancel(session, task.case_id, task.task_uuid)

    def overdue(self, *, user: str) -> list[dict]:
        """Open follow-up tasks past their last day, oldest first (the 督办 list of the 恳谈会)."""
        with self.core.uow(write=False) as uow:
            self._organiser(uow.session, user)
            rows = uow.session.scalars(select(FollowUp).where(FollowUp.state == "open", FollowUp.due_at < utcnow())
                                       .order_by(FollowUp.due_at)).all()
            names = Names(uow.session)
            return [self._follow_dict(r, names) for r in rows]

    def list(self, *, user: str) -> dict:
        """The meetings, newest first, and the active deputies one may invite (the web pages)."""
        with self.core.uow(write=False) as uow:
            session = uow.session
            self._organiser(session, user)
            rows = session.scalars(select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
            open_counts = dict(session.execute(select(FollowUp.meeting_id, func.count()).where(
                FollowUp.state == "open").group_by(FollowUp.meeting_id)).all())
            deputies = session.scalars(select(Deputy.name).where(Deputy.active.is_(True)).order_by(Deputy.name)).all()
            return {"meetings": [{"id": m.id, "held_on": m.held_on.isoformat(), "month": m.month, "title": m.title,
                                  "open_follow_ups": open_counts.get(m.id, 0)} for m in rows],
                    "deputies": list(deputies)}

    def get(self, meeting_id: int, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self._organiser(uow.session, user)
            return self._view(uow.session, self._meeting(uow.session, meeting_id))

    @staticmethod
    def _follow_dict(r: FollowUp, names: Names) -> dict:
        return {"id": r.id, "meeting_id": r.meeting_id, "case_id": r.case_id, "unit": r.unit,
                "unit_name": names.units(r.unit), "task": r.task, "due_at": r.due_at.isoformat(),
                "deadline": deadline(r.due_at) if r.state == "open" else None, "state": r.state, "result": r.result,
                "done_by": r.done_by, "done_at": r.done_at.isoformat() if r.done_at else None}

    def _view(self, session, meeting: Meeting) -> dict:
        deputies = session.scalars(select(Deputy).join(MeetingDeputy, MeetingDeputy.deputy_id == Deputy.id)
                                   .where(MeetingDeputy.meeting_id == meeting.id).order_by(Deputy.name)).all()
        by_id = {d.id: d.name for d in deputies}
        cases = session.scalars(select(Case).join(MeetingCase, MeetingCase.case_id == Case.id)
                                .where(MeetingCase.meeting_id == meeting.id).order_by(Case.id)).all()
        opinions = session.scalars(select(MeetingOpinion).where(MeetingOpinion.meeting_id == meeting.id)).all()
        follow = session.scalars(select(FollowUp).where(FollowUp.meeting_id == meeting.id)
                                 .order_by(FollowUp.id)).all()
        names = Names(session)
        return {"id": meeting.id, "held_on": meeting.held_on.isoformat(), "month": meeting.month,
                "title": meeting.title, "deputies": [d.name for d in deputies],
                "cases": [{"case_id": c.id, "reg_no": c.reg_no, "subject": c.subject,
                           "opinions": [{"deputy": by_id.get(o.deputy_id, ""), "opinion": o.opinion}
                                        for o in opinions if o.case_id == c.id]} for c in cases],
                "follow_ups": [self._follow_dict(r, names) for r in follow]}

    def minutes_docx(self, meeting_id: int, *, user: str) -> tuple[str, bytes]:
        """会议纪要 (.docx): who came, each case with the deputies' opinions, the tasks with last days."""
        found = self.get(meeting_id, user=user)
        doc = Docx()
        doc.add_heading(f"{found['title']}会议纪要", level=1)
        doc.add_paragraph(f"时间：{date.fromisoformat(found['held_on']):%Y年%m月%d日}".replace("年0", "年")
                          .replace("月0", "月"))
        doc.add_paragraph("参加代表：" + "、".join(found["deputies"]))
        doc.add_heading("议题及代表意见", level=2)
        for i, case in enumerate(found["cases"], start=1):
            doc.add_paragraph(f"{i}. {case['subject']}（登记编号：{case['reg_no'] or case['case_id']}）")
            for o in case["opinions"] or [{"deputy": "", "opinion": "（未发表意见）"}]:
                doc.add_paragraph(f"{o['deputy']}代表：{o['opinion']}" if o["deputy"] else o["opinion"],
                                  style="List Bullet")
        doc.add_heading("交办事项", level=2)
        if not found["follow_ups"]:
            doc.add_paragraph("无")
        for f in found["follow_ups"]:
            doc.add_paragraph(f"{f['unit_name']}：{f['task']}，于{chinese_last_day(f['due_at'])}前办结报告"
                              + (f"（已办结：{f['result']}）" if f["state"] == "done" else ""), style="List Number")
        out = io.BytesIO()
        doc.save(out)
        return f"{found['title']}会议纪要.docx", out.getvalue()


def _finish(row: FollowUp, user: str, result: str, now: datetime) -> None:
    if row.state == "done":
        raise Conflict("该事项已办结")
    row.state, row.result, row.done_by, row.done_at = "done", result[:4000], user, now


def _task_of(session, row: FollowUp) -> HumanTask | None:
    return session.scalars(select(HumanTask).where(HumanTask.kind == FOLLOW_UP_KIND,
                                                   HumanTask.bpmn_id == f"{FOLLOW_UP_PREFIX}{row.id}")).first()


def _open_task(session, row: FollowUp, user: str, now: datetime) -> HumanTask:
    """The follow-up as a task in the unit's inbox (督办 beside the workflow, like the ladder's),
    on its case or else the meeting's first case; the unit's staff report it done there."""
    case_id = row.case_id or session.scalar(select(MeetingCase.case_id).where(
        MeetingCase.meeting_id == row.meeting_id).order_by(MeetingCase.case_id).limit(1))
    case = session.get(Case, case_id)
    task = HumanTask(case_id=case.id, task_uuid=str(uuidlib.uuid4()), bpmn_id=f"{FOLLOW_UP_PREFIX}{row.id}",
                     kind=FOLLOW_UP_KIND, name=f"代表恳谈会交办：{row.task[:200]}", lane="unit_staff",
                     groups="unit_staff", state="open", created_at=now, priority=80, due_at=row.due_at,
                     form_key=FOLLOW_UP_FORM, reg_no=case.reg_no, subject=case.subject or "",
                     category=case.category, unit=row.unit, region=case.region, channel=case.channel)
    session.add(task)
    record(session, case.id, "follow_up_assigned", actor=user, at=now, message=task.name,
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id,
           data={"meeting_id": row.meeting_id, "follow_up": row.id, "unit": row.unit})
    return task
