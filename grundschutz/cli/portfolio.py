"""``grundschutz portfolio``: the provider's view of many municipalities' assessments.

Registered in :mod:`grundschutz.cli.app` with::

    from grundschutz.cli.portfolio import portfolio
"""

from __future__ import annotations

import click

from grundschutz.cli.common import HELP, echo_records, echo_text, format_option, progress_bar, user_errors


@click.command(context_settings=HELP)
@click.argument("paths", metavar="ORDNER...", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--provider", metavar="ORDNER", type=click.Path(path_type=str),
              help="Bewertungsordner des Anbieters (KRZ); sonst die Bewertung mit 'portfolio:' in assessment.yaml.")
@click.option("--apply", "apply_", is_flag=True,
              help="Geerbte Schutzbedarfe in needs.csv des Anbieters schreiben (ohne: nur Vorschau).")
@click.option("--force", is_flag=True,
              help="Mit --apply auch schreiben, wenn Bewertungen mit Fehlern nicht berücksichtigt sind.")
@click.option("--by", type=click.Choice(["object", "client"]), default="object", show_default=True,
              help="csv/json-Zeilen: je gemeinsamem Zielobjekt oder je Zielobjekt und Kommune.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=str),
              help="Zusätzlich schreiben: .xlsx (Arbeitsmappe), .html (Bericht), .png/.svg (Heatmap), "
                   ".csv, .json; mehrfach möglich.")
@click.option("-j", "--workers", metavar="ANZAHL", type=click.IntRange(min=1), default=None,
              help="Anzahl paralleler Prozesse (Standard: alle Prozessorkerne).")
@format_option
@user_errors
def portfolio(paths: tuple[str, ...], provider: str | None, apply_: bool, force: bool, by: str,
              outputs: tuple[str, ...], workers: int | None, output_format: str) -> None:
    """Schutzbedarf gemeinsamer Dienste eines Anbieters (KRZ) über alle Kommunen.

    Liest jede Bewertung in ORDNER (ein Bewertungsordner oder ein Ordner mit
    vielen), ermittelt je Bewertung den Schutzbedarf und berechnet für jedes
    Zielobjekt des Anbieters, auf das Kommunen mit dem Tag
    provider=<Anbieter>:<Zielobjekt> verweisen, je Grundwert das Maximum über
    alle Kommunen (mit Kommune, Zielobjekt und Begründung) und den
    Kumulationseffekt über Kommunen (portfolio.cumulation in assessment.yaml
    des Anbieters). Bewertungen mit Fehlern werden aufgeführt und nicht
    berücksichtigt. Mit --apply werden die geerbten Werte als festgestellte
    Schutzbedarfe mit erzeugter Begründung in needs.csv des Anbieters
    geschrieben; handgeschriebene Zeilen bleiben unverändert.
    """
    from grundschutz.exchange.portfolio import apply_portfolio, plan_apply, read_portfolio, render_apply
    from grundschutz.exchange.portfolio.outputs import OUTPUTS, write_portfolio_output
    from grundschutz.model.errors import GrundschutzError
    from grundschutz.views.portfolio_tables import portfolio_data, portfolio_records, render_portfolio
    from grundschutz.views.render import to_json

    for output in outputs:
        if not output.lower().endswith(OUTPUTS):
            raise click.BadParameter(f"'{output}': Dateiendung muss eine von {', '.join(OUTPUTS)} sein.",
                                     param_hint="'-o' / '--output'")
    with progress_bar("Bewertungen lesen") as bar:
        progress = None if bar is None else (lambda done, total: bar(f"{done} von {total}", done, total))
        result = read_portfolio(paths, provider, workers=workers, progress=progress)
    if apply_ and result.excluded and not force:
        raise GrundschutzError(f"{len(result.excluded)} Bewertungen mit Fehlern sind nicht berücksichtigt; ohne sie "
                               "könnten geerbte Schutzbedarfe zu niedrig sein. Fehler beheben oder mit --force "
                               "trotzdem übernehmen.")
    plan = apply_portfolio(result) if apply_ else None
    for output in outputs:
        click.echo(f"Geschrieben: {write_portfolio_output(result, output, by)}", err=output_format != "table")
    if output_format == "json":
        click.echo(to_json(portfolio_data(result) if by == "object" else portfolio_records(result, by)))
    elif output_format == "csv":
        echo_records(portfolio_records(result, by), "csv")
    else:
        echo_text(render_portfolio(result))
        click.echo("")
        try:
            echo_text(render_apply(plan if plan is not None else plan_apply(result), applied=plan is not None))
        except GrundschutzError as exc:  # the preview only: the portfolio itself is shown
            echo_text(f"Keine Übernahme möglich: {exc}")
    if plan is not None and output_format != "table":
        click.echo(render_apply(plan, applied=True), err=True)

