"""``grundschutz export``, ``import`` and ``init``: the Excel workbook on the command line.

Registered in :mod:`grundschutz.cli.app` with::

    from grundschutz.cli.excel import export, import_, init
"""

from __future__ import annotations

import click

from grundschutz.cli.common import (
    ASSESSMENT,
    HELP,
    catalogs_option,
    echo_text,
    open_analysis,
    progress_bar,
    user_errors,
)

WORKBOOK = click.argument("workbook", metavar="ARBEITSMAPPE", type=click.Path(dir_okay=False, path_type=str))


@click.command(context_settings=HELP, short_help="Die Bewertung als Excel-Arbeitsmappe schreiben.", help="""
    Die Bewertung als eine deutsche Excel-Arbeitsmappe schreiben (ARBEITSMAPPE, .xlsx).

    Blätter: Übersicht, Strukturanalyse, Abhängigkeiten,
    Schutzbedarfsfeststellung, Modellierung, IT-Grundschutz-Check und, wo
    vorhanden, Risikoanalyse, Realisierungsplan und die Szenarien.
    """)
@ASSESSMENT
@WORKBOOK
@catalogs_option
@click.option("--max-rows", type=click.IntRange(min=2), default=None, hidden=True,
              help="Zeilen je Blatt, bevor es geteilt wird (Standard: Excels Grenze).")
@user_errors
def export(assessment: str, workbook: str, catalogs: str | None, max_rows: int | None) -> None:
    """Write the assessment as one German Excel workbook."""
    from grundschutz.exchange.excel.export import export_workbook
    from grundschutz.exchange.excel.layout import EXCEL_MAX_ROWS

    analysis = open_analysis(assessment, catalogs)
    with progress_bar("Arbeitsmappe schreiben") as progress:
        result = export_workbook(analysis, workbook, max_rows=max_rows or EXCEL_MAX_ROWS, progress=progress)
    parts = ", ".join(f"{title} {rows}" for title, rows in result.sheets.items())
    click.echo(f"Arbeitsmappe geschrieben: {result.path} ({result.rows} Zeilen: {parts})")
    for title, reason in result.skipped.items():
        click.echo(f"Nicht enthalten: {title} ({reason})")
    for note in result.notes:
        click.echo(note)


@click.command(name="import", context_settings=HELP,
               short_help="Die Änderungen einer Arbeitsmappe in die Bewertung übernehmen.", help="""
    Die bearbeitbaren Spalten einer exportierten ARBEITSMAPPE in die
    BEWERTUNG übernehmen.

    Zeigt, was sich ändern würde; schreibt die CSV-Dateien nur mit --apply.
    """)
@ASSESSMENT
@WORKBOOK
@click.option("--apply", "apply_", is_flag=True, help="Die Änderungen schreiben (ohne: nur anzeigen).")
@click.option("--force", is_flag=True,
              help="Die Arbeitsmappe übernehmen, obwohl sich die Bewertung seit dem Export geändert hat "
                   "(die Arbeitsmappe gewinnt).")
@catalogs_option
@user_errors
def import_(assessment: str, workbook: str, apply_: bool, force: bool, catalogs: str | None) -> None:
    """Merge the editable columns of an exported workbook back into the assessment."""
    from grundschutz.exchange.excel.importing import apply_import, complete_interrupted, plan_import, render_plan

    complete_interrupted(assessment)
    analysis = open_analysis(assessment, catalogs)
    with progress_bar("Arbeitsmappe übernehmen") as progress:
        plan = plan_import(analysis, workbook, force=force, progress=progress)
    if apply_ and plan.changes:
        apply_import(plan)
    echo_text(render_plan(plan, applied=apply_))


@click.command(context_settings=HELP, short_help="Eine neue Bewertung anlegen (Vorlage oder Anwendungsliste).",
               help="""
    Eine neue Bewertung im ORDNER anlegen.

    Ohne --from: eine kommentierte Vorlage mit je einem Beispiel für
    Geschäftsprozess, Anwendung, Server, Netz und Raum, die sofort gültig ist
    (LIESMICH.md im Ordner sagt, was wohin gehört). Mit --from LISTE --map
    ZUORDNUNG: aus einer Anwendungsliste (.xlsx oder .csv) und einer
    Spaltenzuordnung (examples/inventar/mapping.yaml). Eine vorhandene
    Bewertung wird nie überschrieben.
    """)
@click.argument("folder", metavar="ORDNER", type=click.Path(file_okay=False, path_type=str))
@click.option("--from", "inventory", type=click.Path(dir_okay=False, exists=True, path_type=str), metavar="LISTE",
              help="Die Anwendungsliste (.xlsx oder .csv), z. B. examples/inventar/anwendungen.xlsx.")
@click.option("--map", "mapping", type=click.Path(dir_okay=False, exists=True, path_type=str), metavar="ZUORDNUNG",
              help="Die Spaltenzuordnung (YAML, siehe examples/inventar/mapping.yaml); nötig mit --from.")
@user_errors
def init(folder: str, inventory: str | None, mapping: str | None) -> None:
    """Create an assessment folder: a starter, or from an application list and a column mapping."""
    if inventory is None:
        if mapping is not None:
            raise click.UsageError("--map gilt nur zusammen mit --from LISTE.")
        from grundschutz.io.starter import write_starter

        created = write_starter(folder)
        click.echo(f"Vorlage angelegt in {created}: 5 Beispiel-Zielobjekte, 4 Abhängigkeiten, 1 Zeile mit "
                   f"festgestelltem Schutzbedarf.\nNächste Schritte: {created}/LIESMICH.md lesen, die Beispiele "
                   f"ersetzen, dann 'grundschutz validate {created}'.")
        return
    if mapping is None:
        raise click.UsageError("Mit --from LISTE wird --map ZUORDNUNG benötigt (z. B. examples/inventar/mapping.yaml).")
    from grundschutz.exchange.excel.init import init_assessment, render_init

    echo_text(render_init(init_assessment(folder, inventory, mapping)))
