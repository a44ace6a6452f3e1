"""A small catalog in the official formats, built by the test suite itself.

The official BSI files are not part of the repository, so on a fresh clone the
catalog-dependent code paths would not run. :func:`build_small_catalog` writes
a made-up catalog in the same formats and at the same relative paths as the
official files (``catalogs/sources.yaml``), plus a sources file pinning its own
SHA-256 sums, so that it can be installed with
``grundschutz catalog install DIR --sources DIR/sources-test.yaml``:

- the Kompendium as DocBook 5.0 XML with CRLF line endings: the modelling
  table, 47 elementary threats, ten layer chapters and one Baustein for every
  Baustein id the toolkit's modelling rules name (ids real, titles and texts
  made up), each with the requirements ``A1`` (B), ``A2`` (B, ENTFALLEN),
  ``A3`` (S) and ``A4`` (H, with roles), and the quirks the real file has
  (:data:`QUIRKS`);
- the Kreuzreferenztabellen as an ``.xlsx`` workbook, one sheet per Baustein,
  with the quirks of the official workbook (ids with a trailing space, a cell
  holding one space, trailing empty columns and rows, an ENTFALLEN requirement
  with a mark);
- the 47 elementary threats (``basethreats.csv``) and the Zielobjekt-Kategorien
  (``target_object_categories.csv``) with a hierarchy;
- Grundschutz++ in OSCAL: the Kernel, Methodik and Risikomanagement source
  catalogs, the profile importing them (the Kernel-G0 catalog it names is
  missing, as in the real folder), the resolved user catalog, the WLAN sample
  with G0 props, and the mapping Kompendium -> Grundschutz++.

:func:`write_small_assessment` adds the optional files of an assessment
(``modelling.csv``, ``check.csv``, ``risks.csv``, a scenario) that refer to
this catalog, on top of ``tests/data/small``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

#: Relative paths of the files, as in ``catalogs/sources.yaml``.
XML = "sec-6_bsi-gefaehrdungen/XML_Kompendium_2023.xml"
KRT = "sarnold0322_BSI-Grundschutz-Tools/xlsx/krt2023_Excel.xlsx"
_BIB = "BSI-Bund_Stand-der-Technik-Bibliothek"
BASETHREATS = f"{_BIB}/documentation/namespaces/basethreats.csv"
CATEGORIES = f"{_BIB}/documentation/namespaces/target_object_categories.csv"
KERNEL = f"{_BIB}/control_layer/Grundschutz++/sources/catalogs/Kernel/BSI-Stand-der-Technik-Kernel-catalog.json"
METHODIK = (f"{_BIB}/control_layer/Grundschutz++/sources/catalogs/Methodik-Grundschutz++/"
            "BSI-Methodik-Grundschutz++-catalog.json")
RISK = f"{_BIB}/control_layer/Risikomanagement/BSI-Anforderungen-zum-Risikomanagement-catalog.json"
PROFILE = f"{_BIB}/control_layer/Grundschutz++/sources/profiles/Grundschutz++-profile.json"
USER_CATALOG = f"{_BIB}/Anwenderkataloge/Grundschutz++/Grundschutz++-catalog.json"
MAPPING = f"{_BIB}/control_layer/Mappings/IT-GS2023-zu-GSpp/ITGS-to-GS++-mapping_collection.json"
WLAN = f"{_BIB}/control_layer/WLAN/WLAN-resolved_catalog.json"
#: The test sources file written next to the catalog.
SOURCES_FILE = "sources-test.yaml"

LAYERS = {
    "ISMS": "Sicherheitsmanagement", "ORP": "Organisation und Personal", "CON": "Konzepte und Vorgehensweisen",
    "OPS": "Betrieb", "DER": "Detektion und Reaktion", "APP": "Anwendungen", "SYS": "IT-Systeme",
    "IND": "Industrielle IT", "NET": "Netze und Kommunikation", "INF": "Infrastruktur",
}
_TARGET_TYPES = {"APP": "Anwendung", "SYS": "IT-System", "IND": "IT-System", "NET": "Netz", "INF": "Gebäude/Raum"}
#: CIA letters of the H requirement ``A4``, by position of the Baustein.
_CIA = ("CIA", "C", "I", "A", "CI", "IA", "CA")
#: What the small catalog reproduces of the official files' peculiarities.
QUIRKS = {
    "typo": "OPS.2.3A22: the dot before the A is missing in the requirement title (OPS.2.3.A22)",
    "roles": "OPS.2.3.A22 names 'OT-Betrieb (Operational Technology, OT)': a role with a comma inside",
    "singular": "CON.7 has the section 'Basis-Anforderung' (singular)",
    "numbered": "OPS.1.1.1 has the section '2 Weiterführende Informationen'",
    "ind-roles": "the IND Bausteine have the role table header 'Zuständigkeit | Rolle'",
    "emphasis": "texts wrapped in <emphasis role='color:#000000'>",
    "crlf": "CRLF line endings",
    "krt-space": "KRT ids with a trailing space (APP.1.1.A1 , CON.7.A3 )",
    "krt-blank": "a KRT cell holding a single space (SYS.1.1.A3)",
    "krt-withdrawn": "a KRT mark on an ENTFALLEN requirement (SYS.1.1.A2)",
}


def baustein_ids() -> list[str]:
    """Every Baustein id the toolkit's modelling rules name (the small catalog has exactly these)."""
    from grundschutz.catalog.modelling_rules import read_modelling_rules

    rules = read_modelling_rules()
    ids = {b for rule in rules.rules for b in rule.bausteine} | {"OPS.2.3"}
    return sorted(ids, key=_id_key)


def scope_quotes() -> dict[str, list[str]]:
    """The quotes the modelling rules take from each Baustein's "Abgrenzung und Modellierung"
    (the small catalog's sections hold exactly these, so that the rules validate against it)."""
    from grundschutz.catalog.modelling_rules import read_modelling_rules

    quotes: dict[str, list[str]] = {}
    for rule in read_modelling_rules().rules:
        for quote in rule.scope:
            found = quotes.setdefault(quote.quoted_from, [])
            if quote.quote not in found:
                found.append(quote.quote)
    return quotes


def category_names() -> list[str]:
    """Every Zielobjekt-Kategorie the toolkit's Grundschutz++ rules name."""
    from grundschutz.catalog.rules import read_gspp_rules

    return sorted({c for rule in read_gspp_rules().rules for c in rule.categories})


def _id_key(baustein: str) -> tuple:
    layer, *numbers = baustein.split(".")
    return (list(LAYERS).index(layer), *(int(n) for n in numbers))


def requirements_of(baustein: str, position: int = 0) -> list[dict]:
    """The requirements of a Baustein of the small catalog: id, level, title, withdrawn, roles, cia."""
    rows = [
        {"id": f"{baustein}.A1", "level": "B", "title": f"Grundregel für {baustein}", "withdrawn": False,
         "roles": "", "cia": ""},
        {"id": f"{baustein}.A2", "level": "B", "title": "ENTFALLEN", "withdrawn": True, "roles": "", "cia": ""},
        {"id": f"{baustein}.A3", "level": "S", "title": f"Standardregel für {baustein}", "withdrawn": False,
         "roles": "IT-Betrieb", "cia": ""},
        {"id": f"{baustein}.A4", "level": "H", "title": f"Zusatzregel für {baustein}", "withdrawn": False,
         "roles": "ISB, Fachverantwortliche", "cia": _CIA[position % len(_CIA)]},
    ]
    if baustein == "OPS.2.3":
        rows.append({"id": "OPS.2.3.A22", "level": "H", "title": "Durchführung gemeinsamer Übungen",
                     "withdrawn": False, "roles": "Notfallbeauftragte, OT-Betrieb (Operational Technology, OT)",
                     "cia": "A"})
    return rows


def threats_of(requirement: str, position: int) -> list[str]:
    """The elementary threats the KRT links to a requirement (made up, but stable)."""
    number = int(requirement.rsplit(".A", 1)[1])
    return [f"G 0.{(position + number * 3) % 47 + 1}", f"G 0.{(position * 7 + number) % 47 + 1}"]


# --------------------------------------------------------------------------- the Kompendium (DocBook XML)


def _para(text: str) -> str:
    return f'<para><emphasis role="color:#000000">{escape(text)}</emphasis></para>'


def _kompendium_xml(bausteine: list[str]) -> bytes:
    quotes = scope_quotes()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<book xmlns="http://docbook.org/ns/docbook" version="5.0">',
             "<chapter><title>Vorwort</title><para>Kleiner Testkatalog im Format des Kompendiums.</para></chapter>",
             "<chapter><title>Schichtenmodell und Modellierung</title>",
             "<informaltable><thead><tr><td><para>Baustein</para></td><td><para>Reihenfolge</para></td>"
             "<td><para>Anzuwenden auf Zielobjekttyp</para></td></tr></thead><tbody>"]
    for position, baustein in enumerate(bausteine):
        layer = baustein.split(".")[0]
        order = "R1" if layer in ("ISMS", "ORP", "CON", "OPS") else "R2" if position % 5 else "R3"
        target = _TARGET_TYPES.get(layer, "Informationsverbund/übergeordnete Aspekte")
        lines.append(f"<tr><td><para>{baustein} {_title(baustein)}</para></td><td><para>{order}</para></td>"
                     f"<td><para>{target}</para></td></tr>")
    lines += ["</tbody></informaltable></chapter>", "<chapter><title>Elementare Gefährdungen</title>"]
    for number in range(1, 48):
        lines.append(f"<section><title>G 0.{number} {_threat_title(number)}</title>"
                     f"{_para(f'Beschreibung der Testgefährdung {number}.')}</section>")
    lines.append("</chapter>")
    for layer, title in LAYERS.items():
        lines.append(f"<chapter><title>{layer} {title}</title>")
        for position, baustein in enumerate(bausteine):
            if baustein.split(".")[0] == layer:
                lines.append(_baustein_xml(baustein, position, quotes.get(baustein, ())))
        lines.append("</chapter>")
    lines.append("</book>")
    return "\r\n".join(lines).encode("utf-8")


def _title(baustein: str) -> str:
    return f"Testbaustein {baustein}"


def _threat_title(number: int) -> str:
    return f"Testgefährdung {number}"


def _baustein_xml(baustein: str, position: int, quotes=()) -> str:
    layer = baustein.split(".")[0]
    role_rows = ("<tr><td><para>Zuständigkeit</para></td><td><para>Rolle</para></td></tr>" if layer == "IND" else
                 "<tr><td><para>Zuständigkeiten</para></td><td><para>Rollen</para></td></tr>")
    further = "Keine" if position % 3 == 0 else "Datenschutzbeauftragte, OT-Betrieb (Operational Technology, OT)"
    parts = [f"<section><title>{baustein} {_title(baustein)}</title>",
             "<section><title>Beschreibung</title>",
             f"<section><title>Einleitung</title>{_para(f'Einleitung zu {baustein}.')}</section>",
             f"<section><title>Abgrenzung und Modellierung</title>{_para(f'{baustein} gilt für Testobjekte.')}"
             + "".join(_para(quote) for quote in quotes) +
             "</section></section>",
             "<section><title>Gefährdungslage</title>",
             f"<section><title>Fehlende Regeln für {baustein}</title>{_para('Ohne Regeln entstehen Fehler.')}"
             "</section></section>",
             "<section><title>Anforderungen</title>",
             f"<informaltable><tbody>{role_rows}"
             "<tr><td><para>Grundsätzlich zuständig</para></td><td><para>Informationssicherheitsbeauftragte (ISB)"
             f"</para></td></tr><tr><td><para>Weitere Zuständigkeiten</para></td><td><para>{further}</para></td>"
             "</tr></tbody></informaltable>"]
    sections = {"B": "Basis-Anforderung" if baustein == "CON.7" else "Basis-Anforderungen",
                "S": "Standard-Anforderungen", "H": "Anforderungen bei erhöhtem Schutzbedarf"}
    requirements = requirements_of(baustein, position)
    for level, section in sections.items():
        parts.append(f"<section><title>{section}</title>")
        for r in (r for r in requirements if r["level"] == level):
            shown = r["id"].replace("OPS.2.3.A22", "OPS.2.3A22")
            roles = f" [{r['roles']}]" if r["roles"] else ""
            text = "Diese Anforderung ist entfallen." if r["withdrawn"] else \
                f"{r['title']} SOLLTE umgesetzt werden."
            parts.append(f"<section><title>{shown} {r['title']} ({level}){roles}</title>{_para(text)}"
                         + ("<itemizedlist><listitem><para>erstens</para></listitem></itemizedlist>"
                            if not r["withdrawn"] else "") + "</section>")
        parts.append("</section>")
    parts.append("</section>")
    further_title = "2 Weiterführende Informationen" if baustein == "OPS.1.1.1" else "Weiterführende Informationen"
    parts.append(f"<section><title>{further_title}</title>{_para('Keine.')}</section></section>")
    return "\r\n".join(parts)


# --------------------------------------------------------------------------- the KRT workbook


def _krt_workbook(bausteine: list[str]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for position, baustein in enumerate(bausteine):
        sheet = workbook.create_sheet(f"KRT_{baustein}.xlsx")
        requirements = requirements_of(baustein, position)
        threats = sorted({t for r in requirements for t in threats_of(r["id"], position)},
                         key=lambda t: int(t.split(".")[1]))
        sheet.append([baustein, "Name", "CIA", *threats, None])  # a trailing empty header column
        for r in requirements:
            marks = threats_of(r["id"], position) if not r["withdrawn"] or r["id"] == "SYS.1.1.A2" else []
            shown = r["id"] + (" " if r["id"] in ("APP.1.1.A1", "CON.7.A3") else "")
            cells = ["X" if t in marks else (" " if r["id"] == "SYS.1.1.A3" and t not in marks else None)
                     for t in threats]
            sheet.append([shown, r["title"], r["cia"] or None, *cells])
        sheet.append([None] * (3 + len(threats)))  # a trailing empty row
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the CSV vocabularies


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _basethreats() -> bytes:
    return _csv(["ID", "Begriff", "Definition", "uuid"],
                [[f"G 0.{n}", _threat_title(n), f"Beschreibung der Testgefährdung {n}.\nZweiter Absatz.",
                  f"00000000-0000-4000-8000-{n:012d}"] for n in range(1, 48)])


def _uuid(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


#: Parents in the category hierarchy (the rest are top level).
_PARENTS = {"Hostsysteme": "IT-Systeme", "Endgeräte": "IT-Systeme", "DNS-Server": "Hostsysteme",
            "Dateiserver": "Hostsysteme", "Webserver": "Hostsysteme", "Serverräume": "Räume",
            "Räume für technische Infrastruktur": "Räume", "Datenträgerarchiv": "Räume",
            "Webanwendungen": "Anwendungen", "Office-Anwendungen": "Anwendungen", "Webbrowser": "Anwendungen",
            "E-Mail": "Interpersonelle Kommunikation", "Faxe": "Interpersonelle Kommunikation",
            "TK-Anwendungen": "Interpersonelle Kommunikation", "VK-Anwendungen": "Interpersonelle Kommunikation",
            "Cloud-Dienste": "Outsourcing", "WLANs": "Netze", "Interne Netzsegmente": "Netze",
            "Externe Netzanschlüsse": "Netze", "Verzeichnisdienste": "Anwendungen",
            "Virtualisierungslösungen": "Hostsysteme"}


def _categories(names: list[str]) -> bytes:
    every = sorted(set(names) | set(_PARENTS.values()))
    organisational = {"Institutionsleitung", "Administrierende", "Daten", "Outsourcing", "Dienstleistungen",
                      "Cloud-Dienste", "IT-Produkte"}
    return _csv(["Zielobjekt", "Definition", "Typ", "Kategorie", "Synonyme", "ChildOfUUID", "UUID"],
                [[name, f"Testkategorie {name}.", name, "Organisatorisch" if name in organisational else "Technisch",
                  "", _uuid(_PARENTS[name]) if name in _PARENTS else "", _uuid(name)] for name in every])


# --------------------------------------------------------------------------- Grundschutz++ (OSCAL)


def _control(control_id: str, title: str, *, categories: str = "", sec_level: str = "normal-SdT",
             modal: str = "MUSS", effort: int = 2, cls: str = "BSI-Stand-der-Technik-Kernel", extra=()) -> dict:
    statement_props = [{"name": "result", "value": title}, {"name": "action_word", "value": "umsetzen"},
                       {"name": "modal_verb", "value": modal}]
    if categories:
        statement_props.append({"name": "target_object_categories", "value": categories})
    return {"id": control_id, "title": title, "class": cls,
            "props": [{"name": "alt-identifier", "value": _uuid(control_id)},
                      {"name": "sec_level", "value": sec_level},
                      {"name": "effort_level", "value": str(effort)}, *extra],
            "parts": [{"id": f"{control_id}_stm", "name": "statement", "props": statement_props,
                       "prose": f"Die Institution {modal} {title} umsetzen."},
                      {"id": f"{control_id}_gdn", "name": "guidance", "prose": f"Hinweise zu {title}."}]}


def _catalog(title: str, groups: list[dict], version: str = "2026-07-29T06:41:06+00:00") -> bytes:
    document = {"catalog": {"uuid": _uuid(title), "metadata": {
        "title": title, "last-modified": version, "version": version, "oscal-version": "1.1.3"},
        "groups": groups}}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _kernel_groups(categories: list[str]) -> list[dict]:
    groups = []
    for index, name in enumerate(categories):
        group_id = f"TST.{index + 1}"
        children = [_control(f"{group_id}.1.1", f"Dokumentation für {name}", sec_level="normal-SdT", effort=1)]
        groups.append({"id": group_id, "title": f"Testpraktik {name}", "controls": [
            {**_control(f"{group_id}.1", f"Regelung für {name}", categories=name, effort=index % 6),
             "controls": children},
            _control(f"{group_id}.2", f"Erhöhte Regelung für {name}", categories=name, sec_level="erhöht",
                     modal="SOLLTE", effort=3),
        ]})
    groups.append({"id": "GOV", "title": "Testgovernance", "controls": [
        _control("GOV.1.1", "Leitlinie ohne Zielobjekt-Kategorie", effort=0),
        _control("GOV.1.2", "Verantwortung ohne Zielobjekt-Kategorie", modal="KANN", effort=1)]})
    return groups


def _oscal_files(categories: list[str], bausteine: list[str]) -> dict[str, bytes]:
    kernel = _kernel_groups(categories)
    methodik = [{"id": "GC", "title": "Governance und Compliance", "controls": [
        _control("GC.1.1", "Geltungsbereich festlegen", cls="BSI-Methodik-Grundschutz++"),
        _control("GC.1.2", "Sicherheitsleitlinie beschließen", cls="BSI-Methodik-Grundschutz++")]}]
    risk = [{"id": "RISK", "title": "Risikomanagement", "controls": [
        _control(f"RISK.1.{n}", f"Risikoschritt {n}", cls="BSI-Anforderungen-zum-Risikomanagement")
        for n in range(1, 11)]}]
    resources = [
        {"uuid": _uuid("methodik"), "rlinks": [{"href": "../catalogs/Methodik-Grundschutz++/"
                                                        "BSI-Methodik-Grundschutz++-catalog.json"}]},
        {"uuid": _uuid("risk"), "rlinks": [{"href": "../../../Risikomanagement/"
                                                    "BSI-Anforderungen-zum-Risikomanagement-catalog.json"}]},
        {"uuid": _uuid("kernel-g0"), "rlinks": [{"href": "../catalogs/Kernel/"
                                                         "BSI-Stand-der-Technik-Kernel-G0-catalog.json"}]},
    ]
    profile = {"profile": {"uuid": _uuid("profile"), "metadata": {
        "title": "Anwenderkatalog Grundschutz++ (Test)", "version": "2026-07-29T06:45:00+00:00",
        "oscal-version": "1.1.3", "props": [{"name": "scope_implements_norm", "value": "§ 44 Abs. 1 BSIG"}]},
        "imports": [{"href": f"#{_uuid('methodik')}", "include-all": {}},
                    {"href": f"#{_uuid('risk')}", "include-controls": [
                        {"with-ids": ["RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10"],
                         "with-child-controls": "no"}]},
                    {"href": f"#{_uuid('kernel-g0')}", "include-all": {}}],
        "merge": {"as-is": True},
        "modify": {"set-parameters": [{"param-id": "gc.1.1-prm1", "values": ["BSI Grundschutz++"]}]},
        "back-matter": {"resources": resources}}}
    user = kernel + methodik + [{"id": "RISK", "title": "Risikomanagement", "controls": [
        c for c in risk[0]["controls"] if c["id"] in ("RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10")]}]
    wlan = [{"id": "WLAN", "title": "WLAN", "controls": [
        _control("WLAN.1.1", "WLAN planen", categories="WLANs", cls="BSI-Stand-der-Technik-Kernel-G0", extra=(
            {"name": "confidentiality", "value": "2"}, {"name": "integrity", "value": "1"},
            {"name": "availability", "value": "0"}, {"name": "authenticity", "value": "1"},
            {"name": "threats", "value": "G 0.16, G 0.18, G 0.45"}))]}]
    maps = []
    for position, baustein in enumerate(bausteine[:12]):
        for r in requirements_of(baustein, position):
            if r["withdrawn"]:
                continue
            target = kernel[position % len(categories)]["controls"][0]["id"]
            maps.append({"uuid": _uuid(r["id"]), "relationship": ("equal-to", "subset-of", "intersects-with",
                                                                  "superset-of")[position % 4],
                         "props": [{"name": "itgs_id", "value": f"{r['id']}-UA.1"}, *(
                             {"name": "elementare_gefaehrdung", "value": f"{t}: {_threat_title(int(t[4:]))}"}
                             for t in threats_of(r["id"], position))] + (
                             [{"name": "cia", "value": r["cia"]}] if r["cia"] else []),
                         "sources": [{"type": "control", "id-ref": f"{r['id']}-UA.1"}],
                         "targets": [{"type": "control", "id-ref": target}]})
    mapping = {"mapping-collection": {"uuid": _uuid("mapping"), "metadata": {
        "title": "GSMap OSCAL Mapping Collection (Test)", "version": "0.1", "oscal-version": "1.2.1"},
        "provenance": {"status": "draft", "method": "human"},
        "mappings": [{"target-resource": {"href": "kernel.json", "props": [
            {"name": "catalog_title", "value": "BSI Stand der Technik Kernel"}]}, "maps": maps}]}}
    return {
        KERNEL: _catalog("BSI Stand der Technik Kernel", kernel),
        METHODIK: _catalog("BSI Methodik Grundschutz++", methodik),
        RISK: _catalog("BSI Anforderungen zum Risikomanagement", risk),
        PROFILE: json.dumps(profile, ensure_ascii=False, indent=1).encode("utf-8"),
        USER_CATALOG: _catalog("Anwenderkatalog Grundschutz++", user, "2026-06-24T10:00:00+00:00"),
        MAPPING: json.dumps(mapping, ensure_ascii=False, indent=1).encode("utf-8"),
        WLAN: _catalog("Stand der Technik WLAN", wlan),
    }


# --------------------------------------------------------------------------- the whole catalog


def catalog_files() -> dict[str, bytes]:
    """Every file of the small catalog by its relative path (the paths of ``catalogs/sources.yaml``)."""
    bausteine = baustein_ids()
    return {XML: _kompendium_xml(bausteine), KRT: _krt_workbook(bausteine), BASETHREATS: _basethreats(),
            CATEGORIES: _categories(category_names()), **_oscal_files(category_names(), bausteine)}


def sources_yaml(files: dict[str, bytes]) -> str:
    """A sources file like ``catalogs/sources.yaml`` with the official keys and paths and the
    SHA-256 and size of these files (``grundschutz catalog install --sources``)."""
    import yaml

    from grundschutz.catalog.sources import official_sources

    official = official_sources()
    document = {"format": 1, "editions": {"kompendium-2023": {"kompendium": "kompendium-2023-xml",
                                                              "cross_reference": "krt-2023"}},
                "sources": {}}
    for key, source in official.items():
        data = files[source.path]
        document["sources"][key] = {
            "path": source.path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "format": source.format, "required": source.required,
            "description": f"Kleiner Testkatalog: {source.description}", "urls": [],
            "license": "Testdaten der grundschutz-Testsuite"}
    return "# The small test catalog of tests/small_catalog.py (not the BSI's files).\n" + \
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def build_small_catalog(folder: Path) -> Path:
    """Write the small catalog into ``folder`` (relative paths as in ``sources.yaml``),
    ``folder/sources-test.yaml`` with its SHA-256 sums and the record of the installed
    files (as ``catalog install`` leaves it); return ``folder``."""
    files = catalog_files()
    for relative, data in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / SOURCES_FILE).write_text(sources_yaml(files), encoding="utf-8")
    # recorded as `catalog install` records what it installed: the catalog's integrity check accepts them
    import hashlib

    from grundschutz.catalog.integrity import record_installed
    from grundschutz.catalog.sources import official_sources

    official = official_sources()
    key_of = {source.path: key for key, source in official.items()}
    record_installed(folder, {key_of[relative]: hashlib.sha256(data).hexdigest() for relative, data in files.items()},
                     official)
    return folder


# --------------------------------------------------------------------------- an assessment for it

_MODELLING = """\
object,baustein,action,reason
APP-3,APP.3.1,add,Das Intranet ist eine Webanwendung.
SRV-2,SYS.1.3,add,Der zweite Webserver läuft unter Linux.
"""
_CHECK = """\
object,requirement,status,note,responsible,due,checked_on
IV,ISMS.1.A1,ja,Leitlinie beschlossen,Leitung,,2024-03-05
IV,ISMS.1.A3,teilweise,Überarbeitung läuft,ISB,2024-12-31,2024-03-05
SRV-1,SYS.1.1.A1,nein,,IT-Betrieb,30.09.2024,
SRV-1,SYS.1.1.A3,entbehrlich,Kein Dienst dieser Art,IT-Betrieb,,
APP-1,APP.6.A1,ja,,Fachbereich,,2024-02-01
"""
_RISKS = """\
object,threat,title,frequency,impact,treatment,note,accepted_by,residual_frequency,residual_impact
SRV-1,G 0.8,,selten,beträchtlich,,USV vorhanden,,,
SRV-1,G 0.14,,mittel,existenzbedrohend,reduzieren,Zusätzliche Kontrollen,,selten,begrenzt
DC-1,G 0.23,,häufig,existenzbedrohend,,,,,
"""
_SCENARIO = """\
name: homeoffice
description: Beschäftigte arbeiten mit Notebooks von zu Hause über ein VPN-Gateway.
applications: [APP-1, APP-3]
add:
  objects:
    - {id: CL-9, type: client, name: Notebooks, tags: [notebook, os=windows11], count: 12}
    - {id: NWD-9, type: network_device, name: VPN-Gateway, tags: [vpn]}
  dependencies:
    - {object: APP-1, depends_on: CL-9}
    - {object: APP-3, depends_on: CL-9}
    - {object: CL-9, depends_on: NWD-9}
"""


def write_small_assessment(folder: Path, small: Path) -> Path:
    """Copy the small example assessment ``small`` to ``folder`` and add ``modelling.csv``,
    ``check.csv``, ``risks.csv`` and ``scenarios/homeoffice.yaml`` for the small catalog."""
    shutil.copytree(small, folder)
    (folder / "expected-needs.csv").unlink(missing_ok=True)
    (folder / "modelling.csv").write_text(_MODELLING, encoding="utf-8")
    (folder / "check.csv").write_text(_CHECK, encoding="utf-8")
    (folder / "risks.csv").write_text(_RISKS, encoding="utf-8")
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "homeoffice.yaml").write_text(_SCENARIO, encoding="utf-8")
    return folder
