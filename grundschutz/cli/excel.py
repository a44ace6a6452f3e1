"""``grundschutz export``, ``import`` and ``init``: the Excel workbook on the command line.

Registered in :mod:`grundschutz.cli.app` with::

    from grundschutz.cli.excel import export, import_, init
"""

from __future__ import annotations

import click

from grundschutz.cli.common import HELP, catalogs_option, open_analysis, user_errors

ASSESSMENT = click.argument("assessment", type=click.Path(path_type=str))


@click.command(context_settings=HELP)
@ASSESSMENT
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@catalogs_option
@click.option("--max-rows", type=click.IntRange(min=2), default=None, hidden=True,
              help="Rows per sheet before it is split (default: Excel's limit).")
@user_errors
def export(assessment: str, workbook: str, catalogs: str | None, max_rows: int | None) -> None:
    """Write the assessment as one German Excel workbook (WORKBOOK, .xlsx).

    Sheets: Übersicht, Strukturanalyse, Abhängigkeiten,
    Schutzbedarfsfeststellung, Modellierung, IT-Grundschutz-Check and, where
    available, Risikoanalyse, Realisierungsplan and the scenarios.
    """
    from grundschutz.exchange.excel.export import export_workbook
    from grundschutz.exchange.excel.layout import EXCEL_MAX_ROWS

    result = export_workbook(open_analysis(assessment, catalogs), workbook, max_rows=max_rows or EXCEL_MAX_ROWS)
    parts = ", ".join(f"{title} {rows}" for title, rows in result.sheets.items())
    click.echo(f"Arbeitsmappe geschrieben: {result.path} ({result.rows} Zeilen: {parts})")
    for title, reason in result.skipped.items():
        click.echo(f"Nicht enthalten: {title} ({reason})")
    for note in result.notes:
        click.echo(note)


@click.command(name="import", context_settings=HELP)
@ASSESSMENT
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (without: only show them).")
@click.option("--force", is_flag=True,
              help="Accept a workbook although the assessment changed since the export (the workbook wins).")
@catalogs_option
@user_errors
def import_(assessment: str, workbook: str, apply_: bool, force: bool, catalogs: str | None) -> None:
    """Merge the editable columns of an exported WORKBOOK back into ASSESSMENT.

    Shows what would change; writes the CSV files only with --apply.
    """
    from grundschutz.exchange.excel.importing import apply_import, complete_interrupted, plan_import, render_plan

    complete_interrupted(assessment)
    plan = plan_import(open_analysis(assessment, catalogs), workbook, force=force)
    if apply_ and plan.changes:
        apply_import(plan)
    click.echo(render_plan(plan, applied=apply_))


@click.command(context_settings=HELP)
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
@click.option("--from", "inventory", required=True, type=click.Path(dir_okay=False, exists=True, path_type=str),
              help="The application list (.xlsx or .csv).")
@click.option("--map", "mapping", required=True, type=click.Path(dir_okay=False, exists=True, path_type=str),
              help="The column mapping (YAML, see examples/inventar/mapping.yaml).")
@user_errors
def init(folder: str, inventory: str, mapping: str) -> None:
    """Create an assessment FOLDER from an application list and a column mapping."""
    from grundschutz.exchange.excel.init import init_assessment, render_init

    click.echo(render_init(init_assessment(folder, inventory, mapping)))
