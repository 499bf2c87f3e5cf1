"""`xinfang`: the command line for operators and scripts.

Every command prints JSON with --json (human text otherwise), exits 0 on success and
2 on bad input or refusal with the reason on stderr.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli import analysis, operations
from cli.context import DB_ID, Context, XinfangGroup, context_of, fail, json_option, parse_json_object
from engine.clock import parse_instant
from engine.settings import Settings
from office.root import Services

@click.group(cls=XinfangGroup)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def main(ctx, as_json: bool) -> None:
    """Xinfang case engine: deploy processes, run cases, operate timers."""
    ctx.obj = Context(as_json)


@main.command("init-db")
@json_option
@click.pass_context
def init_db(ctx) -> None:
    """Create or upgrade the database schema (Alembic)."""
    c = context_of(ctx)
    c.services.operations.init_db()
    c.out({"ok": True, "database": c.services.settings.database_url.split("@")[-1]}, "database is up to date")


@main.group()
def users() -> None:
    """User administration."""


@users.command("add")
@click.argument("name")
@click.option("--groups", default="", help="Comma-separated groups, e.g. clerk,director.")
@click.option("--password", default=None)
@click.option("--unit", default=None, help="Handling unit code for unit staff.")
@click.option("--display-name", default="")
@json_option
@click.pass_context
def users_add(ctx, name, groups, password, unit, display_name) -> None:
    c = context_of(ctx)
    user = c.services.users.add_user(name, groups=groups.split(","), password=password, unit=unit,
                               display_name=display_name)
    c.out(user, f"added user {user['username']} ({', '.join(user['groups'])})")


@users.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def users_import(ctx, path) -> None:
    """Create every user of a CSV file (username,display_name,groups,unit,password) or, on any error, none."""
    c = context_of(ctx)
    done = None if c.as_json else (lambda n, total: click.echo(f"\r{n}/{total}", nl=False, err=True))
    result = c.services.user_import.import_users(path.read_bytes(), user=None, progress=done)
    c.out(result, f"\nimported {len(result['created'])} users" + "".join(
        f"\n{p['username']}\t{p['password']}" for p in result["generated_passwords"]))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", default="system")
@json_option
@click.pass_context
def deploy(ctx, paths, user) -> None:
    """Validate and deploy BPMN files as one bundle."""
    c = context_of(ctx)
    files = {}
    for path in paths:
        if not path.is_file():
            raise click.BadParameter(f"no such file: {path}")
        files[path.name] = path.read_bytes()
    result = c.services.processes.deploy(files, user=user)
    c.out({"deployed": [{"key": d["key"], "version": d["version"]} for d in result]},
          "\n".join(f"{d['key']} v{d['version']}{'' if d['new'] else ' (unchanged)'}" for d in result))


@main.command()
@click.option("--month", required=True, help="Calendar month, e.g. 2026-10.")
@click.option("--user", default="system")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Directory for xinfang-<month>.xlsx and .docx.")
@json_option
@click.pass_context
def report(ctx, month, user, out_dir) -> None:
    """Write the month's KPI workbook (.xlsx) and report (.docx)."""
    c = context_of(ctx)
    files = c.services.kpi.kpi_report(user, month)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, content in files.items():
        path = out_dir / f"xinfang-{month}.{ext}"
        path.write_bytes(content)
        paths.append(str(path))
    c.out({"month": month, "files": paths}, "\n".join(paths))


@main.command()
@click.argument("key")
@click.option("--data", default=None, help="Initial case data as a JSON object.")
@click.option("--user", default="system")
@click.option("--version", type=DB_ID, default=None)
@json_option
@click.pass_context
def start(ctx, key, data, user, version) -> None:
    """Start a case of a deployed process."""
    c = context_of(ctx)
    case = c.services.cases.start_case(key, parse_json_object(data, "--data"), user=user, version=version)
    c.out(case, f"case {case['id']} {case['status']}")


@main.command()
@click.option("--case", "case_id", type=DB_ID, default=None)
@click.option("--user", default=None)
@json_option
@click.pass_context
def tasks(ctx, case_id, user) -> None:
    """List open tasks (of a case, or those a user may work on)."""
    c = context_of(ctx)
    page = c.services.tasks.list_tasks(user=user, case_id=case_id, per_page=200)
    keys = ("id", "case_id", "bpmn_id", "name", "groups", "assignee", "due_at")
    items = [{k: t[k] for k in keys} for t in page["items"]]
    c.out(items, "\n".join(f"{t['id']}  case {t['case_id']}  {t['name']}  [{','.join(t['groups'])}]"
                           for t in items) or "no open tasks")


@main.command()
@click.argument("task_id")
@click.option("--user", required=True)
@click.option("--data", default=None, help="Form data as a JSON object.")
@json_option
@click.pass_context
def complete(ctx, task_id, user, data) -> None:
    """Complete a task as USER (assignee or candidate-group member)."""
    c = context_of(ctx)
    case = c.services.tasks.complete_task(task_id, user=user, data=parse_json_object(data, "--data"))
    c.out(case, f"case {case['id']} {case['status']}")


@main.command("case")
@click.argument("case_id", type=DB_ID)
@json_option
@click.pass_context
def show_case(ctx, case_id) -> None:
    """Show a case with its data, tasks and events."""
    c = context_of(ctx)
    c.out(c.services.cases.get_case(case_id))


@main.command()
@click.argument("case_id", type=DB_ID)
@click.option("--user", default="system")
@json_option
@click.pass_context
def retry(ctx, case_id, user) -> None:
    """Replay the failed step of a case in error, once its cause is fixed."""
    c = context_of(ctx)
    case = c.services.cases.retry_case(case_id, user=user)
    c.out(case, f"case {case['id']} {case['status']}")


@main.group()
def timers() -> None:
    """Timer operations."""


@timers.command("fire-due")
@click.option("--now", default=None, help="ISO 8601 instant with offset; default: the clock.")
@click.option("--batch", default=500, type=click.IntRange(1, 10_000), help="Timers leased per claim.")
@json_option
@click.pass_context
def fire_due(ctx, now, batch) -> None:
    """Fire every timer due at NOW once, and exit (cron, operators, tests)."""
    c = context_of(ctx)
    try:
        instant = parse_instant(now) if now else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--now")
    fired = c.services.timers.fire_due_timers(instant, limit=batch)
    c.out({"fired": fired}, f"fired {fired} timer(s)")




@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=click.IntRange(1, 65535))
@click.option("--no-scheduler", is_flag=True, help="Do not run the timer scheduler in this process.")
@click.pass_context
def serve(ctx, host, port, no_scheduler) -> None:
    """Serve the web app (development server) with the scheduler inside: `python -m webui`."""
    context_of(ctx).services.operations.check_ready_to_start()
    args = [sys.executable, "-m", "webui", "--host", host, "--port", str(port)]
    os.execv(sys.executable, args + (["--no-scheduler"] if no_scheduler else []))


@main.command()
@click.pass_context
def scheduler(ctx) -> None:
    """Run the timer scheduler standalone (one process per machine)."""
    settings = Settings.from_env()
    if "XINFANG_DB_PRE_PING" not in os.environ:       # see Settings.db_pre_ping
        settings = settings.with_(db_pre_ping=False)
    services = Services(settings)
    services.operations.check_ready_to_start()
    ticker = services.timers.ticker(background=False)
    try:
        ticker.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        ticker.worker.stop()


@main.command("setup-demo")
@json_option
@click.pass_context
def setup_demo(ctx) -> None:
    """Demo users (password 'demo') and every shipped diagram in bpmn/. For local trials only."""
    from office.operations.demo import setup_demo as run      # the demo is loaded only when asked for
    c = context_of(ctx)
    c.out(run(c.services), "demo users and processes are ready (password: demo)")


@main.command("demo")
@click.option("--cases", "count", type=click.IntRange(1, 5000), default=200, show_default=True)
@click.option("--days", type=click.IntRange(1, 730), default=150, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@json_option
@click.pass_context
def demo(ctx, count, days, seed) -> None:
    """Realistic petitions run through the real processes with a moved clock, left at every stage."""
    from office.operations.demo_cases import play
    c = context_of(ctx)
    say = (lambda line: None) if c.as_json else (lambda line: click.echo(line, err=True))
    result = play(c.services, count, days=days, seed=seed, progress=say)
    c.out(result, f"{result['cases']} demo cases: {result.get('steps', 0)} steps, {result['timers']} timers fired")


@main.command("test-process")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@json_option
@click.pass_context
def test_process(ctx, paths) -> None:
    """Run analyst scenario files (default: all of bpmn/scenarios) on a throwaway database."""
    from office.editor import scenarios
    c = context_of(ctx)
    settings = Settings.from_env()
    files = scenarios.find_files(list(paths) or [settings.bpmn_dir / "scenarios"])
    if not files:
        fail("no scenario files found", None, c.as_json)
    results = [scenarios.run(scenarios.load_file(f), settings, name=str(f)).as_dict() for f in files]
    failed = [r for r in results if not r["passed"]]
    lines = [f"{'ok  ' if r['passed'] else 'FAIL'} {r['name']}" + "".join(f"\n     {m}" for m in r["failures"])
             for r in results]
    c.out({"results": results, "passed": len(results) - len(failed), "failed": len(failed)},
          "\n".join(lines) + f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


for command in analysis.COMMANDS + operations.COMMANDS:
    main.add_command(command)

if __name__ == "__main__":
    main()
