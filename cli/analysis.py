"""`xinfang hotspots`, `xinfang selection` and `xinfang evaluation …`: the analysis from a terminal
(added to the main group by cli/main.py)."""
from __future__ import annotations

from pathlib import Path

import click

from cli.context import context_of, json_option


@click.command()
@click.option("--month", required=True, help="Calendar month, e.g. 2026-10.")
@click.option("--months", type=click.IntRange(1, 120), default=1, help="Months up to and including --month.")
@click.option("--by", type=click.Choice(["region", "organ"]), default=None)
@click.option("--user", default="system")
@json_option
@click.pass_context
def hotspots(ctx, month, months, by, user) -> None:
    """Topics of the period, topics rising in the month, and suggested supervision topics."""
    c = context_of(ctx)
    found = c.services.analysis.hotspot_analysis(user, month, months=months, by=by)
    lines = [f"{found['first_month']}–{month}: {found['cases']} cases", "", "topics:"]
    lines += [f"  {r['group'] + ' ' if r['group'] else ''}{r['topic'] or '(其他)'}\t{r['count']}\t{r['persons']}"
              for r in found["topics"]]
    lines += ["", "rising:"] + [f"  {r['topic']}\t{r['previous']} -> {r['count']}" for r in found["rising"]]
    lines += ["", "suggestions:"] + [f"  {r['rank']}. {r['topic']}\t{r['count']}\t"
                                     + "、".join(e["reg_no"] or str(e["case_id"]) for e in r["examples"])
                                     for r in found["suggestions"]]
    c.out(found, "\n".join(lines))


@click.command()
@click.option("--month", required=True, help="Calendar month, e.g. 2026-10.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10)
@click.option("--user", default="system")
@json_option
@click.pass_context
def selection(ctx, month, limit, user) -> None:
    """The month's representative cases for the 代表恳谈会, with the reasons for each."""
    c = context_of(ctx)
    found = c.services.analysis.meeting_selection(user, month, limit=limit)
    c.out(found, "\n".join(f"{p['rank']}. {p['reg_no']} {p['subject']}  [{p['score']}] {'；'.join(p['reasons'])}"
                           for p in found["cases"]) or "no cases")


@click.group()
def evaluation() -> None:
    """评: courts and procuratorates."""


@evaluation.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", default="system")
@json_option
@click.pass_context
def evaluation_import(ctx, path: Path, user) -> None:
    """Import appeal and reversal rates (CSV: organ,period,appeal_rate,reversal_rate[,cases]);
    one bad line rejects the file, with every bad line's number."""
    c = context_of(ctx)
    result = c.services.analysis.import_organ_rates(user, path.read_bytes())
    c.out(result, f"imported {result['imported']} rows ({', '.join(result['periods'])})")


@evaluation.command("show")
@click.option("--period", required=True, help="2026, 2026-H1, 2026-Q3 or 2026-10.")
@click.option("--user", default="system")
@json_option
@click.pass_context
def evaluation_show(ctx, period, user) -> None:
    """The organs of the period, best score first."""
    c = context_of(ctx)
    found = c.services.analysis.organ_evaluation(user, period)
    c.out(found, "\n".join(f"{r['rank'] or '-'}. {r['organ']}\t{r['petitions']}\t{r['score']}"
                           for r in found["organs"]) or "no organs")

COMMANDS = (hotspots, selection, evaluation)
