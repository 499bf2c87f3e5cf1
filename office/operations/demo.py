"""Demo users and the shipped processes, so a fresh `make run` shows a working office."""
from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Conflict

if TYPE_CHECKING:
    from office.root import Services

DEMO_USERS = [
    ("clerk", "登记员 王芳", ["clerk", "intake_staff"], None),
    ("director", "信访办主任 李强", ["director", "reviewers"], None),
    ("leader", "分管领导 赵敏", ["leader"], None),
    ("advisor", "法律顾问 陈律师", ["legal_advisor"], None),
    ("analyst", "流程分析员 周静", ["analyst"], None),
    ("admin", "系统管理员", ["admin"], None),
    ("gov_staff", "区政府办 刘洋", ["unit_staff"], "district_gov"),
    ("court_staff", "区法院 孙伟", ["unit_staff"], "district_court"),
    ("discipline_staff", "区纪委监委 吴军", ["unit_staff", "discipline"], "discipline"),
    ("housing_staff", "区住建局 郑华", ["unit_staff"], "housing"),
    ("police_staff", "市公安局 冯刚", ["unit_staff"], "city_police"),
    ("agri_staff", "市农业农村局 何丽", ["unit_staff"], "city_agri"),
    ("hrss_staff", "市人社局 高峰", ["unit_staff"], "city_hrss"),
    ("procur_staff", "区检察院 林静", ["unit_staff"], "district_procuratorate"),
    ("deputy", "人大代表 张志远", ["deputy"], None),
]
# The demo deputy's directory entry and liaison station, so the deputies' channel (代表转交) shows.
DEMO_DEPUTIES = "name,delegation,contact,username\n张志远,朝阳区代表团,13800000000,deputy\n"
DEMO_STATIONS = "name,region,deputies\n朝阳区代表联络站,110105,张志远\n"
DEMO_UNITS = [("district_gov", "区人民政府", "government"), ("district_court", "区人民法院", "court"),
              ("discipline", "区纪委监委", "supervision"), ("housing", "区住房和城乡建设局", "government"),
              ("district_procuratorate", "区人民检察院", "procuratorate"), ("city_police", "市公安局", "government"),
              ("city_agri", "市农业农村局", "government"), ("city_housing", "市住房和城乡建设局", "government"),
              ("city_hrss", "市人力资源和社会保障局", "government"), ("county_congress", "县人大常委会", "congress"),
              ("county_agri", "县农业农村局", "government"), ("county_housing", "县住房和城乡建设局", "government"),
              ("town_gov", "镇人民政府", "government"), ("village", "村民委员会", "other"),
              ("district_congress", "区人大常委会", "congress"), ("district_police", "区公安分局", "government"),
              ("subdistrict", "街道办事处", "government"), ("residents", "居民委员会", "other"),
              ("city_federation", "市总工会", "other"), ("supervision_committee", "人大监察和司法委员会", "committee")]


def setup_demo(services: Services, password: str = "demo") -> dict:
    for code, name, kind in DEMO_UNITS:
        services.users.add_unit(code, name, kind)
    created = []
    for username, display, groups, unit in DEMO_USERS:
        try:
            services.users.add_user(username, groups=groups, password=password, display_name=display, unit=unit)
            created.append(username)
        except Conflict:
            pass
    services.deputies.import_csv("deputies", DEMO_DEPUTIES, user="admin")     # matched by name: re-runs update
    services.deputies.import_csv("stations", DEMO_STATIONS, user="admin")
    files = {p.name: p.read_bytes() for p in sorted(services.settings.bpmn_dir.glob("*.bpmn"))}
    deployed = services.processes.deploy(files, user="admin") if files else []
    return {"users": created, "deployed": deployed}
