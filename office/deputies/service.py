"""The deputies' channel: the office keeps a directory of deputies and liaison stations (CSV import);
a deputy (group `deputy`) refers a constituent's petition (代表转交), which is registered with 来源
人大代表转交, the deputy and the station, and goes through the normal triage. The deputy follows
only their own referrals, and gets a 办理结果反馈 notification when the reply is served.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from engine.bpmn import runtime
from engine.clock import utcnow
from engine.errors import NotAllowed, ValidationFailed
from engine.store.models import Case
from office.directory.names import Names
from office.directory.service import resolve_region
from office.deputies import editing
from office.deputies.tables import Deputy, Referral, Station, StationDeputy
from office.intake.service import check_intake
from office.selfservice.service import public_step
from office.supervision.tables import Notification

SOURCE, DEFAULT_CHANNEL = "人大代表转交", "来信"
MANAGERS = frozenset({"director", "clerk", "admin"})
FEEDBACK_KIND, FEEDBACK_DOCUMENT = "feedback", "办理结果反馈"


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": field, "message": message}])


class Deputies:
    def __init__(self, core, cases, documents=None):
        self.core = core
        self.cases = cases
        self.documents = documents        # (session, case, now, actor) -> DocumentStore

    def _manager(self, session, user: str) -> None:
        if not self.core.actor(session, user).groups & MANAGERS:
            raise NotAllowed("only the petition office manages deputies and liaison stations")

    def _deputy(self, session, user: str) -> Deputy:
        actor = self.core.actor(session, user)
        deputy = session.scalar(select(Deputy).where(Deputy.username == user, Deputy.active.is_(True)))
        if "deputy" not in actor.groups or deputy is None:
            raise NotAllowed("only a deputy in the directory refers petitions and follows referrals")
        return deputy

    # -- directory -------------------------------------------------------------------------
    def directory(self, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self._manager(uow.session, user)
            return self._directory(uow.session)

    @staticmethod
    def _directory(session) -> dict:
        deputies = session.scalars(select(Deputy).order_by(Deputy.name)).all()
        names = {d.id: d.name for d in deputies}
        members: dict[int, list[str]] = {}
        for link in session.scalars(select(StationDeputy)).all():
            members.setdefault(link.station_id, []).append(names.get(link.deputy_id, ""))
        return {"deputies": [{"id": d.id, "name": d.name, "delegation": d.delegation, "contact": d.contact,
                              "username": d.username, "active": d.active} for d in deputies],
                "stations": [{"id": s.id, "name": s.name, "region": s.region_code, "active": s.active,
                              "deputies": sorted(members.get(s.id, []))}
                             for s in session.scalars(select(Station).order_by(Station.name)).all()]}

    def save_deputy(self, form: dict, *, user: str, deputy_id: int | None = None) -> dict:
        """Adds (no id) or edits one deputy; `active` false deactivates them (they can no longer refer)."""
        with self.core.uow() as uow:
            self._manager(uow.session, user)
            editing.save_deputy(uow.session, form, deputy_id)
            uow.commit()
            return self._directory(uow.session)

    def save_station(self, form: dict, *, user: str, station_id: int | None = None) -> dict:
        """Adds or edits one liaison station (name, region, its deputies); inactive ones are not offered."""
        with self.core.uow() as uow:
            self._manager(uow.session, user)
            editing.save_station(uow.session, form, station_id)
            uow.commit()
            return self._directory(uow.session)

    def import_csv(self, kind: str, text: str, *, user: str) -> dict:
        """Deputies (name, delegation, contact, username) or stations (name, region, deputies with 、);
        rows are matched by name and updated, every problem is listed and nothing is saved then."""
        if kind not in ("deputies", "stations"):
            raise _problem("kind", "请选择导入代表名录或联络站名录")
        rows = list(csv.DictReader(io.StringIO((text or "").lstrip("\ufeff"))))
        if not rows:
            raise _problem("file", "CSV文件为空或缺少表头")
        with self.core.uow() as uow:
            self._manager(uow.session, user)
            problems = (self._import_deputies if kind == "deputies" else self._import_stations)(uow.session, rows)
            if problems:
                raise ValidationFailed("CSV有误，未导入任何内容", problems)
            uow.commit()
            return {"kind": kind, "rows": len(rows), **self._directory(uow.session)}

    @staticmethod
    def _import_deputies(session, rows: list[dict]) -> list[dict]:
        problems = []
        for i, row in enumerate(rows, start=2):
            name = (row.get("name") or "").strip()
            if not name or len(name) > 50:
                problems.append({"field": f"line {i}", "message": f"第{i}行：姓名必填，最多50字"})
                continue
            deputy = session.scalar(select(Deputy).where(Deputy.name == name)) or Deputy(name=name)
            deputy.delegation = (row.get("delegation") or "").strip()[:100]
            deputy.contact = (row.get("contact") or "").strip()[:100]
            deputy.username = (row.get("username") or "").strip()[:64] or None
            deputy.active = True
            session.add(deputy)
        session.flush()
        return problems

    @staticmethod
    def _import_stations(session, rows: list[dict]) -> list[dict]:
        problems = []
        for i, row in enumerate(rows, start=2):
            name = (row.get("name") or "").strip()
            region, found = resolve_region((row.get("region") or "").strip(), f"line {i}") \
                if (row.get("region") or "").strip() else (None, [])
            problems += found
            wanted = [n.strip() for n in (row.get("deputies") or "").replace(",", "、").split("、") if n.strip()]
            deputies = {d.name: d for d in session.scalars(select(Deputy).where(Deputy.name.in_(wanted))).all()}
            missing = [n for n in wanted if n not in deputies]
            if not name:
                problems.append({"field": f"line {i}", "message": f"第{i}行：联络站名称必填"})
            if missing:
                problems.append({"field": f"line {i}", "message": f"第{i}行：代表名录中没有{'、'.join(missing)}"})
            if problems:
                continue
            station = session.scalar(select(Station).where(Station.name == name)) or Station(name=name[:100])
            station.region_code = region
            session.add(station)
            session.flush()
            session.query(StationDeputy).filter(StationDeputy.station_id == station.id).delete()
            session.add_all(StationDeputy(station_id=station.id, deputy_id=d.id) for d in deputies.values())
        session.flush()
        return problems

    # -- the deputy ------------------------------------------------------------------------
    def my_stations(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            deputy = self._deputy(uow.session, user)
            rows = uow.session.scalars(select(Station).join(StationDeputy, StationDeputy.station_id == Station.id)
                                       .where(StationDeputy.deputy_id == deputy.id, Station.active.is_(True))
                                       .order_by(Station.name)).all()
            return [{"id": s.id, "name": s.name} for s in rows]

    def refer(self, form: dict, *, user: str) -> dict:
        """代表转交: the constituent's petition, registered at once (来源 人大代表转交) for the triage."""
        form = form if isinstance(form, dict) else {}
        now = utcnow()
        with self.core.uow(write=False) as uow:
            deputy = self._deputy(uow.session, user)
            station_name = str(form.get("station") or "").strip()
            station = uow.session.scalar(
                select(Station).join(StationDeputy, StationDeputy.station_id == Station.id)
                .where(StationDeputy.deputy_id == deputy.id, Station.name == station_name, Station.active.is_(True)))
            problems = [] if station else [{"field": "station", "message": "请选择您所在的代表联络站"}]
            intake = {**{k: v for k, v in form.items() if k in ("subject", "content", "purpose", "content_class",
                                                                  "problem_region", "petitioners", "anonymous")},
                      "channel": form.get("channel") or DEFAULT_CHANNEL, "source": SOURCE}
            intake.setdefault("content_class", "其他")
            try:
                data = check_intake(intake, now, Names(uow.session), user=user)
            except ValidationFailed as err:
                problems += err.details
            if problems:
                raise ValidationFailed("转交的内容有误", problems)
            data.update(deputy=deputy.name, deputy_delegation=deputy.delegation, liaison_station=station.name)
            deputy_id, station_id = deputy.id, station.id
        case = self.cases.start_case(self.core.settings.extra.get("intake_process", "intake"), data, user=user)
        with self.core.uow() as uow:
            uow.session.add(Referral(case_id=case["id"], deputy_id=deputy_id, station_id=station_id, referred_at=now))
            uow.commit()
        return {"case_id": case["id"], "reg_no": case.get("reg_no"), "subject": data["subject"],
                "station": station_name, "stage": case.get("stage")}

    def my_cases(self, *, user: str) -> list[dict]:
        """The deputy's own referrals: stage and, once served, the reply; no identities."""
        with self.core.uow(write=False) as uow:
            deputy = self._deputy(uow.session, user)
            rows = uow.session.execute(
                select(Referral, Case, Station.name).join(Case, Case.id == Referral.case_id)
                .outerjoin(Station, Station.id == Referral.station_id)
                .where(Referral.deputy_id == deputy.id).order_by(Referral.referred_at.desc())).all()
            out = []
            for referral, case, station in rows:
                data = runtime.workflow_data(self.core.runner.workflow_of(case))
                replied = "replied" in (data.get("milestones") or {})
                out.append({"case_id": case.id, "reg_no": case.reg_no, "subject": case.subject, "station": station,
                            "referred_at": referral.referred_at.isoformat(), "stage": case.stage,
                            "step": public_step(case, data, set()), "status": case.status,
                            "reply": {"outcome": data.get("outcome"), "text": data.get("reply_text")} if replied
                            else None,
                            "feedback_at": referral.feedback_at.isoformat() if referral.feedback_at else None})
            return out

    # -- reports and the feedback ----------------------------------------------------------
    def referral_counts(self, *, user: str, since: str | None = None, until: str | None = None) -> dict:
        """Referrals by deputy and by station (the office and its readers), in a period of days
        (Beijing dates, both included; either end may be open)."""
        period = editing.period(since, until)
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.is_office:
                raise NotAllowed("only the petition office reads the referral counts")
            return editing.referral_tally(uow.session, period)

    def step_hook(self, session, case: Case, data: dict, step) -> None:
        """When the reply is served on a referred case, the deputy gets the 办理结果反馈 (a letter in the
        case's documents and a notification), once."""
        if "replied" not in (data.get("milestones") or {}):
            return
        referral = session.scalar(select(Referral).where(Referral.case_id == case.id,
                                                         Referral.feedback_at.is_(None)))
        if referral is None:
            return
        deputy = session.get(Deputy, referral.deputy_id)
        now = utcnow()
        referral.feedback_at = now
        if self.documents is not None:
            from office.dates import local_time
            from processes.notices import context
            store = self.documents(session, case, now, "system")
            store.render(FEEDBACK_DOCUMENT, **context(FEEDBACK_DOCUMENT, data, reg_no=case.reg_no,
                                                      today=local_time(now).date(), names=[], office=store.office))
        if deputy is not None and deputy.username:
            text = (f"办理结果反馈：您转交的信访事项“{case.subject}”（{case.reg_no}）已答复。"
                    f"处理意见：{data.get('outcome') or '见答复'}；答复：{(data.get('reply_text') or '')[:500]}")
            session.add(Notification(case_id=case.id, kind=FEEDBACK_KIND, recipient_user=deputy.username,
                                     text=text, created_at=now, delivery="pending", attempts=0))
