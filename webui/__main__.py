"""`python -m webui`: the development server with the timer scheduler inside (what `xinfang serve`
and `make run` start). Production runs gunicorn on webui.wsgi:app and `xinfang scheduler`."""
from __future__ import annotations

import click

from engine.settings import Settings

from .app import create_app
from .observability import configure_logging


@click.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=click.IntRange(1, 65535))
@click.option("--no-scheduler", is_flag=True, help="Do not run the timer scheduler in this process.")
def serve(host: str, port: int, no_scheduler: bool) -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    app = create_app(settings)
    services = app.extensions["xinfang.services"]
    if services.settings.scheduler_enabled and not no_scheduler:
        services.timers.ticker().start()
    app.run(host=host, port=port, use_reloader=False, threaded=True)


if __name__ == "__main__":
    serve()
