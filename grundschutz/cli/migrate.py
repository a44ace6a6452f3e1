"""``grundschutz migrate``: carry the IT-Grundschutz-Check over to Grundschutz++."""

from __future__ import annotations

import click

from grundschutz.cli.common import HELP, catalogs_option, echo_records, echo_text, format_option
from grundschutz.cli.common import open_analysis, user_errors

_HEADERS = {
    "coverage": {"object": "Zielobjekt", "name": "Name", "controls": "Controls", "carried": "übernommen",
                 "hints": "Hinweis", "new": "neu", "to_assess": "neu zu prüfen", "percent": "Abdeckung %"},
    "controls": {"object": "Zielobjekt", "control": "Control", "level": "Stufe", "effort_level": "Aufwand",
                 "outcome": "Ergebnis", "status": "Status", "reason": "Begründung"},
    "links": {"object": "Zielobjekt", "requirement": "Anforderung", "status": "Status", "control": "Control",
              "relationship": "Beziehung", "outcome": "Ergebnis", "reason": "Begründung"},
}

#: Columns left out first (the last one first) when the table does not fit the terminal.
_OPTIONAL = {"coverage": ["name", "new", "hints"], "controls": ["effort_level", "level"],
             "links": ["status", "relationship"]}


@click.command(context_settings=HELP, short_help="Den IT-Grundschutz-Check nach Grundschutz++ übertragen.", help="""
    Die Ergebnisse des IT-Grundschutz-Checks der BEWERTUNG über das Mapping
    des BSI nach Grundschutz++ übertragen.

    Zeigt, welche Ergebnisse auf welche Controls übergehen (Beziehung
    equal-to, equivalent-to, superset-of, subset-of, intersects-with),
    welche Controls neu zu prüfen sind, und die Abdeckung je Zielobjekt und
    insgesamt.
    """)
@click.argument("assessment", metavar="BEWERTUNG", type=click.Path(path_type=str))
@click.option("--to", "target", type=click.Choice(["grundschutz++"], case_sensitive=False), required=True,
              help="Zielkatalog (derzeit nur grundschutz++).")
@click.option("--show", type=click.Choice(["coverage", "controls", "links"], case_sensitive=False),
              default="coverage", show_default=True,
              help="coverage: Abdeckung je Zielobjekt; controls: je Zielobjekt und Control; "
                   "links: je geprüfter Anforderung und zugeordnetem Control.")
@catalogs_option
@format_option
@user_errors
def migrate(assessment: str, target: str, show: str, catalogs: str | None, output_format: str) -> None:
    """Carry the check results over to Grundschutz++ through the BSI mapping."""
    import textwrap

    from grundschutz.method.migration import CARRY_RULE
    from grundschutz.method.migration import migrate as run
    from grundschutz.views.migration_tables import migration_records
    from grundschutz.views.render import decimal, to_json

    show = show.lower()
    result = run(open_analysis(assessment, catalogs))
    records = migration_records(result, show)
    overall, checked = result.overall(), result.overall(result.checked_objects)
    if output_format == "json":
        click.echo(to_json({"rule": CARRY_RULE, "mapping": result.mapping_title,
                            "mapping_status": result.mapping_status, "overall": _figures(overall),
                            "checked_objects": {"objects": list(result.checked_objects), **_figures(checked)},
                            show: records}))
        return
    if output_format == "csv":
        echo_records(records, "csv")
        return
    echo_records(records, "table", _HEADERS[show], wrap=60, optional=_OPTIONAL[show])
    shown = "-" if overall.percent is None else f"{decimal(overall.percent)} %"
    echo_text(f"\nGesamt: {overall.carried} von {overall.controls} Grundschutz++-Controls übernommen ({shown}), "
               f"{overall.to_assess} neu zu prüfen ({overall.hints} mit Hinweis). Mapping: {result.mapping_title}"
               f" (Status {result.mapping_status or 'unbekannt'}).")
    if checked.controls:
        echo_text(f"Zielobjekte mit Prüfergebnissen ({len(result.checked_objects)}): {checked.carried} von "
                   f"{checked.controls} Controls übernommen ({decimal(checked.percent)} %).")
    echo_text("\n" + textwrap.fill(CARRY_RULE, 100))


def _figures(row) -> dict[str, object]:
    return {"controls": row.controls, "carried": row.carried, "hints": row.hints, "new": row.new,
            "percent": None if row.percent is None else round(row.percent, 1)}
