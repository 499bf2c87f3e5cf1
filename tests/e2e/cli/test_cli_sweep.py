"""Every `xinfang` command, given hostile values for each of its arguments and options, exits 0
or 2 (with the reason on stderr), never with a traceback — on SQLite and on PostgreSQL.

The commands and their parameters are read from the click command tree, so a new command or
option is swept without being listed here. Commands that run until stopped (serve, scheduler) or
only fill a database with generated cases (demo, setup-demo) are left out.
"""
from __future__ import annotations

import click
from click.testing import CliRunner

from cli.main import main

HOSTILE = ("abc", "-1", "99999999999999999999", "2147483648", "²", "2026-13", "9999-12-31", "0000",
           "' OR 1=1 --", "{\"a\": [", "x" * 3000)
LONG_RUNNING = {"serve", "scheduler", "demo", "setup-demo"}
WRITES_TO = {"export"}      # its argument is where to write: given a file name, not hostile text


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if name in LONG_RUNNING:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


SANE = {"user": "director", "month": "2026-10", "period": "2026", "data": "{}", "now": "2026-10-01T00:00:00Z",
        "groups": "director", "name": "someone"}


def arguments(path: tuple[str, ...], command: click.Command, hostile: str | None, value: str) -> list[str]:
    """The command line with `value` for the parameter named `hostile` and sane values elsewhere."""
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.is_flag:
            continue
        if isinstance(param.type, (click.File, click.Path)):
            text = "out.json" if path[-1] in WRITES_TO else "." if getattr(param.type, "dir_okay", False) and \
                not getattr(param.type, "file_okay", True) else "hostile.txt"
        elif param.name == hostile:
            text = value
        elif isinstance(param.type, click.Choice):
            text = param.type.choices[0]
        elif isinstance(param.type, (click.types.IntParamType, click.IntRange)):
            text = "1"
        else:
            text = SANE.get(param.name, "x")
        if isinstance(param, click.Argument):
            args += [text] * (1 if param.nargs == 1 else 2)
        else:
            args += [param.opts[0], text]
    return args


def test_the_sweep_reaches_the_commands_that_take_input():
    names = {" ".join(path) for path, _ in commands()}
    assert {"start", "complete", "tasks", "case", "timers fire-due", "report", "evaluation import",
            "users add", "deploy", "hotspots"} <= names


def test_hostile_arguments_never_end_in_a_traceback(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_DATABASE_URL", database_url)
    monkeypatch.setenv("XINFANG_STORAGE_DIR", str(tmp_path / "documents"))
    runner = CliRunner()
    assert runner.invoke(main, ["init-db"]).exit_code == 0
    assert runner.invoke(main, ["users", "add", "director", "--groups", "director"]).exit_code == 0
    broken = []
    monkeypatch.chdir(tmp_path)        # hostile.txt and the export land here
    for path, command in commands():
        names = [p.name for p in command.params if not (isinstance(p, click.Option) and p.is_flag)] or [None]
        for hostile in names:
            for value in HOSTILE:
                with open("hostile.txt", "w", encoding="utf-8") as f:
                    f.write(value)
                args = [*path, *arguments(path, command, hostile, value), "--json"]
                result = runner.invoke(main, args)
                crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
                if crashed or result.exit_code not in (0, 2) or "Traceback" in result.output + result.stderr:
                    broken.append(f"{' '.join(args)[:80]}: exit {result.exit_code} "
                                  f"{type(result.exception).__name__ if crashed else ''} {result.stderr[-200:]}")
    assert not broken, "\n".join(broken)
