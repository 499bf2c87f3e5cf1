"""`xinfang hotspots`, `xinfang selection` and `xinfang evaluation import|show`."""
from __future__ import annotations

import json

from tests.support.cli import out
from tests.support.paths import SIMPLE


def start(cli, reg_no: str, subject: str, day: str, **extra) -> None:
    data = {"reg_no": reg_no, "subject": subject, "milestones": {"registered": f"2026-10-{day}T02:00:00Z"}, **extra}
    cli("start", "complaint_simple", "--data", json.dumps(data, ensure_ascii=False))


def test_hotspots_and_selection_from_the_command_line(cli):
    cli("init-db")
    cli("deploy", str(SIMPLE))
    start(cli, "R1", "夜间施工噪音扰民", "03")
    start(cli, "R2", "广场舞噪音扰民", "04", persons=7)
    found = out(cli("hotspots", "--month", "2026-10"))
    assert [(t["topic"], t["count"]) for t in found["topics"]] == [("扰民", 2)]
    assert found["suggestions"][0]["examples"][0]["reg_no"] == "R2"
    picks = out(cli("selection", "--month", "2026-10"))["cases"]
    assert picks[0]["reg_no"] == "R2" and picks[0]["reasons"][0] == "集体访（7人）"
    refused = cli("hotspots", "--month", "2026-13", ok=False)
    assert refused.exit_code == 2 and "month must look like" in refused.stderr


def test_evaluation_import_rejects_a_bad_file_with_line_numbers_and_accepts_a_good_one(cli, tmp_path):
    cli("init-db")
    bad = tmp_path / "bad.csv"
    bad.write_text("organ,period,appeal_rate,reversal_rate\n某区人民法院,2026,20,5\n某区人民法院,2026,x,5\n",
                   encoding="utf-8")
    refused = cli("evaluation", "import", str(bad), ok=False)
    assert refused.exit_code == 2 and "第 3 行" in refused.stderr
    assert out(refused)["details"] == [{"line": 3, "message": "上诉率应为数字，而不是 'x'"}]
    good = tmp_path / "good.csv"
    good.write_text("organ,period,appeal_rate,reversal_rate\n某区人民法院,2026,20,5\n", encoding="utf-8")
    assert out(cli("evaluation", "import", str(good))) == {"imported": 1, "periods": ["2026"]}
    organs = out(cli("evaluation", "show", "--period", "2026"))["organs"]
    assert [(o["organ"], o["score"]) for o in organs] == [("某区人民法院", 87.5)]     # (80 + 95) / 2
