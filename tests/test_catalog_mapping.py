"""Tests of the reader for the BSI mapping Kompendium 2023 -> Grundschutz++."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from grundschutz.catalog import (
    MappingCollection,
    MappingEntry,
    parse_mapping,
    read_kompendium,
    read_mapping,
    read_oscal_catalog,
)
from grundschutz.model.errors import CatalogError

LIB = "BSI-Bund_Stand-der-Technik-Bibliothek"
MAPPING = f"{LIB}/control_layer/Mappings/IT-GS2023-zu-GSpp/ITGS-to-GS++-mapping_collection.json"
CATALOGS = (
    f"{LIB}/control_layer/Grundschutz++/sources/catalogs/Kernel/BSI-Stand-der-Technik-Kernel-catalog.json",
    f"{LIB}/control_layer/Grundschutz++/sources/catalogs/Methodik-Grundschutz++/BSI-Methodik-Grundschutz++-catalog.json",
    f"{LIB}/control_layer/Risikomanagement/BSI-Anforderungen-zum-Risikomanagement-catalog.json",
)


@pytest.fixture(scope="module")
def mapping(shared_catalogs: Path) -> MappingCollection:
    return read_mapping(shared_catalogs / MAPPING)


def test_metadata(mapping: MappingCollection) -> None:
    assert mapping.title == "GSMap OSCAL Mapping Collection"
    assert mapping.status == "draft"
    assert mapping.method == "human"
    assert mapping.target_catalogs == ("BSI Stand der Technik Kernel", "BSI Methodik Grundschutz++")


def test_counts(mapping: MappingCollection) -> None:
    assert len(mapping) == 1185
    assert Counter(e.target_catalog for e in mapping) == {
        "BSI Stand der Technik Kernel": 1013,
        "BSI Methodik Grundschutz++": 172,
    }
    assert mapping.relationship_counts() == {
        "subset-of": 464,
        "intersects-with": 395,
        "superset-of": 187,
        "equivalent-to": 118,
        "equal-to": 21,
    }
    assert len({e.source_id for e in mapping}) == 824
    assert all(e.sub_requirement is not None for e in mapping)
    assert len(mapping.requirement_ids()) == 510
    assert len(mapping.target_ids()) == 339
    assert sum(len(e.threats) for e in mapping) == 3647
    assert sum(1 for e in mapping if e.cia) == 207
    assert len({e.uuid for e in mapping}) == 1185


def test_sources_are_active_requirements(mapping: MappingCollection, shared_catalogs: Path) -> None:
    kompendium = read_kompendium(shared_catalogs / "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml")
    assert all(kompendium.requirement(rid).active for rid in mapping.requirement_ids())
    active = sum(1 for r in kompendium.requirements.values() if r.active)
    assert round(100 * len(mapping.requirement_ids()) / active) == 28  # README: 28 %


def test_targets_missing_from_current_catalogs(mapping: MappingCollection, shared_catalogs: Path) -> None:
    current = set()
    for path in CATALOGS:
        current |= set(read_oscal_catalog(shared_catalogs / path).controls)
    missing = mapping.target_ids() - current
    assert len(missing) == 17
    assert {"KONF.11.9", "GC.6.1.1", "VRB.1.2"} <= missing


def test_first_entry(mapping: MappingCollection) -> None:
    entry = mapping.entries[0]
    assert isinstance(entry, MappingEntry)
    assert entry.uuid == "1d8cc717-b1d3-5aa4-8e52-11c9c5fd8639"
    assert entry.source_id == "APP.3.6.A1-UA.2"
    assert entry.requirement_id == "APP.3.6.A1"
    assert entry.sub_requirement == 2
    assert entry.target_id == "ARCH.1.1"
    assert entry.relationship == "subset-of"
    assert entry.threats == ("G 0.18",)
    assert entry.cia == frozenset()
    assert not entry.relationship_defaulted
    assert ("itgs_id", "APP.3.6.A1-UA.2") in entry.props
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.relationship = "equal-to"  # type: ignore[misc]


def test_app_1_1_a15(mapping: MappingCollection) -> None:
    entries = mapping.for_requirement("APP.1.1.A15")
    assert [(e.source_id, e.target_id, e.relationship) for e in entries] == [
        ("APP.1.1.A15-UA.1", "KONF.11.9", "superset-of"),
        ("APP.1.1.A15-UA.1", "KONF.14.1", "intersects-with"),
    ]
    assert all(e.cia == frozenset("CI") for e in entries)
    assert all(e.threats == ("G 0.14", "G 0.19", "G 0.22", "G 0.46") for e in entries)
    assert [e.relationship_defaulted for e in entries] == [False, True]
    assert sum(e.relationship_defaulted for e in mapping) == 156


def test_for_control_and_entry(mapping: MappingCollection) -> None:
    entries = mapping.for_control("ARCH.1.1")
    assert entries and all(e.target_id == "ARCH.1.1" for e in entries)
    assert sum(len(mapping.for_control(t)) for t in mapping.target_ids()) == 1185
    assert mapping.entry("1d8cc717-b1d3-5aa4-8e52-11c9c5fd8639") is mapping.entries[0]
    with pytest.raises(KeyError):
        mapping.entry("nope")


def _collection(maps: list[dict]) -> bytes:
    return json.dumps(
        {"mapping-collection": {"metadata": {"title": "T"}, "mappings": [{"maps": maps}]}}
    ).encode()


def _map(**overrides) -> dict:
    item = {
        "uuid": "u1",
        "relationship": "equal-to",
        "props": [{"name": "cia", "value": "A"}, {"name": "elementare_gefaehrdung", "value": "G 0.9: Ausfall"}],
        "sources": [{"type": "control", "id-ref": "OPS.2.3A22-UA.1"}],
        "targets": [{"type": "control", "id-ref": "NOT.1.1"}],
    }
    item.update(overrides)
    return item


def test_small_collection() -> None:
    collection = parse_mapping(_collection([_map()]))
    entry = collection.entries[0]
    assert entry.requirement_id == "OPS.2.3.A22"
    assert entry.source_id == "OPS.2.3A22-UA.1"
    assert (entry.cia, entry.threats) == (frozenset("A"), ("G 0.9",))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"relationship": "similar-to"}, "unbekannte Beziehung 'similar-to'"),
        ({"sources": [{"id-ref": "Foo-UA.1"}]}, "'Foo-UA.1' ist keine Kompendium-Anforderung"),
        ({"targets": []}, "genau eine Quelle und ein Ziel"),
        ({"props": [{"name": "cia", "value": "X"}]}, "unerwarteter CIA-Wert"),
        ({"props": [{"name": "elementare_gefaehrdung", "value": "Feuer"}]}, "unerwartete Gefährdung"),
    ],
)
def test_bad_maps_are_reported(overrides: dict, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as info:
        parse_mapping(_collection([_map(**overrides)]), source="m.json")
    assert str(info.value).startswith("m.json, Map 1: ")


def test_wrong_files(shared_catalogs: Path, tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    with pytest.raises(CatalogError, match="nicht gefunden") as info:
        read_mapping(path)
    assert str(path) in str(info.value)
    catalog = shared_catalogs / CATALOGS[2]
    with pytest.raises(CatalogError, match="keine OSCAL-Mapping-Collection") as info:
        read_mapping(catalog)
    assert str(catalog) in str(info.value)
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(CatalogError, match="keine gültige JSON-Datei"):
        read_mapping(path)
