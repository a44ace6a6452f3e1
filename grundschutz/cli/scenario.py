"""``grundschutz scenario`` and ``grundschutz diff``: scenarios against the
baseline and differences between two states of an assessment.

The German reports are :mod:`grundschutz.views.render_scenario`.
"""

from __future__ import annotations

import click

from grundschutz.cli.common import HELP, catalogs_option, echo_records, echo_text, format_option
from grundschutz.cli.common import open_analysis, user_errors


@click.command(context_settings=HELP, short_help="Was ein geplantes Szenario aufhält, je Anwendung.", help="""
    Szenario NAME gegen den heutigen Stand rechnen (ohne NAME: die Szenarien auflisten).

    Zuerst die Antwort je Anwendung: das Urteil, die blockierenden
    Anforderungen mit ihren Titeln und die nötigen Risikoanalysen. Mit
    --details folgen der geänderte Schutzbedarf mit Erklärung, die
    hinzugekommenen Bausteine und Anforderungen und alle blockierenden
    Anforderungen je Zielobjekt.
    """)
@click.argument("assessment", metavar="BEWERTUNG", type=click.Path(path_type=str))
@click.argument("name", metavar="[NAME]", required=False)
@click.option("--details", is_flag=True,
              help="Nach der Antwort alle Einzelheiten: Schutzbedarf, Bausteine, Anforderungen, Risikoanalysen.")
@click.option("--include-baseline", is_flag=True,
              help="Auch Anforderungen zählen, die schon ohne das Szenario offen sind (ganzes Umfeld).")
@catalogs_option
@format_option
@user_errors
def scenario(assessment: str, name: str | None, details: bool, include_baseline: bool, catalogs: str | None,
             output_format: str) -> None:
    """Compute a scenario against the baseline (without a name: list the scenarios)."""
    from grundschutz.views.render import to_csv, to_json
    from grundschutz.views.render_scenario import render_scenario
    from grundschutz.views.scenario_tables import scenario_data, scenario_list_records, scenario_rows

    if name is None:
        found = scenario_list_records(open_analysis(assessment, with_catalog=False).assessment)
        if output_format == "table" and not found:
            click.echo(f"Keine Szenarien in {assessment}/scenarios.")
            return
        echo_records(found, output_format, {"name": "Szenario", "description": "Beschreibung",
                                            "applications": "Anwendungen"}, wrap=70)
        return
    from grundschutz.io import read_assessment

    read = read_assessment(assessment)
    read.scenario(name)  # an unknown name fails before the catalog is needed, naming the scenarios there are
    result = open_analysis(read, catalogs).scenario(name, include_baseline=include_baseline)
    if output_format == "table":
        echo_text(render_scenario(result, details=details))
        return
    if output_format == "json":
        click.echo(to_json(scenario_data(result)))
        return
    rows = scenario_rows(result)
    click.echo(to_csv(rows, list(dict.fromkeys(c for r in rows for c in r))), nl=False)


@click.command(context_settings=HELP, short_help="Unterschiede zwischen zwei Ständen einer Bewertung.", help="""
    Unterschiede zwischen zwei Ständen einer Bewertung.

    ALT und NEU sind Bewertungsordner, REVISION:ORDNER (der Ordner in einer
    Git-Revision) oder eine Git-Revision des auf der anderen Seite genannten
    Ordners, z. B. grundschutz diff HEAD~1 assessments/haan.
    """)
@click.argument("old", metavar="ALT")
@click.argument("new", metavar="NEU")
@catalogs_option
@format_option
@user_errors
def diff(old: str, new: str, catalogs: str | None, output_format: str) -> None:
    """Differences between two states of an assessment (folders or git revisions)."""
    import tempfile
    from pathlib import Path

    from grundschutz.io.revisions import resolve_folder
    from grundschutz.method.diff import diff_assessments
    from grundschutz.views.diff_tables import diff_records
    from grundschutz.views.render import to_csv, to_json
    from grundschutz.views.render_scenario import render_diff

    with tempfile.TemporaryDirectory(prefix="grundschutz-diff-") as tmp:
        sides = []
        for index, (spec, other) in enumerate(((old, new), (new, old))):
            folder, label = resolve_folder(spec, other, Path(tmp) / str(index))
            sides.append((open_analysis(str(folder), catalogs), label))
        (before, old_label), (after, new_label) = sides
        result = diff_assessments(before, after, old_label, new_label)
    if output_format == "table":
        echo_text(render_diff(result))
    elif output_format == "json":
        click.echo(to_json({"old": result.old_label, "new": result.new_label, "differences": diff_records(result)}))
    else:
        click.echo(to_csv(diff_records(result)), nl=False)
