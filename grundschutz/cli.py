"""The ``grundschutz`` command line: a thin layer over the library.

Each command parses its options, calls one library function, prints or
writes the result, and turns a :class:`GrundschutzError` into ``Error: ...``
with exit code 1. Heavy libraries are imported inside the commands so that
``grundschutz --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys

import click

from .errors import GrundschutzError

FORMATS = click.Choice(["table", "csv", "json"], case_sensitive=False)


def _user_errors(command):
    """Turn library errors into ``Error: ...`` and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GrundschutzError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _format_option(command):
    return click.option(
        "--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
        help="Ausgabeformat.",
    )(command)


ASSESSMENT = click.argument("assessment", type=click.Path(path_type=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grundschutz")
def main() -> None:
    """grundschutz: IT-Grundschutz nach BSI-Standard 200-2/200-3.

    ASSESSMENT is an assessment folder (assessment.yaml, objects.csv,
    dependencies.csv, needs.csv) or an assessment workbook (.xlsx).
    """


@main.command()
@ASSESSMENT
@_user_errors
def validate(assessment: str) -> None:
    """Check an assessment and report every problem at once."""
    from .inventory import read_assessment

    result = read_assessment(assessment)
    needs = sum(len(n) for n in result.needs.values())
    click.echo(
        f"Bewertung gültig: {len(result.objects)} Zielobjekte, {len(result.dependencies)} "
        f"Abhängigkeiten, {needs} festgestellte und "
        f"{sum(len(o) for o in result.overrides.values())} manuell gesetzte Schutzbedarfswerte."
    )


@main.command()
@ASSESSMENT
@_format_option
@_user_errors
def assess(assessment: str, output_format: str) -> None:
    """Propagate protection needs and summarise the Schutzbedarfsfeststellung.

    With --format csv: one row per object with its final needs, their rule
    and source. With --format json: the summary and every object.
    """
    from .inventory import read_assessment
    from .propagation import propagate
    from .render import render_summary, to_csv, to_json
    from .summary import summarize
    from .tables import needs_records

    result = propagate(read_assessment(assessment))
    if output_format == "csv":
        click.echo(to_csv(needs_records(result)), nl=False)
    elif output_format == "json":
        click.echo(to_json({"summary": summarize(result).as_dict(), "objects": needs_records(result)}))
    else:
        click.echo(render_summary(summarize(result)))


@main.command()
@ASSESSMENT
@click.argument("object_id", metavar="OBJECT")
@_format_option
@_user_errors
def explain(assessment: str, object_id: str, output_format: str) -> None:
    """Explain, per basic value, why OBJECT has the needs it has."""
    from .inventory import read_assessment
    from .propagation import propagate
    from .render import explanation_records, render_explanation, to_csv, to_json

    result = propagate(read_assessment(assessment))
    if output_format == "table":
        click.echo(render_explanation(result, object_id))
        return
    records = explanation_records(result, object_id)
    click.echo(to_csv(records) if output_format == "csv" else to_json(records), nl=output_format != "csv")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
