"""`xinfang deploy` of a file with an internal entity or an unbounded timer exits non-zero with a
clear message and no traceback (issue 21)."""
from __future__ import annotations

import pytest

from tests.support import bpmn_builder as b

ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x "boom">]>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
          '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" name="&x;"/></bpmn:process>'
          '</bpmn:definitions>\n')


def timer(expression: str) -> str:
    xml = b.linear("p1", ("t1", b.user_task("t1") + b.boundary_timer("tm", "t1", expression)))
    return xml.replace("</bpmn:process>", b.flow("fx", "tm", "end") + "</bpmn:process>")


@pytest.mark.parametrize("text, fragment", [
    (ENTITY, "DOCTYPE"),
    (timer('"P99999999999Y"'), "longer than 10 years"),
    (timer('"P1000000Y"'), "longer than 10 years"),
    (timer('"PT99999999999999H"'), "longer than 10 years"),
])
def test_a_bad_bpmn_file_exits_2_with_a_reason(cli, tmp_path, text, fragment):
    cli("init-db")
    bad = tmp_path / "bad.bpmn"
    bad.write_text(text)
    result = cli("deploy", str(bad), ok=False)
    assert result.exit_code == 2
    assert fragment in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_nan_in_cli_data_is_refused(cli):
    cli("init-db")
    result = cli("start", "x", "--data", '{"a": NaN}', ok=False)
    assert result.exit_code == 2 and "NaN" in result.stderr and "Traceback" not in result.output + result.stderr
