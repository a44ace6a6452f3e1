"""The ``grundschutz`` command line: a thin layer over the library.

Each command parses its options, calls one library function, prints or
writes the result, and turns a :class:`GrundschutzError` into ``Fehler: ...``
with exit code 1 (:mod:`grundschutz.cli.common` has the whole error path,
:mod:`grundschutz.cli.german` click's own texts in German). Heavy libraries
are imported inside the commands so that ``grundschutz --help`` stays fast.
"""

from __future__ import annotations

import gc

import click

from grundschutz.cli.catalog import catalog
from grundschutz.cli.common import ASSESSMENT, HELP, CommandGroup, catalogs_option, echo_text, open_analysis
from grundschutz.cli.common import format_option as _format_option
from grundschutz.cli.common import user_errors as _user_errors
from grundschutz.cli.excel import export, import_, init
from grundschutz.cli.migrate import migrate
from grundschutz.cli.modelling import check, model, requirements
from grundschutz.cli.oscal import oscal
from grundschutz.cli.portfolio import portfolio
from grundschutz.cli.report import plot, report
from grundschutz.cli.risk import plan, risk
from grundschutz.cli.scenario import diff, scenario



@click.group(name="grundschutz", cls=CommandGroup, context_settings=HELP, help="""grundschutz: IT-Grundschutz nach BSI-Standard 200-2/200-3.

    BEWERTUNG ist ein Bewertungsordner (assessment.yaml, objects.csv,
    dependencies.csv, needs.csv) oder eine Bewertungs-Arbeitsmappe (.xlsx).
    Hilfe zu einem Befehl: grundschutz BEFEHL -h.
    """)
@click.version_option(package_name="grundschutz")
def main() -> None:
    """The ``grundschutz`` command (help text: German, in the decorator)."""


@main.command(context_settings=HELP, help="""Eine Bewertung prüfen und jedes Problem jeder Datei auf einmal melden.

    Liest assessment.yaml, die Tabellen, modelling.csv, check.csv, risks.csv
    und die Szenarien; wo ein Katalog installiert ist, werden auch Bausteine,
    Anforderungen und Gefährdungen gegen ihn geprüft.
    """)
@ASSESSMENT
@catalogs_option
@_user_errors
def validate(assessment: str, catalogs: str | None) -> None:
    """Check an assessment and report every problem of every file at once."""
    from grundschutz.views.render import render_validation

    analysis = open_analysis(assessment, catalogs, need_catalog=False)
    analysis.validate()
    echo_text(render_validation(analysis))


@main.command(context_settings=HELP, help="""Schutzbedarf vererben und die Schutzbedarfsfeststellung zusammenfassen.

    Wo ein Katalog installiert ist, zählt die Zusammenfassung auch die
    Modellierung, die ausgewählten Anforderungen und den
    IT-Grundschutz-Check. Mit --format csv: eine Zeile je Zielobjekt mit
    dem Schutzbedarf, seiner Regel und Herkunft. Mit --format json: die
    Zusammenfassung und jedes Zielobjekt.
    """)
@ASSESSMENT
@catalogs_option
@_format_option
@_user_errors
def assess(assessment: str, catalogs: str | None, output_format: str) -> None:
    """Propagate protection needs and summarise the Schutzbedarfsfeststellung."""
    from grundschutz.views.render import csv_chunks, render_catalog_summary, render_summary, to_json
    from grundschutz.views.summary import catalog_summary, summarize
    from grundschutz.views.tables import NEEDS_COLUMNS, needs_records, needs_rows

    if output_format == "csv":
        analysis = open_analysis(assessment, with_catalog=False)
        for text in csv_chunks(needs_rows(analysis.propagation, ("", "ja")), NEEDS_COLUMNS):
            click.echo(text, nl=False)
        return
    analysis = open_analysis(assessment, catalogs, need_catalog=False)
    summary, catalog = summarize(analysis.propagation), catalog_summary(analysis)
    if output_format == "json":
        objects = needs_records(analysis.propagation)
        click.echo(to_json({"summary": summary.as_dict(), "catalog": catalog, "objects": objects}))
    else:
        echo_text(render_summary(summary) + "\n\n" + render_catalog_summary(catalog))


@main.command(context_settings=HELP, help="Je Grundwert erklären, warum ZIELOBJEKT seinen Schutzbedarf hat.")
@ASSESSMENT
@click.argument("object_id", metavar="ZIELOBJEKT")
@_format_option
@_user_errors
def explain(assessment: str, object_id: str, output_format: str) -> None:
    """Explain, per basic value, why an object has the needs it has."""
    from grundschutz.views.render import (
        explanation_records,
        render_explanation,
        to_csv,
        to_json,
    )

    result = open_analysis(assessment, with_catalog=False).propagation
    if output_format == "table":
        echo_text(render_explanation(result, object_id))
        return
    records = explanation_records(result, object_id)
    click.echo(to_csv(records) if output_format == "csv" else to_json(records), nl=output_format != "csv")


for _command in (
    catalog, model, requirements, check, risk, plan, scenario, diff, migrate, plot, report, export, import_, init
):
    main.add_command(_command)
main.add_command(oscal)
main.add_command(portfolio)


#: Objects allocated between two collections of the youngest generation while the command runs
#: (Python's default: 700). An analysis allocates hundreds of thousands of long-lived objects; with the
#: default, the collector walks them again and again (a tenth of the time of ``report``).
GC_THRESHOLD = 100_000


def run(args: list[str] | None = None) -> None:
    """The ``grundschutz`` process: :func:`main` tuned for a process that runs one command and ends.

    The cyclic garbage collector runs less often while the command works
    (:data:`GC_THRESHOLD`), and not at all when it ends: everything alive then
    is frozen (:func:`gc.freeze`), so the interpreter's last collections do
    not walk every object of the analysis before the operating system frees
    the memory anyway (a third of a second for Haan). Tests call
    :func:`main` through click's runner, which leaves the collector alone.
    """
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        main.main(args=args, prog_name="grundschutz")
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
