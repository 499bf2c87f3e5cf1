"""One deputy or liaison station at a time (the directory's web form beside the CSV import): add,
edit, deactivate. Deactivating keeps the row, so past referrals keep their deputy and station;
an inactive deputy cannot refer, an inactive station is not offered."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from engine.errors import Conflict, NotFound, ValidationFailed
from office.deputies.tables import Deputy, Referral, Station, StationDeputy
from processes.calendar import end_of_day
from office.directory.service import resolve_region


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": field, "message": message}])


def _text(form: dict, key: str, limit: int) -> str:
    value = str(form.get(key) or "").strip()
    if len(value) > limit:
        raise _bad(key, f"不超过{limit}字")
    return value


def _active(form: dict) -> bool:
    return form.get("active", True) in (True, "1", "true", "on", "yes")


def save_deputy(session, form: dict, deputy_id: int | None) -> Deputy:
    name = _text(form, "name", 50)
    if not name:
        raise _bad("name", "请填写代表姓名")
    row = Deputy() if deputy_id is None else session.get(Deputy, deputy_id)
    if row is None:
        raise NotFound(f"no deputy {deputy_id}")
    username = _text(form, "username", 64) or None
    if username and session.scalar(select(Deputy.id).where(Deputy.username == username, Deputy.id != row.id)
                                   if row.id else select(Deputy.id).where(Deputy.username == username)):
        raise Conflict(f"账号{username}已属于另一位代表")
    if session.scalar(select(Deputy.id).where(Deputy.name == name, Deputy.id != row.id) if row.id
                      else select(Deputy.id).where(Deputy.name == name)):
        raise Conflict(f"代表名录中已有{name}")
    row.name, row.delegation, row.contact = name, _text(form, "delegation", 100), _text(form, "contact", 100)
    row.username, row.active = username, _active(form)
    session.add(row)
    session.flush()
    return row


def save_station(session, form: dict, station_id: int | None) -> Station:
    name = _text(form, "name", 100)
    if not name:
        raise _bad("name", "请填写联络站名称")
    row = Station() if station_id is None else session.get(Station, station_id)
    if row is None:
        raise NotFound(f"no station {station_id}")
    if session.scalar(select(Station.id).where(Station.name == name, Station.id != row.id) if row.id
                      else select(Station.id).where(Station.name == name)):
        raise Conflict(f"已有联络站{name}")
    region_text = _text(form, "region", 50)
    region, problems = resolve_region(region_text, "region") if region_text else (None, [])
    if problems:
        raise ValidationFailed("属地有误", problems)
    raw = form.get("deputies") or []
    wanted = [n.strip() for n in (raw.replace(",", "、").split("、") if isinstance(raw, str) else raw) if n.strip()]
    found = {d.name: d for d in session.scalars(select(Deputy).where(Deputy.name.in_(wanted))).all()}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise _bad("deputies", f"代表名录中没有{'、'.join(missing)}")
    row.name, row.region_code, row.active = name, region, _active(form)
    session.add(row)
    session.flush()
    session.query(StationDeputy).filter(StationDeputy.station_id == row.id).delete()
    session.add_all(StationDeputy(station_id=row.id, deputy_id=d.id) for d in found.values())
    session.flush()
    return row


def period(since: str | None, until: str | None) -> list:
    """Conditions on the referral time for a period of Beijing days, both included."""
    out = []
    for key, value in (("since", since), ("until", until)):
        if not value:
            continue
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise _bad(key, "日期格式应为 YYYY-MM-DD") from None
        if not 1900 <= day.year <= 2999:
            raise _bad(key, "日期超出范围")
        out.append(Referral.referred_at >= end_of_day(day - timedelta(days=1)) if key == "since"
                   else Referral.referred_at < end_of_day(day))
    if since and until and str(since) > str(until):
        raise _bad("until", "结束日期不能早于开始日期")
    return out


def referral_tally(session, conditions: list) -> dict:
    """Referrals by deputy and by station, by name, most first (the directory page and the KPI reports)."""
    def counted(name_column, key_column, label: str) -> list[dict]:
        rows = session.execute(select(name_column, func.count(Referral.id)).join(Referral, key_column)
                               .where(*conditions).group_by(name_column)
                               .order_by(func.count(Referral.id).desc(), name_column)).all()
        return [{label: n, "referrals": c} for n, c in rows]
    return {"by_deputy": counted(Deputy.name, Referral.deputy_id == Deputy.id, "deputy"),
            "by_station": counted(Station.name, Referral.station_id == Station.id, "station")}


def referrals_between(session, start: datetime, end: datetime) -> dict:
    """Referrals made in [start, end): what the KPI dashboard and the monthly report count."""
    return referral_tally(session, [Referral.referred_at >= start, Referral.referred_at < end])
