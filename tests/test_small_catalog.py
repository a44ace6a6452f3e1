"""Every catalog-dependent path without the BSI files: the small catalog the suite builds itself.

:mod:`small_catalog` writes a made-up catalog in the official formats (DocBook
XML, KRT workbook, OSCAL catalogs, profile and mapping, the CSV vocabularies)
with the peculiarities of the official files. These tests parse it, install
it through the command line with its own pinned SHA-256 sums, and run every
command that needs a catalog on a small assessment, so that they pass on a
fresh clone without ``../shared/catalogs``.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner
from small_catalog import QUIRKS, SOURCES_FILE, XML, baustein_ids

from grundschutz.catalog import load_catalog, official_sources, read_kompendium
from grundschutz.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def catalog(small_catalog):
    return load_catalog(small_catalog)


# --------------------------------------------------------------------------- the parsers


def test_the_kompendium_parses_with_the_quirks_of_the_official_file(catalog, small_catalog):
    """DocBook structure of ``XML_Kompendium_2023.xml`` (../shared/catalogs/README.md, section 1):
    chapter per layer, section per Baustein, ``<ID> <Titel> (B|S|H) [Rollen]`` titles, ENTFALLEN."""
    kompendium = catalog.kompendium
    assert list(kompendium.bausteine) == baustein_ids()
    assert len(kompendium.requirements) == 4 * len(kompendium.bausteine) + 1
    assert b"\r\n" in (small_catalog / XML).read_bytes()  # QUIRKS["crlf"]
    typo = kompendium.requirement("OPS.2.3A22")  # QUIRKS["typo"]
    assert typo.id == "OPS.2.3.A22" and typo.level == "H"
    assert typo.roles == ("Notfallbeauftragte", "OT-Betrieb (Operational Technology, OT)")  # QUIRKS["roles"]
    assert kompendium.requirement("CON.7.A1").level == "B"  # QUIRKS["singular"]
    assert kompendium.requirement("APP.1.1.A2").withdrawn and not kompendium.requirement("APP.1.1.A1").withdrawn
    assert kompendium.requirement("APP.1.1.A1").text == "Grundregel für APP.1.1 SOLLTE umgesetzt werden.\n- erstens"
    assert kompendium.baustein("IND.1").responsible_role == "Informationssicherheitsbeauftragte (ISB)"
    assert kompendium.baustein("OPS.1.1.1").requirement_ids  # QUIRKS["numbered"] did not stop the parse
    assert len(kompendium.threats) == 47 and kompendium.threat("G 0.18").title == "Testgefährdung 18"
    assert set(QUIRKS) >= {"typo", "roles", "singular", "crlf", "krt-space", "krt-blank", "krt-withdrawn"}


def test_the_krt_is_applied_with_the_quirks_of_the_official_workbook(catalog):
    """KRT ``krt2023_Excel.xlsx`` (README section 2): ids with a trailing space, a cell with one
    space, an ENTFALLEN requirement with a mark; CIA letters only on H requirements."""
    kompendium = catalog.kompendium
    assert kompendium.cross_reference_applied
    assert kompendium.requirement("APP.1.1.A1").threats  # 'APP.1.1.A1 ' found
    assert kompendium.requirement("SYS.1.1.A3").threats  # ' ' is no mark and no error
    assert catalog.cross_reference.threats["SYS.1.1.A2"]  # ENTFALLEN, but marked
    assert kompendium.requirement("APP.1.1.A4").cia and not kompendium.requirement("APP.1.1.A3").cia


def test_the_parsed_catalog_is_cached(small_catalog, tmp_path):
    first = load_catalog(small_catalog, cache_dir=tmp_path)
    second = load_catalog(small_catalog, cache_dir=tmp_path)
    assert not first.from_cache and second.from_cache
    assert second.kompendium == first.kompendium
    assert read_kompendium(small_catalog / XML).bausteine.keys() == first.kompendium.bausteine.keys()


def test_grundschutz_plus_plus_resolves_the_profile_and_reads_the_mapping(catalog):
    """Profile ``Grundschutz++-profile.json`` (README section 3): Methodik include-all, four RISK
    controls, the Kernel-G0 catalog (not published: the plain Kernel stands in)."""
    gspp = catalog.gspp()
    assert gspp.source.startswith("Profil 'Anwenderkatalog Grundschutz++ (Test)'")
    assert any("Kernel-G0" in note for note in gspp.notes)
    assert {"RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10"} <= set(gspp.controls)
    assert "RISK.1.2" not in gspp.controls
    assert gspp.path("DNS-Server") == "IT-Systeme > Hostsysteme > DNS-Server"
    assert catalog.gspp_rules().rules  # every category of gspp_modelling.yaml exists
    assert catalog.modelling_rules().rules  # every Baustein of modelling.yaml exists
    mapping = catalog.mapping()
    assert len(mapping) > 0 and mapping.status == "draft"
    assert catalog.oscal_catalog("gspp-wlan-sample").control("WLAN.1.1").confidentiality == 2


# --------------------------------------------------------------------------- install and the catalog commands


def test_install_with_the_test_sources_file(small_catalog, tmp_path):
    target = tmp_path / "kataloge"
    refused = run("catalog", "install", small_catalog, "--catalogs", target)
    assert refused.exit_code == 1
    assert refused.output.startswith("Fehler: SHA-256-Prüfung fehlgeschlagen, nichts wurde installiert:")
    assert not target.exists()
    sources = small_catalog / SOURCES_FILE
    done = run("catalog", "install", small_catalog, "--catalogs", target, "--sources", sources)
    assert done.exit_code == 0, done.output
    count = len(official_sources())
    assert done.output.startswith(f"Katalogverzeichnis: {target}\ninstalliert ({count}): kompendium-2023-xml")
    status = run("catalog", "status", "--catalogs", target, "--sources", sources, "-f", "json")
    assert {r["status"] for r in json.loads(status.output)} == {"in Ordnung"}
    official = run("catalog", "status", "--catalogs", target, "-f", "json")
    assert {r["status"] for r in json.loads(official.output)} == {"SHA-256 weicht ab"}
    assert run("catalog", "show", "OPS.2.3.A22", "--catalogs", target).output.startswith(
        "OPS.2.3.A22 Durchführung gemeinsamer Übungen\nBaustein OPS.2.3, erhöhter Schutzbedarf")


def test_download_from_a_base_address_with_the_test_sources_file(small_catalog, tmp_path):
    target = tmp_path / "geladen"
    done = run("catalog", "download", "--from", small_catalog.as_uri(), "--sources", small_catalog / SOURCES_FILE,
               "--catalogs", target)
    assert done.exit_code == 0, done.output
    assert f"installiert ({len(official_sources())}):" in done.output
    again = run("catalog", "download", "--from", small_catalog.as_uri(), "--sources", small_catalog / SOURCES_FILE,
                "--catalogs", target)
    assert f"unverändert (bereits vorhanden) ({len(official_sources())}):" in again.output


def test_search_says_how_many_hits_there_are_and_limit_0_shows_all(small_catalog):
    few = run("catalog", "search", "Grundregel", "--catalogs", small_catalog, "--limit", "5")
    assert few.exit_code == 0, few.output
    total = len(baustein_ids())
    assert few.output.endswith(f"\n5 von {total} Treffern (--limit 0 zeigt alle).\n")
    assert len(few.output.splitlines()) == 2 + 5 + 2
    every = run("catalog", "search", "Grundregel", "--catalogs", small_catalog, "--limit", "0")
    assert every.output.endswith(f"\n{total} Treffer.\n")
    assert len(every.output.splitlines()) == 2 + total + 2
    as_json = run("catalog", "search", "Grundregel", "--catalogs", small_catalog, "--limit", "0", "-f", "json")
    assert len(json.loads(as_json.output)) == total


# --------------------------------------------------------------------------- every command on a small assessment


def test_validate_and_assess_with_the_catalog(small_assessment, small_catalog):
    result = run("validate", small_assessment, "--catalogs", small_catalog)
    assert result.exit_code == 0, result.output
    assert "Gegen den Katalog geprüft: Bausteine, Anforderungen und Gefährdungen." in result.output
    summary = run("assess", small_assessment, "--catalogs", small_catalog)
    assert "ohne passenden Baustein (Risikoanalyse nötig): R-1" in summary.output
    assert "IT-Grundschutz-Check: ja 2, teilweise 1, nein 1, entbehrlich 1" in summary.output
    unprocessed = int(re.search(r"unbearbeitet (\d+); umgesetzt", summary.output).group(1))
    share = f"{100 * (2 + 1) / (2 + 1 + 1 + 1 + unprocessed):.1f}".replace(".", ",")
    assert f"umgesetzt {share} %" in summary.output  # (ja + entbehrlich) / all requirements, decimal comma


def test_model_requirements_and_check(small_assessment, small_catalog):
    model = run("model", small_assessment, "--catalogs", small_catalog, "-f", "json")
    rows = json.loads(model.output)
    assert {"object": "SRV-2", "baustein": "SYS.1.3"} in [{k: r[k] for k in ("object", "baustein")} for r in rows]
    requirements = run("requirements", small_assessment, "--object", "SRV-1", "--catalogs", small_catalog, "-f",
                       "json")
    ids = {r["requirement"] for r in json.loads(requirements.output)}
    assert {"SYS.1.1.A1", "SYS.1.1.A3", "SYS.1.1.A4"} <= ids and "SYS.1.1.A2" not in ids  # ENTFALLEN
    check = run("check", small_assessment, "--catalogs", small_catalog, "--by", "object")
    line = next(line for line in check.output.splitlines() if line.startswith("SRV-1"))
    assert line.split() == ["SRV-1", "0", "0", "1", "1", "1", "3", "33,3"]


def test_risk_plan_scenario_and_diff(small_assessment, small_catalog):
    risk = run("risk", small_assessment, "--object", "SRV-1", "--catalogs", small_catalog)
    assert risk.exit_code == 0, risk.output
    assert "G 0.14" in risk.output and "Testgefährdung 14" in risk.output
    plan = run("plan", small_assessment, "--catalogs", small_catalog, "-n", "0", "-f", "json")
    assert json.loads(plan.output)[0]["group"] == 1
    scenario = run("scenario", small_assessment, "homeoffice", "--catalogs", small_catalog)
    assert "erst nach Risikoanalyse für CL-9, NWD-9" in scenario.output
    assert "SYS.2.1.A1 (B) Grundregel für SYS.2.1 – CL-9, unbearbeitet" in scenario.output
    diff = run("diff", small_assessment, small_assessment, "--catalogs", small_catalog)
    assert diff.output.endswith("keine Unterschiede\n")


def test_migrate_to_grundschutz_plus_plus(small_assessment, small_catalog):
    result = run("migrate", small_assessment, "--to", "grundschutz++", "--catalogs", small_catalog, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mapping"] == "GSMap OSCAL Mapping Collection (Test)" and data["mapping_status"] == "draft"
    assert data["overall"]["carried"] >= 1


def test_grundschutz_plus_plus_edition(small_assessment, small_catalog):
    settings = small_assessment / "assessment.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("kompendium-2023", "grundschutz++"),
                        encoding="utf-8")
    (small_assessment / "modelling.csv").unlink()
    (small_assessment / "check.csv").unlink()
    result = run("model", small_assessment, "--catalogs", small_catalog, "-f", "json")
    assert result.exit_code == 0, result.output
    assert any(r["object"] == "DNS-1" for r in json.loads(result.output))


def test_export_import_report_and_figures(small_assessment, small_catalog, tmp_path):
    workbook = tmp_path / "klein.xlsx"
    exported = run("export", small_assessment, workbook, "--catalogs", small_catalog)
    assert exported.exit_code == 0, exported.output
    back = run("import", small_assessment, workbook, "--catalogs", small_catalog)
    assert back.exit_code == 0, back.output
    report = tmp_path / "bericht.html"
    written = run("report", small_assessment, "-o", report, "--catalogs", small_catalog, "--date", "01.05.2024")
    assert written.exit_code == 0, written.output
    text = report.read_text(encoding="utf-8")
    assert "Stand: 01.05.2024" in text and "30.09.2024" in text and "2024-09-30" not in text
    for kind in ("coverage", "risk"):
        figure = tmp_path / f"{kind}.svg"
        assert run("plot", small_assessment, kind, "-o", figure, "--catalogs", small_catalog).exit_code == 0
        assert figure.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_the_built_catalog_is_a_copyable_catalog_directory(small_catalog, tmp_path):
    copy = tmp_path / "kopie"
    shutil.copytree(small_catalog, copy)
    assert load_catalog(copy, cache=False).kompendium == load_catalog(small_catalog).kompendium
