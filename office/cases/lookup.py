"""The `lookup` handler dependency: what handlers may ask the case store, inside the step."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from engine.store.models import Case
from office.cases.tables import Counter
from office.people.tables import Party


class CaseLookup:
    def __init__(self, session: Session, case_id: int):
        self.session = session
        self.case_id = case_id

    def next_serial(self, key: str) -> int:
        """Atomic under concurrency (an upsert that holds the row lock until the step commits)."""
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(Counter).values(key=key, value=1)
        stmt = stmt.on_conflict_do_update(index_elements=[Counter.key], set_={"value": Counter.value + 1})
        return int(self.session.execute(stmt.returning(Counter.value)).scalar_one())

    def earlier_cases_of_same_petitioners(self, case_id: int | None = None) -> list[dict]:
        """Earlier cases sharing a petitioner's ID number or name+phone (keyed hashes)."""
        case_id = case_id or self.case_id
        mine = aliased(Party)
        theirs = aliased(Party)
        match = or_((mine.id_number_hash.is_not(None)) & (mine.id_number_hash == theirs.id_number_hash),
                    (mine.name_phone_hash.is_not(None)) & (mine.name_phone_hash == theirs.name_phone_hash))
        ids = select(theirs.case_id).join(mine, match).where(
            mine.case_id == case_id, mine.role == "petitioner", theirs.role == "petitioner",
            theirs.case_id != case_id)
        rows = self.session.scalars(select(Case).where(Case.id.in_(ids), Case.id < case_id)
                                    .order_by(Case.created_at, Case.id)).all()
        return [_summary(c) for c in rows]


def _summary(case: Case) -> dict:
    facts = case.facts or {}
    return {"case_id": case.id, "reg_no": case.reg_no, "subject": case.subject,
            "content_class": case.content_class, "purpose": case.purpose, "category": case.category,
            "created_at": case.created_at.isoformat(), "status": case.status, "stage": case.stage,
            "concluded": bool(facts.get("concluded")), "review_stage": facts.get("review_stage"),
            "main_case_id": case.main_case_id,
            "parallel_group": facts.get("parallel_group"), "multi_addressed": facts.get("multi_addressed"),
            "is_repeat": case.is_repeat}
