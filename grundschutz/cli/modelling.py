"""``grundschutz model``, ``requirements`` and ``check``: Modellierung,
Anforderungen and the IT-Grundschutz-Check on the command line."""

from __future__ import annotations

import click

from grundschutz.cli.common import (
    ASSESSMENT,
    HELP,
    catalogs_option,
    echo_records,
    format_option,
    open_analysis,
    user_errors,
)


@click.command(context_settings=HELP, short_help="Jedem Zielobjekt Bausteine zuordnen (Modellierung).",
               help="Jedem Zielobjekt die passenden Bausteine zuordnen (Modellierung nach BSI-Standard 200-2, "
                    "Regeln: catalogs/modelling.yaml, Änderungen von Hand: modelling.csv).")
@ASSESSMENT
@catalogs_option
@format_option
@user_errors
def model(assessment: str, catalogs: str | None, output_format: str) -> None:
    """Assign Bausteine to every object (Modellierung).

    The column "Hinweis" names the tags an object's name suggests and what they would add.
    """
    from grundschutz.views.requirements_tables import modelling_overview_records, modelling_records

    modelling = open_analysis(assessment, catalogs).modelling
    if output_format == "table":
        echo_records(modelling_overview_records(modelling), "table",
                     {"object": "Zielobjekt", "name": "Name", "bausteine": "Bausteine (* = von Hand)",
                      "note": "Hinweis"}, wrap=60)
        return
    echo_records(modelling_records(modelling), output_format)


@click.command(context_settings=HELP, short_help="Die ausgewählten Anforderungen je Zielobjekt, mit Grund.",
               help="Die für jedes Zielobjekt ausgewählten Anforderungen, jede mit ihrer Begründung.")
@ASSESSMENT
@click.option("--object", "object_id", metavar="ID", help="Nur dieses Zielobjekt.")
@click.option("--level", type=click.Choice(["B", "S", "H"], case_sensitive=False),
              help="Nur diese Stufe (Basis, Standard, erhöhter Schutzbedarf).")
@click.option("--undecided", is_flag=True,
              help="Nur Anforderungen, die auf eine Entscheidung warten: H-Anforderungen mit einem noch nicht "
                   "bewerteten Grundwert; bei Grundschutz++ Controls ohne Zielobjekt-Kategorie, deren Relevanz "
                   "noch nicht entschieden ist.")
@catalogs_option
@format_option
@user_errors
def requirements(assessment: str, object_id: str | None, level: str | None, undecided: bool,
                 catalogs: str | None, output_format: str) -> None:
    """The requirements selected for each object, with the reason for each."""
    from grundschutz.views.requirements_tables import requirement_records

    analysis = open_analysis(assessment, catalogs)
    if object_id is not None and object_id not in analysis.modelling.objects:
        analysis.assessment.object(object_id)  # raises UnknownObjectError with the usual message
    records = [
        r for r in requirement_records(analysis.selection, undecided=undecided)
        if (object_id is None or r["object"] == object_id) and (level is None or r["level"] == level.upper())
    ]
    echo_records(records, output_format, {"object": "Zielobjekt", "requirement": "Anforderung", "level": "Stufe",
                                          "cia": "CIA", "title": "Titel", "reason": "Begründung"}, wrap=60,
                 optional=["title", "level", "cia"])


@click.command(context_settings=HELP, short_help="Stand des IT-Grundschutz-Checks (ja, teilweise, nein …).",
               help="Stand des IT-Grundschutz-Checks: ja, teilweise, nein, entbehrlich, unbearbeitet "
                    "(aus check.csv), je Zielobjekt, Baustein oder Stufe.")
@ASSESSMENT
@click.option("--by", "group_by", default="object", show_default=True, metavar="GRUPPIERUNG",
              help="Gruppieren nach object (Zielobjekt), baustein, level (Stufe) oder einer Kombination "
                   "mit Komma (z. B. object,baustein).")
@catalogs_option
@format_option
@user_errors
def check(assessment: str, group_by: str, catalogs: str | None, output_format: str) -> None:
    """Coverage of the IT-Grundschutz-Check (ja, teilweise, nein, entbehrlich, unbearbeitet)."""
    from grundschutz.model.errors import GrundschutzError
    from grundschutz.views.requirements_tables import coverage_records

    keys = tuple(k.strip().lower() for k in group_by.split(",") if k.strip())
    wrong = [k for k in keys if k not in ("object", "baustein", "level")]
    if wrong:
        raise GrundschutzError(f"--by: unbekannte Gruppierung {', '.join(wrong)} (erlaubt: object, baustein, level)")
    records = coverage_records(open_analysis(assessment, catalogs).check, keys)
    headers = {k: {"object": "Zielobjekt", "baustein": "Baustein", "level": "Stufe"}[k] for k in keys}
    headers.update(ja="ja", teilweise="teilweise", nein="nein", entbehrlich="entbehrlich",
                   unbearbeitet="unbearbeitet", total="gesamt", percent="umgesetzt %")
    echo_records(records, output_format, headers, optional=["teilweise", "entbehrlich", "total"])
