"""Scheduler figures: Prometheus text at /metrics and an admin page.

The figures are read from the database at scrape time, so any gunicorn worker answers with the
same numbers whichever scheduler process did the work.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template
from flask_login import login_required
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from .app import get_services
from .auth import username
from .security import metrics_allowed

bp = Blueprint("metrics", __name__)


class _SchedulerCollector:
    def __init__(self, status: dict):
        self.status = status

    def collect(self):
        s = self.status
        yield GaugeMetricFamily("xinfang_timer_backlog", "Timers due now and not yet fired", value=s["backlog"])
        yield GaugeMetricFamily("xinfang_timers_waiting", "Timers waiting (due or not)", value=s["waiting"])
        for name, key, text in (("fired", "fired_total", "BPMN timers fired"),
                                ("reminders", "reminders_total", "Reminders (催办) sent"),
                                ("escalations", "escalations_total", "Escalations (督办) raised"),
                                ("errors", "errors_total", "Timer firings that failed")):
            yield CounterMetricFamily(f"xinfang_scheduler_{name}", text, value=s[key])
        age = s["heartbeat_age_s"]
        yield GaugeMetricFamily("xinfang_scheduler_heartbeat_age_seconds", "Seconds since the newest tick",
                                value=-1 if age is None else age)
        lateness = s["lateness"]
        cumulative = list(lateness["buckets"].items())      # ordered by bound, as the scheduler keeps them
        yield HistogramMetricFamily("xinfang_timer_lateness_seconds", "fired_at - due_at",
                                    buckets=cumulative + [("+Inf", lateness["count"])], sum_value=lateness["sum_s"])


@bp.get("/metrics")
def metrics() -> Response:
    """For a scraper with XINFANG_METRICS_TOKEN or from XINFANG_METRICS_ALLOW; 404 for anyone else."""
    metrics_allowed(current_app.extensions["xinfang.settings"])
    registry = CollectorRegistry()
    registry.register(_SchedulerCollector(get_services().timers.scheduler_status()))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")


@bp.get("/admin/scheduler")
@login_required
def scheduler_page():
    status = get_services().timers.scheduler_status(user=username())
    peak = max(status["lateness"]["buckets"].values(), default=0) or 1
    previous, bars = 0, []
    for bound, cumulative in status["lateness"]["buckets"].items():
        bars.append((bound, cumulative - previous, round(100 * (cumulative - previous) / peak)))
        previous = cumulative
    return render_template("admin_scheduler.html", status=status, bars=bars)
