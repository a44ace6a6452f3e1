"""Pieces shared by the click commands: error handling, common options, output."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import click

from grundschutz.model.errors import GrundschutzError

FORMATS = click.Choice(["table", "csv", "json"], case_sensitive=False)
#: Context settings of every command: ``-h`` as well as ``--help``.
HELP = {"help_option_names": ["-h", "--help"]}


def user_errors(command):
    """Turn library errors into ``Error: ...`` and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GrundschutzError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def format_option(command):
    """The ``--format table|csv|json`` option every table-printing command takes."""
    return click.option(
        "--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
        help="Ausgabeformat.",
    )(command)


def catalogs_option(command):
    """``--catalogs DIR``: the catalog directory (else GRUNDSCHUTZ_CATALOGS, else the user's data dir)."""
    return click.option(
        "--catalogs", type=click.Path(file_okay=False, path_type=str), default=None,
        help="Katalogverzeichnis (sonst GRUNDSCHUTZ_CATALOGS oder ~/.local/share/grundschutz/catalogs).",
    )(command)


def echo_records(
    records: Sequence[Mapping[str, object]], output_format: str, headers: Mapping[str, str] | None = None,
    wrap: int | None = None,
) -> None:
    """Print records as an aligned table (German headers, cells wrapped at
    ``wrap`` characters), CSV or JSON."""
    from grundschutz.views.render import format_table, to_csv, to_json

    if output_format == "csv":
        click.echo(to_csv(records), nl=False)
    elif output_format == "json":
        click.echo(to_json(list(records)))
    else:
        columns = list(headers or (records[0].keys() if records else []))
        names = [(headers or {}).get(c, c) for c in columns]
        click.echo(format_table([[r.get(c) for c in columns] for r in records], names, wrap))


def open_analysis(path, catalogs: str | None = None, *, need_catalog: bool = True, with_catalog: bool = True,
                  variant: str | None = None):
    """Read the assessment at ``path`` (every file, validated once) and analyse it with the catalog.

    ``path`` may also be an assessment read already.
    The catalog directory is ``catalogs``, else ``GRUNDSCHUTZ_CATALOGS``, else
    the user's data folder. ``need_catalog=False``: without a usable catalog
    the analysis covers the Schutzbedarf only and says why in
    ``catalog_note``. ``with_catalog=False``: the catalog is not even loaded.
    """
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.io import read_assessment
    from grundschutz.method import analyse
    from grundschutz.model import Assessment
    from grundschutz.model.errors import CatalogError

    assessment = path if isinstance(path, Assessment) else read_assessment(path)
    if not with_catalog:
        return analyse(assessment)
    try:
        catalog = load_catalog(catalog_dir(catalogs))
        if assessment.settings.edition == "grundschutz++":
            catalog.gspp()  # its files are not part of the Kompendium's: missing ones show here
        return analyse(assessment, catalog, variant=variant)
    except CatalogError as exc:
        if need_catalog:
            raise
        return analyse(assessment, catalog_note=str(exc))
