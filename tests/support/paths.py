"""Where the checkout's files are, so a test's data does not depend on the folder the test sits in."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DATA = TESTS / "data"
SIMPLE = DATA / "simple.bpmn"           # copy of shared/bench/simple.bpmn: three user tasks, one gateway
MIWG = DATA / "miwg"                    # the BPMN MIWG test suite's files, CC BY 3.0
ARTIFACTS = TESTS / "artifacts"         # browser screenshots, kept by CI, gitignored
