"""Registration of a petition with every intake field, and repeat-petition hints."""
from __future__ import annotations

import re

import pytest

from engine.errors import ValidationFailed
from office.intake.service import CONTENT_CLASSES
from tests.support.web import SAMPLE_PETITION, start_petition

FORM = {"channel": "来信", "source": "人大代表转交", "subject": "小区违建", "content": "楼顶加建阳光房。", "purpose": "意见建议",
        "content_class": "城乡建设", "problem_region": "110105", "organ": "政府及其部门",
        "petitioners.0.name": "李四", "petitioners.0.id_number": "110105198001011238",
        "petitioners.0.phone": "13900001111", "petitioners.0.address": "朝阳区某小区", "urgent": "on"}


def test_the_19_national_content_classes():
    assert len(CONTENT_CLASSES) == 19 and CONTENT_CLASSES[-1] == "其他"


def test_registering_starts_the_intake_process_with_the_forms_data(office, as_user):
    response = as_user("clerk").post("/register", FORM)
    assert response.status_code == 302 and response.headers["Location"].startswith("/cases/")
    case = office.cases.get_case(int(response.headers["Location"].rsplit("/", 1)[1]))
    data = case["data"]
    assert case["process_key"] == "web_intake" and case["reg_no"].startswith("LF")
    assert (data["channel"], data["category"], data["content_class"], data["urgent"], data["collective"]) == \
        ("来信", "建议意见类", "城乡建设", True, False)
    assert data["petitioners"][0]["name"] == "李*" and "110105198001011238" not in str(data), "stored protected"
    assert case["petitioner"] == "李*"


@pytest.mark.parametrize("change,field", [
    ({"channel": "飞鸽"}, "channel"), ({"subject": ""}, "subject"), ({"content_class": "外星事务"}, "content_class"),
    ({"petitioners.0.id_number": "123"}, "petitioners.0.id_number"), ({"petitioners.0.name": ""}, "petitioners.0.name"),
    ({"problem_region": "abc"}, "problem_region"), ({"collective": "on", "persons": "3"}, "persons"),
])
def test_bad_registrations_show_the_problem_beside_the_field(office, as_user, change, field):
    response = as_user("clerk").post("/register", {**FORM, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    dom = "f-" + field.replace(".", "-")
    rest = page[page.index(f'id="{dom}"'):]
    assert 'class="field-error"' in re.split(r'<div class="field[ "]', rest)[0], field      # before the next field
    assert office.cases.list_cases()["total"] == 0


def test_collective_visits_have_at_most_five_representatives(office):
    reps = [{"name": f"代表{i}"} for i in range(6)]
    with pytest.raises(ValidationFailed) as err:
        start_petition(office, collective=True, persons=40, representatives=reps)
    assert err.value.details == [{"field": "representatives", "message": "代表不超过5人"}]
    case = start_petition(office, collective=True, persons=40, representatives=reps[:5])
    assert office.cases.get_case(case["id"])["data"]["persons"] == 40


def test_anonymous_petitions_need_no_name(office, as_user):
    form = {k: v for k, v in FORM.items() if not k.startswith("petitioners")}
    assert as_user("clerk").post("/register", {**form, "anonymous": "on"}).status_code == 302
    assert office.cases.list_cases()["items"][0]["petitioner"] == "匿名"


def test_repeat_hints_by_id_number_or_name(office, as_user):
    earlier = start_petition(office)
    clerk = as_user("clerk")
    by_id = clerk.get("/register/repeats?id_number=" + SAMPLE_PETITION["petitioners"][0]["id_number"]).get_json()
    by_name = clerk.get("/register/repeats?name=张三丰").get_json()
    assert [c["reg_no"] for c in by_id["items"]] == [earlier["reg_no"]] == [c["reg_no"] for c in by_name["items"]]
    assert "110105199001011232" not in str(by_id)
    assert clerk.get("/register/repeats?name=王五").get_json() == {"items": []}
    assert as_user("gov").get("/register/repeats?name=张三丰").status_code == 403
