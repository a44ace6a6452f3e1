"""Catalog integrity at load time (issue 11, item 10).

``catalog install`` records size, modification time and SHA-256 of every
file it installs; every load checks the files against that record cheaply
(size and modification time) and by SHA-256 when they differ. A file changed
after the installation is refused in the words of ``catalog status``; an
install from a folder that holds none of the catalog files is an error.
All tests use the official files from ``shared_catalogs``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import grundschutz.catalog.integrity as integrity
from grundschutz.catalog import ChangedCatalogError, install_catalogs, load_catalog, official_sources
from grundschutz.catalog.integrity import MANIFEST_FILE, STATUS_WORDS, read_manifest, verify_installed
from grundschutz.cli import main
from grundschutz.model.errors import CatalogError

SOURCES = official_sources()
XML_KEY, KRT_KEY = "kompendium-2023-xml", "krt-2023"
XML, KRT = SOURCES[XML_KEY].path, SOURCES[KRT_KEY].path
CATEGORIES = "target-object-categories"
ORIGINAL_TITLE = b"<title>APP.1.1 Office-Produkte</title>"
EDITED_TITLE = b"<title>APP.1.1 MANIPULIERT</title>"


@pytest.fixture()
def installed(tmp_path: Path, shared_catalogs: Path) -> Path:
    """A catalog directory made by ``catalog install`` with the Kompendium, the KRT and the categories."""
    folder = tmp_path / "kataloge"
    install_catalogs([shared_catalogs / XML, shared_catalogs / KRT,
                      SOURCES[CATEGORIES].location(shared_catalogs)], folder)
    return folder


def _edit_title(folder: Path) -> Path:
    """Edit the title of Baustein APP.1.1 in the installed Kompendium XML, as in the issue."""
    path = folder / XML
    data = path.read_bytes()
    assert data.count(ORIGINAL_TITLE) == 1
    path.write_bytes(data.replace(ORIGINAL_TITLE, EDITED_TITLE))
    return path


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_install_records_size_mtime_and_sha256(installed: Path) -> None:
    recorded = json.loads((installed / MANIFEST_FILE).read_text(encoding="utf-8"))["files"]
    assert set(recorded) == {XML_KEY, KRT_KEY, CATEGORIES}
    for key, entry in recorded.items():
        location = SOURCES[key].location(installed)
        assert entry == {"path": SOURCES[key].path, "size": location.stat().st_size,
                         "mtime_ns": location.stat().st_mtime_ns, "sha256": SOURCES[key].sha256}


def test_a_file_edited_after_installation_is_refused(installed: Path) -> None:
    """The issue's reproduction: a Baustein title edited to MANIPULIERT after ``catalog install``.

    Before: ``catalog show`` printed the edited title. Now: exit 1 with the
    words of ``catalog status``, whether the parsed cache was warm or not.
    """
    assert load_catalog(installed).kompendium.baustein("APP.1.1").title == "Office-Produkte"  # cache warm
    path = _edit_title(installed)
    with pytest.raises(ChangedCatalogError) as caught:
        load_catalog(installed)
    message = str(caught.value)
    assert f"{STATUS_WORDS['mismatch']}" in message and f"{path} ({XML_KEY})" in message
    assert f"erwartet: {SOURCES[XML_KEY].sha256}" in message
    shown = _run("catalog", "show", "APP.1.1", "--catalogs", installed)
    assert shown.exit_code == 1 and "MANIPULIERT" not in shown.output
    assert "SHA-256 weicht ab" in shown.output and "Traceback" not in shown.output
    status = _run("catalog", "status", "--catalogs", installed, "-f", "json")
    assert {r["key"]: r["status"] for r in json.loads(status.output)}[XML_KEY] == STATUS_WORDS["mismatch"]
    with pytest.raises(ChangedCatalogError):
        load_catalog(installed, cache=False)


def test_assess_does_not_use_a_changed_catalog(installed: Path, haan: Path) -> None:
    _edit_title(installed)
    result = _run("assess", haan, "--catalogs", installed)
    assert result.exit_code == 0  # the Schutzbedarf needs no catalog; the summary says why the rest is missing
    assert "nicht berechnet: Katalog in" in result.output and "SHA-256 weicht ab" in result.output
    assert _run("check", haan, "--catalogs", installed).exit_code == 1


def test_the_cheap_check_hashes_only_when_size_or_mtime_differ(installed: Path, monkeypatch) -> None:
    calls: list[Path] = []
    original = integrity.file_sha256
    monkeypatch.setattr(integrity, "file_sha256", lambda path: calls.append(Path(path)) or original(path))
    sources = [SOURCES[XML_KEY], SOURCES[KRT_KEY]]
    verify_installed(installed, sources)
    assert calls == []  # as recorded: nothing read
    os.utime(installed / XML, ns=(0, (installed / XML).stat().st_mtime_ns + 10**9))  # touched, same content
    verify_installed(installed, sources)
    assert calls == [installed / XML]


def test_a_warm_load_reads_no_catalog_file(installed: Path, monkeypatch) -> None:
    os.utime(installed / XML, ns=(0, (installed / XML).stat().st_mtime_ns + 10**9))
    rebuilt = load_catalog(installed)  # hashed once (differs from the record), parsed, cached
    assert not rebuilt.from_cache

    def forbidden(path):
        raise AssertionError(f"hashed although size, mtime and inode are those of the checked file: {path}")

    monkeypatch.setattr(integrity, "file_sha256", forbidden)
    assert load_catalog(installed).from_cache


def test_a_file_installed_with_force_is_accepted_until_it_changes(installed: Path, shared_catalogs: Path,
                                                                   tmp_path: Path) -> None:
    unofficial = tmp_path / "XML_Kompendium_2023.xml"
    unofficial.write_bytes((shared_catalogs / XML).read_bytes() + b"<!-- lokale Fassung -->\n")
    report = install_catalogs([unofficial], installed, force=True)
    assert report.unverified == (XML_KEY,)
    forced = read_manifest(installed)[XML_KEY]["sha256"]
    assert forced != SOURCES[XML_KEY].sha256
    verify_installed(installed, [SOURCES[XML_KEY]])  # what was installed, knowingly
    with open(installed / XML, "ab") as out:
        out.write(b"<!-- danach bearbeitet -->\n")
    with pytest.raises(ChangedCatalogError) as caught:
        verify_installed(installed, [SOURCES[XML_KEY]])
    assert f"erwartet: {forced}" in str(caught.value)


def test_a_folder_nobody_installed_is_checked_against_sources_yaml(tmp_path: Path, shared_catalogs: Path) -> None:
    folder = tmp_path / "kopie"
    for relative in (XML, KRT):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_catalogs / relative, folder / relative)
    assert not (folder / MANIFEST_FILE).exists()
    verify_installed(folder, [SOURCES[XML_KEY], SOURCES[KRT_KEY]])
    _edit_title(folder)
    with pytest.raises(ChangedCatalogError, match="SHA-256 weicht ab"):
        load_catalog(folder, cache=False)


def test_files_read_on_demand_are_checked_too(installed: Path) -> None:
    catalog = load_catalog(installed)
    categories = SOURCES[CATEGORIES].location(installed)
    assert catalog.path(CATEGORIES) == categories
    categories.write_bytes(categories.read_bytes().replace(b"Server", b"Sxrver", 1))
    with pytest.raises(ChangedCatalogError, match=CATEGORIES):
        catalog.path(CATEGORIES)


def test_install_from_a_folder_without_catalog_files_is_an_error(tmp_path: Path) -> None:
    """Before: ``catalog install <empty folder>`` exited 0 with nothing installed."""
    empty = tmp_path / "leer"
    empty.mkdir()
    (empty / "notizen.txt").write_text("keine Katalogdatei", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        install_catalogs(empty, tmp_path / "kataloge")
    assert str(caught.value).startswith(f"In {empty} ist keine der Katalogdateien aus sources.yaml")
    assert "XML_Kompendium_2023.xml" in str(caught.value)
    result = _run("catalog", "install", empty, "--catalogs", tmp_path / "kataloge")
    assert result.exit_code == 1 and "nichts wurde installiert" in result.output
    assert not (tmp_path / "kataloge").exists()
