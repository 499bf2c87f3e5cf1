"""The unit and region directory, and the petitioner's query code, through the service API
(SQLite and PostgreSQL): units and regions are checked by the server and read by name; the
query code is shown once, printed on the 回执 and the 受理告知书, re-issued on request with the
old one revoked and the act recorded, and never shown to the units."""
from __future__ import annotations

import io

import pytest
from docx import Document

from engine.errors import NotAllowed, ValidationFailed
from tests.support.office import petition


def text_of(o, case: int, kind: str, user: str = "clerk") -> str:
    doc = [d for d in o.s.documents.list_documents(case, user=user) if d["kind"] == kind][-1]
    _, content, _ = o.s.documents.get_document(case, doc["id"], user=user)
    return "".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_a_misspelt_or_inactive_unit_is_refused_by_name_and_nothing_is_sent(office):
    o = office
    case = o.register(petition("医院收费不合理", content_class="卫生健康"))
    o.triage(case, "申诉求决类")
    with pytest.raises(ValidationFailed) as err:
        o.route_to_units(case, "town_goverment")
    assert err.value.details == [{"field": "lead_unit", "message": "没有“town_goverment”这个单位，请从单位名录中选择"}]
    o.s.directory.save_unit("town_gov", user="admin", name="镇人民政府", kind="government", active=False)
    with pytest.raises(ValidationFailed) as err:
        o.route_to_units(case, "district_gov", "town_gov")
    assert err.value.details == [{"field": "co_units", "message": "单位“镇人民政府”已停用，请另选"}]
    assert o.open_ids(case) == ["sign_off"] and not o.case(case)["unit"], "nothing was sent"
    o.route_to_units(case, "district_gov", "housing")
    page = o.s.case_page.case_page(case, user="director")
    assert page["unit_names"] == "区人民政府、区住房和城乡建设局"


def test_regions_are_typed_by_name_and_an_ambiguous_name_lists_the_candidates(office):
    o = office
    case = o.register(petition("占道经营", problem_region="樊城区"))
    assert o.data(case)["problem_region"] == "420606"
    assert o.s.case_page.case_page(case, user="clerk")["region_name"] == "湖北省襄阳市樊城区"
    with pytest.raises(ValidationFailed) as err:
        o.register(petition("占道经营", problem_region="朝阳区"))
    assert "北京市朝阳区" in err.value.details[0]["message"] and "吉林省长春市朝阳区" in err.value.details[0]["message"]
    with pytest.raises(ValidationFailed):
        o.register(petition("占道经营", problem_region="999999"))
    assert [r["code"] for r in o.s.directory.regions("樊城", user="clerk")] == ["420606"]


def test_the_administrator_keeps_the_directory_and_imports_it_from_csv(office):
    o = office
    saved = o.s.directory.save_unit("xy_housing", user="admin", name="襄阳市住房和城乡建设局", short_name="市住建局",
                                    kind="government", region="420600", parent=None)
    assert saved["region_name"] == "湖北省襄阳市" and saved["active"]
    court = o.s.directory.save_unit("fc_court", user="admin", name="樊城区人民法院", kind="court", region="樊城区")
    assert court["region"] == "420606", "a region is typed by name"
    with pytest.raises(NotAllowed):
        o.s.directory.save_unit("x1", user="clerk", name="某单位")
    bad = "code,name,kind,parent,region\nfc_gov,樊城区人民政府,government,xy_gov,420606\nBad Code,某局,nonsense,,99\n"
    with pytest.raises(ValidationFailed) as err:
        o.s.directory.import_units(bad.encode(), user="admin")
    problems = [d["message"] for d in err.value.details]
    assert any(p.startswith("第2行") and "xy_gov" in p for p in problems) and any(p.startswith("第3行") for p in problems)
    assert all(u["code"] != "fc_gov" for u in o.s.directory.units(user="admin", include_inactive=True)), "all or nothing"
    good = ("\ufeffcode,name,short_name,kind,parent,region,active\nxy_gov,襄阳市人民政府,市政府,government,,420600,1\n"
            "fc_gov,樊城区人民政府,区政府,government,xy_gov,420606,1\nold_bureau,撤并的某局,,other,,,0\n")
    assert o.s.directory.import_units(good.encode(), user="admin") == {"imported": 3}
    units = {u["code"]: u for u in o.s.directory.units(user="clerk", include_inactive=True)}
    assert units["fc_gov"]["parent_name"] == "襄阳市人民政府" and not units["old_bureau"]["active"]
    assert "old_bureau" not in {u["code"] for u in o.s.directory.units(user="clerk")}, "pickers offer active units"


def test_the_query_code_is_shown_once_printed_and_reissued(office):
    o = office
    case = o.s.intake.register_petition(petition("楼道堆物消防隐患"), user="clerk")
    code, case_id = case["query_code"], case["id"]
    assert len(code) == 8 and case["receipt"]
    assert code in text_of(o, case_id, "回执") and case["reg_no"] in text_of(o, case_id, "回执")
    o.triage(case_id, "申诉求决类")
    o.route_to_units(case_id, "housing")
    assert f"查询码：{code}" in text_of(o, case_id, "受理告知书"), "issued once the director routed it"
    assert {"回执", "受理告知书"}.isdisjoint(d["kind"] for d in o.s.documents.list_documents(case_id, user="housing_staff"))
    with pytest.raises(NotAllowed):
        o.s.selfservice.reissue_query_code(case_id, user="housing_staff", reason="x")
    with pytest.raises(NotAllowed):
        o.s.selfservice.current_code(case_id, user="analyst")

    issued = o.s.selfservice.reissue_query_code(case_id, user="clerk", reason="信访人遗失回执")
    new = issued["query_code"]
    assert new != code and new in text_of(o, case_id, "回执")
    from engine.errors import NotFound
    with pytest.raises(NotFound):
        o.s.selfservice.public_status(case["reg_no"], code)
    assert o.s.selfservice.public_status(case["reg_no"], new)["step"] == "routed"
    events = [e for e in o.case(case_id)["events"] if e["kind"] == "query_code_reissued"]
    assert events and events[0]["actor"] == "clerk" and events[0]["message"] == "信访人遗失回执"
    assert code not in str(o.case(case_id)) and new not in str(o.case(case_id)), "the code is never in the record"


def test_numbers_that_fail_the_check_need_a_recorded_verification(office):
    o = office
    bad = petition("证件号码有误", id_number="110105199001011234")
    bad["petitioners"][0]["phone"] = "1234567"
    with pytest.raises(ValidationFailed) as err:
        o.register(bad)
    assert {d["field"] for d in err.value.details} == {"petitioners.0.id_number", "petitioners.0.phone"}
    with pytest.raises(ValidationFailed) as err:
        o.register({**bad, "override_numbers": True})
    assert err.value.details == [{"field": "override_reason", "message": "请说明号码经核实无误的情况"}]
    case = o.register({**bad, "override_numbers": True, "override_reason": "外籍人员，已核对护照原件"})
    overrides = o.data(case)["number_overrides"]
    assert {x["field"] for x in overrides} == {"petitioners.0.id_number", "petitioners.0.phone"}
    assert all(x["by"] == "clerk" and x["reason"] == "外籍人员，已核对护照原件" for x in overrides)
    registration = o.s.case_page.case_page(case, user="director")["dossier"][0]
    assert registration["fields"]["number_overrides"][0]["by_name"] == "登记员 王芳"


def test_the_editor_opens_and_deploys_the_process_it_was_asked_for(office):
    o = office
    source = o.s.editor.process_source("intake", user="analyst")
    assert source["file"] == "intake.bpmn" and list(source["files"]) == ["intake.bpmn"]
    assert 'id="intake"' in source["files"]["intake.bpmn"] and {"triage", "first_contact"} <= set(source["forms"])
    changed = source["files"]["intake.bpmn"].replace("甄别分流（拟办）", "甄别分流")
    deployed = o.s.editor.deploy_diagram({"intake.bpmn": changed, **{f"forms/{k}.json": v for k, v in
                                                                     source["forms"].items()}}, user="analyst")
    assert [(d["key"], d["version"]) for d in deployed] == [("intake", 2)]
    assert max(v["version"] for p in o.s.editor.process_library(user="analyst") if p["key"] == "accusation"
               for v in p["versions"]) == 1
    case = o.register(petition("新版本登记"))
    o.triage(case, "申诉求决类")
    assert o.s.case_page.case_diagram(case, user="director")["shown_process"] == "handling"
