"""``grundschutz catalog ...``: install, download, check, show and search the
official BSI catalogs. A thin layer over :mod:`grundschutz.catalog`."""

from __future__ import annotations

import click

from grundschutz.cli.common import FORMATS, HELP, catalogs_option, echo_records, echo_text, user_errors

SOURCES_OPTION = click.option(
    "--sources", "sources_file", type=click.Path(dir_okay=False, exists=True, path_type=str), metavar="DATEI",
    help="Andere Liste der Katalogdateien mit ihren SHA-256-Prüfsummen (Aufbau wie catalogs/sources.yaml), "
         "z. B. der kleine Testkatalog der Testsuite; Standard: die offiziellen BSI-Dateien.",
)


def _sources(sources_file: str | None):
    """The sources of ``--sources FILE``, ``None`` for the official ones."""
    if sources_file is None:
        return None
    from pathlib import Path

    from grundschutz.catalog.sources import parse_sources
    from grundschutz.io.text import decode_text

    return parse_sources(decode_text(Path(sources_file).read_bytes(), sources_file), sources_file)[0]


@click.group(context_settings=HELP, short_help="Die offiziellen BSI-Kataloge installieren, prüfen, zeigen, suchen.",
             help="Die offiziellen BSI-Kataloge installieren, prüfen, zeigen und durchsuchen.")
def catalog() -> None:
    """Install, check, show and search the official BSI catalogs."""


@catalog.command(context_settings=HELP, short_help="Katalogdateien aus einem Ordner installieren.", help="""
    Die offiziellen Katalogdateien aus einem Ordner oder aus einzelnen Dateien
    (QUELLE) in das Katalogverzeichnis kopieren. Jede Datei wird vorher gegen
    ihre SHA-256-Prüfsumme geprüft; stimmt eine nicht, wird nichts installiert.
    """)
@click.argument("sources", nargs=-1, required=True, metavar="QUELLE...",
                type=click.Path(exists=True, path_type=str))
@click.option("--force", is_flag=True,
              help="Dateien mit abweichender SHA-256-Prüfsumme trotzdem installieren (als „ungeprüft“ gemeldet).")
@SOURCES_OPTION
@catalogs_option
@user_errors
def install(sources: tuple[str, ...], force: bool, sources_file: str | None, catalogs: str | None) -> None:
    """Copy the official files from a folder or from files into the catalog directory."""
    from grundschutz.catalog import catalog_dir, install_catalogs

    src = sources[0] if len(sources) == 1 else list(sources)
    report = install_catalogs(src, catalog_dir(catalogs), force=force, sources=_sources(sources_file))
    click.echo(report.summary())


@catalog.command(context_settings=HELP, short_help="Katalogdateien von den offiziellen Adressen laden.", help="""
    Die offiziellen Katalogdateien von ihren offiziellen Adressen laden und
    gegen ihre SHA-256-Prüfsummen prüfen.
    """)
@click.option("--force", is_flag=True,
              help="Dateien mit abweichender SHA-256-Prüfsumme trotzdem behalten (als „ungeprüft“ gemeldet).")
@click.option("--from", "base_url", metavar="ADRESSE", help="Von dieser Basisadresse laden statt von den offiziellen.")
@SOURCES_OPTION
@catalogs_option
@user_errors
def download(force: bool, base_url: str | None, sources_file: str | None, catalogs: str | None) -> None:
    """Fetch the official files from their official addresses and verify them."""
    from grundschutz.catalog import catalog_dir, download_catalogs

    report = download_catalogs(catalog_dir(catalogs), urls=base_url, force=force, sources=_sources(sources_file))
    click.echo(report.summary())


@catalog.command(context_settings=HELP, short_help="Prüfen, welche Katalogdateien installiert und intakt sind.",
                 help="Prüfen, welche Katalogdateien installiert und unverändert (SHA-256) sind.")
@catalogs_option
@SOURCES_OPTION
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
              help="Ausgabeformat: Tabelle, CSV oder JSON.")
@user_errors
def status(catalogs: str | None, sources_file: str | None, output_format: str) -> None:
    """Check which official files are installed and intact."""
    from grundschutz.catalog import catalog_dir, check_catalogs, official_sources
    from grundschutz.catalog.integrity import STATUS_WORDS as words

    directory = catalog_dir(catalogs)
    sources = _sources(sources_file) or official_sources()
    records = [
        {"key": key, "file": sources[key].path, "status": words.get(state, state)}
        for key, state in check_catalogs(directory, sources=sources).items()
    ]
    if output_format == "table":
        click.echo(f"Katalogverzeichnis: {directory}")
    echo_records(records, output_format, {"key": "Schlüssel", "file": "Datei", "status": "Zustand"})


@catalog.command(context_settings=HELP, short_help="Einen Baustein, eine Anforderung oder Gefährdung zeigen.",
                 help="Einen Baustein (APP.1.1), eine Anforderung (APP.1.1.A15) oder eine elementare "
                      "Gefährdung (G 0.18) zeigen.")
@click.argument("item_id", metavar="ID")
@catalogs_option
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
              help="Ausgabeformat: Tabelle, CSV oder JSON.")
@user_errors
def show(item_id: str, catalogs: str | None, output_format: str) -> None:
    """Show a Baustein (APP.1.1), a requirement (APP.1.1.A15) or a threat (G 0.18)."""
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.views.render import to_csv, to_json
    from grundschutz.views.render_catalog import (
        catalog_item_record,
        render_catalog_item,
    )

    kompendium = load_catalog(catalog_dir(catalogs)).kompendium
    item = kompendium.get(item_id)
    if output_format == "table":
        echo_text(render_catalog_item(item, kompendium))
    elif output_format == "json":
        click.echo(to_json(catalog_item_record(item, kompendium)))
    else:
        record = catalog_item_record(item, kompendium)
        rows = record.pop("requirements", None)
        click.echo(to_csv(rows if rows is not None else [record]), nl=False)


@catalog.command(context_settings=HELP, short_help="Bausteine, Anforderungen und Gefährdungen durchsuchen.",
                 help="IDs, Titel und Texte der Bausteine, Anforderungen und Gefährdungen durchsuchen "
                      "(jedes Wort muss vorkommen).")
@click.argument("text", metavar="SUCHBEGRIFF")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, metavar="ANZAHL",
              help="Höchstens so viele Treffer zeigen (0 = alle).")
@catalogs_option
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True,
              help="Ausgabeformat: Tabelle, CSV oder JSON.")
@user_errors
def search(text: str, limit: int, catalogs: str | None, output_format: str) -> None:
    """Search ids, titles and texts of Bausteine, requirements and threats."""
    from grundschutz.catalog import catalog_dir, load_catalog, search_catalog
    from grundschutz.views.render_catalog import render_search, search_records

    hits = search_catalog(load_catalog(catalog_dir(catalogs)), text, None)
    shown = hits[:limit] if limit else hits
    if output_format == "table":
        echo_text(render_search(shown))
        if len(shown) < len(hits):
            click.echo(f"\n{len(shown)} von {len(hits)} Treffern (--limit 0 zeigt alle).")
        elif len(hits) > 1:
            click.echo(f"\n{len(hits)} Treffer.")
    else:
        echo_records(search_records(shown), output_format)
