"""From cases to 代表建议 (一类事项→一项机制): the office marks a group of cases, or a hot topic's
cases, as material for a 代表建议 or 议案, records its number once lodged, and its answer. The
cases show the link."""
from __future__ import annotations

from sqlalchemy import select

from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.inputs import is_row_id
from engine.store.models import Case
from office.access import check_case_visible
from office.dates import Month
from office.deputies.tables import Deputy, Proposal, ProposalCase

KINDS = ("代表建议", "议案")
EDITORS = frozenset({"director", "clerk", "analyst", "admin"})
STATES = {"proposed": "拟作为建议素材", "lodged": "已提出", "answered": "已答复"}


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": field, "message": message}])


def proposal_dict(p: Proposal, cases: list[dict], deputy: str | None) -> dict:
    """`cases`: each case's id with its 信访件编号 and subject, as people name it."""
    case_ids = [c["case_id"] for c in cases]
    return {"id": p.id, "kind": p.kind, "title": p.title, "topic": p.topic, "deputy": deputy, "state": p.state,
            "state_label": STATES[p.state], "number": p.number,
            "lodged_at": p.lodged_at.isoformat() if p.lodged_at else None, "answer": p.answer,
            "answered_at": p.answered_at.isoformat() if p.answered_at else None, "case_ids": case_ids,
            "cases": cases, "created_by": p.created_by, "created_at": p.created_at.isoformat()}


def _by_reg_no(session, reg_nos: list[str]) -> list[int]:
    found = dict(session.execute(select(Case.reg_no, Case.id).where(Case.reg_no.in_(reg_nos))).all()) if reg_nos else {}
    missing = [n for n in reg_nos if n not in found]
    if missing:
        raise _bad("reg_nos", f"没有编号为{'、'.join(missing[:10])}的信访件")
    return [found[n] for n in reg_nos]


class Proposals:
    def __init__(self, core, analysis=None):
        self.core = core
        self.analysis = analysis        # the month's hot topics and their cases (office.analysis)

    def _editor(self, session, user: str):
        actor = self.core.actor(session, user)
        if not actor.groups & EDITORS:
            raise NotAllowed("only the petition office proposes cases as material for a deputy's proposal")
        return actor

    def _dict(self, session, p: Proposal) -> dict:
        rows = session.execute(select(Case.id, Case.reg_no, Case.subject)
                               .join(ProposalCase, ProposalCase.case_id == Case.id)
                               .where(ProposalCase.proposal_id == p.id).order_by(Case.id)).all()
        deputy = session.get(Deputy, p.deputy_id).name if p.deputy_id else None
        return proposal_dict(p, [{"case_id": i, "reg_no": n, "subject": s or ""} for i, n, s in rows], deputy)

    def propose(self, *, user: str, kind: str, title: str, case_ids: list, topic: str = "",
                deputy: str = "", reg_nos: list | None = None) -> dict:
        """The cases come by id (picked from a list) or by 信访件编号 (`reg_nos`, as people name them)."""
        title, topic = (title or "").strip(), (topic or "").strip()
        reg_nos = [str(n).strip() for n in reg_nos or [] if str(n).strip()]
        problems = []
        if kind not in KINDS:
            problems.append({"field": "kind", "message": "请选择代表建议或议案"})
        if not title or len(title) > 200:
            problems.append({"field": "title", "message": "标题必填，最多200字"})
        if not isinstance(case_ids, list) or not (case_ids or reg_nos) or not all(is_row_id(i) for i in case_ids):
            problems.append({"field": "case_ids", "message": "请至少选择一件信访件"})
        if problems:
            raise ValidationFailed("建议素材有误", problems)
        with self.core.uow() as uow:
            session = uow.session
            actor = self._editor(session, user)
            case_ids = case_ids + _by_reg_no(session, reg_nos)
            for case_id in set(case_ids):
                case = session.get(Case, case_id)
                if case is None:
                    raise _bad("case_ids", f"没有信访件 {case_id}")
                check_case_visible(actor, case, session)
            deputy_row = None
            if deputy:
                deputy_row = session.scalar(select(Deputy).where(Deputy.name == deputy.strip()))
                if deputy_row is None:
                    raise _bad("deputy", f"代表名录中没有“{deputy}”")
            p = Proposal(kind=kind, title=title, topic=topic[:100], deputy_id=deputy_row.id if deputy_row else None,
                         state="proposed", created_by=user, created_at=utcnow())
            session.add(p)
            session.flush()
            session.add_all(ProposalCase(proposal_id=p.id, case_id=i) for i in sorted(set(case_ids)))
            uow.commit()
            return self._dict(session, p)

    def _get(self, session, proposal_id: int) -> Proposal:
        p = session.get(Proposal, proposal_id)
        if p is None:
            raise NotFound(f"no proposal {proposal_id}")
        return p

    def lodge(self, proposal_id: int, *, user: str, number: str) -> dict:
        """The number the 代表建议/议案 got when lodged."""
        number = (number or "").strip()
        if not number or len(number) > 50:
            raise _bad("number", "请填写建议或议案编号")
        with self.core.uow() as uow:
            self._editor(uow.session, user)
            p = self._get(uow.session, proposal_id)
            if p.state != "proposed":
                raise Conflict("已记录过编号")
            p.state, p.number, p.lodged_at = "lodged", number, utcnow()
            uow.commit()
            return self._dict(uow.session, p)

    def answer(self, proposal_id: int, *, user: str, answer: str) -> dict:
        answer = (answer or "").strip()
        if not answer or len(answer) > 4000:
            raise _bad("answer", "请填写答复内容")
        with self.core.uow() as uow:
            self._editor(uow.session, user)
            p = self._get(uow.session, proposal_id)
            if p.state != "lodged":
                raise Conflict("先记录建议编号，再记录答复" if p.state == "proposed" else "已记录过答复")
            p.state, p.answer, p.answered_at = "answered", answer, utcnow()
            uow.commit()
            return self._dict(uow.session, p)

    def list(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self._editor(uow.session, user)
            rows = uow.session.scalars(select(Proposal).order_by(Proposal.id.desc())).all()
            return [self._dict(uow.session, p) for p in rows]

    def page(self, *, user: str, month: str | None = None, topic: str | None = None) -> dict:
        """What the web page shows: the proposals, the active deputies one may name, and the month's
        hot topics (this month's when none is given) with the cases of the one picked."""
        proposals = self.list(user=user)
        month = month or str(Month.current())
        with self.core.uow(write=False) as uow:
            deputies = list(uow.session.scalars(select(Deputy.name).where(Deputy.active.is_(True)).order_by(Deputy.name)))
        found = self.analysis.topic_cases(user, month, topic or None)
        return {"proposals": proposals, "deputies": deputies, **found}

    def of_case(self, case_id: int, *, user: str) -> list[dict]:
        """The proposals a case is material for (whoever may see the case)."""
        with self.core.uow(write=False) as uow:
            session = uow.session
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound(f"no case {case_id}")
            check_case_visible(self.core.actor(session, user), case, session)
            rows = session.scalars(select(Proposal).join(ProposalCase, ProposalCase.proposal_id == Proposal.id)
                                   .where(ProposalCase.case_id == case_id).order_by(Proposal.id)).all()
            return [self._dict(session, p) for p in rows]
