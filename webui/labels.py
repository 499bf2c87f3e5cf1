"""Display labels for stored codes (statuses, views), translated at render time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "status": {"running": _l("办理中"), "complete": _l("已办结"), "suspended": _l("已挂起"), "error": _l("出错"),
               "terminated": _l("已终止")},
    "task_state": {"open": _l("待办"), "completed": _l("已完成"), "cancelled": _l("已取消")},
    "view": {"inbox": _l("我的待办"), "mine": _l("我认领的"), "groups": _l("本组待认领"), "delegated": _l("我委托的"),
             "all": _l("全部待办")},
}
