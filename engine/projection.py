"""Read tables rebuilt from the workflow after every step, in the step's transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn import runtime
from engine.store.models import Case, CaseEvent, HumanTask, HumanTaskGroup, Timer

CASE_COLUMNS = ("reg_no", "subject", "channel", "category", "unit", "region", "accused_unit", "stage",
                "query_code_hash", "content_class", "purpose")


def record(session: Session, case_id: int, kind: str, *, actor: str, at: datetime, message: str = "",
           task_uuid: str | None = None, bpmn_id: str | None = None, data: dict | None = None) -> None:
    session.add(CaseEvent(case_id=case_id, kind=kind, actor=actor, at=at, message=message,
                          task_uuid=task_uuid, bpmn_id=bpmn_id, data=data))


_INSERT_EVENTS = insert(CaseEvent.__table__)


def execute_rows(conn, statement, rows: list[dict]) -> int:
    """Runs `statement` for `rows`; the rows it matched or wrote. A single row goes as a plain
    execute, several as an executemany, which for an INSERT on PostgreSQL SQLAlchemy sends as one
    multi-row INSERT (`make_engine` turns on its "insertmanyvalues" for statements without
    RETURNING): psycopg's own executemany is a pipeline of one statement per row, which cost a web
    worker 7 % of its CPU for the two or three rows a step writes, and a multi-row `values()`
    statement is compiled again at every execute (SQLAlchemy cannot cache it), another 6 %.
    Rows with different keys go one by one: an executemany takes its columns from the first row
    and would drop a later row's others."""
    if len(rows) == 1:
        return conn.execute(statement, rows[0]).rowcount
    keys = tuple(rows[0])
    if any(tuple(r) != keys for r in rows):
        return sum(conn.execute(statement, row).rowcount for row in rows)
    return conn.execute(statement, rows).rowcount


DEFERRED = "deferred_writes"


def write_later(session: Session, statement, rows: list[dict]) -> None:
    """Writes that nothing later in a step reads back (audit events, settled timers, the case
    row) wait until the end of a batch of steps (`defer_writes`): one executemany per statement
    instead of a round trip per step. Outside a batch they run at once."""
    pending = session.info.get(DEFERRED)
    if pending is None:
        execute_rows(session.connection(), statement, rows)
    else:
        pending.setdefault(statement, []).extend(rows)


def defer_writes(session: Session) -> None:
    session.info[DEFERRED] = {}


def flush_deferred(session: Session, guarded=None) -> None:
    """Runs the batch's writes. `guarded`: a statement each of whose rows must match one row
    (the case UPDATE checked by row_version); fewer means another step won, and the caller's
    transaction must roll back."""
    pending = session.info.pop(DEFERRED, None) or {}
    conn = session.connection()
    for statement, rows in pending.items():
        done = execute_rows(conn, statement, rows)
        if statement is guarded and done != len(rows):
            raise StaleDataError(f"{len(rows) - done} of {len(rows)} cases were changed by another step")


def record_many(session: Session, events: list[dict]) -> None:
    """One executemany for a step's events: the audit trail is write-only on the hot path."""
    if events:
        write_later(session, _INSERT_EVENTS, events)   # Core: no ORM bookkeeping


WRITE_ONCE = ("query_code_hash",)    # data sets it once (older cases); afterwards its own service owns it


def project_case(case: Case, data: dict) -> None:
    """The case row's index columns follow the case data of the same names."""
    for column in CASE_COLUMNS:
        if column in WRITE_ONCE and getattr(case, column):
            continue
        value = data.get(column)
        if value is not None and not isinstance(value, (dict, list)):
            setattr(case, column, str(value)[:500])
    if data.get("is_repeat") is not None:
        case.is_repeat = bool(data.get("is_repeat"))
    if isinstance(data.get("main_case_id"), int):
        case.main_case_id = data["main_case_id"]


class TaskRow:
    """A human_task row as a step sees it: plain attributes, written back with prebuilt Core
    statements (the ORM's unit of work cost more than the rest of the step)."""

    def __init__(self, **values):
        self.properties: dict | None = None     # transient: reminder policies read it in step hooks
        self.due_changed = False
        self.__dict__.update(values)


_T = HumanTask.__table__
_OPEN_ROWS = select(*_T.columns).where(_T.c.case_id == bindparam("case_id"), _T.c.state == "open")
_SIBLINGS = select(*_T.columns).where(
    _T.c.case_id == select(_T.c.case_id).where(_T.c.task_uuid == bindparam("uuid")).scalar_subquery(),
    _T.c.state == "open")


def open_rows_beside(session: Session, task_uuid: str) -> list:
    """The open task rows of the case `task_uuid` belongs to (rows with attribute access), in one
    statement: completing a task reads its own row among them and hands the rest to the step's
    sync_tasks, instead of reading the task and then the case's open rows."""
    return session.connection().execute(_SIBLINGS, {"uuid": task_uuid}).all()


_CLOSE = (update(_T).where(_T.c.id == bindparam("row_id"))
          .values(state=bindparam("state"), completed_at=bindparam("at"), completed_by=bindparam("by")))
DENORMALISED = ("reg_no", "subject", "category", "unit", "region", "channel", "petitioner")
_REFRESH = update(_T).where(_T.c.id == bindparam("row_id")).values(
    {c: bindparam(f"v_{c}") for c in DENORMALISED + ("due_at",)})
_INSERT = insert(_T).returning(_T.c.id)
_INSERT_GROUPS = insert(HumanTaskGroup.__table__)


def sync_tasks(session: Session, case: Case, wf, *, now: datetime, actor: str, completed_uuid: str | None,
               open_rows: list | None = None) -> tuple[list[TaskRow], list[TaskRow], list[TaskRow]]:
    """Diff the engine's READY user tasks against the open rows (read here, or by the caller for
    many cases at once: `open_rows`); claims survive the rebuild. Returns (opened, closed, still open)."""
    conn = session.connection()
    ready = {v.uuid: v for v in runtime.ready_user_tasks(wf)}
    opened, closed, kept, refreshed = [], [], [], []
    if open_rows is None:
        open_rows = conn.execute(_OPEN_ROWS, {"case_id": case.id}).mappings()
    for found in open_rows:
        row = TaskRow(**found)
        if row.task_uuid in ready:
            view = ready.pop(row.task_uuid)
            before = tuple(getattr(row, c) for c in DENORMALISED + ("due_at",))
            _denormalise(row, case, view.unit)
            _redate(row, view, now)
            if before != tuple(getattr(row, c) for c in DENORMALISED + ("due_at",)):
                refreshed.append({"row_id": row.id, **{f"v_{c}": getattr(row, c) for c in DENORMALISED + ("due_at",)}})
            kept.append(row)
            continue
        if row.kind != "bpmn":
            kept.append(row)      # a task a feature opened beside the workflow (a 督办 task)
            continue
        done = row.task_uuid == completed_uuid
        row.state, row.completed_at, row.completed_by = ("completed" if done else "cancelled"), now, \
            (actor if done else None)
        closed.append(row)
    if closed:
        execute_rows(conn, _CLOSE, [{"row_id": r.id, "state": r.state, "at": now, "by": r.completed_by}
                                    for r in closed])
    if refreshed:
        execute_rows(conn, _REFRESH, refreshed)
    for view in ready.values():
        row = TaskRow(case_id=case.id, task_uuid=view.uuid, bpmn_id=view.bpmn_id, kind="bpmn", name=view.name[:256],
                      lane=view.lane, groups=",".join(view.groups), assignee=None, owner=None,
                      form_key=view.form_key, due_at=runtime.due_from_properties(view.properties, view.deadlines, now),
                      priority=_priority(view.properties), state="open", created_at=now, completed_at=None,
                      completed_by=None)
        row.properties = view.properties
        _denormalise(row, case, view.unit)
        values = {c.name: getattr(row, c.name) for c in _T.columns if c.name != "id"}
        row.id = conn.execute(_INSERT, values).scalar_one()
        groups = list(dict.fromkeys(view.groups))
        if len(groups) > 1:          # one group: the `groups` column says it (HumanTaskGroup)
            execute_rows(conn, _INSERT_GROUPS, [{"task_id": row.id, "group_name": g} for g in groups])
        opened.append(row)
    return opened, closed, kept


def _redate(row: TaskRow, view, now: datetime) -> None:
    """A task due by a named deadline follows that deadline when it moves (an extension)."""
    row.properties, row.due_changed = view.properties, False
    if not view.properties.get("dueDeadline"):
        return
    due = runtime.due_from_properties(view.properties, view.deadlines, now)
    if due is not None and due != row.due_at:
        row.due_at, row.due_changed = due, True


def _priority(props: dict) -> int:
    try:
        return max(0, min(100, int(props.get("priority", 50))))
    except (TypeError, ValueError):
        return 50


def _denormalise(row: TaskRow, case: Case, unit: str | None = None) -> None:
    """A step that belongs to one unit (lead or one co-handling unit) carries that unit."""
    for column in DENORMALISED:
        setattr(row, column, getattr(case, column))
    if unit:
        row.unit = unit


_TM = Timer.__table__
_INSERT_TIMERS = insert(_TM)
_WAITING = select(_TM.c.id, _TM.c.task_uuid, _TM.c.kind, _TM.c.due_at).where(
    _TM.c.case_id == bindparam("case_id"), _TM.c.status == "waiting")
_OPEN_ROWS_OF = select(*_T.columns).where(_T.c.case_id.in_(bindparam("ids", expanding=True)), _T.c.state == "open")
_WAITING_OF = select(_TM.c.case_id, _TM.c.id, _TM.c.task_uuid, _TM.c.kind, _TM.c.due_at).where(
    _TM.c.case_id.in_(bindparam("ids", expanding=True)), _TM.c.status == "waiting")


def rows_of_cases(session: Session, case_ids: list[int]) -> dict[int, tuple[list, list]]:
    """Open task rows and waiting timer rows of many cases in two queries, for steps run as a
    batch: case id -> (open task rows, waiting timer rows), as sync_tasks/sync_timers read them."""
    conn = session.connection()
    found: dict[int, tuple[list, list]] = {case_id: ([], []) for case_id in case_ids}
    for row in conn.execute(_OPEN_ROWS_OF, {"ids": case_ids}).mappings():
        found[row["case_id"]][0].append(row)
    for row in conn.execute(_WAITING_OF, {"ids": case_ids}):
        found[row.case_id][1].append(row)
    return found


_SETTLE = update(_TM).where(_TM.c.id == bindparam("row_id")).values(
    status=bindparam("status"), fired_at=bindparam("at"), lock_owner=None, lock_expires_at=None)
_REDUE = update(_TM).where(_TM.c.id == bindparam("row_id")).values(due_at=bindparam("due"))


def sync_timers(session: Session, case: Case, wf, *, now: datetime, waiting_rows: list | None = None,
                closed: frozenset = frozenset(), task_timers: frozenset = frozenset()) -> datetime | None:
    """One row per waiting BPMN timer; rows whose timer left the waiting state are closed, and so
    are rows of the `task_timers` kinds (a feature's reminders) armed on a task in `closed` (task
    uuids this step closed): they go in the same statement, and the case's next due time leaves
    them out. Returns when the earliest timer still waiting (of any kind) is due."""
    waiting = {v.uuid: v for v in runtime.waiting_timers(wf)}
    if not waiting and case.next_due_at is None and case.id is not None:
        return None      # no timer rows can be waiting: next_due_at covers every kind
    conn = session.connection()
    dues, settled, redue = [], [], []
    if waiting_rows is None:
        waiting_rows = conn.execute(_WAITING, {"case_id": case.id})
    for row in waiting_rows:
        if row.kind != "bpmn":
            if row.kind in task_timers and row.task_uuid in closed:
                settled.append({"row_id": row.id, "status": "cancelled", "at": None})
            else:
                dues.append(row.due_at)
            continue
        view = waiting.pop(row.task_uuid, None)
        if view is None:
            fired = runtime.task_completed(wf, row.task_uuid)
            settled.append({"row_id": row.id, "status": "fired" if fired else "cancelled",
                            "at": now if fired else None})
        else:
            if view.due_at != row.due_at:
                redue.append({"row_id": row.id, "due": view.due_at})
            dues.append(view.due_at)
    if settled:
        write_later(session, _SETTLE, settled)
    if redue:
        execute_rows(conn, _REDUE, redue)
    if waiting:
        execute_rows(conn, _INSERT_TIMERS, [{"case_id": case.id, "task_uuid": v.uuid, "bpmn_id": v.bpmn_id,
                                          "kind": "bpmn", "due_at": v.due_at, "status": "waiting",
                                          "created_at": now, "attempts": 0} for v in waiting.values()])
        dues.extend(v.due_at for v in waiting.values())
    return min(dues, default=None)


def bump_timer_attempts(session: Session, case_id: int, timer_uuids: list[str], error: str) -> None:
    """A failed firing counts against its timers, so an operator sees which keep failing."""
    session.execute(update(Timer).where(Timer.case_id == case_id, Timer.task_uuid.in_(timer_uuids))
                    .values(attempts=Timer.attempts + 1, last_error=error[:2000]))
