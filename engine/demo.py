"""Demo users and the shipped processes, so a fresh `make run` shows a working office."""
from __future__ import annotations

from .errors import Conflict
from .services import Services

DEMO_USERS = [
    ("clerk", "登记员 王芳", ["clerk", "intake_staff"], None),
    ("director", "信访办主任 李强", ["director", "reviewers"], None),
    ("leader", "分管领导 赵敏", ["leader"], None),
    ("advisor", "法律顾问 陈律师", ["legal_advisor"], None),
    ("analyst", "流程分析员 周静", ["analyst"], None),
    ("admin", "系统管理员", ["admin"], None),
    ("gov_staff", "区政府办 刘洋", ["unit_staff"], "district_gov"),
    ("court_staff", "区法院 孙伟", ["unit_staff"], "district_court"),
]
DEMO_UNITS = [("district_gov", "区人民政府", "government"), ("district_court", "区人民法院", "court"),
              ("discipline", "区纪委监委", "supervision"), ("housing", "区住房和城乡建设局", "government")]


def setup_demo(services: Services, password: str = "demo") -> dict:
    for code, name, kind in DEMO_UNITS:
        services.add_unit(code, name, kind)
    created = []
    for username, display, groups, unit in DEMO_USERS:
        try:
            services.add_user(username, groups=groups, password=password, display_name=display, unit=unit)
            created.append(username)
        except Conflict:
            pass
    files = {p.name: p.read_bytes() for p in sorted(services.settings.bpmn_dir.glob("*.bpmn"))}
    deployed = services.deploy(files, user="admin") if files else []
    return {"users": created, "deployed": deployed}
