"""Tests of the Kompendium 2023 DocBook XML parser, on the official file and on small samples."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from grundschutz.catalog import (
    Baustein,
    Kompendium,
    Requirement,
    Threat,
    UnknownIdError,
    parse_kompendium,
    read_kompendium,
)
from grundschutz.model.errors import CatalogError

DATA = Path(__file__).parent / "data" / "catalog"
XML = "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml"


@pytest.fixture(scope="module")
def kompendium(shared_catalogs: Path) -> Kompendium:
    """The official Kompendium, parsed once for this module."""
    return read_kompendium(shared_catalogs / XML)


# --------------------------------------------------------------------------- counts (README)


def test_layers_and_baustein_counts(kompendium: Kompendium) -> None:
    per_layer = {layer.id: len(layer.baustein_ids) for layer in kompendium.layers.values()}
    assert per_layer == {
        "ISMS": 1, "ORP": 5, "CON": 9, "OPS": 14, "DER": 7,
        "APP": 20, "SYS": 25, "IND": 7, "NET": 11, "INF": 12,
    }
    assert list(per_layer) == ["ISMS", "ORP", "CON", "OPS", "DER", "APP", "SYS", "IND", "NET", "INF"]
    assert len(kompendium.bausteine) == 111
    assert kompendium.layers["APP"].title == "Anwendungen"
    assert kompendium.layers["APP"].kind == "System"
    assert kompendium.layers["DER"].kind == "Prozess"
    kinds = Counter(kompendium.layers[b.layer].kind for b in kompendium.bausteine.values())
    assert kinds == {"Prozess": 36, "System": 75}
    for layer in kompendium.layers.values():
        assert all(kompendium.bausteine[b].layer == layer.id for b in layer.baustein_ids)


def test_requirement_counts(kompendium: Kompendium) -> None:
    requirements = list(kompendium.requirements.values())
    assert len(requirements) == 2125
    active = Counter(r.level for r in requirements if not r.withdrawn)
    withdrawn = Counter(r.level for r in requirements if r.withdrawn)
    assert sum(active.values()) == 1835
    assert active == {"B": 563, "S": 867, "H": 405}
    assert sum(withdrawn.values()) == 290
    assert withdrawn == {"B": 89, "S": 147, "H": 54}


def test_active_requirements_per_layer(kompendium: Kompendium) -> None:
    per_layer = Counter(
        kompendium.bausteine[r.baustein].layer for r in kompendium.requirements.values() if r.active
    )
    assert per_layer == {
        "SYS": 460, "APP": 301, "OPS": 247, "NET": 227, "INF": 219,
        "DER": 128, "CON": 114, "IND": 69, "ORP": 54, "ISMS": 16,
    }


def test_requirement_ids_belong_to_their_baustein(kompendium: Kompendium) -> None:
    listed = [rid for b in kompendium.bausteine.values() for rid in b.requirement_ids]
    assert sorted(listed) == sorted(kompendium.requirements)
    for baustein in kompendium.bausteine.values():
        for requirement in kompendium.requirements_of(baustein.id):
            assert requirement.baustein == baustein.id
            assert requirement.id.startswith(baustein.id + ".A")


def test_role_counts(kompendium: Kompendium) -> None:
    with_roles = [r for r in kompendium.requirements.values() if r.roles]
    assert len(with_roles) == 570
    assert len({role for r in with_roles for role in r.roles}) == 27


def test_elementary_threats(kompendium: Kompendium) -> None:
    assert list(kompendium.threats) == [f"G 0.{n}" for n in range(1, 48)]
    assert kompendium.threat("G 0.1").title == "Feuer"
    assert kompendium.threat("G 0.18").title == "Fehlplanung oder fehlende Anpassung"
    assert kompendium.threat("G 0.11").title == "Ausfall oder Störung von Dienstleistungsunternehmen"
    assert kompendium.threat("G 0.47").title == "Schädliche Seiteneffekte IT-gestützter Angriffe"
    assert kompendium.threat("G 0.1").text.startswith("Feuer können schwere Schäden an Menschen")
    # list items of the description are kept as lines
    assert "\n- " in kompendium.threat("G 0.18").text
    assert all(t.text for t in kompendium.threats.values())


def test_modelling_table(kompendium: Kompendium) -> None:
    bausteine = kompendium.bausteine.values()
    assert all(b.order is not None and b.target_type is not None for b in bausteine)
    assert Counter(b.order for b in bausteine) == {"R1": 15, "R2": 80, "R3": 16}
    assert Counter(b.target_type for b in bausteine) == {
        "Informationsverbund/übergeordnete Aspekte": 39,
        "IT-System": 38,
        "Anwendung": 20,
        "Gebäude/Raum": 11,
        "Netz": 3,
    }
    assert (kompendium.baustein("ISMS.1").order, kompendium.baustein("ISMS.1").target_type) == (
        "R1",
        "Informationsverbund/übergeordnete Aspekte",
    )
    assert (kompendium.baustein("APP.1.1").order, kompendium.baustein("APP.1.1").target_type) == (
        "R2",
        "Anwendung",
    )
    assert kompendium.baustein("INF.11").order == "R3"
    assert kompendium.baustein("INF.11").target_type == "Gebäude/Raum"


# --------------------------------------------------------------------------- spot checks


def test_app_1_1_a15(kompendium: Kompendium) -> None:
    requirement = kompendium.requirement("APP.1.1.A15")
    assert requirement == Requirement(
        id="APP.1.1.A15",
        baustein="APP.1.1",
        title="Einsatz von Verschlüsselung und Digitalen Signaturen",
        level="H",
        withdrawn=False,
        roles=(),
        text=(
            "Daten mit erhöhtem Schutzbedarf SOLLTEN nur verschlüsselt gespeichert bzw. übertragen "
            "werden. Bevor ein in ein Office-Produkt integriertes Verschlüsselungsverfahren genutzt "
            "wird, SOLLTE geprüft werden, ob es einen ausreichenden Schutz bietet. Zusätzlich SOLLTE "
            "ein Verfahren eingesetzt werden, mit dem Makros und Dokumente digital signiert werden "
            "können."
        ),
    )
    # no CIA letters in the XML of Edition 2023: they come from the KRT
    assert requirement.cia == frozenset() and requirement.threats == ()
    assert not kompendium.cross_reference_applied


def test_ops_2_3_a22_typo_is_normalised(kompendium: Kompendium) -> None:
    requirement = kompendium.requirement("OPS.2.3.A22")
    assert requirement.title == "Durchführung von gemeinsamen Notfall- und Krisenübungen"
    assert requirement.level == "H"
    assert requirement.roles == ("Notfallbeauftragte",)
    assert "OPS.2.3A22" not in kompendium.requirements
    assert kompendium.requirement("OPS.2.3A22") is requirement  # the typo is accepted as input
    assert "OPS.2.3.A22" in kompendium.baustein("OPS.2.3").requirement_ids


def test_role_with_comma_in_parentheses_is_one_role(kompendium: Kompendium) -> None:
    ot = "OT-Betrieb (Operational Technology, OT)"
    with_ot = [r for r in kompendium.requirements.values() if ot in r.roles]
    assert len(with_ot) == 26
    for requirement in kompendium.requirements.values():
        assert "OT)" not in requirement.roles and "OT-Betrieb (Operational Technology" not in requirement.roles
    mixed = [r for r in with_ot if len(r.roles) > 1]
    assert mixed, "some requirements name OT-Betrieb together with another role"
    assert all(len(r.roles) == len(set(r.roles)) for r in mixed)


def test_requirement_roles(kompendium: Kompendium) -> None:
    assert kompendium.requirement("APP.1.1.A3").roles == ("Benutzende",)
    assert kompendium.requirement("ISMS.1.A1").roles == ("Institutionsleitung",)
    assert kompendium.requirement("APP.1.1.A2").roles == ()


def test_withdrawn_requirement(kompendium: Kompendium) -> None:
    requirement = kompendium.requirement("APP.1.1.A1")
    assert requirement.withdrawn and not requirement.active
    assert requirement.title == "ENTFALLEN"
    assert requirement.level == "B"
    assert requirement.text == "Diese Anforderung ist entfallen."
    all_ = kompendium.requirements_of("APP.1.1")
    active = kompendium.requirements_of("APP.1.1", include_withdrawn=False)
    assert len(all_) == 17 and len(active) == 11
    assert requirement in all_ and requirement not in active


def test_baustein_app_1_1(kompendium: Kompendium) -> None:
    baustein = kompendium.baustein("APP.1.1")
    assert isinstance(baustein, Baustein)
    assert baustein.title == "Office-Produkte"
    assert baustein.layer == "APP"
    assert baustein.responsible_role == "IT-Betrieb"
    assert baustein.further_roles == ("Benutzende",)
    assert baustein.roles == ("IT-Betrieb", "Benutzende")
    assert baustein.description.startswith("Die Gruppe der Office-Produkte umfasst")
    # emphasis-wrapped text is kept, with the blanks between words
    assert "übergeordneten Bausteins APP.6 Allgemeine Software umgesetzt" in baustein.scope
    assert "APP.5.3 Allgemeiner E-Mail-Client und -Server zu finden" in baustein.scope
    assert [t.title for t in baustein.threats] == [
        "Fehlende Anpassung der Office-Produkte an den Bedarf der Institution",
        "Schädliche Inhalte in Office-Dokumenten",
        "Integritätsverlust von Office-Dokumenten",
    ]
    assert baustein.requirement_ids[:5] == (
        "APP.1.1.A1", "APP.1.1.A2", "APP.1.1.A3", "APP.1.1.A4", "APP.1.1.A17",
    )


def test_baustein_roles(kompendium: Kompendium) -> None:
    bausteine = kompendium.bausteine.values()
    assert all(b.responsible_role for b in bausteine)
    assert Counter(b.responsible_role for b in bausteine)["IT-Betrieb"] == 65
    # "Weitere Zuständigkeiten: Keine" is no role
    assert sum(1 for b in bausteine if not b.further_roles) == 24
    assert all("Keine" not in b.roles for b in bausteine)
    # the six IND Bausteine use the singular table header "Zuständigkeit | Rolle"
    assert all(b.responsible_role for b in kompendium.bausteine_of("IND"))
    ind_2_1 = kompendium.baustein("IND.2.1")
    assert ind_2_1.responsible_role == "ICS-Informationssicherheitsbeauftragte"
    # comma inside parentheses on Baustein level, too
    assert "OT-Betrieb (Operational Technology, OT)" in kompendium.baustein("IND.1").further_roles


def test_text_normalisation(kompendium: Kompendium) -> None:
    for requirement in kompendium.requirements.values():
        assert requirement.text, requirement.id
        assert "\r" not in requirement.text
        for line in requirement.text.split("\n"):
            assert line == line.rstrip() and "  " not in line.lstrip(), requirement.id
        assert requirement.title == " ".join(requirement.title.split())
    # a requirement with a bullet list (CON.11.1.A1)
    text = kompendium.requirement("CON.11.1.A1").text
    assert "\n- Risiken eines Angriffs reduzieren (Prävention)," in text


def test_baustein_specific_threats(kompendium: Kompendium, shared_catalogs: Path) -> None:
    """The 701 threats of the sections "Gefährdungslage" agree with gefaehrdungen.csv."""
    ours = Counter(
        (b.id, t.title) for b in kompendium.bausteine.values() for t in b.threats
    )
    assert sum(ours.values()) == 701
    with open(shared_catalogs / "sec-6_bsi-gefaehrdungen/gefaehrdungen.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["Kürzel", "Baustein-Name / Typ", "Gefährdung", "Beschreibung"]
    # the Baustein id is split over the first two columns: "ORP" + "1 Organisation"
    theirs = Counter(
        (f"{row[0]}.{row[1].split(' ', 1)[0]}", " ".join(row[2].split()))
        for row in rows[1:]
        if row[0] != "G"
    )
    assert ours == theirs


def test_cross_check_with_pdf_extraction(kompendium: Kompendium, shared_catalogs: Path) -> None:
    """Independent PDF-based JSON (Vorgebirge): same ids, levels, ENTFALLEN, order, roles."""
    data = json.loads((shared_catalogs / "Vorgebirge_IT-Grundschutz/IT-GS-Kompendium_ed241012.json").read_text("utf-8"))
    bausteine, requirements = data[2], data[3]
    assert set(requirements) == set(kompendium.requirements)
    level = {"Basis": "B", "Standard": "S", "Erhöhter Schutzbedarf": "H"}
    for rid, requirement in kompendium.requirements.items():
        theirs = requirements[rid]
        assert level[theirs["level"]] == requirement.level, rid
        assert (theirs["name"] == "ENTFALLEN") == requirement.withdrawn, rid
        assert theirs["rollen"] == ", ".join(requirement.roles), rid
    differing = {rid for rid, r in kompendium.requirements.items() if requirements[rid]["name"] != r.title}
    assert differing == {"OPS.1.1.7.A15", "NET.4.3.A8"}  # README: 2 titles differ slightly
    assert set(bausteine) == set(kompendium.bausteine)
    for bid, baustein in kompendium.bausteine.items():
        assert bausteine[bid]["reihenfolge"] == baustein.order, bid
        assert bausteine[bid]["zustaendiger"] == baustein.responsible_role, bid
        further = bausteine[bid]["weitere_zustaendige"]
        assert (further if further != "Keine" else "") == ", ".join(baustein.further_roles), bid


def test_threats_agree_with_basethreats_csv(kompendium: Kompendium, shared_catalogs: Path) -> None:
    path = shared_catalogs / "BSI-Bund_Stand-der-Technik-Bibliothek/documentation/namespaces/basethreats.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["ID"] for row in rows] == list(kompendium.threats)
    differing = {row["ID"] for row in rows if row["Begriff"] != kompendium.threats[row["ID"]].title}
    assert differing == {"G 0.11"}


# --------------------------------------------------------------------------- API behaviour


def test_get_and_unknown_ids(kompendium: Kompendium) -> None:
    assert kompendium.get("APP") is kompendium.layers["APP"]
    assert kompendium.get("APP.1.1") is kompendium.bausteine["APP.1.1"]
    assert kompendium.get(" APP.1.1.A15 ") is kompendium.requirements["APP.1.1.A15"]
    assert isinstance(kompendium.get("G0.18"), Threat)
    assert "APP.1.1.A15" in kompendium and "APP.99.A1" not in kompendium
    with pytest.raises(UnknownIdError, match="'APP.99.A1'") as info:
        kompendium.get("APP.99.A1")
    assert isinstance(info.value, CatalogError) and isinstance(info.value, KeyError)
    assert str(info.value).startswith("'APP.99.A1' ist weder")
    with pytest.raises(KeyError):
        kompendium.requirement("APP.1.1.A99")
    with pytest.raises(CatalogError, match="Baustein 'APP.99'"):
        kompendium.requirements_of("APP.99")
    with pytest.raises(CatalogError, match="G 0.48"):
        kompendium.threat("G 0.48")


def test_dataclasses_are_frozen(kompendium: Kompendium) -> None:
    requirement = kompendium.requirement("APP.1.1.A15")
    with pytest.raises(dataclasses.FrozenInstanceError):
        requirement.level = "B"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kompendium.bausteine = {}  # type: ignore[misc]
    assert hash(requirement) == hash(dataclasses.replace(requirement))


def test_parse_is_pure(shared_catalogs: Path, kompendium: Kompendium) -> None:
    """Parsing the same bytes again gives an equal Kompendium (speed: benchmarks/bench_catalog.py)."""
    data = (shared_catalogs / XML).read_bytes()
    assert data.count(b"\r\n") > 1000  # the official file has CRLF line endings
    assert parse_kompendium(data) == kompendium
    # LF line endings (the MKSacc/ISMS-Tool copy) give the same result
    assert parse_kompendium(data.replace(b"\r\n", b"\n")) == kompendium


# --------------------------------------------------------------------------- small samples


def _sample(body: str, newline: str = "\n") -> bytes:
    """A minimal DocBook Kompendium with one layer and one Baustein."""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<book xmlns="http://docbook.org/ns/docbook" version="5.0">
<chapter><title>Schichtenmodell und Modellierung</title>
<informaltable><thead><tr><td><para>Baustein</para></td><td><para>Reihenfolge</para></td>
<td><para>Anzuwenden auf Zielobjekttyp</para></td></tr></thead>
<tbody><tr><td><para>OPS.2.3 Nutzung von Outsourcing</para></td><td><para>R1</para></td>
<td><para>Informationsverbund/übergeordnete Aspekte</para></td></tr></tbody></informaltable>
</chapter>
<chapter><title>Elementare Gefährdungen</title>
<section><title>G 0.1 Feuer</title><para>Feuer <emphasis role="color:#000000">brennt</emphasis>.</para></section>
</chapter>
<chapter><title>OPS Betrieb</title>
<section><title>OPS.2.3 Nutzung von Outsourcing</title>
<section><title>Beschreibung</title><section><title>Einleitung</title><para>Kurz.</para></section></section>
<section><title>Anforderungen</title>
<informaltable><tbody>
<tr><td><para>Grundsätzlich zuständig</para></td><td><para>IT-Betrieb</para></td></tr>
<tr><td><para>Weitere Zuständigkeiten</para></td><td><para>Keine</para></td></tr>
</tbody></informaltable>
{body}
</section></section></chapter></book>"""
    return text.replace("\n", newline).encode("utf-8")


SAMPLE_BODY = """<section><title>Basis-Anforderungen</title>
<section><title>OPS.2.3.A1 ENTFALLEN (B)</title><para>Diese Anforderung ist entfallen.</para></section>
</section>
<section><title>Anforderungen bei erhöhtem Schutzbedarf</title>
<section><title>OPS.2.3A22 Durchführung von
  gemeinsamen Übungen (H) [Notfallbeauftragte, OT-Betrieb (Operational Technology, OT)] </title>
<para><emphasis role="color:#000000">Übungen</emphasis><emphasis role="color:#000000"> SOLLTEN</emphasis>
stattfinden.</para>
<itemizedlist><listitem><para>erstens</para></listitem><listitem><para>zweitens</para></listitem></itemizedlist>
</section></section>"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_sample_quirks(newline: str) -> None:
    kompendium = parse_kompendium(_sample(SAMPLE_BODY, newline))
    assert list(kompendium.requirements) == ["OPS.2.3.A1", "OPS.2.3.A22"]
    requirement = kompendium.requirement("OPS.2.3.A22")
    assert requirement.title == "Durchführung von gemeinsamen Übungen"
    assert requirement.level == "H" and not requirement.withdrawn
    assert requirement.roles == ("Notfallbeauftragte", "OT-Betrieb (Operational Technology, OT)")
    assert requirement.text == "Übungen SOLLTEN stattfinden.\n- erstens\n- zweitens"
    assert kompendium.requirement("OPS.2.3.A1").withdrawn
    baustein = kompendium.baustein("OPS.2.3")
    assert baustein.roles == ("IT-Betrieb",) and baustein.further_roles == ()
    assert (baustein.order, baustein.description) == ("R1", "Kurz.")
    assert kompendium.threat("G 0.1").text == "Feuer brennt."


def test_level_mismatch_is_reported() -> None:
    body = SAMPLE_BODY.replace("(H) [Notfall", "(S) [Notfall")
    with pytest.raises(CatalogError, match=r"OPS.2.3.A22 \(S\)"):
        parse_kompendium(_sample(body), source="sample.xml")


def test_unparseable_requirement_title_is_reported() -> None:
    body = SAMPLE_BODY.replace("OPS.2.3.A1 ENTFALLEN (B)", "OPS.2.3.A1 ohne Stufe")
    with pytest.raises(CatalogError, match="sample.xml: .*'OPS.2.3.A1 ohne Stufe'"):
        parse_kompendium(_sample(body), source="sample.xml")


# --------------------------------------------------------------------------- hostile and wrong input


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_declarations_are_refused(name: str) -> None:
    path = DATA / name
    with pytest.raises(CatalogError) as info:
        read_kompendium(path)
    message = str(info.value)
    assert str(path) in message
    assert "XML mit DTD/Entity-Deklaration abgelehnt" in message  # refused by us, not by expat limits
    assert "root:" not in message  # nothing of /etc/passwd


def test_small_internal_entity_is_refused_not_expanded() -> None:
    """Even a harmless-looking entity is refused: no DTD processing at all."""
    data = _sample(SAMPLE_BODY).replace(
        b"<book ", b'<!DOCTYPE book [<!ENTITY firma "Stadt Haan">]>\n<book ', 1
    ).replace(b"Kurz.", b"&firma;", 1)
    with pytest.raises(CatalogError, match="DTD/Entity-Deklaration abgelehnt"):
        parse_kompendium(data, source="entity.xml")
    # the same document without the DTD parses
    assert parse_kompendium(_sample(SAMPLE_BODY)).baustein("OPS.2.3").description == "Kurz."


def test_entity_reference_without_declaration_is_an_error() -> None:
    data = b'<book xmlns="http://docbook.org/ns/docbook"><chapter><title>&xxe;</title></chapter></book>'
    with pytest.raises(CatalogError, match="keine gültige XML-Datei"):
        parse_kompendium(data, source="x.xml")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "fehlt" / "XML_Kompendium_2023.xml"
    with pytest.raises(CatalogError, match="nicht gefunden") as info:
        read_kompendium(path)
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="Verzeichnis") as info:
        read_kompendium(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_not_xml() -> None:
    path = DATA / "not_xml.csv"
    with pytest.raises(CatalogError, match="keine gültige XML-Datei") as info:
        read_kompendium(path)
    assert str(path) in str(info.value)


def test_xml_that_is_not_the_kompendium(tmp_path: Path, shared_catalogs: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_bytes(b"<?xml version='1.0'?><catalog><item/></catalog>")
    with pytest.raises(CatalogError, match="kein DocBook-Kompendium") as info:
        read_kompendium(path)
    assert str(path) in str(info.value)
    empty_book = tmp_path / "book.xml"
    empty_book.write_bytes(b'<book xmlns="http://docbook.org/ns/docbook"><chapter><title>x</title></chapter></book>')
    with pytest.raises(CatalogError, match="Elementare Gefährdungen"):
        read_kompendium(empty_book)
    # a JSON catalog passed by mistake
    with pytest.raises(CatalogError, match="keine gültige XML-Datei"):
        read_kompendium(shared_catalogs / "BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Grundschutz++/sources/profiles/Grundschutz++-profile.json")
