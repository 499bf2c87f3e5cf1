"""The directory edited one entry at a time: add, edit, deactivate a deputy and a station (an
inactive deputy cannot refer, an inactive station is not offered), and counts over a period."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed

REFERRAL = {"station": "新华街代表联络站", "subject": "路灯不亮", "content": "小区路灯坏了三个月", "purpose": "求决",
            "content_class": "城乡建设", "problem_region": "110105", "petitioners": [{"name": "赵选民", "phone": "13912340000"}]}


def test_add_edit_deactivate_and_count_by_period(office1):
    o = office1
    o.s.users.add_user("dep_li", groups=["deputy"], password="deputy-password-1", display_name="李红梅")
    with pytest.raises(NotAllowed):
        o.s.deputies.save_deputy({"name": "李红梅"}, user="housing_staff")
    with pytest.raises(ValidationFailed):
        o.s.deputies.save_deputy({"name": " "}, user="clerk")
    found = o.s.deputies.save_deputy({"name": "李红梅", "delegation": "法律界", "username": "dep_li"}, user="clerk")
    li = next(d for d in found["deputies"] if d["name"] == "李红梅")
    with pytest.raises(Conflict):
        o.s.deputies.save_deputy({"name": "王某", "username": "dep_li"}, user="clerk")
    with pytest.raises(NotFound):
        o.s.deputies.save_deputy({"name": "王某"}, user="clerk", deputy_id=99999)
    with pytest.raises(ValidationFailed):
        o.s.deputies.save_station({"name": "新华街代表联络站", "deputies": "无此人"}, user="clerk")
    stations = o.s.deputies.save_station({"name": "新华街代表联络站", "region": "110105", "deputies": "李红梅"},
                                         user="clerk")["stations"]
    station = next(s for s in stations if s["name"] == "新华街代表联络站")
    assert station["deputies"] == ["李红梅"] and station["region"] == "110105" and station["active"] is True
    with time_machine.travel(datetime(2025, 3, 3, 2, tzinfo=timezone.utc), tick=False):
        o.s.deputies.refer(REFERRAL, user="dep_li")
    with time_machine.travel(datetime(2025, 4, 3, 2, tzinfo=timezone.utc), tick=False):
        o.s.deputies.refer(REFERRAL, user="dep_li")
    march = o.s.deputies.referral_counts(user="director", since="2025-03-01", until="2025-03-31")
    assert march["by_deputy"] == [{"deputy": "李红梅", "referrals": 1}]
    assert march["by_station"] == [{"station": "新华街代表联络站", "referrals": 1}]
    assert o.s.deputies.referral_counts(user="director")["by_deputy"] == [{"deputy": "李红梅", "referrals": 2}]
    with pytest.raises(ValidationFailed):
        o.s.deputies.referral_counts(user="director", since="2025-04-01", until="2025-03-01")
    with pytest.raises(ValidationFailed):
        o.s.deputies.referral_counts(user="director", since="三月")
    o.s.deputies.save_station({"name": "新华街代表联络站", "region": "110105", "deputies": "李红梅", "active": False},
                              user="clerk", station_id=station["id"])
    assert o.s.deputies.my_stations(user="dep_li") == [], "an inactive station is not offered"
    with pytest.raises(ValidationFailed):
        o.s.deputies.refer(REFERRAL, user="dep_li")
    o.s.deputies.save_station({"name": "新华街代表联络站", "deputies": "李红梅", "active": "on"}, user="clerk",
                              station_id=station["id"])
    edited = o.s.deputies.save_deputy({"name": "李红梅", "delegation": "法律界", "username": "dep_li",
                                       "active": False}, user="clerk", deputy_id=li["id"])
    assert next(d for d in edited["deputies"] if d["id"] == li["id"])["active"] is False
    with pytest.raises(NotAllowed):
        o.s.deputies.refer(REFERRAL, user="dep_li")
    assert o.s.deputies.referral_counts(user="director")["by_deputy"] == [{"deputy": "李红梅", "referrals": 2}], \
        "a deactivated deputy's referrals still count"
