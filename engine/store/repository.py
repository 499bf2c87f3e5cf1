"""Data access for the case store; the session never leaves engine/."""
from __future__ import annotations

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from engine.errors import NotFound
from engine.store.models import Case, CaseEvent, Definition, Group, HumanTask, Timer, User, UserGroup


def latest_definition(session: Session, key: str) -> Definition | None:
    return session.scalars(select(Definition).where(Definition.process_key == key)
                           .order_by(Definition.version.desc()).limit(1)).first()


def definition_by_hash(session: Session, key: str, content_hash: str) -> Definition | None:
    return session.scalars(select(Definition).where(Definition.process_key == key,
                                                    Definition.content_hash == content_hash)).first()


def definition_version_or_none(session: Session, key: str, version: int) -> Definition | None:
    return session.scalars(select(Definition).where(Definition.process_key == key,
                                                    Definition.version == version)).first()


_DEF = Definition.__table__
_REF = select(_DEF.c.id, _DEF.c.process_key, _DEF.c.version).where(_DEF.c.process_key == bindparam("key"))
_LATEST_REF = _REF.order_by(_DEF.c.version.desc()).limit(1)
_VERSION_REF = _REF.where(_DEF.c.version == bindparam("version"))


def definition_ref(session: Session, key: str, version: int | None) -> Row:
    """(id, process_key, version) of the latest or a given version, by one prebuilt statement:
    what a new case needs (registration reads it for every petition)."""
    found = session.connection().execute(_LATEST_REF if version is None else _VERSION_REF,
                                         {"key": key} if version is None else {"key": key, "version": version}).first()
    if found is None:
        raise NotFound(f"no deployed process {key!r}" + (f" version {version}" if version else ""))
    return found


def definition_version(session: Session, key: str, version: int | None) -> Definition:
    if version is None:
        found = latest_definition(session, key)
    else:
        found = session.scalars(select(Definition).where(Definition.process_key == key,
                                                         Definition.version == version)).first()
    if found is None:
        raise NotFound(f"no deployed process {key!r}" + (f" version {version}" if version else ""))
    return found


def next_version(session: Session, key: str) -> int:
    return (session.scalar(select(func.max(Definition.version)).where(Definition.process_key == key)) or 0) + 1


def all_definitions(session: Session) -> list[Definition]:
    return list(session.scalars(select(Definition).order_by(Definition.process_key, Definition.version)))


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def case_by_reg_no(session: Session, reg_no: str) -> Case | None:
    return session.scalars(select(Case).where(Case.reg_no == reg_no)).first()


# Statements every step runs are built once: constructing them costs more than running them.
_OPEN_TASKS = select(HumanTask).where(HumanTask.case_id == bindparam("case_id"), HumanTask.state == "open")
_TASK = select(HumanTask).where(HumanTask.task_uuid == bindparam("uuid"))
_ACTOR = (select(User.unit_code, UserGroup.group_name).outerjoin(UserGroup, UserGroup.user_id == User.id)
          .where(User.username == bindparam("name"), User.is_active.is_(True)))


def open_tasks_of_case(session: Session, case_id: int) -> list[HumanTask]:
    return list(session.scalars(_OPEN_TASKS, {"case_id": case_id}))


def human_task(session: Session, task_uuid: str) -> HumanTask:
    task = session.scalars(_TASK, {"uuid": task_uuid}).first()
    if task is None:
        raise NotFound(f"no task {task_uuid}")
    return task


def tasks_of_case(session: Session, case_id: int) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(HumanTask.case_id == case_id).order_by(HumanTask.id)))


def timers_of_case(session: Session, case_id: int, status: str | None = None) -> list[Timer]:
    q = select(Timer).where(Timer.case_id == case_id)
    if status:
        q = q.where(Timer.status == status)
    return list(session.scalars(q.order_by(Timer.id)))


def events_of_case(session: Session, case_id: int, after_id: int = 0, limit: int = 200) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.id > after_id)
                                .order_by(CaseEvent.id).limit(limit)))


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalars(select(User).options(joinedload(User.memberships))
                           .where(User.username == username)).unique().first()


def require_user(session: Session, username: str) -> User:
    user = user_by_name(session, username)
    if user is None or not user.is_active:
        raise NotFound(f"no active user {username!r}")
    return user


def actor_row(session: Session, username: str) -> tuple[str | None, list[str]]:
    """(unit, groups) of an active user in one round trip, without ORM objects: every step asks."""
    rows = session.connection().execute(_ACTOR, {"name": username}).all()
    if not rows:
        raise NotFound(f"no active user {username!r}")
    return rows[0][0], [group for _, group in rows if group]


def ensure_group(session: Session, name: str) -> Group:
    group = session.get(Group, name)
    if group is None:
        group = Group(name=name, title=name)
        session.add(group)
        session.flush()
    return group


def group_members(session: Session, group: str) -> list[str]:
    return list(session.scalars(select(User.username).join(UserGroup).where(UserGroup.group_name == group)))
