"""Tests of the Kreuzreferenztabellen (KRT) reader and of applying it to the Kompendium."""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from grundschutz.catalog import (
    CIA_BASIC_VALUES,
    CrossReference,
    Kompendium,
    apply_cross_reference,
    parse_krt,
    read_kompendium,
    read_krt,
    read_mapping,
)
from grundschutz.model.errors import CatalogError

KRT = "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"
XML = "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml"
MAPPING = (
    "BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Mappings/IT-GS2023-zu-GSpp/"
    "ITGS-to-GS++-mapping_collection.json"
)


@pytest.fixture(scope="module")
def krt(shared_catalogs: Path) -> CrossReference:
    """The official KRT 2023, read once for this module."""
    return read_krt(shared_catalogs / KRT)


@pytest.fixture(scope="module")
def kompendium(shared_catalogs: Path) -> Kompendium:
    """The official Kompendium (without KRT)."""
    return read_kompendium(shared_catalogs / XML)


@pytest.fixture(scope="module")
def combined(kompendium: Kompendium, krt: CrossReference) -> Kompendium:
    """The Kompendium with CIA letters and threats from the KRT."""
    return apply_cross_reference(kompendium, krt)


def _letters(cia: frozenset[str]) -> str:
    return "".join(letter for letter in "CIA" if letter in cia)


# --------------------------------------------------------------------------- the workbook


def test_counts(krt: CrossReference) -> None:
    assert len(krt.baustein_threats) == 111
    assert len(krt.requirement_ids) == 2125
    assert len(set(krt.requirement_ids)) == 2125
    assert krt.link_count == 5888
    assert {t for links in krt.threats.values() for t in links} == {f"G 0.{n}" for n in range(1, 48)}


def test_ids_equal_the_xml(krt: CrossReference, kompendium: Kompendium) -> None:
    assert set(krt.requirement_ids) == set(kompendium.requirements)
    # the typo of the XML (OPS.2.3A22) is not in the KRT; both normalise to the same id
    assert "OPS.2.3.A22" in krt.cia


def test_trailing_spaces_in_ids_are_stripped(krt: CrossReference) -> None:
    for rid in ("APP.6.A7", "CON.1.A19", "CON.1.A20", "CON.6.A13", "OPS.1.1.6.A15"):
        assert rid in krt.cia
        assert krt.threats_of(rid + " ") == krt.threats[rid]
    assert all(rid == rid.strip() for rid in krt.requirement_ids)


def test_cell_with_a_space_is_empty(krt: CrossReference) -> None:
    # SYS.2.1.A29 / G 0.15 holds " ": not a link; G 0.15 is a column of that sheet
    assert "G 0.15" in krt.baustein_threats["SYS.2.1"]
    assert "G 0.15" not in krt.threats["SYS.2.1.A29"]


def test_app_1_1_sheet(krt: CrossReference) -> None:
    assert krt.baustein_threats["APP.1.1"] == (
        "G 0.14", "G 0.18", "G 0.19", "G 0.20", "G 0.22", "G 0.25",
        "G 0.26", "G 0.28", "G 0.31", "G 0.39", "G 0.46",
    )
    assert krt.cia_of("APP.1.1.A15") == frozenset("CI")
    assert krt.threats_of("APP.1.1.A15") == ("G 0.14", "G 0.19", "G 0.22", "G 0.46")
    assert krt.titles["APP.1.1.A15"] == "Einsatz von Verschlüsselung und Digitalen Signaturen"
    assert krt.cia_of("APP.1.1.A1") == frozenset() and krt.threats_of("APP.1.1.A1") == ()
    assert krt.threats_of("APP.1.1.A2") == ("G 0.20", "G 0.39")


def test_trailing_empty_header_columns_are_ignored(krt: CrossReference) -> None:
    # KRT_APP.2.1 has 15 empty header cells after its 10 G columns
    assert krt.baustein_threats["APP.2.1"] == (
        "G 0.14", "G 0.15", "G 0.18", "G 0.19", "G 0.23",
        "G 0.25", "G 0.27", "G 0.29", "G 0.30", "G 0.45",
    )


def test_threat_columns_cover_the_links(krt: CrossReference) -> None:
    for rid, links in krt.threats.items():
        baustein = rid.rsplit(".A", 1)[0]
        assert set(links) <= set(krt.baustein_threats[baustein]), rid


def test_unknown_requirement(krt: CrossReference) -> None:
    with pytest.raises(CatalogError, match="APP.1.1.A99"):
        krt.cia_of("APP.1.1.A99")
    with pytest.raises(KeyError):
        krt.threats_of("APP.1.1.A99")


def test_cia_basic_values() -> None:
    assert CIA_BASIC_VALUES == {"C": "confidentiality", "I": "integrity", "A": "availability"}


# --------------------------------------------------------------------------- applied to the Kompendium


def test_cia_on_all_active_h_requirements(combined: Kompendium) -> None:
    requirements = combined.requirements.values()
    active_h = [r for r in requirements if r.active and r.level == "H"]
    assert len(active_h) == 405
    assert all(r.cia for r in active_h)
    assert Counter(_letters(r.cia) for r in active_h) == {
        "CIA": 166, "A": 88, "CI": 79, "C": 31, "IA": 21, "I": 17, "CA": 3,
    }
    others = {r.id: _letters(r.cia) for r in requirements if r.cia and not (r.active and r.level == "H")}
    assert others == {"SYS.2.1.A34": "CIA"}
    assert combined.requirement("SYS.2.1.A34").level == "S"


def test_threat_links_on_requirements(combined: Kompendium) -> None:
    requirements = list(combined.requirements.values())
    assert sum(len(r.threats) for r in requirements) == 5888
    assert all(r.threats for r in requirements if r.active)
    withdrawn_linked = {r.id: r.threats for r in requirements if r.withdrawn and r.threats}
    assert withdrawn_linked == {"SYS.2.1.A14": ("G 0.28",)}
    top = Counter(t for r in requirements if r.active for t in r.threats).most_common(5)
    assert top == [("G 0.18", 809), ("G 0.19", 434), ("G 0.30", 386), ("G 0.23", 381), ("G 0.29", 289)]
    assert all(t in combined.threats for r in requirements for t in r.threats)


def test_apply_is_pure(kompendium: Kompendium, combined: Kompendium) -> None:
    assert combined.cross_reference_applied and not kompendium.cross_reference_applied
    before = kompendium.requirement("APP.1.1.A15")
    after = combined.requirement("APP.1.1.A15")
    assert before.cia == frozenset() and before.threats == ()
    assert after.cia == frozenset({"C", "I"})
    assert after.threats == ("G 0.14", "G 0.19", "G 0.22", "G 0.46")
    assert dataclasses.replace(after, cia=frozenset(), threats=()) == before
    assert combined.threats is kompendium.threats
    # the Bausteine carry the threat columns of their sheet (row 1 of KRT_APP.1.1.xlsx), nothing else changes
    assert kompendium.baustein("APP.1.1").elementary_threats == ()
    app = combined.baustein("APP.1.1")
    assert set(after.threats) <= set(app.elementary_threats)
    assert dataclasses.replace(app, elementary_threats=()) == kompendium.baustein("APP.1.1")
    assert all(b.elementary_threats for b in combined.bausteine.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.cia = frozenset()  # type: ignore[misc]


def test_titles_differ_in_60_rows(krt: CrossReference, kompendium: Kompendium) -> None:
    differing = [rid for rid, r in kompendium.requirements.items() if krt.titles[rid] != r.title]
    assert len(differing) == 60


def test_strict_apply_reports_mismatches(kompendium: Kompendium, krt: CrossReference) -> None:
    cia = dict(krt.cia)
    threats = dict(krt.threats)
    del cia["APP.1.1.A15"], threats["APP.1.1.A15"]
    cia["XYZ.1.A1"], threats["XYZ.1.A1"] = frozenset(), ("G 0.99",)
    broken = dataclasses.replace(krt, cia=cia, threats=threats)
    with pytest.raises(CatalogError) as info:
        apply_cross_reference(kompendium, broken)
    message = str(info.value)
    assert "nur im Kompendium: APP.1.1.A15" in message
    assert "nur in der KRT: XYZ.1.A1" in message
    assert "G 0.99" in message
    lenient = apply_cross_reference(kompendium, broken, strict=False)
    assert lenient.requirement("APP.1.1.A15").cia == frozenset()
    assert lenient.requirement("OPS.2.3.A24").cia == frozenset("CIA")
    assert "XYZ.1.A1" not in lenient.requirements


# --------------------------------------------------------------------------- cross-check with the BSI mapping


def test_mapping_props_agree_with_krt_for_every_mapped_requirement(
    shared_catalogs: Path, krt: CrossReference, combined: Kompendium
) -> None:
    """README: the cia/elementare_gefaehrdung props of all 1,185 maps equal the KRT.

    The mapping covers 510 requirements (all active); for each of them every
    map of every sub-requirement carries exactly the KRT's CIA letters and
    threat set.
    """
    mapping = read_mapping(shared_catalogs / MAPPING)
    assert len(mapping) == 1185
    checked = set()
    for entry in mapping:
        requirement = combined.requirement(entry.requirement_id)
        assert entry.cia == requirement.cia == krt.cia[entry.requirement_id], entry.source_id
        assert set(entry.threats) == set(requirement.threats), entry.source_id
        checked.add(entry.requirement_id)
    assert len(checked) == 510
    assert all(combined.requirement(rid).active for rid in checked)
    assert sum(1 for e in mapping if e.cia) == 207
    assert sum(len(e.threats) for e in mapping) == 3647


# --------------------------------------------------------------------------- wrong input


def _workbook(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in rows_by_sheet.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_small_workbook() -> None:
    data = _workbook(
        {
            "KRT_APP.1.1.xlsx": [
                ["APP.1.1", "Name", "CIA", "G 0.14", "G 0.18 ", None],
                ["APP.1.1.A1 ", "ENTFALLEN", None, None, None],
                ["APP.1.1.A15", "Titel", "CI", "X", " "],
                [None, None, None, None, None],
            ]
        }
    )
    krt = parse_krt(data)
    assert krt.requirement_ids == ("APP.1.1.A1", "APP.1.1.A15")
    assert krt.cia["APP.1.1.A15"] == frozenset("CI")
    assert krt.threats["APP.1.1.A15"] == ("G 0.14",)
    assert krt.baustein_threats == {"APP.1.1": ("G 0.14", "G 0.18")}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["APP.1.1.A2", "T", None, "17", None], "unerwarteter Eintrag '17'"),
        (["APP.1.1.A2", "T", "CX", None, None], "unerwarteter CIA-Wert 'CX'"),
        (["SYS.1.1.A2", "T", None, None, None], "keine Anforderung von APP.1.1"),
        (["APP.1.1.A2", "T", None, None, None, "X"], "Spalte 6"),
    ],
)
def test_bad_rows_are_reported(row: list[object], message: str) -> None:
    data = _workbook({"KRT_APP.1.1.xlsx": [["APP.1.1", "Name", "CIA", "G 0.14", "G 0.18"], row]})
    with pytest.raises(CatalogError, match=message) as info:
        parse_krt(data, source="krt.xlsx")
    assert "krt.xlsx, Blatt KRT_APP.1.1.xlsx, Zeile 2" in str(info.value)


def test_workbook_without_krt_sheets() -> None:
    with pytest.raises(CatalogError, match="keine Blätter 'KRT_<Baustein>'"):
        parse_krt(_workbook({"Tabelle1": [["a", "b"]]}), source="x.xlsx")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "krt2023_Excel.xlsx"
    with pytest.raises(CatalogError, match="nicht gefunden") as info:
        read_krt(path)
    assert str(path) in str(info.value)


def test_not_a_workbook(shared_catalogs: Path) -> None:
    path = shared_catalogs / XML
    with pytest.raises(CatalogError, match="Arbeitsmappe nicht lesbar: keine Excel-Arbeitsmappe") as info:
        read_krt(path)
    assert str(path) in str(info.value)
