"""The ``grundschutz`` command line: a thin layer over the library.

Each command parses its options, calls one library function, prints or
writes the result, and turns a :class:`GrundschutzError` into ``Error: ...``
with exit code 1. Heavy libraries are imported inside the commands so that
``grundschutz --help`` stays fast.
"""

from __future__ import annotations

import sys

import click

from grundschutz.cli.catalog import catalog
from grundschutz.cli.common import HELP, catalogs_option, open_analysis
from grundschutz.cli.common import format_option as _format_option
from grundschutz.cli.common import user_errors as _user_errors
from grundschutz.cli.excel import export, import_, init
from grundschutz.cli.migrate import migrate
from grundschutz.cli.modelling import check, model, requirements
from grundschutz.cli.portfolio import portfolio
from grundschutz.cli.report import plot, report
from grundschutz.cli.risk import plan, risk
from grundschutz.cli.scenario import diff, scenario

ASSESSMENT = click.argument("assessment", type=click.Path(path_type=str))


@click.group(context_settings=HELP)
@click.version_option(package_name="grundschutz")
def main() -> None:
    """grundschutz: IT-Grundschutz nach BSI-Standard 200-2/200-3.

    ASSESSMENT is an assessment folder (assessment.yaml, objects.csv,
    dependencies.csv, needs.csv) or an assessment workbook (.xlsx).
    """


@main.command(context_settings=HELP)
@ASSESSMENT
@catalogs_option
@_user_errors
def validate(assessment: str, catalogs: str | None) -> None:
    """Check an assessment and report every problem of every file at once.

    Reads assessment.yaml, the tables, modelling.csv, check.csv, risks.csv
    and the scenarios; where a catalog is installed, also checks Bausteine,
    requirements and threats against it.
    """
    from grundschutz.views.render import render_validation

    analysis = open_analysis(assessment, catalogs, need_catalog=False)
    analysis.validate()
    click.echo(render_validation(analysis))


@main.command(context_settings=HELP)
@ASSESSMENT
@catalogs_option
@_format_option
@_user_errors
def assess(assessment: str, catalogs: str | None, output_format: str) -> None:
    """Propagate protection needs and summarise the Schutzbedarfsfeststellung.

    Where a catalog is installed, the summary also counts the Modellierung,
    the selected requirements and the IT-Grundschutz-Check. With --format
    csv: one row per object with its final needs, their rule and source.
    With --format json: the summary and every object.
    """
    from grundschutz.views.render import render_catalog_summary, render_summary, to_csv, to_json
    from grundschutz.views.summary import catalog_summary, summarize
    from grundschutz.views.tables import needs_records

    if output_format == "csv":
        analysis = open_analysis(assessment, with_catalog=False)
        click.echo(to_csv(needs_records(analysis.propagation)), nl=False)
        return
    analysis = open_analysis(assessment, catalogs, need_catalog=False)
    summary, catalog = summarize(analysis.propagation), catalog_summary(analysis)
    if output_format == "json":
        objects = needs_records(analysis.propagation)
        click.echo(to_json({"summary": summary.as_dict(), "catalog": catalog, "objects": objects}))
    else:
        click.echo(render_summary(summary) + "\n\n" + render_catalog_summary(catalog))


@main.command(context_settings=HELP)
@ASSESSMENT
@click.argument("object_id", metavar="OBJECT")
@_format_option
@_user_errors
def explain(assessment: str, object_id: str, output_format: str) -> None:
    """Explain, per basic value, why OBJECT has the needs it has."""
    from grundschutz.views.render import explanation_records, render_explanation, to_csv, to_json

    result = open_analysis(assessment, with_catalog=False).propagation
    if output_format == "table":
        click.echo(render_explanation(result, object_id))
        return
    records = explanation_records(result, object_id)
    click.echo(to_csv(records) if output_format == "csv" else to_json(records), nl=output_format != "csv")


for _command in (
    catalog, model, requirements, check, risk, plan, scenario, diff, migrate, plot, report, export, import_, init
):
    main.add_command(_command)
main.add_command(portfolio)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
