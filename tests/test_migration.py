"""Migration of the IT-Grundschutz-Check from the Kompendium 2023 to Grundschutz++."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz import GrundschutzError
from grundschutz.cli.migrate import migrate as migrate_command
from grundschutz.method.migration import CARRY_RULE, OUTCOMES, migrate
from grundschutz.model import Status
from grundschutz.views.migration_tables import migration_frame, migration_records

MAPPING = ("BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Mappings/IT-GS2023-zu-GSpp/"
           "ITGS-to-GS++-mapping_collection.json")
FULL = {"equal-to", "equivalent-to", "superset-of"}


@pytest.fixture(scope="module")
def haan_migration(haan_analysis):
    return migrate(haan_analysis)


# --------------------------------------------------------------------------- the rule on a tiny case

OBJECTS = """id,type,name,description,tags,count
SRV-A,server,Server A,,os=windows-server,
SRV-B,server,Server B,,os=windows-server,
SRV-C,server,Server C,,os=windows-server,
"""
NEEDS = """object,confidentiality,integrity,availability,\
confidentiality_reason,integrity_reason,availability_reason,effect
SRV-A,normal,hoch,normal,,,,
SRV-B,normal,normal,normal,,,,
SRV-C,normal,normal,normal,,,,
"""
CHECK = """object,requirement,status,note,responsible,due,checked_on
IV,ORP.1.A1,entbehrlich,Testbegründung,,,
IV,ORP.2.A1,ja,,,,
SRV-A,SYS.1.1.A10,ja,,,,
SRV-A,SYS.1.1.A23,entbehrlich,Überwachung durch den Dienstleister,,,
SRV-A,SYS.1.1.A24,ja,,,,
SRV-A,SYS.1.1.A27,ja,,,,
SRV-B,SYS.1.1.A10,teilweise,,,,
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "assessment.yaml").write_text("name: Migrationstest\nedition: kompendium-2023\n", encoding="utf-8")
    for name, text in (("objects", OBJECTS), ("dependencies", "object,depends_on,redundancy_group,note\n"),
                       ("needs", NEEDS), ("check", CHECK)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny_migration(tiny, shared_catalogs):
    return migrate(analysed(tiny, shared_catalogs))


def outcome(migration, object_id, control_id):
    item = migration.control(object_id, control_id)
    return item.outcome, item.status.value if item.status else None


def test_full_relationships_carry_ja_and_entbehrlich(tiny_migration):
    m = tiny_migration
    # SYS.1.1.A10-UA.1 superset-of DET.3.1.1/.3/.4 (IT-Systeme) and DET.3.1.5 (erhöht; SRV-A integrity hoch)
    for control in ("DET.3.1.1", "DET.3.1.3", "DET.3.1.4", "DET.3.1.5"):
        assert outcome(m, "SRV-A", control) == ("übernommen", "ja")
    # SYS.1.1.A23-UA.2 equivalent-to DET.4.13 (Hostsysteme), status entbehrlich
    assert outcome(m, "SRV-A", "DET.4.13") == ("übernommen", "entbehrlich")
    # ORP.1.A1 (entbehrlich): UA.3 equal-to TEST.1.2, UA.3 superset-of ARCH.1.2
    assert outcome(m, "IV", "TEST.1.2") == ("übernommen", "entbehrlich")
    assert outcome(m, "IV", "ARCH.1.2") == ("übernommen", "entbehrlich")
    # TEST.1.1.3 and ARCH.1.1.3 from ORP.1.A1 (entbehrlich) and ORP.2.A1 (ja): ja wins
    assert outcome(m, "IV", "TEST.1.1.3") == ("übernommen", "ja")
    assert outcome(m, "IV", "ARCH.1.1.3") == ("übernommen", "ja")
    assert m.control("IV", "ARCH.1.1.3").reason == ("übernommen aus ORP.1.A1 (entbehrlich, equivalent-to); "
                                                    "ORP.2.A1 (ja, equivalent-to)")


def test_partial_relationships_and_partial_status_are_hints(tiny_migration):
    m = tiny_migration
    assert outcome(m, "SRV-A", "DET.5.4") == ("Hinweis", None)      # SYS.1.1.A24-UA.1 subset-of
    assert outcome(m, "SRV-A", "DET.4.2") == ("Hinweis", None)      # SYS.1.1.A27-UA.1 subset-of
    assert outcome(m, "SRV-A", "DET.4.10") == ("Hinweis", None)     # SYS.1.1.A27-UA.1 intersects-with
    assert outcome(m, "IV", "ARCH.1.1.2") == ("Hinweis", None)      # ORP.1.A1-UA.1 intersects-with
    assert outcome(m, "IV", "PERS.3.7") == ("Hinweis", None)        # ORP.2.A1 intersects-with, Mitarbeitende
    # superset-of, but 'teilweise' does not say which sub-requirement is missing
    assert outcome(m, "SRV-B", "DET.3.1.1") == ("Hinweis", None)
    link = next(l for l in m.links if (l.object, l.control) == ("SRV-B", "DET.3.1.1"))
    assert link.reason == "'teilweise' nicht übertragbar: gilt nicht sicher für jede Teilanforderung (superset-of)"
    subset = next(l for l in m.links if (l.object, l.control) == ("SRV-A", "DET.5.4"))
    assert (subset.relationship, subset.relationships) == ("subset-of", (("SYS.1.1.A24-UA.1", "subset-of"),))
    assert subset.reason == "'ja' nur Hinweis (subset-of: das Control verlangt mehr oder anderes)"


def test_links_that_cannot_carry(tiny_migration):
    m = tiny_migration
    links = {(l.object, l.requirement, l.control): l for l in m.links}
    # DET.3.1 targets Anwendungen, DET.4.4 has no category (Informationsverbund): not selected for a plain server
    assert links[("SRV-A", "SYS.1.1.A10", "DET.3.1")].outcome == "nicht ausgewählt"
    assert "Zielobjekt-Kategorien des Controls (Anwendungen) passen nicht" in links[("SRV-A", "SYS.1.1.A10",
                                                                                      "DET.3.1")].reason
    assert links[("SRV-A", "SYS.1.1.A10", "DET.4.4")].outcome == "nicht ausgewählt"
    # DET.3.1.5 is erhöht: SRV-B's needs are normal
    assert links[("SRV-B", "SYS.1.1.A10", "DET.3.1.5")].outcome == "nicht ausgewählt"
    # SRV-C has no check rows: its mapped links have no result, its controls are new
    assert links[("SRV-C", "SYS.1.1.A10", "DET.3.1.1")].outcome == "ohne Ergebnis"
    assert m.control("SRV-C", "DET.3.1.1").reason == "neu prüfen: zugeordnete Anforderungen sind unbearbeitet"
    # a requirement the mapping does not cover
    assert links[("SRV-A", "SYS.1.1.A1", "")].outcome == "keine Zuordnung"


def test_tiny_coverage_by_hand(tiny_migration):
    m = tiny_migration
    rows = {r.object: r for r in m.coverage()}
    # SRV-A: 67 normal-SdT + 35 erhöht controls of Hostsysteme/IT-Systeme; 5 carried (4 from A10, 1 from A23)
    assert (rows["SRV-A"].controls, rows["SRV-A"].carried) == (102, 5)
    assert rows["SRV-A"].hints == 4  # DET.5.4, DET.4.2, DET.4.10, DET.4.9
    assert rows["SRV-A"].percent == pytest.approx(100 * 5 / 102)
    assert (rows["SRV-B"].controls, rows["SRV-B"].carried, rows["SRV-B"].hints) == (67, 0, 3)
    assert (rows["SRV-C"].carried, rows["SRV-C"].hints) == (0, 0)
    assert rows["IV"].carried == 4  # TEST.1.2, ARCH.1.2, TEST.1.1.3, ARCH.1.1.3
    overall = m.overall()
    assert overall.carried == 9 and overall.controls == sum(r.controls for r in rows.values())
    assert m.checked_objects == ("IV", "SRV-A", "SRV-B")
    assert m.overall(m.checked_objects).controls == rows["IV"].controls + 102 + 67
    assert [c.control for c in m.to_assess("SRV-A")] == [
        c.requirement for c in m.selection.for_object("SRV-A")
        if c.requirement not in {"DET.3.1.1", "DET.3.1.3", "DET.3.1.4", "DET.3.1.5", "DET.4.13"}]


# --------------------------------------------------------------------------- the worked example


def test_haan_migration_matches_a_recomputation_from_the_files(haan, haan_migration, shared_catalogs):
    """Recompute which (object, control) carry 'ja'/'entbehrlich' straight from check.csv and the mapping JSON."""
    maps = [m for mapping in json.loads((shared_catalogs / MAPPING).read_text(encoding="utf-8"))
            ["mapping-collection"]["mappings"] for m in mapping["maps"]]
    full: dict[str, set[str]] = {}
    for item in maps:
        if item["relationship"] in FULL:
            requirement = re.sub(r"-UA\.\d+$", "", item["sources"][0]["id-ref"].strip())
            full.setdefault(requirement, set()).add(item["targets"][0]["id-ref"])
    with open(haan / "check.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["status"] in ("ja", "entbehrlich")]
    selected = {(r.object, r.requirement) for r in haan_migration.selection}
    expected = {(r["object"], control) for r in rows for control in full.get(r["requirement"], ())
                if (r["object"], control) in selected}
    carried = {(c.object, c.control) for c in haan_migration.controls if c.outcome == "übernommen"}
    assert carried == expected and len(carried) == haan_migration.overall().carried
    assert len(carried) >= 40  # 47 with the check of this worked example


def test_haan_migration_hand_checked_examples(haan_migration):
    m = haan_migration
    # SRV-15 (Personalserver): SYS.1.1.A10 'ja'; its UA.1 is superset-of DET.3.1.1/.3/.4/.5 (IT-Systeme) and of
    # DET.3.1/.8 (Anwendungen), DET.3.1.12 (Daten), DET.4.4/.5 (no category) which a plain server does not get
    carried = [c for c in m.for_object("SRV-15") if c.outcome == "übernommen"]
    assert [c.control for c in carried] == ["DET.3.1.1", "DET.3.1.3", "DET.3.1.4", "DET.3.1.5"]
    assert {c.reason for c in carried} == {"übernommen aus SYS.1.1.A10 (ja, superset-of)"}
    # SRV-08 (domain controller) is also a Verzeichnisdienst (-> Anwendungen): DET.3.1 and DET.3.1.8 carry too
    assert outcome(m, "SRV-08", "DET.3.1") == ("übernommen", "ja")
    assert outcome(m, "SRV-08", "DET.3.1.8") == ("übernommen", "ja")
    # SRV-02: SYS.1.1.A10 is 'nein' -> only a hint
    assert outcome(m, "SRV-02", "DET.3.1.1") == ("Hinweis", None)
    # ISMS.1.A2 'ja' on the Informationsverbund: UA.5 equivalent-to VRB.1.1; VRB.1.2 is gone from the catalogs
    assert outcome(m, "IV", "VRB.1.1") == ("übernommen", "ja")
    vrb = next(l for l in m.links if (l.object, l.requirement, l.control) == ("IV", "ISMS.1.A2", "VRB.1.2"))
    assert vrb.outcome == "nicht im Katalog"
    # coverage arithmetic per object and overall
    rows = m.coverage()
    assert sum(r.controls for r in rows) == len(m.selection) == len(m.controls)
    srv15 = {r.object: r for r in rows}["SRV-15"]
    assert srv15.percent == pytest.approx(100 * 4 / srv15.controls)
    assert {c.outcome for c in m.controls} <= set(OUTCOMES)


def test_records_and_frames(haan_migration):
    coverage = migration_records(haan_migration, "coverage")
    assert coverage[-1]["object"] == "Gesamt" and coverage[-1]["carried"] == haan_migration.overall().carried
    assert coverage[0] == {**coverage[0], "object": "IV", "to_assess": coverage[0]["hints"] + coverage[0]["new"]}
    controls = migration_records(haan_migration, "controls")
    assert len(controls) == len(haan_migration.controls)
    vrb = next(r for r in controls if (r["object"], r["control"]) == ("IV", "VRB.1.1"))
    assert vrb["sources"].startswith("ISMS.1.A2, ")  # every checked requirement mapped to it, carrying or not
    assert (vrb["status"], vrb["reason"]) == ("ja", "übernommen aus ISMS.1.A2 (ja, equivalent-to)")
    frame = migration_frame(haan_migration, "controls")
    assert list(frame["outcome"].cat.categories) == list(OUTCOMES)
    assert (frame["outcome"] == "übernommen").sum() == haan_migration.overall().carried
    links = migration_frame(haan_migration, "links")
    assert len(links) == len(haan_migration.links)
    assert migration_frame(haan_migration, "coverage").loc["Gesamt", "controls"] == len(haan_migration.controls)
    with pytest.raises(GrundschutzError, match="unbekannte Ansicht"):
        migration_records(haan_migration, "bausteine")


def test_migration_needs_a_kompendium_check(tiny, tmp_path, shared_catalogs):
    with pytest.raises(GrundschutzError, match="IT-Grundschutz-Check und die Kataloge"):
        migrate(analysed(tiny))
    gspp = tmp_path / "gspp"
    gspp.mkdir()
    for name in ("objects", "dependencies", "needs"):
        (gspp / f"{name}.csv").write_text((tiny / f"{name}.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (gspp / "assessment.yaml").write_text("name: x\nedition: grundschutz++\n", encoding="utf-8")
    with pytest.raises(GrundschutzError, match="bereits auf Grundschutz\\+\\+ eingestellt"):
        migrate(analysed(gspp, shared_catalogs))


# --------------------------------------------------------------------------- command line


def test_cli_migrate_table_csv_json(tiny, shared_catalogs):
    runner = CliRunner()
    base = [str(tiny), "--to", "grundschutz++", "--catalogs", str(shared_catalogs)]
    result = runner.invoke(migrate_command, base)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Zielobjekt", "Name", "Controls", "übernommen", "Hinweis", "neu", "neu", "zu",
                                "prüfen", "Abdeckung", "%"]
    srv_a = next(line for line in lines if line.startswith("SRV-A"))
    assert srv_a.split()[-6:] == ["102", "5", "4", "93", "97", "4,9"]
    assert "Übernahme-Regel: Ein Prüfergebnis des Kompendiums 2023" in result.output
    assert "Zielobjekte mit Prüfergebnissen (3)" in result.output

    result = runner.invoke(migrate_command, [*base, "--show", "controls", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    row = next(r for r in rows if (r["object"], r["control"]) == ("SRV-A", "DET.4.13"))
    assert (row["outcome"], row["status"], row["sources"]) == ("übernommen", "entbehrlich", "SYS.1.1.A23")

    result = runner.invoke(migrate_command, [*base, "--show", "links", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rule"] == CARRY_RULE and data["mapping_status"] == "draft"
    assert data["overall"]["carried"] == 9 and data["checked_objects"]["objects"] == ["IV", "SRV-A", "SRV-B"]
    assert {"object": "SRV-B", "requirement": "SYS.1.1.A10", "control": "DET.3.1.1", "outcome": "Hinweis"}.items() \
        <= next(r for r in data["links"] if (r["object"], r["control"]) == ("SRV-B", "DET.3.1.1")).items()


def test_cli_migrate_errors(tiny, shared_catalogs):
    runner = CliRunner()
    result = runner.invoke(migrate_command, [str(tiny), "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 2 and "Option fehlt: '--to'" in result.output
    result = runner.invoke(migrate_command, [str(tiny), "--to", "kompendium-2023"])
    assert result.exit_code == 2 and "'kompendium-2023' ist nicht 'grundschutz++'" in result.output
    result = runner.invoke(migrate_command, [str(tiny / "fehlt"), "--to", "grundschutz++",
                                             "--catalogs", str(shared_catalogs)])
    assert result.exit_code == 1 and result.output.startswith("Fehler: ")


def test_status_enum_is_reused(tiny_migration):
    assert all(isinstance(link.status, Status) for link in tiny_migration.links)
