"""What an `xinfang --json` command printed, for the command-line tests."""
from __future__ import annotations

import json
from typing import Any

from click.testing import Result


def out(result: Result) -> Any:
    return json.loads(result.stdout)
