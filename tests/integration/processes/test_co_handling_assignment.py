"""A director cannot hand another unit's co-handling step to someone outside that unit, who could
then never complete it (issue 21, lesser items)."""
from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.integration.processes.test_handling_paths import accept_and_route, add_unit_staff
from tests.support.office import petition


def test_a_co_units_step_is_assigned_only_within_that_unit(office1):
    o = office1
    case = o.register(petition("协办指派"))
    accept_and_route(o, case, "city_agri", "city_housing")
    o.sign(case, "agri_staff")
    co = o.task(case, "co_handle")
    assert co["unit"] == "city_housing"
    with pytest.raises(ValidationFailed) as err:
        o.s.inbox.assign_task(co["id"], "agri_staff", user="director")
    assert err.value.details[0]["field"] == "assignee" and "another unit" in err.value.message
    assert o.task(case, "co_handle")["assignee"] is None, "nothing changed"
    housing = add_unit_staff(o, "city_housing")
    o.s.inbox.assign_task(co["id"], housing, user="director")
    o.s.tasks.complete_task(co["id"], user=housing, data={"co_opinion": "已核查"})
    assert "co_handle" not in o.open_ids(case)
