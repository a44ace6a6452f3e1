"""``grundschutz catalog ...``: install, download, check, show and search the
official BSI catalogs. A thin layer over :mod:`grundschutz.catalog`."""

from __future__ import annotations

import click

from grundschutz.cli.common import FORMATS, HELP, catalogs_option, echo_records, user_errors


@click.group(context_settings=HELP)
def catalog() -> None:
    """Install, check, show and search the official BSI catalogs."""


@catalog.command(context_settings=HELP)
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option("--force", is_flag=True, help="Install files whose SHA-256 does not match, marked unverified.")
@catalogs_option
@user_errors
def install(sources: tuple[str, ...], force: bool, catalogs: str | None) -> None:
    """Copy the official files from a folder or from files into the catalog directory."""
    from grundschutz.catalog import catalog_dir, install_catalogs

    src = sources[0] if len(sources) == 1 else list(sources)
    click.echo(install_catalogs(src, catalog_dir(catalogs), force=force).summary())


@catalog.command(context_settings=HELP)
@click.option("--force", is_flag=True, help="Keep files whose SHA-256 does not match, marked unverified.")
@click.option("--from", "base_url", metavar="URL", help="Fetch from this base address instead of the official ones.")
@catalogs_option
@user_errors
def download(force: bool, base_url: str | None, catalogs: str | None) -> None:
    """Fetch the official files from their official addresses and verify them."""
    from grundschutz.catalog import catalog_dir, download_catalogs

    click.echo(download_catalogs(catalog_dir(catalogs), urls=base_url, force=force).summary())


@catalog.command(context_settings=HELP)
@catalogs_option
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True)
@user_errors
def status(catalogs: str | None, output_format: str) -> None:
    """Check which official files are installed and intact."""
    from grundschutz.catalog import catalog_dir, check_catalogs, official_sources
    from grundschutz.catalog.integrity import STATUS_WORDS as words

    directory = catalog_dir(catalogs)
    sources = official_sources()
    records = [
        {"key": key, "file": sources[key].path, "status": words.get(state, state)}
        for key, state in check_catalogs(directory).items()
    ]
    if output_format == "table":
        click.echo(f"Katalogverzeichnis: {directory}")
    echo_records(records, output_format, {"key": "Schlüssel", "file": "Datei", "status": "Zustand"})


@catalog.command(context_settings=HELP)
@click.argument("item_id", metavar="ID")
@catalogs_option
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True)
@user_errors
def show(item_id: str, catalogs: str | None, output_format: str) -> None:
    """Show a Baustein (APP.1.1), a requirement (APP.1.1.A15) or a threat (G 0.18)."""
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.views.render import to_csv, to_json
    from grundschutz.views.render_catalog import catalog_item_record, render_catalog_item

    kompendium = load_catalog(catalog_dir(catalogs)).kompendium
    item = kompendium.get(item_id)
    if output_format == "table":
        click.echo(render_catalog_item(item, kompendium))
    elif output_format == "json":
        click.echo(to_json(catalog_item_record(item, kompendium)))
    else:
        record = catalog_item_record(item, kompendium)
        rows = record.pop("requirements", None)
        click.echo(to_csv(rows if rows is not None else [record]), nl=False)


@catalog.command(context_settings=HELP)
@click.argument("text")
@click.option("--limit", default=20, show_default=True, help="Show at most this many hits.")
@catalogs_option
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True)
@user_errors
def search(text: str, limit: int, catalogs: str | None, output_format: str) -> None:
    """Search ids, titles and texts of Bausteine, requirements and threats."""
    from grundschutz.catalog import catalog_dir, load_catalog, search_catalog
    from grundschutz.views.render_catalog import render_search, search_records

    hits = search_catalog(load_catalog(catalog_dir(catalogs)), text, limit)
    if output_format == "table":
        click.echo(render_search(hits))
    else:
        echo_records(search_records(hits), output_format)
