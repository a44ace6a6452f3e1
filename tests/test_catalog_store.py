"""Tests of the catalog directory: sources.yaml, install, download, cached loading, search.

All tests use the real official files from ``shared_catalogs`` and write only
below ``tmp_path``. The download tests run a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

import grundschutz.catalog.kompendium as kompendium_module
import grundschutz.catalog.krt as krt_module
from grundschutz.catalog import (
    Catalog,
    ChecksumError,
    InstallReport,
    catalog_dir,
    check_catalogs,
    download_catalogs,
    install_catalogs,
    load_catalog,
    official_sources,
    search_catalog,
)
from grundschutz.catalog.integrity import MANIFEST_FILE, read_manifest
from grundschutz.catalog.loading import CACHE_ENV_VAR, INSTALL_HINT
from grundschutz.catalog.sources import parse_sources
from grundschutz.model.errors import CatalogError

SOURCES = official_sources()
ALL_KEYS = tuple(SOURCES)
XML_KEY, KRT_KEY = "kompendium-2023-xml", "krt-2023"
XML = SOURCES[XML_KEY].path
KRT = SOURCES[KRT_KEY].path
FORCE_HINT = (
    "Das ist nicht die offizielle Datei (beschädigt, verändert oder eine andere Fassung). "
    "Mit --force wird sie trotzdem übernommen und als „ungeprüft“ gemeldet."
)
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture()
def kompendium_dir(tmp_path: Path, shared_catalogs: Path) -> Path:
    """A writable catalog directory holding only the Kompendium XML and the KRT."""
    folder = tmp_path / "catalogs"
    install_catalogs([shared_catalogs / XML, shared_catalogs / KRT], folder)
    return folder


@pytest.fixture(scope="module")
def shared_catalog(shared_catalogs: Path, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The catalog of ../shared/catalogs, cached in a temporary folder (never in shared)."""
    return load_catalog(shared_catalogs, cache_dir=tmp_path_factory.mktemp("cache"))


# --------------------------------------------------------------------------- sources.yaml


def test_sources_yaml_pins_the_shared_files(shared_catalogs: Path) -> None:
    expected = {
        XML_KEY, KRT_KEY, "basethreats", "gspp-kernel", "gspp-methodik",
        "gspp-risikomanagement", "gspp-user-catalog", "gspp-profile", "mapping-itgs2023-gspp",
    }
    assert expected <= set(SOURCES)
    for key, source in SOURCES.items():
        path = source.location(shared_catalogs)
        assert path.is_file(), key
        assert path.stat().st_size == source.size, key
        assert _sha256(path) == source.sha256, key
        assert source.description and source.license and source.origin, key
    assert {k for k, s in SOURCES.items() if s.required} == {XML_KEY, KRT_KEY}
    assert SOURCES[XML_KEY].sha256 == "dd41a7467464982a79307a322be9abb7a07356a1104dd64583bab29138e410ae"
    assert SOURCES["mapping-itgs2023-gspp"].sha256 == (
        "df7ea11261ace956a3ebb440f60928851a4815f5545775ac9b24e4d3d22f267f"
    )


def test_sources_yaml_urls_follow_the_origins() -> None:
    assert SOURCES[XML_KEY].urls[0].startswith(
        "https://www.bsi.bund.de/SharedDocs/Downloads/DE/BSI/Grundschutz/IT-GS-Kompendium/"
        "XML_Kompendium_2023.xml"
    )
    for key, source in SOURCES.items():
        assert source.urls, key
        repository, _, rest = source.origin.partition("@")
        commit, _, origin_path = rest.partition(":")
        assert len(commit) == 40, key
        assert source.path.endswith(origin_path), key
        raw = f"https://raw.githubusercontent.com/{repository}/{commit}/{quote(origin_path, safe='/')}"
        assert raw in source.urls, key


def test_parse_sources_rejects_bad_entries() -> None:
    good = "sources:\n  a:\n    path: x/a.csv\n    sha256: " + "ab" * 32 + "\n    size: 1\n"
    sources, editions = parse_sources(good)
    assert sources["a"].location("/d") == Path("/d/x/a.csv") and editions == {}
    with pytest.raises(CatalogError, match="muss relativ sein"):
        parse_sources(good.replace("x/a.csv", "../a.csv"))
    with pytest.raises(CatalogError, match="keine SHA-256"):
        parse_sources(good.replace("ab" * 32, "abc"))
    with pytest.raises(CatalogError, match="als Text angeben"):
        parse_sources(good.replace("ab" * 32, "1" * 64))
    with pytest.raises(CatalogError, match="Abschnitt 'sources' fehlt"):
        parse_sources("foo: 1\n")


def test_shared_folder_is_a_valid_catalog_dir(shared_catalogs: Path) -> None:
    assert check_catalogs(shared_catalogs) == {key: "ok" for key in ALL_KEYS}


# --------------------------------------------------------------------------- catalog_dir


def test_catalog_dir_resolution_order() -> None:
    env = {
        "GRUNDSCHUTZ_CATALOGS": "/env/catalogs",
        "XDG_DATA_HOME": "/xdg/data",
        "HOME": "/home/anna",
    }
    assert catalog_dir("/explicit", env=env) == Path("/explicit")
    assert catalog_dir(Path("rel/dir"), env=env) == Path("rel/dir")
    assert catalog_dir(None, env=env) == Path("/env/catalogs")
    assert catalog_dir("", env=env) == Path("/env/catalogs")
    del env["GRUNDSCHUTZ_CATALOGS"]
    assert catalog_dir(env=env) == Path("/xdg/data/grundschutz/catalogs")
    env["XDG_DATA_HOME"] = "relative/ignored"  # the XDG spec: relative paths are invalid
    assert catalog_dir(env=env) == Path("/home/anna/.local/share/grundschutz/catalogs")
    assert catalog_dir(env={"HOME": "/h", "GRUNDSCHUTZ_CATALOGS": ""}) == Path(
        "/h/.local/share/grundschutz/catalogs"
    )
    assert catalog_dir("~/bsi", env={"HOME": "/h"}) == Path("/h/bsi")


def test_catalog_dir_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRUNDSCHUTZ_CATALOGS", str(tmp_path))
    assert catalog_dir() == tmp_path
    monkeypatch.delenv("GRUNDSCHUTZ_CATALOGS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert catalog_dir() == tmp_path / "data" / "grundschutz" / "catalogs"


# --------------------------------------------------------------------------- install


def test_install_from_shared_folder_and_reinstall(shared_catalogs: Path, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    report = install_catalogs(shared_catalogs, dest)
    assert report == InstallReport(destination=dest, installed=ALL_KEYS)
    assert check_catalogs(dest) == {key: "ok" for key in ALL_KEYS}
    assert not [p for p in _files_below(dest) if p.name.endswith(".part")]
    assert "installiert (11)" in report.summary()

    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in _files_below(dest)}
    again = install_catalogs(shared_catalogs, dest)
    assert again.installed == () and again.skipped == ALL_KEYS and again.missing == ()
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in _files_below(dest)} == before
    assert "unverändert (bereits vorhanden) (11)" in again.summary()


def test_install_from_single_files(shared_catalogs: Path, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    report = install_catalogs([shared_catalogs / XML, shared_catalogs / KRT], dest)
    assert report.installed == (XML_KEY, KRT_KEY)
    assert set(report.missing) == set(ALL_KEYS) - {XML_KEY, KRT_KEY}
    assert (dest / XML).read_bytes() == (shared_catalogs / XML).read_bytes()
    assert _files_below(dest) == sorted([dest / XML, dest / KRT, dest / MANIFEST_FILE])
    recorded = read_manifest(dest)
    assert set(recorded) == {XML_KEY, KRT_KEY}
    assert recorded[XML_KEY] == {"path": XML, "size": SOURCES[XML_KEY].size,
                                 "mtime_ns": (dest / XML).stat().st_mtime_ns, "sha256": SOURCES[XML_KEY].sha256}

    # one file given as a plain path; already installed ones count as skipped, not missing
    single = install_catalogs(shared_catalogs / SOURCES["basethreats"].path, dest)
    assert single.installed == ("basethreats",)
    assert {XML_KEY, KRT_KEY} <= set(single.skipped)
    assert XML_KEY not in single.missing


def test_install_finds_files_by_name_and_by_hash(shared_catalogs: Path, tmp_path: Path) -> None:
    downloads = tmp_path / "Downloads"
    (downloads / "bsi" / "2023").mkdir(parents=True)
    shutil.copyfile(shared_catalogs / XML, downloads / "bsi" / "2023" / "XML_Kompendium_2023.xml")
    shutil.copyfile(shared_catalogs / KRT, downloads / "krt2023_Excel.xlsx")
    report = install_catalogs(downloads, tmp_path / "a")
    assert report.installed == (XML_KEY, KRT_KEY)

    renamed = tmp_path / "kompendium (1).xml"  # a browser's name for a second download
    shutil.copyfile(shared_catalogs / XML, renamed)
    report = install_catalogs([renamed], tmp_path / "b")
    assert report.installed == (XML_KEY,)
    assert (tmp_path / "b" / XML).is_file()


def _corrupted_source(shared_catalogs: Path, tmp_path: Path) -> Path:
    """A download folder with the official KRT and a modified Kompendium XML."""
    src = tmp_path / "src"
    for relative in (XML, KRT):
        (src / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_catalogs / relative, src / relative)
    with open(src / XML, "ab") as fh:
        fh.write(b"<!-- changed -->\r\n")
    return src


def test_hash_mismatch_is_refused_and_nothing_written(shared_catalogs: Path, tmp_path: Path) -> None:
    src = _corrupted_source(shared_catalogs, tmp_path)
    bad = src / XML
    dest = tmp_path / "catalogs"
    with pytest.raises(ChecksumError) as excinfo:
        install_catalogs(src, dest)
    assert str(excinfo.value) == (
        "SHA-256-Prüfung fehlgeschlagen, nichts wurde installiert:\n"
        f"  {bad} (kompendium-2023-xml)\n"
        "    erwartet: dd41a7467464982a79307a322be9abb7a07356a1104dd64583bab29138e410ae (3160564 Bytes)\n"
        f"    gefunden: {_sha256(bad)} ({bad.stat().st_size} Bytes)\n"
        + FORCE_HINT
    )
    assert isinstance(excinfo.value, CatalogError)
    assert [m.key for m in excinfo.value.mismatches] == [XML_KEY]
    assert not dest.exists()  # not even the valid KRT was copied

    # an existing catalog is left untouched as well
    install_catalogs([shared_catalogs / KRT], dest)
    before = _files_below(dest)
    with pytest.raises(ChecksumError):
        install_catalogs([bad], dest)
    assert _files_below(dest) == before


def test_force_installs_and_reports_unverified(shared_catalogs: Path, tmp_path: Path) -> None:
    src = _corrupted_source(shared_catalogs, tmp_path)
    dest = tmp_path / "catalogs"
    report = install_catalogs(src, dest, force=True)
    assert report.installed == (XML_KEY, KRT_KEY)
    assert report.unverified == (XML_KEY,)
    assert "davon ungeprüft (SHA-256 abweichend) (1): kompendium-2023-xml" in report.summary()
    assert (dest / XML).read_bytes() == (src / XML).read_bytes()
    assert check_catalogs(dest)[XML_KEY] == "mismatch"

    again = install_catalogs(src, dest, force=True)  # identical (if unofficial) content: skipped
    assert again.installed == () and {XML_KEY, KRT_KEY} <= set(again.skipped)

    repaired = install_catalogs(shared_catalogs, dest)  # the official file replaces it
    assert XML_KEY in repaired.installed and repaired.unverified == ()
    assert check_catalogs(dest)[XML_KEY] == "ok"


def test_unknown_files_are_refused(shared_catalogs: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notizen.txt"
    notes.write_text("keine Katalogdatei", encoding="utf-8")
    dest = tmp_path / "catalogs"
    with pytest.raises(CatalogError) as excinfo:
        install_catalogs([shared_catalogs / KRT, notes], dest)
    assert str(excinfo.value) == (
        "Keine offizielle Katalogdatei (weder Dateiname noch SHA-256 passen zu sources.yaml):\n"
        f"  {notes}\n"
        "Nichts wurde installiert."
    )
    assert not dest.exists()
    report = install_catalogs([shared_catalogs / KRT, notes], dest, force=True)
    assert report.installed == (KRT_KEY,) and report.unknown == (str(notes),)


def test_install_from_missing_source(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^Quelle nicht gefunden: .*gibt-es-nicht"):
        install_catalogs(tmp_path / "gibt-es-nicht", tmp_path / "catalogs")


# --------------------------------------------------------------------------- download


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def http_base(shared_catalogs: Path, tmp_path_factory: pytest.TempPathFactory):
    """Base URL of a local HTTP server (127.0.0.1, random port) serving copies of the files."""
    root = tmp_path_factory.mktemp("served")
    for source in SOURCES.values():
        target = source.location(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.location(shared_catalogs), target)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_download_from_local_server(http_base: str, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    report = download_catalogs(dest, urls=http_base, opener=NO_PROXY, timeout=10)
    assert report == InstallReport(destination=dest, installed=ALL_KEYS)
    assert check_catalogs(dest) == {key: "ok" for key in ALL_KEYS}
    assert not [p for p in _files_below(dest) if p.name.endswith(".part")]

    # present files are not fetched again: an unreachable address does not matter
    dead = f"http://127.0.0.1:{_closed_port()}"
    again = download_catalogs(dest, urls=dead, opener=NO_PROXY, timeout=2)
    assert again.installed == () and again.skipped == ALL_KEYS


def test_download_404_is_a_clear_error(http_base: str, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    url = f"{http_base}/gibt-es-nicht/basethreats.csv"
    with pytest.raises(CatalogError) as excinfo:
        download_catalogs(dest, urls={"basethreats": url}, keys=["basethreats"], opener=NO_PROXY, timeout=10)
    assert str(excinfo.value) == (
        "Download fehlgeschlagen, nichts wurde installiert:\n"
        f"  {url}: HTTP 404 File not found"
    )
    assert _files_below(dest) == []


def test_download_unreachable_server(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/basethreats.csv"
    with pytest.raises(CatalogError, match=rf"^Download fehlgeschlagen.*\n  {url}: nicht erreichbar"):
        download_catalogs(tmp_path, urls={"basethreats": url}, keys=["basethreats"], opener=NO_PROXY, timeout=5)


def test_download_all_or_nothing_and_fallback_address(http_base: str, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    good = f"{http_base}/{quote(SOURCES['gspp-profile'].path)}"
    missing = f"{http_base}/nope.json"
    with pytest.raises(CatalogError, match="nope.json: HTTP 404"):
        download_catalogs(
            dest, urls={"gspp-profile": good, "basethreats": missing},
            keys=["gspp-profile", "basethreats"], opener=NO_PROXY, timeout=10,
        )
    assert _files_below(dest) == []  # the successful download was not kept either

    report = download_catalogs(
        dest, urls={"basethreats": [missing, f"{http_base}/{SOURCES['basethreats'].path}"]},
        keys=["basethreats"], opener=NO_PROXY, timeout=10,
    )
    assert report.installed == ("basethreats",) and report.unverified == ()


def test_download_hash_mismatch(http_base: str, tmp_path: Path) -> None:
    dest = tmp_path / "catalogs"
    wrong = f"{http_base}/{SOURCES['target-object-categories'].path}"
    with pytest.raises(ChecksumError) as excinfo:
        download_catalogs(dest, urls={"basethreats": wrong}, keys=["basethreats"], opener=NO_PROXY, timeout=10)
    message = str(excinfo.value)
    assert message.startswith("SHA-256-Prüfung fehlgeschlagen, nichts wurde installiert (Download):\n")
    assert f"  {wrong} (basethreats)\n    erwartet: {SOURCES['basethreats'].sha256} (90981 Bytes)\n" in message
    assert f"    gefunden: {SOURCES['target-object-categories'].sha256} (20520 Bytes)" in message
    assert _files_below(dest) == []

    report = download_catalogs(
        dest, urls={"basethreats": wrong}, keys=["basethreats"], force=True, opener=NO_PROXY, timeout=10
    )
    assert report.installed == ("basethreats",) and report.unverified == ("basethreats",)
    assert check_catalogs(dest)["basethreats"] == "mismatch"


def test_download_unknown_key(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="Unbekannte Katalogdatei 'foo'"):
        download_catalogs(tmp_path, keys=["foo"], opener=NO_PROXY)


# --------------------------------------------------------------------------- load_catalog and cache


def test_load_catalog_applies_the_krt(shared_catalog: Catalog) -> None:
    kompendium = shared_catalog.kompendium
    assert kompendium.cross_reference_applied
    assert len(kompendium.bausteine) == 111 and len(kompendium.requirements) == 2125
    requirement = kompendium.requirement("APP.1.1.A15")
    assert requirement.cia == frozenset("CI")
    assert "G 0.19" in requirement.threats
    assert len(shared_catalog.cross_reference.requirement_ids) == 2125


def test_second_load_uses_the_cache(kompendium_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRUNDSCHUTZ_CACHE", raising=False)  # the default location is under test
    cold = load_catalog(kompendium_dir)
    assert not cold.from_cache
    assert cold.cache_file == kompendium_dir / ".cache" / "kompendium-2023.pickle"
    assert cold.cache_file.is_file()

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the cache is valid")

    monkeypatch.setattr(kompendium_module, "parse_kompendium", forbidden)
    monkeypatch.setattr(krt_module, "parse_krt", forbidden)
    warm = load_catalog(kompendium_dir)
    assert warm.from_cache
    assert warm.kompendium == cold.kompendium
    assert warm.cross_reference == cold.cross_reference


def test_stale_cache_is_rebuilt(kompendium_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_catalog(kompendium_dir)
    assert load_catalog(kompendium_dir).from_cache
    (kompendium_dir / XML).write_bytes((kompendium_dir / XML).read_bytes())  # same content, new mtime

    calls = []
    original = kompendium_module.parse_kompendium
    monkeypatch.setattr(
        kompendium_module, "parse_kompendium", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    rebuilt = load_catalog(kompendium_dir)
    assert not rebuilt.from_cache and calls == [1]
    assert rebuilt.kompendium.requirement("APP.1.1.A15").cia == frozenset("CI")
    assert load_catalog(kompendium_dir).from_cache and calls == [1]


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95\xff\xff\xff\xff"])
def test_corrupt_cache_is_rebuilt(kompendium_dir: Path, garbage: bytes) -> None:
    first = load_catalog(kompendium_dir)
    assert first.cache_file is not None
    first.cache_file.write_bytes(garbage)
    rebuilt = load_catalog(kompendium_dir)
    assert not rebuilt.from_cache
    assert rebuilt.kompendium == first.kompendium
    assert load_catalog(kompendium_dir).from_cache


def test_truncated_cache_is_rebuilt(kompendium_dir: Path) -> None:
    first = load_catalog(kompendium_dir)
    data = first.cache_file.read_bytes()
    first.cache_file.write_bytes(data[: len(data) // 2])
    assert not load_catalog(kompendium_dir).from_cache
    assert load_catalog(kompendium_dir).from_cache


def test_cache_locations(kompendium_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = load_catalog(kompendium_dir, cache_dir=tmp_path / "explicit")
    assert explicit.cache_file == tmp_path / "explicit" / "kompendium-2023.pickle"
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "env"))
    assert load_catalog(kompendium_dir).cache_file == tmp_path / "env" / "kompendium-2023.pickle"
    monkeypatch.delenv(CACHE_ENV_VAR)

    # DIR/.cache unusable (a file blocks it): the per-user cache folder is used
    (kompendium_dir / ".cache").write_text("blocked", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    fallback = load_catalog(kompendium_dir)
    assert fallback.cache_file is not None
    assert fallback.cache_file.is_relative_to(tmp_path / "xdg-cache" / "grundschutz" / "catalogs")
    assert load_catalog(kompendium_dir).from_cache

    uncached = load_catalog(kompendium_dir, cache=False, cache_dir=tmp_path / "none")
    assert not uncached.from_cache and uncached.cache_file is None
    assert not (tmp_path / "none").exists()


def test_missing_catalog_says_how_to_install(tmp_path: Path, shared_catalogs: Path) -> None:
    nowhere = tmp_path / "nirgends"
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(nowhere)
    assert str(excinfo.value) == (
        f"Katalog nicht installiert: Verzeichnis {nowhere} gibt es nicht. "
        "Installieren mit `grundschutz catalog install DIR` oder `grundschutz catalog download`."
    )
    partial = tmp_path / "partial"
    install_catalogs([shared_catalogs / XML], partial)
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(partial)
    assert str(excinfo.value) == (
        f"Katalog nicht installiert: in {partial} fehlt {KRT} (krt-2023). {INSTALL_HINT}"
    )
    with pytest.raises(CatalogError, match="Unbekannte Kompendium-Edition 'kompendium-2019'"):
        load_catalog(partial, edition="kompendium-2019")


def test_gspp_parts_load_lazily_and_are_cached(
    shared_catalogs: Path, kompendium_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRUNDSCHUTZ_CACHE", raising=False)  # the default location is under test
    for key in ("gspp-methodik", "gspp-profile", "mapping-itgs2023-gspp"):
        install_catalogs([SOURCES[key].location(shared_catalogs)], kompendium_dir)
    catalog = load_catalog(kompendium_dir)
    assert catalog.gspp_catalogs(load=False) == {}
    methodik = catalog.oscal_catalog("gspp-methodik")
    assert len(methodik.controls) == 95
    assert catalog.oscal_catalog("gspp-methodik") is methodik
    assert len(catalog.oscal_profile().imports) == 3
    assert len(catalog.mapping()) == 1185
    cache = kompendium_dir / ".cache"
    assert {p.name for p in cache.iterdir()} >= {
        "kompendium-2023.pickle", "gspp-methodik.pickle", "gspp-profile.pickle",
        "mapping-itgs2023-gspp.pickle",
    }
    assert set(catalog.gspp_catalogs()) == {"gspp-methodik"}  # only installed ones
    assert load_catalog(kompendium_dir).oscal_catalog("gspp-methodik") == methodik

    with pytest.raises(CatalogError) as excinfo:
        catalog.oscal_catalog("gspp-kernel")
    assert str(excinfo.value).startswith(f"Katalog nicht installiert: in {kompendium_dir} fehlt ")
    assert str(excinfo.value).endswith(INSTALL_HINT)
    with pytest.raises(CatalogError, match="keine Datei vom Typ oscal-catalog"):
        catalog.oscal_catalog("gspp-profile")


# --------------------------------------------------------------------------- search


def test_search_finds_requirement_by_title_word(shared_catalog: Catalog) -> None:
    hits = search_catalog(shared_catalog, "Signaturen", limit=20, gspp=False)
    ids = [hit.id for hit in hits]
    assert "APP.1.1.A15" in ids
    hit = hits[ids.index("APP.1.1.A15")]
    assert hit.kind == "requirement"
    assert hit.title == "Einsatz von Verschlüsselung und Digitalen Signaturen"
    assert hit.source == XML_KEY
    assert hit.snippet.startswith("Daten mit erhöhtem Schutzbedarf SOLLTEN")
    assert search_catalog(shared_catalog, "digitalen SIGNATUREN", gspp=False)[0].id in {
        "APP.1.1.A15", *ids
    }
    assert "APP.1.1.A15" in [h.id for h in search_catalog(shared_catalog, "digitalen signaturen office")]


def test_search_ranking_and_ids(shared_catalog: Catalog) -> None:
    assert search_catalog(shared_catalog, "app.1.1.a15")[0].id == "APP.1.1.A15"
    assert search_catalog(shared_catalog, "OPS.2.3A22")[0].id == "OPS.2.3.A22"
    prefix = search_catalog(shared_catalog, "APP.1.1", limit=5)
    assert prefix[0].id == "APP.1.1" and prefix[0].kind == "baustein"
    assert all(hit.id.startswith("APP.1.1.A") for hit in prefix[1:])
    threat = search_catalog(shared_catalog, "G 0.18")[0]
    assert (threat.id, threat.kind) == ("G 0.18", "threat")
    assert len(search_catalog(shared_catalog, "Verschlüsselung", limit=3)) == 3
    assert len(search_catalog(shared_catalog, "Verschlüsselung", limit=None)) > 50
    assert search_catalog(shared_catalog, "   ") == []
    assert search_catalog(shared_catalog, "xyzzy-gibt-es-nicht") == []
    hit = search_catalog(shared_catalog, "Server mit Linux")[0]
    assert hit.id.startswith("SYS.1.3")


def test_search_includes_gspp_controls(shared_catalog: Catalog) -> None:
    assert [h for h in search_catalog(shared_catalog, "ASST.1.1.1", gspp=False) if h.kind == "control"] == []
    hits = search_catalog(shared_catalog, "ASST.1.1.1", gspp=True)
    assert (hits[0].id, hits[0].kind, hits[0].source) == ("ASST.1.1.1", "control", "gspp-kernel")
    assert hits[0].title == "Dokumentation"
    # once loaded, the default (gspp=None) searches them too, each control id once
    ids = [h.id for h in search_catalog(shared_catalog, "Dokumentation", limit=None) if h.kind == "control"]
    assert "ASST.1.1.1" in ids and len(ids) == len(set(ids))
