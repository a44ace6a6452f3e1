"""``grundschutz oscal export`` and ``grundschutz oscal import``: the assessment as OSCAL and back.

Registered in :mod:`grundschutz.cli.app` with ``main.add_command(oscal)``.
"""

from __future__ import annotations

import click

from grundschutz.cli.common import ASSESSMENT, HELP, catalogs_option, echo_text, open_analysis, user_errors


@click.group(context_settings=HELP, help="""
    OSCAL 1.1.3: Sicherheitskonzept, Prüfergebnisse und Realisierungsplan für Prüfer und KRZ.

    Kette: grundschutz assess → oscal export → Prüfung durch Auditor oder KRZ
    mit eigenen OSCAL-Werkzeugen → oscal import (Status zurück in check.csv).
    """)
def oscal() -> None:
    """OSCAL export and import."""


@oscal.command(context_settings=HELP, help="""Die BEWERTUNG als OSCAL-Dokumente schreiben.

    ssp.json: Sicherheitskonzept (System Security Plan) mit einer Komponente
    je Zielobjekt und dem Umsetzungsstatus jeder ausgewählten Anforderung;
    ap.json: Prüfplan; ar.json: Prüfergebnisse (Feststellungen und Risiken
    aus risks.csv); poam.json: Realisierungsplan (POA&M). Gleiche Bewertung,
    gleiche Bytes.
    """)
@ASSESSMENT
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Zielordner für ssp.json, ap.json, ar.json und poam.json (wird angelegt).")
@click.option("--timestamp", default=None, metavar="ZEITPUNKT",
              help="Stand der Dokumente (JJJJ-MM-TT oder ISO-Zeitpunkt); Standard: das letzte Prüfdatum in "
                   "check.csv, sonst die jüngste Datei der Bewertung.")
@catalogs_option
@user_errors
def export(assessment: str, output: str, timestamp: str | None, catalogs: str | None) -> None:
    """Write the assessment as OSCAL documents (SSP, assessment plan, results, POA&M)."""
    from grundschutz.exchange.oscal.export import export_oscal, render_export

    echo_text(render_export(export_oscal(open_analysis(assessment, catalogs), output, timestamp=timestamp)))


@oscal.command(name="import", context_settings=HELP, help="""
    Status aus DOKUMENTE (ssp.json, ar.json) zurück in check.csv der BEWERTUNG übernehmen.

    Liest den Umsetzungsstatus, die Anmerkung, die Verantwortlichen und die
    Daten des Sicherheitskonzepts sowie Status und Anmerkung der
    Feststellungen aus den Prüfergebnissen. Zeigt, was sich ändert; schreibt
    check.csv nur mit --apply.
    """)
@ASSESSMENT
@click.argument("documents", metavar="DOKUMENTE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=str))
@click.option("--apply", "apply_", is_flag=True, help="Änderungen schreiben (ohne: nur anzeigen).")
@click.option("--force", is_flag=True,
              help="Dokumente auch übernehmen, wenn sich die Bewertung seit dem Export geändert hat "
                   "(die Dokumente gewinnen).")
@catalogs_option
@user_errors
def import_(assessment: str, documents: tuple[str, ...], apply_: bool, force: bool, catalogs: str | None) -> None:
    """Take the statuses of an auditor's OSCAL documents back into check.csv."""
    from grundschutz.exchange.oscal.importing import (
        apply_oscal_import,
        plan_oscal_import,
        render_oscal_import,
    )

    plan = plan_oscal_import(open_analysis(assessment, catalogs), documents, force=force)
    if apply_ and plan.changes:
        apply_oscal_import(plan)
    echo_text(render_oscal_import(plan, applied=apply_))
