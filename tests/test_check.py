"""The IT-Grundschutz-Check: check.csv, its validation and the coverage figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from grundschutz import (
    AssessmentError,
    BasicValue,
    GrundschutzError,
    Level,
    Need,
    ObjectType,
    Settings,
    TargetObject,
    analyse,
    load_catalog,
    parse_csv,
    propagate,
    read_assessment,
)
from grundschutz.catalog import Baustein, Catalog, Kompendium, Layer, Requirement, parse_modelling_rules
from grundschutz.io.records import check_records as check_rows
from grundschutz.io.values import parse_date
from grundschutz.method.check import CoverageRow, build_check, check_coverage, kompendium_requirement_check
from grundschutz.method.modelling import model_assessment
from grundschutz.method.selection import select_requirements
from grundschutz.model import INFORMATIONSVERBUND_ID, STATUSES, Assessment, Status
from grundschutz.views.requirements_tables import check_frame, check_records, coverage_frame, coverage_records

HEADER = "object,requirement,status,note,responsible,due,checked_on\n"
#: The files of the worked example that make its selection (not its check, risks or scenarios).
HAAN_FILES = ("assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv", "modelling.csv")


@pytest.fixture(scope="module")
def catalog(shared_catalogs: Path) -> Catalog:
    """The Kompendium with the KRT's CIA letters (load_catalog), loaded once for this module."""
    return load_catalog(shared_catalogs)


@pytest.fixture(scope="module")
def haan_analysis(haan, catalog):
    return analyse(read_assessment(haan), catalog)


@pytest.fixture(scope="module")
def haan_selection(haan_analysis):
    return haan_analysis.selection


@pytest.fixture(scope="module")
def haan_check(haan_analysis):
    return haan_analysis.check


def _write(folder: Path, text: str) -> Path:
    (folder / "check.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def folder(tmp_path, haan) -> Path:
    """The worked example without its check.csv (same selection): the tests write their own."""
    for name in HAAN_FILES:
        (tmp_path / name).write_bytes((haan / name).read_bytes())
    return tmp_path


def check_of(folder: Path, catalog: Catalog):
    """The IT-Grundschutz-Check of the assessment in ``folder``: read everything, then the check step."""
    return analyse(read_assessment(folder), catalog).check


# --------------------------------------------------------------------------- the worked example


def test_worked_example_check_is_partial_and_realistic(haan_check, haan_selection):
    assert len(haan_check) == len(haan_selection)
    listed = [e for e in haan_check if e.row is not None]
    assert 300 <= len(listed) <= 700
    counts = haan_check.counts()
    assert set(counts) == set(STATUSES)
    assert all(counts[s] > 0 for s in STATUSES)
    assert counts["unbearbeitet"] > len(haan_check) / 2  # most of the work is still ahead
    for entry in haan_check:
        if entry.status is Status.ENTBEHRLICH:
            assert len(entry.note) > 20
        if entry.row is not None and entry.status is not Status.UNBEARBEITET:
            assert entry.responsible and entry.checked_on is not None
    srv = {e.status for e in haan_check.for_object("SRV-01") if e.row is not None}
    assert {Status.JA, Status.TEILWEISE, Status.NEIN} <= srv
    isms = [e for e in haan_check.for_object("IV") if e.baustein == "ISMS.1"]
    assert {e.status for e in isms} >= {Status.JA, Status.TEILWEISE, Status.NEIN, Status.ENTBEHRLICH}
    entry = haan_check.entry("IV", "ISMS.1.A5")
    assert entry.status is Status.ENTBEHRLICH and entry.checked_on == date(2024, 3, 5)


def test_worked_example_coverage(haan_check):
    (total,) = check_coverage(haan_check, ())
    assert total.total == len(haan_check)
    assert total.implemented == haan_check.counts()["ja"] + haan_check.counts()["entbehrlich"]
    assert 0 < total.percent < 20
    by_level = {row.level: row for row in check_coverage(haan_check, ("level",))}
    assert list(by_level) == ["B", "S", "H"]
    assert by_level["B"].percent > by_level["S"].percent > by_level["H"].percent
    by_object = check_coverage(haan_check)
    assert by_object[0].object == "IV" and sum(r.total for r in by_object) == len(haan_check)
    by_baustein = check_coverage(haan_check, ("baustein",))
    assert sum(r.total for r in by_baustein) == len(haan_check)
    frame = coverage_frame(haan_check, ("object", "baustein", "level"))
    assert frame.loc[("IV", "ISMS.1", "B"), "total"] == 9
    assert frame["total"].sum() == len(haan_check)


def test_check_records_and_frame(haan_check):
    records = check_records(haan_check)
    assert len(records) == len(haan_check)
    first = records[0]
    assert list(first) == ["object", "baustein", "requirement", "level", "title", "status", "note",
                           "responsible", "due", "checked_on"]
    assert first["object"] == "IV" and first["requirement"] == "ISMS.1.A1" and first["checked_on"] == "2024-03-05"
    frame = check_frame(haan_check)
    assert list(frame["status"].cat.categories) == list(STATUSES)
    assert frame["checked_on"].notna().sum() == sum(1 for e in haan_check if e.checked_on)


def test_check_csv_is_optional(folder, haan_selection, catalog):
    check = check_of(folder, catalog)
    assert check.counts()["unbearbeitet"] == len(haan_selection) == len(check)


# --------------------------------------------------------------------------- validation

#: Rows of check.csv with one problem each (row 11 is fine, row 12 repeats it).
ROWS = (
    "SRV-99,SYS.1.1.A1,ja,,,,\n"                       # 2 unknown object
    "SRV-01,SYS.1.1.A99,ja,,,,\n"                      # 3 unknown requirement
    "SRV-01,SYS.1.1,ja,,,,\n"                          # 4 a Baustein, not a requirement
    "SRV-01,SYS.1.3.A2,ja,,,,\n"                       # 5 Baustein not assigned
    "APP-04,APP.6.A14,ja,,,,\n"                        # 6 H not selected: needs normal
    "SRV-01,SYS.1.1.A3,ja,,,,\n"                       # 7 ENTFALLEN
    "SRV-01,SYS.1.1.A1,erledigt,,,,\n"                 # 8 invalid status
    "SRV-01,SYS.1.1.A2,entbehrlich,,,,\n"              # 9 entbehrlich without reason
    "SRV-01,SYS.1.1.A5,ja,,,31.02.2024,2024/05/01\n"   # 10 invalid dates
    "SRV-01,SYS.1.1.A6,teilweise,,,,\n"                # 11
    "SRV-01,SYS.1.1.A6,ja,,,,\n"                       # 12 duplicate
    "APP-59,APP.6.A14,ja,,,,\n"                        # 13 undecided: APP-59 unrated
)


def test_check_errors_are_reported_by_row(folder, catalog):
    # what needs no catalog (object ids, status words, reasons, dates, duplicates): read_assessment
    _write(folder, HEADER + ROWS)
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == [
        "check.csv, Zeile 2, Spalte 'object', Wert 'SRV-99': unbekannte Objekt-ID",
        "check.csv, Zeile 8, Spalte 'status', Wert 'erledigt': unbekannter Status "
        "(erlaubt: ja, teilweise, nein, entbehrlich, unbearbeitet)",
        "check.csv, Zeile 9, Spalte 'note', Wert '': Status 'entbehrlich' braucht eine Begründung in 'note'",
        "check.csv, Zeile 10, Spalte 'checked_on', Wert '2024/05/01': ungültiges Datum "
        "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)",
        "check.csv, Zeile 10, Spalte 'due', Wert '31.02.2024': ungültiges Datum "
        "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)",
        "check.csv, Zeile 12, Spalte 'requirement', Wert 'SYS.1.1.A6': doppelte Zeile für SRV-01/SYS.1.1.A6 "
        "(bereits in Zeile 11)",
    ]
    # what needs the catalog and the selection: the check step (those rows blanked, row numbers kept)
    lines = ROWS.splitlines(keepends=True)
    _write(folder, HEADER + "".join("\n" if number in (2, 8, 9, 10, 12) else line
                                    for number, line in enumerate(lines, start=2)))
    with pytest.raises(AssessmentError) as info:
        check_of(folder, catalog)
    assert [str(p) for p in info.value.problems] == [
        "check.csv, Zeile 3, Spalte 'requirement', Wert 'SYS.1.1.A99': Anforderung gibt es im Kompendium nicht",
        "check.csv, Zeile 4, Spalte 'requirement', Wert 'SYS.1.1': Anforderung gibt es im Kompendium nicht "
        "(das ist ein Baustein, keine Anforderung)",
        "check.csv, Zeile 5, Spalte 'requirement', Wert 'SYS.1.3.A2': Anforderung ist für SRV-01 nicht "
        "ausgewählt (Baustein SYS.1.3 ist SRV-01 nicht zugeordnet)",
        "check.csv, Zeile 6, Spalte 'requirement', Wert 'APP.6.A14': Anforderung ist für APP-04 nicht "
        "ausgewählt (H-Anforderung (CIA: CIA) nicht ausgewählt, Schutzbedarf Vertraulichkeit normal, "
        "Integrität normal, Verfügbarkeit normal)",
        "check.csv, Zeile 7, Spalte 'requirement', Wert 'SYS.1.1.A3': Anforderung ist ENTFALLEN und kann "
        "nicht geprüft werden",
        "check.csv, Zeile 13, Spalte 'requirement', Wert 'APP.6.A14': Anforderung ist für APP-59 nicht "
        "ausgewählt (H-Anforderung (CIA: CIA) offen: Vertraulichkeit nicht bewertet, Integrität nicht "
        "bewertet, Verfügbarkeit nicht bewertet)",
    ]


def test_check_missing_columns_and_empty_file(folder):
    _write(folder, "object,requirement,note\nSRV-01,SYS.1.1.A1,x\n")
    with pytest.raises(AssessmentError) as info:
        read_assessment(folder)
    assert [str(p) for p in info.value.problems] == ["check.csv, Spalte 'status': Pflichtspalte fehlt"]
    _write(folder, "")
    with pytest.raises(AssessmentError, match="Datei ist leer"):
        read_assessment(folder)


def test_check_accepts_german_dates_case_and_the_typo_id(folder, catalog):
    _write(folder, HEADER + (
        "SRV-01,SYS.1.1.A1,Ja,,IT-Betrieb,1.7.2025,05.03.2024\n"
        "SRV-01,SYS.1.1.A2,,geplant,ISB,2025-06-30,\n"
    ))
    check = check_of(folder, catalog)
    first = check.entry("SRV-01", "SYS.1.1.A1")
    assert (first.status, first.due, first.checked_on, first.row) == (
        Status.JA, date(2025, 7, 1), date(2024, 3, 5), 2)
    second = check.entry("SRV-01", "SYS.1.1.A2")
    assert second.status is Status.UNBEARBEITET and second.note == "geplant" and second.row == 3
    with pytest.raises(GrundschutzError, match="nicht ausgewählt"):
        check.entry("SRV-01", "SYS.1.3.A1")
    assert parse_date("2024-03-05 00:00:00") == date(2024, 3, 5)


def test_ops_2_3_a22_typo_is_normalised(folder, haan_selection, catalog):
    _write(folder, HEADER + "DL-01,OPS.2.3A22,nein,,,,\n")
    assert haan_selection.get("DL-01", "OPS.2.3.A22") is not None  # H, DL-01 is 'hoch'
    check = check_of(folder, catalog)
    assert check.entry("DL-01", "OPS.2.3A22").status is Status.NEIN


# --------------------------------------------------------------------------- a tiny hand-computed case


def _tiny_kompendium() -> Kompendium:
    def req(rid, level, cia="", withdrawn=False):
        return Requirement(rid, rid.rsplit(".", 1)[0], f"Titel {rid}", level, withdrawn, (), "", frozenset(cia))

    requirements = {r.id: r for r in (
        req("SYS.4.1.A1", "B"), req("SYS.4.1.A2", "B"), req("SYS.4.1.A3", "S"),
        req("SYS.4.1.A4", "H", "A"), req("SYS.4.1.A5", "B", withdrawn=True), req("SYS.4.1.A6", "H", "C"),
        req("INF.7.A1", "B"), req("INF.7.A2", "S"),
    )}

    def baustein(bid, layer):
        ids = tuple(r for r in requirements if r.startswith(bid + ".A"))
        return Baustein(bid, f"Baustein {bid}", layer, None, (), (), "", "", "R2", None, ids)

    bausteine = {"SYS.4.1": baustein("SYS.4.1", "SYS"), "INF.7": baustein("INF.7", "INF")}
    layers = {"SYS": Layer("SYS", "IT-Systeme", "System", ("SYS.4.1",)),
              "INF": Layer("INF", "Infrastruktur", "System", ("INF.7",))}
    return Kompendium(layers, bausteine, requirements, {}, cross_reference_applied=True)


def check_csv(text: str, assessment: Assessment):
    """The rows of a check.csv for an assessment built in memory (as read_assessment reads them)."""
    problems = []
    rows = check_rows(parse_csv(text, "check.csv"), {*assessment.objects, INFORMATIONSVERBUND_ID}, problems)
    assert problems == []
    return rows


TINY_RULES = """
rules:
  - id: drucker
    type: printer
    bausteine: [SYS.4.1]
    reason: Drucker.
  - id: buero
    type: room
    bausteine: [INF.7]
    reason: Büro.
"""


def test_coverage_on_a_tiny_hand_computed_case():
    kompendium = _tiny_kompendium()
    objects = {"P1": TargetObject("P1", ObjectType.PRINTER, "Drucker"),
               "R1": TargetObject("R1", ObjectType.ROOM, "Büro")}
    needs = {"P1": {BasicValue.CONFIDENTIALITY: Need(Level.NORMAL), BasicValue.INTEGRITY: Need(Level.NORMAL),
                    BasicValue.AVAILABILITY: Need(Level.HOCH)},
             "R1": {v: Need(Level.NORMAL) for v in BasicValue}}
    assessment = Assessment(Settings(name="Klein"), objects, needs=needs)
    modelling = model_assessment(assessment, kompendium, parse_modelling_rules(TINY_RULES, kompendium=kompendium))
    assert modelling.unmodelled == ("IV",)  # no process rules in this tiny rule set
    selection = select_requirements(modelling, propagate(assessment), kompendium)
    # P1: A1, A2 (B), A3 (S), A4 (H, A and availability hoch); not A5 (ENTFALLEN), not A6 (C normal)
    assert [(r.object, r.requirement) for r in selection] == [
        ("P1", "SYS.4.1.A1"), ("P1", "SYS.4.1.A2"), ("P1", "SYS.4.1.A3"), ("P1", "SYS.4.1.A4"),
        ("R1", "INF.7.A1"), ("R1", "INF.7.A2"),
    ]
    rows = check_csv(HEADER + (
        "P1,SYS.4.1.A1,ja,,,,\n"
        "P1,SYS.4.1.A2,entbehrlich,Kein Druck vertraulicher Dokumente,,,\n"
        "P1,SYS.4.1.A3,teilweise,,,,\n"
        "R1,INF.7.A1,nein,,,,\n"
    ), assessment)
    check = build_check(selection, rows, kompendium_requirement_check(selection, kompendium))
    assert check_coverage(check, ()) == (CoverageRow(None, None, None, 1, 1, 1, 1, 2),)
    (total,) = check_coverage(check, ())
    assert (total.total, total.implemented, round(total.percent, 2)) == (6, 2, 33.33)
    assert check_coverage(check) == (
        CoverageRow("P1", None, None, ja=1, teilweise=1, entbehrlich=1, unbearbeitet=1),
        CoverageRow("R1", None, None, nein=1, unbearbeitet=1),
    )
    assert [r.percent for r in check_coverage(check)] == [50.0, 0.0]
    assert check_coverage(check, ("level",)) == (
        CoverageRow(None, None, "B", ja=1, nein=1, entbehrlich=1),
        CoverageRow(None, None, "S", teilweise=1, unbearbeitet=1),
        CoverageRow(None, None, "H", unbearbeitet=1),
    )
    assert [(r.baustein, r.total, r.implemented) for r in check_coverage(check, ("baustein",))] == [
        ("SYS.4.1", 4, 2), ("INF.7", 2, 0)]
    assert coverage_records(check, ("object", "level"))[0] == {
        "object": "P1", "level": "B", "ja": 1, "teilweise": 0, "nein": 0, "entbehrlich": 1, "unbearbeitet": 0,
        "total": 2, "implemented": 2, "percent": 100.0}
    with pytest.raises(GrundschutzError, match="unbekannte Gruppierung"):
        check_coverage(check, ("fachbereich",))
