"""Searching by a person's name confirms that a name is a party of a case, so only roles that may
reveal identities match names (through the keyed hash, never the clear text); every search, by
anyone, is written to the access log (issue 21, item 7)."""
from __future__ import annotations

import pytest

from tests.support.web import route_to, start_petition

NAME, WRONG = "张三丰", "李四光"


@pytest.fixture
def cases(office):
    normal = start_petition(office)["id"]
    route_to(office, normal, "district_gov")
    report = start_petition(office, purpose="揭发控告", subject="举报", accused_unit="district_court",
                            petitioners=[{"name": "王举报", "id_number": "110105198001011238", "phone": "13912345678",
                                          "address": "某街道2号"}])["id"]
    route_to(office, report, "discipline")
    return {"normal": normal, "report": report}


def searches(office, user: str) -> list[str]:
    return [r["detail"] for r in office.access_log.access_log(user="admin", username=user) if r["action"] == "search"]


def found(browser, term: str, view: str = "inbox") -> tuple[set[int], str]:
    api = browser.get(f"/api/v1/tasks?search={term}&view={view}").get_json()
    page = browser.get(f"/inbox?search={term}&view={view}").get_data(as_text=True)
    return {t["case_id"] for t in api["items"]}, page


def test_unit_staff_cannot_confirm_a_guessed_name_and_the_search_is_logged(office, as_user, cases):
    gov = as_user("gov")
    assert cases["normal"] in found(gov, "拖欠工资")[0], "the case is in their inbox, found by its subject"
    with_name, page = found(gov, NAME)
    without_name, _ = found(gov, WRONG)
    assert with_name == without_name == set(), "a right and a wrong guess answer alike"
    assert "拖欠工资" not in page
    assert searches(office, "gov").count(f"inbox search: {NAME}") == 2      # the API and the page
    assert f"inbox search: {WRONG}" in searches(office, "gov")


def test_the_director_finds_a_case_by_the_petitioners_name_and_the_search_is_logged(office, as_user, cases):
    director = as_user("director")
    assert cases["normal"] in found(director, NAME, "all")[0]
    assert found(director, WRONG, "all")[0] == set()
    assert cases["report"] in found(director, "王举报", "all")[0], "the director may reveal a reporter"
    assert f"inbox search: {NAME}" in searches(office, "director")


def test_a_reporters_name_matches_only_for_those_who_may_reveal_it(office, cases):
    """The discipline unit handles the report but (without the discipline role) may not reveal it."""
    items = office.inbox.inbox(user="disc", filters={"search": "王举报"})["items"]
    assert items == [] and office.inbox.inbox(user="disc", filters={"search": "举报"})["items"]
    assert "inbox search: 王举报" in searches(office, "disc")
