"""``grundschutz risk`` and ``grundschutz plan``: the Risikoanalyse (BSI 200-3)
and the work plan on the command line.

Registered in :mod:`grundschutz.cli.app` with
``from grundschutz.cli.risk import plan, risk``. Warnings of ``risks.csv`` go to
standard error (for ``--format csv|json``) or to the section "Hinweise" of
the table output.
"""

from __future__ import annotations

import click

from grundschutz.cli.common import ASSESSMENT, HELP, catalogs_option, echo_records, echo_text, format_option
from grundschutz.cli.common import open_analysis, user_errors



@click.command(context_settings=HELP, short_help="Risikoanalyse nach BSI-Standard 200-3.", help="""
    Risikoanalyse nach BSI-Standard 200-3: welche Zielobjekte eine brauchen
    und warum, bewertete und offene Gefährdungen, Risiken nach Kategorie,
    unbehandelte hohe Risiken und hohe Restrisiken, die noch niemand
    übernommen hat.

    Die Bewertungen stehen in risks.csv im Bewertungsordner.
    """)
@ASSESSMENT
@click.option("--object", "object_id", metavar="ID", help="Nur dieses Zielobjekt, mit allen Gefährdungen.")
@catalogs_option
@format_option
@user_errors
def risk(assessment: str, object_id: str | None, catalogs: str | None, output_format: str) -> None:
    """The Risikoanalyse (BSI-Standard 200-3): flagged objects, threats, risk categories."""
    from grundschutz.views.render import to_json
    from grundschutz.views.render_risk import render_risk_object, render_risk_summary
    from grundschutz.views.risk_tables import risk_data, risk_records, risk_summary_records

    analysis = open_analysis(assessment, catalogs)
    if object_id is not None and object_id not in analysis.modelling.objects:
        analysis.assessment.object(object_id)  # raises UnknownObjectError with the usual message
    risks = analysis.risks
    entry = risks[object_id] if object_id is not None else None
    if output_format != "table":
        for warning in risks.warnings:
            click.echo(f"Hinweis: {warning}", err=True)
    if output_format == "csv":
        echo_records(risk_records(risks, object_id) if entry else risk_summary_records(risks), "csv")
    elif output_format == "json":
        click.echo(to_json(risk_data(risks, object_id if entry is not None else None)))
    elif entry is not None:
        echo_text(render_risk_object(entry))
    else:
        echo_text(render_risk_summary(analysis.assessment.settings.name, risks))


@click.command(context_settings=HELP, short_help="Der Arbeitsplan (Realisierungsplan), jede Zeile mit Grund.",
               help="Der Arbeitsplan (Realisierungsplan): die offene Arbeit in der Reihenfolge, in der sie zu "
                    "tun ist, jede Zeile mit dem Grund für ihren Platz.")
@ASSESSMENT
@click.option("--limit", "-n", type=click.IntRange(min=0), default=50, show_default=True, metavar="N",
              help="Nur die ersten N Einträge (0 = alle).")
@catalogs_option
@format_option
@user_errors
def plan(assessment: str, limit: int, catalogs: str | None, output_format: str) -> None:
    """The work plan (Realisierungsplan): open work in the order to do it,
    each line with the reason for its place."""
    from grundschutz.views.plan_tables import plan_records
    from grundschutz.views.render_risk import render_plan

    analysis = open_analysis(assessment, catalogs)
    result = analysis.plan
    records = plan_records(result, limit)
    if output_format != "table":
        echo_records(records, output_format)
        return
    echo_text(render_plan(analysis.assessment.settings.name, result, records))
