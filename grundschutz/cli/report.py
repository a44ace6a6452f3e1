"""``grundschutz plot`` and ``grundschutz report``: figures and the HTML report.

A thin layer over :mod:`grundschutz.views.plots` and :mod:`grundschutz.views.report`;
matplotlib is imported only when a command runs.
"""

from __future__ import annotations

import datetime

import click

from grundschutz.cli.common import ASSESSMENT, HELP, catalogs_option, open_analysis, user_errors

KINDS = ("graph", "heatmap", "coverage", "risk", "scenario")


@click.command(context_settings=HELP, short_help="Eine Abbildung als PNG oder SVG zeichnen.", help="""
    Eine Abbildung der BEWERTUNG als PNG oder SVG zeichnen.

    ART: graph (Abhängigkeitsgraph in Ebenen), heatmap (Anwendungen nach
    Vertraulichkeit, Integrität, Verfügbarkeit), coverage (IT-Grundschutz-Check
    je Baustein und Stufe), risk (Risikomatrix), scenario (was ein Szenario
    ändert und was es aufhält; braucht --scenario).
    """)
@ASSESSMENT
@click.argument("kind", metavar="ART", type=click.Choice(KINDS, case_sensitive=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str), metavar="DATEI",
              help="Bilddatei, .png oder .svg.")
@click.option("--object", "object_id", metavar="ID", help="graph: Herleitungspfad dieses Zielobjekts hervorheben.")
@click.option("--value", "basic_value", metavar="GRUNDWERT",
              help="graph: nur der Pfad dieses Grundwerts (confidentiality/integrity/availability).")
@click.option("--collapse", type=click.Choice(["auto", "yes", "no"]), default="auto", show_default=True,
              help="graph: große Ebenen nach Typ und Schutzbedarf bündeln.")
@click.option("--scenario", "scenario_name", metavar="NAME", help="scenario: Name des Szenarios (scenarios/NAME.yaml).")
@click.option("--residual", is_flag=True, help="risk: Restrisiken nach Behandlung zählen.")
@click.option("--dpi", metavar="DPI", type=click.IntRange(50, 600), default=150, show_default=True, help="Auflösung für PNG.")
@catalogs_option
@user_errors
def plot(assessment: str, kind: str, output: str, object_id: str | None, basic_value: str | None, collapse: str,
         scenario_name: str | None, residual: bool, dpi: int, catalogs: str | None) -> None:
    """Draw one figure of the assessment as PNG or SVG."""
    from grundschutz.io.files import check_target
    from grundschutz.model.errors import GrundschutzError
    from grundschutz.views import plots

    kind = kind.lower()
    if not output.lower().endswith((".png", ".svg")):
        raise click.BadParameter("Dateiname muss auf .png oder .svg enden.", param_hint="'-o' / '--output'")
    if kind == "scenario" and not scenario_name:
        raise click.UsageError("Für ART scenario wird --scenario NAME benötigt.")
    if object_id is not None and kind != "graph":
        raise click.UsageError("--object gilt nur für ART graph.")
    check_target(output)  # a missing folder or a read-only file is told before the figure is drawn
    if kind == "scenario":
        figure = plots.scenario_figure(open_analysis(assessment, catalogs).scenario(scenario_name))
    else:
        analysis = open_analysis(assessment, catalogs, with_catalog=kind in ("coverage", "risk"))
        if kind == "graph":
            value = None
            if basic_value:
                from grundschutz.model import BasicValue

                try:
                    value = BasicValue.parse(basic_value)
                except ValueError as exc:
                    raise GrundschutzError(str(exc)) from None
            figure = plots.dependency_graph_figure(analysis, object_id, value,
                                                   collapse={"auto": "auto", "yes": True, "no": False}[collapse])
        elif kind == "heatmap":
            figure = plots.needs_heatmap_figure(analysis)
        elif kind == "coverage":
            figure = plots.coverage_figure(analysis)
        else:
            figure = plots.risk_matrix_figure(analysis, residual=residual)
    plots.save_figure(figure, output, dpi=dpi)
    click.echo(f"Abbildung geschrieben: {output}")


@click.command(context_settings=HELP, short_help="Den HTML-Bericht schreiben (eine Datei).", help="""
    Den deutschen HTML-Bericht der BEWERTUNG schreiben: eine Datei, die alles enthält.

    Abbildungen, Gestaltung und das Skript zum Sortieren und Filtern der
    Tabellen und zum Erkunden des Abhängigkeitsgraphen stehen in der Datei;
    sie öffnet sich in jedem Browser ohne Netzzugang.
    """)
@ASSESSMENT
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str), metavar="DATEI",
              help="HTML-Datei des Berichts.")
@click.option("--object", "object_id", metavar="ID",
              help="Zielobjekt, dessen Herleitung als Abbildung gezeigt wird (sonst das mit dem längsten Pfad).")
@click.option("--date", "report_date", metavar="TT.MM.JJJJ",
              help="Datum „Stand“ (TT.MM.JJJJ oder JJJJ-MM-TT; sonst heute).")
@catalogs_option
@user_errors
def report(assessment: str, output: str, object_id: str | None, report_date: str | None,
           catalogs: str | None) -> None:
    """Write the German HTML report of the assessment: one self-contained file."""
    from grundschutz.views.report import write_report

    date = None
    if report_date:
        date = _date(report_date)
    path = write_report(open_analysis(assessment, catalogs), output, focus=object_id, date=date)
    click.echo(f"Bericht geschrieben: {path}")


def _date(text: str) -> datetime.date:
    """A date given as TT.MM.JJJJ or JJJJ-MM-TT (:func:`~grundschutz.io.values.parse_date`); a usage error
    otherwise."""
    from grundschutz.io.values import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} ist kein Datum: TT.MM.JJJJ oder JJJJ-MM-TT angeben.",
                                 param_hint="'--date'") from None
