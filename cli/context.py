"""What every `xinfang` command shares: the services, output as text or JSON, and domain errors
mapped to exit code 2 with a one-line reason, never a traceback."""
from __future__ import annotations

import json
import sys

import click

from engine.inputs import loads_strict
from engine.errors import InvalidDiagram, XinfangError
from engine.settings import Settings
from office.root import Services

EXIT_REFUSED = 2
DB_ID = click.IntRange(1, 2_147_483_647)    # ids and versions: database integers, so a typo is a usage error


class Context:
    def __init__(self, as_json: bool):
        self.as_json = as_json
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = Services(Settings.from_env())
        return self._services

    def out(self, payload, text: str | None = None) -> None:
        if self.as_json or text is None:
            click.echo(json.dumps(payload, ensure_ascii=False, indent=None if self.as_json else 2, default=str))
        else:
            click.echo(text)


def fail(message: str, details=None, as_json: bool = False) -> None:
    if as_json and details is not None:
        click.echo(json.dumps(details, ensure_ascii=False, default=str))
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def parse_json_object(value: str | None, what: str) -> dict:
    if value is None:
        return {}
    try:
        data = json.loads(value)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"{what} is not valid JSON: {err.msg} at column {err.colno}")
    except RecursionError:
        raise click.BadParameter(f"{what} is nested too deeply") from None
    loads_strict(value, what)       # NaN and Infinity: ValidationFailed, exit 2 with the reason
    if not isinstance(data, dict):
        raise click.BadParameter(f"{what} must be a JSON object, not {type(data).__name__}")
    return data


class XinfangGroup(click.Group):
    """Maps domain errors to exit code 2 and a one-line reason, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.exceptions.UsageError as err:
            err.exit_code = EXIT_REFUSED
            raise
        except InvalidDiagram as err:
            as_json = bool(ctx.obj and ctx.obj.as_json)
            fail(err.message, {"errors": err.details}, as_json)
        except XinfangError as err:
            as_json = bool(ctx.obj and ctx.obj.as_json)
            payload = {"error": err.code, "message": err.message, "details": err.details}
            fail(err.message, payload, as_json)


def context_of(ctx) -> Context:
    return ctx.find_root().obj


def json_option(fn):
    """Lets --json follow the subcommand too (`xinfang deploy x.bpmn --json`)."""
    def set_json(ctx, _param, value):
        if value:
            context_of(ctx).as_json = True
    return click.option("--json", "as_json_local", is_flag=True, expose_value=False, callback=set_json,
                        help="Print machine-readable JSON.")(fn)
