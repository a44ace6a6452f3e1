"""Tests of the Grundschutz++ OSCAL catalog and profile readers."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from grundschutz.catalog import (
    Control,
    Link,
    OscalCatalog,
    Param,
    UnknownIdError,
    parse_oscal_catalog,
    read_oscal_catalog,
    read_oscal_profile,
)
from grundschutz.model.errors import CatalogError

LIB = "BSI-Bund_Stand-der-Technik-Bibliothek"
KERNEL = f"{LIB}/control_layer/Grundschutz++/sources/catalogs/Kernel/BSI-Stand-der-Technik-Kernel-catalog.json"
METHODIK = f"{LIB}/control_layer/Grundschutz++/sources/catalogs/Methodik-Grundschutz++/BSI-Methodik-Grundschutz++-catalog.json"
RISK = f"{LIB}/control_layer/Risikomanagement/BSI-Anforderungen-zum-Risikomanagement-catalog.json"
USER = f"{LIB}/Anwenderkataloge/Grundschutz++/Grundschutz++-catalog.json"
WLAN = f"{LIB}/control_layer/WLAN/WLAN-resolved_catalog.json"
PROFILE = f"{LIB}/control_layer/Grundschutz++/sources/profiles/Grundschutz++-profile.json"


@pytest.fixture(scope="module")
def kernel(shared_catalogs: Path) -> OscalCatalog:
    return read_oscal_catalog(shared_catalogs / KERNEL)


@pytest.fixture(scope="module")
def methodik(shared_catalogs: Path) -> OscalCatalog:
    return read_oscal_catalog(shared_catalogs / METHODIK)


@pytest.fixture(scope="module")
def risk(shared_catalogs: Path) -> OscalCatalog:
    return read_oscal_catalog(shared_catalogs / RISK)


@pytest.fixture(scope="module")
def user(shared_catalogs: Path) -> OscalCatalog:
    return read_oscal_catalog(shared_catalogs / USER)


@pytest.fixture(scope="module")
def wlan(shared_catalogs: Path) -> OscalCatalog:
    return read_oscal_catalog(shared_catalogs / WLAN)


def _modal(catalog: OscalCatalog) -> Counter:
    return Counter(c.modal_verb for c in catalog.controls.values())


def _sec(catalog: OscalCatalog) -> Counter:
    return Counter(c.sec_level for c in catalog.controls.values())


# --------------------------------------------------------------------------- Kernel


def test_kernel_counts(kernel: OscalCatalog) -> None:
    controls = kernel.controls.values()
    assert kernel.title == "BSI Stand der Technik Kernel"
    assert kernel.version.startswith("2026-07-29T06:41")
    assert kernel.oscal_version == "1.1.3"
    top = [g.id for g in kernel.groups.values() if g.parent_id is None]
    assert top == ["ASST", "PERS", "BES", "DLS", "TEST", "GEB", "SENS", "ARCH", "BER", "NOT", "DET", "REA", "KONF", "DEV"]
    assert len(kernel.controls) == 901
    assert sum(1 for c in controls if c.parent_id is None) == 596
    assert sum(1 for c in controls if c.parent_id is not None) == 305
    assert _sec(kernel) == {"normal-SdT": 674, "erhöht": 227}
    assert Counter(c.effort_level for c in controls) == {0: 69, 1: 44, 2: 166, 3: 275, 4: 158, 5: 189}
    assert sum(1 for c in controls if c.tags) == 461
    assert _modal(kernel) == {"SOLLTE": 608, "KANN": 224, "MUSS": 69}
    assert sum(1 for c in controls if c.target_categories) == 636
    assert Counter(link.rel for c in controls for link in c.links) == {"related": 164, "required": 44}
    assert sum(len(c.params) for c in controls) == 207
    # no G0 props in the plain Kernel
    assert all(c.confidentiality is None and c.threats == () for c in controls)


def test_kernel_target_categories_equal_the_vocabulary(kernel: OscalCatalog, shared_catalogs: Path) -> None:
    path = shared_catalogs / LIB / "documentation/namespaces/target_object_categories.csv"
    with open(path, encoding="utf-8") as fh:
        vocabulary = {row["Zielobjekt"] for row in csv.DictReader(fh)}
    assert len(vocabulary) == 39
    used = {cat for c in kernel.controls.values() for cat in c.target_categories}
    assert used == vocabulary
    assert kernel.control("GEB.3.4").target_categories == ("Nutzende", "Standorte")


def test_kernel_control_asst_1_1_1(kernel: OscalCatalog) -> None:
    control = kernel.control("ASST.1.1.1")
    assert isinstance(control, Control)
    assert control.title == "Dokumentation"
    assert control.control_class == "BSI-Stand-der-Technik-Kernel"
    assert control.alt_identifier == "a35e9d4f-11a0-4d7e-a3b6-e4e71d7c56ca"
    assert control.sec_level == "normal-SdT"
    assert control.effort_level == 0
    assert control.modal_verb == "MUSS"
    assert control.action_word == "dokumentieren"
    assert control.result == "die Verfahren und Regelungen"
    assert control.documentation == "IT-Betriebskonzept"
    assert control.statement == "Informationen und Assets MUSS die Verfahren und Regelungen dokumentieren."
    assert control.guidance.startswith("Ohne eine Dokumentation könnte")
    assert control.group_path == ("ASST", "ASST.1")
    assert control.parent_id == "ASST.1.1"
    assert [c.id for c in kernel.children_of("ASST.1.1")] == ["ASST.1.1.1", "ASST.1.1.2", "ASST.1.1.3"]


def test_kernel_params_tags_links(kernel: OscalCatalog) -> None:
    control = kernel.control("ASST.1.1.2")
    assert control.params == (Param("asst.1.1.2-prm1", "zuständigen Personen oder Rollen", ()),)
    assert "{{ insert: param, asst.1.1.2-prm1 }}" in control.statement_prose
    assert control.statement == (
        "Informationen und Assets MUSS die mit den Verfahren und Regelungen verbundenen Aufgaben "
        "[zuständigen Personen oder Rollen] zuweisen."
    )
    assert "{{" not in "".join(c.statement for c in kernel.controls.values())
    tagged = kernel.control("ASST.3.10")
    assert tagged.tags == ("Lieferketten", "Shadow IT")
    assert tagged.links == (Link("related", "#BES.2.2"),)
    assert tagged.linked("related") == ("BES.2.2",)
    assert kernel.control("ASST.5.4").linked("required") == ("TEST.1.1",)
    erhoeht = kernel.control("ASST.2.3.2.1")
    assert (erhoeht.sec_level, erhoeht.effort_level, erhoeht.modal_verb) == ("erhöht", 5, "KANN")
    assert erhoeht.group_path == ("ASST", "ASST.2") and erhoeht.parent_id == "ASST.2.3.2"
    # every link points at a control of the same catalog
    assert all(link.target in kernel.controls for c in kernel.controls.values() for link in c.links)


def test_groups(kernel: OscalCatalog) -> None:
    asst = kernel.groups["ASST"]
    assert asst.title == "Informationen und Assets"
    assert asst.subgroup_ids[:2] == ("ASST.1", "ASST.2")
    assert kernel.groups["ASST.2"].path == ("ASST", "ASST.2")
    assert kernel.groups["ASST.2"].control_ids == ("ASST.2.1", "ASST.2.2", "ASST.2.3", "ASST.2.4")
    assert len(kernel.controls_in_group("ASST")) == 58
    assert sum(len(kernel.controls_in_group(g)) for g in kernel.groups if kernel.groups[g].parent_id is None) == 901
    assert kernel.get("ASST") is asst
    with pytest.raises(UnknownIdError, match="'XYZ.1'"):
        kernel.control("XYZ.1")
    with pytest.raises(CatalogError, match="Gruppe 'XYZ'"):
        kernel.controls_in_group("XYZ")


# --------------------------------------------------------------------------- Methodik, Risikomanagement


def test_methodik(methodik: OscalCatalog) -> None:
    assert methodik.title == "BSI Methodik Grundschutz++"
    assert [g.id for g in methodik.groups.values() if g.parent_id is None] == ["GC", "STM", "UMS", "VRB", "PERF"]
    assert len(methodik.controls) == 95
    assert _sec(methodik) == {"normal-SdT": 95}
    assert _modal(methodik) == {"MUSS": 76, "SOLLTE": 19}


def test_risk(risk: OscalCatalog) -> None:
    assert risk.title == "BSI Anforderungen zum Risikomanagement"
    assert [g.id for g in risk.groups.values() if g.parent_id is None] == ["RISK"]
    assert list(risk.controls) == [f"RISK.1.{n}" for n in range(1, 11)]
    control = risk.control("RISK.1.1")
    assert control.title == "Methodik für das Risikomanagement"
    assert control.statement == "Risikomanagement MUSS einheitliche Methoden nach [einem anerkannten Standard] verankern."


# --------------------------------------------------------------------------- resolved user catalog


def test_user_catalog(user: OscalCatalog) -> None:
    controls = user.controls.values()
    assert user.title == "Anwenderkatalog Grundschutz++"
    assert user.version.startswith("2026-06-24")
    assert len([g for g in user.groups.values() if g.parent_id is None]) == 20
    assert len(user.controls) == 989
    assert Counter(c.control_class for c in controls) == {
        "BSI-Stand-der-Technik-Kernel": 890,
        "BSI-Methodik-Grundschutz-plus-plus": 95,
        "BSI-Anforderungen-zum-Risikomanagement": 4,
    }
    assert _sec(user) == {"normal-SdT": 762, "erhöht": 227}
    assert _modal(user) == {"SOLLTE": 616, "KANN": 224, "MUSS": 149}
    assert sum(1 for c in controls if c.target_categories) == 621
    assert all(c.confidentiality is None and c.threats == () for c in controls)
    # the profile's set-parameters are resolved into the statement
    assert user.control("GC.1.1").params[0].values == ("BSI Grundschutz++",)
    assert user.control("GC.1.1").statement == (
        "Governance und Compliance MUSS Verfahren und Regelungen zur Errichtung und "
        "Aufrechterhaltung eines ISMS nach BSI Grundschutz++ verankern."
    )


def test_user_catalog_is_older_than_head(
    user: OscalCatalog, kernel: OscalCatalog, methodik: OscalCatalog, risk: OscalCatalog, shared_catalogs: Path
) -> None:
    """README: vs. what the HEAD profile selects (1,000 controls), 18 ids only here, 29 only in HEAD."""
    profile = read_oscal_profile(shared_catalogs / PROFILE)
    risk_ids = set(profile.imports[1].include_ids)
    head = set(methodik.controls) | risk_ids | set(kernel.controls)  # Kernel stands in for Kernel-G0
    assert len(head) == 1000
    assert len(set(user.controls) - head) == 18
    assert len(head - set(user.controls)) == 29


# --------------------------------------------------------------------------- WLAN sample with G0 props


def test_wlan_g0_props(wlan: OscalCatalog) -> None:
    assert wlan.title == "Stand der Technik WLAN"
    assert len(wlan.controls) == 61
    assert all(c.control_class == "BSI-Stand-der-Technik-Kernel-G0" for c in wlan.controls.values())
    control = wlan.control("ASST.2.2")
    assert control.label == "WLAN.1.1"
    assert control.group_path == ("WLAN.1",)
    assert (control.confidentiality, control.integrity, control.availability, control.authenticity) == (1, 1, 2, 0)
    assert control.threats == ("G 0.16", "G 0.18", "G 0.17", "G 0.45")
    assert ("Taxonomy-L4", "CMDB") in control.props
    controls = wlan.controls.values()
    assert all(c.threats for c in controls)
    assert Counter(c.confidentiality for c in controls) == {2: 37, 1: 23, 0: 1}
    assert Counter(c.authenticity for c in controls) == {0: 42, 1: 19}
    assert Counter(t for c in controls for t in c.threats).most_common(1) == [("G 0.23", 39)]
    assert wlan.groups["WLAN.1"].group_class == "family"


def test_g0_value_out_of_range_is_reported() -> None:
    document = {
        "catalog": {
            "metadata": {"title": "T"},
            "groups": [{"id": "G", "title": "G", "controls": [
                {"id": "C.1", "title": "C", "props": [{"name": "confidentiality", "value": "3"}]}
            ]}],
        }
    }
    with pytest.raises(CatalogError, match="Control C.1: 'confidentiality' = '3'"):
        parse_oscal_catalog(json.dumps(document).encode(), source="t.json")


# --------------------------------------------------------------------------- profile


def test_profile(shared_catalogs: Path) -> None:
    profile = read_oscal_profile(shared_catalogs / PROFILE)
    assert profile.title == "Anwenderkatalog Grundschutz++"
    assert profile.version.startswith("2026-07-29")
    assert profile.merge_as_is is True
    assert profile.set_parameters == {
        "gc.1.1-prm1": ("BSI Grundschutz++",),
        "not.1.1.4-prm1": ("BSI-Standard 200-4",),
    }
    assert ("scope_implements_norm", "§ 44 Abs. 1 BSIG") in profile.props
    methodik, risk, kernel_g0 = profile.imports
    assert methodik.include_all and methodik.resource_href == "../catalogs/Methodik-Grundschutz++/BSI-Methodik-Grundschutz++-catalog.json"
    assert not risk.include_all
    assert risk.include_ids == ("RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10")
    assert risk.with_child_controls == "no"
    assert risk.resource_href.endswith("Risikomanagement/BSI-Anforderungen-zum-Risikomanagement-catalog.json")
    assert kernel_g0.include_all
    assert kernel_g0.resource_href == "../catalogs/Kernel/BSI-Stand-der-Technik-Kernel-G0-catalog.json"
    assert kernel_g0.href.startswith("#")


# --------------------------------------------------------------------------- API and wrong input


def test_frozen_and_pure(kernel: OscalCatalog, shared_catalogs: Path) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        kernel.control("ASST.1.1.1").effort_level = 3  # type: ignore[misc]
    assert parse_oscal_catalog((shared_catalogs / KERNEL).read_bytes()) == kernel


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    with pytest.raises(CatalogError, match="nicht gefunden") as info:
        read_oscal_catalog(path)
    assert str(path) in str(info.value)
    with pytest.raises(CatalogError, match="nicht gefunden") as info:
        read_oscal_profile(path)
    assert str(path) in str(info.value)


def test_wrong_documents(shared_catalogs: Path, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="kein OSCAL-Katalog.*profile") as info:
        read_oscal_catalog(shared_catalogs / PROFILE)
    assert str(shared_catalogs / PROFILE) in str(info.value)
    with pytest.raises(CatalogError, match="kein OSCAL-Profil.*catalog"):
        read_oscal_profile(shared_catalogs / RISK)
    with pytest.raises(CatalogError, match="keine gültige JSON-Datei"):
        read_oscal_catalog(shared_catalogs / "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml")
    broken = tmp_path / "broken.json"
    broken.write_text('{"catalog": {"groups": [{"title": "ohne id"}]}}', encoding="utf-8")
    with pytest.raises(CatalogError, match="unerwartet aufgebaut") as info:
        read_oscal_catalog(broken)
    assert str(broken) in str(info.value)
    array = tmp_path / "array.json"
    array.write_text("[]", encoding="utf-8")
    with pytest.raises(CatalogError, match="JSON-Objekt erwartet"):
        read_oscal_catalog(array)
