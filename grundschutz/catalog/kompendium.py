"""Parser for the IT-Grundschutz-Kompendium (Edition 2023) as official DocBook XML.

The BSI publishes the Kompendium as one DocBook 5.0 file
(``XML_Kompendium_2023.xml``). It is parsed with :mod:`defusedxml`: a document
type declaration (and with it any entity definition) is refused, so neither
"billion laughs" nor external entities can be expanded.

Structure used (all elements in the DocBook namespace)::

    book
      chapter "Schichtenmodell und Modellierung"  -> modelling table (R1/R2/R3, Zielobjekttyp)
      chapter "Elementare Gefährdungen"           -> section "G 0.1 Feuer" ...
      chapter "APP Anwendungen"                    -> one chapter per layer
        section "APP.1.1 Office-Produkte"          -> Baustein
          section "Beschreibung" > "Einleitung" | "Zielsetzung" | "Abgrenzung und Modellierung"
          section "Gefährdungslage" > one section per Baustein-specific threat
          section "Anforderungen"                  -> role table + level sections
            section "Basis-Anforderungen" > section "APP.1.1.A2 Titel (B) [Rolle]"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from grundschutz.catalog._common import (
    UnknownIdError,
    invalid_file,
    normalise_requirement_id,
    normalise_space,
    normalise_threat_id,
    read_bytes,
    split_outside_parentheses,
    threat_sort_key,
)
from grundschutz.model.errors import CatalogError

DOCBOOK_NS = "http://docbook.org/ns/docbook"
_DB = "{" + DOCBOOK_NS + "}"

#: Requirement levels in increasing order, with their German names.
LEVELS: tuple[str, ...] = ("B", "S", "H")
LEVEL_NAMES: dict[str, str] = {"B": "Basis", "S": "Standard", "H": "erhöhter Schutzbedarf"}
#: Layers of the process Bausteine and of the system Bausteine (Kompendium, chapter 2).
PROCESS_LAYERS: tuple[str, ...] = ("ISMS", "ORP", "CON", "OPS", "DER")
SYSTEM_LAYERS: tuple[str, ...] = ("APP", "SYS", "IND", "NET", "INF")
#: Processing order of the Bausteine (Bearbeitungsreihenfolge).
ORDERS: tuple[str, ...] = ("R1", "R2", "R3")

_MODELLING_CHAPTER = "Schichtenmodell und Modellierung"
_THREAT_CHAPTER = "Elementare Gefährdungen"
_LAYER_TITLE = re.compile(r"^([A-Z]{3,4})\s+(\S.*)$")
_BAUSTEIN_TITLE = re.compile(r"^([A-Z]{3,4}(?:\.\d+)+)\s+(\S.*)$")
_THREAT_TITLE = re.compile(r"^(G\s*0\.\d+)\s+(\S.*)$")
#: Title of a requirement: ``<ID> <Titel> (B|S|H) [Rolle, ...]`` (dot before A optional: ``OPS.2.3A22``).
_REQUIREMENT_TITLE = re.compile(
    r"^([A-Z]{3,4}(?:\.\d+)+\.?A\d+)\s+(.*?)\s*\((B|S|H)\)\s*(?:\[(.*?)\])?$"
)
_LEVEL_SECTIONS = {
    "Basis-Anforderungen": "B",
    "Basis-Anforderung": "B",  # singular in CON.7 and SYS.4.4
    "Standard-Anforderungen": "S",
    "Standard-Anforderung": "S",
    "Anforderungen bei erhöhtem Schutzbedarf": "H",
}
_NO_ROLE = {"", "keine", "-", "–"}


@dataclass(frozen=True)
class Layer:
    """A layer (Schicht) of the Kompendium, e.g. ``APP`` "Anwendungen".

    ``kind`` is ``"Prozess"`` or ``"System"`` (``None`` for an unknown layer).
    """

    id: str
    title: str
    kind: str | None
    baustein_ids: tuple[str, ...]


@dataclass(frozen=True)
class BausteinThreat:
    """A Baustein-specific threat from the section "Gefährdungslage"."""

    title: str
    text: str


@dataclass(frozen=True)
class Baustein:
    """A Baustein (module) such as ``APP.1.1`` "Office-Produkte".

    ``responsible_role`` is the role "Grundsätzlich zuständig", ``further_roles``
    the "Weitere Zuständigkeiten" ("Keine" gives an empty tuple), ``roles`` both
    together. ``order`` (R1/R2/R3) and ``target_type`` (Zielobjekttyp) come from
    the modelling table of chapter "Schichtenmodell und Modellierung".
    ``description`` is the introduction ("Einleitung"), ``scope`` the section
    "Abgrenzung und Modellierung". ``elementary_threats`` are the elementary
    threats relevant to the Baustein: the threat columns of its sheet of the
    Kreuzreferenztabellen (filled by :func:`grundschutz.catalog.apply_cross_reference`).
    """

    id: str
    title: str
    layer: str
    responsible_role: str | None
    further_roles: tuple[str, ...]
    roles: tuple[str, ...]
    description: str
    scope: str
    order: str | None
    target_type: str | None
    requirement_ids: tuple[str, ...]
    threats: tuple[BausteinThreat, ...] = ()
    elementary_threats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """A requirement (Anforderung) such as ``APP.1.1.A15``.

    ``level`` is ``"B"``, ``"S"`` or ``"H"``; ``withdrawn`` is true for
    requirements marked ``ENTFALLEN``. ``roles`` are the roles named in
    brackets after the title. ``cia`` (letters ``C``/``I``/``A``) and
    ``threats`` (``"G 0.n"`` ids, sorted numerically) are empty in the XML and
    are filled from the Kreuzreferenztabellen by
    :func:`grundschutz.catalog.apply_cross_reference`.
    """

    id: str
    baustein: str
    title: str
    level: str
    withdrawn: bool
    roles: tuple[str, ...]
    text: str
    cia: frozenset[str] = frozenset()
    threats: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """True unless the requirement is ``ENTFALLEN``."""
        return not self.withdrawn


@dataclass(frozen=True)
class Threat:
    """An elementary threat (elementare Gefährdung), ``G 0.1`` .. ``G 0.47``."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class ModellingTableRow:
    """A row of the modelling table of chapter "Schichtenmodell und Modellierung":
    Baustein | Reihenfolge (R1/R2/R3) | Zielobjekttyp."""

    baustein: str
    order: str
    target_type: str


@dataclass(frozen=True)
class Kompendium:
    """The parsed Kompendium: dicts by id, in document order.

    The dicts must be treated as read-only. ``cross_reference_applied`` tells
    whether ``cia``/``threats`` of the requirements were filled from the KRT;
    without it an empty ``cia`` means "unknown", not "none". ``modelling_table``
    is the modelling table of chapter "Schichtenmodell und Modellierung", row by
    row in the order of the XML.
    """

    layers: dict[str, Layer]
    bausteine: dict[str, Baustein]
    requirements: dict[str, Requirement]
    threats: dict[str, Threat]
    cross_reference_applied: bool = field(default=False)
    modelling_table: tuple[ModellingTableRow, ...] = ()

    def baustein(self, baustein_id: str) -> Baustein:
        """Return the Baustein ``baustein_id``; raise :class:`UnknownIdError` if absent."""
        key = baustein_id.strip()
        try:
            return self.bausteine[key]
        except KeyError:
            raise UnknownIdError(f"Baustein '{baustein_id}' gibt es im Kompendium nicht") from None

    def requirement(self, requirement_id: str) -> Requirement:
        """Return the requirement ``requirement_id`` (``OPS.2.3A22`` is accepted)."""
        key = normalise_requirement_id(requirement_id)
        try:
            return self.requirements[key]
        except KeyError:
            raise UnknownIdError(
                f"Anforderung '{requirement_id}' gibt es im Kompendium nicht"
            ) from None

    def threat(self, threat_id: str) -> Threat:
        """Return the elementary threat ``threat_id`` (``"G 0.18"``, ``"G0.18"``)."""
        key = normalise_threat_id(threat_id) or threat_id.strip()
        try:
            return self.threats[key]
        except KeyError:
            raise UnknownIdError(
                f"Elementare Gefährdung '{threat_id}' gibt es im Kompendium nicht"
            ) from None

    def requirements_of(
        self, baustein_id: str, *, include_withdrawn: bool = True
    ) -> tuple[Requirement, ...]:
        """Return the requirements of a Baustein in document order.

        Raises :class:`UnknownIdError` for an unknown Baustein. With
        ``include_withdrawn=False`` the ``ENTFALLEN`` requirements are left out.
        """
        baustein = self.baustein(baustein_id)
        requirements = (self.requirements[rid] for rid in baustein.requirement_ids)
        return tuple(r for r in requirements if include_withdrawn or not r.withdrawn)

    def bausteine_of(self, layer_id: str) -> tuple[Baustein, ...]:
        """Return the Bausteine of a layer (e.g. ``"APP"``) in document order."""
        layer = self.layers.get(layer_id.strip())
        if layer is None:
            raise UnknownIdError(f"Schicht '{layer_id}' gibt es im Kompendium nicht")
        return tuple(self.bausteine[bid] for bid in layer.baustein_ids)

    def get(self, item_id: str) -> Layer | Baustein | Requirement | Threat:
        """Return the layer, Baustein, requirement or threat with this id.

        Raises :class:`UnknownIdError` (a :class:`CatalogError` and a
        :class:`KeyError`) with a readable message if nothing has this id.
        """
        key = item_id.strip()
        for table in (self.requirements, self.bausteine, self.threats, self.layers):
            if key in table:
                return table[key]
        requirement_key = normalise_requirement_id(key)
        if requirement_key in self.requirements:
            return self.requirements[requirement_key]
        threat_key = normalise_threat_id(key)
        if threat_key is not None and threat_key in self.threats:
            return self.threats[threat_key]
        raise UnknownIdError(
            f"'{item_id}' ist weder Schicht, Baustein, Anforderung noch elementare Gefährdung "
            "im Kompendium"
        )

    def __contains__(self, item_id: object) -> bool:
        if not isinstance(item_id, str):
            return False
        try:
            self.get(item_id)
        except UnknownIdError:
            return False
        return True


# --------------------------------------------------------------------------- reading


def read_kompendium(path: str | os.PathLike[str]) -> Kompendium:
    """Read and parse the Kompendium DocBook XML file at ``path``.

    Raises :class:`~grundschutz.model.errors.CatalogError` naming the path if the
    file is missing, unreadable, not XML, contains a DTD/entities, or is not
    the Kompendium.
    """
    data = read_bytes(path, "Kompendium-XML")
    return parse_kompendium(data, source=str(path))


def parse_kompendium(data: bytes, source: str = "<bytes>") -> Kompendium:
    """Parse the Kompendium DocBook XML given as bytes (pure function).

    ``source`` is only used in error messages. DTDs and entity declarations
    are refused (:class:`~grundschutz.model.errors.CatalogError`), never expanded.
    """
    root = _parse_xml(data, source)
    if root.tag != _DB + "book":
        raise CatalogError(
            f"{source}: kein DocBook-Kompendium (Wurzelelement {_local(root.tag)!r} statt 'book')"
        )
    chapters = root.findall(_DB + "chapter")
    threats = _parse_threats(_chapter(chapters, _THREAT_CHAPTER, source), source)
    modelling = _parse_modelling(_chapter(chapters, _MODELLING_CHAPTER, source), source)

    layers: dict[str, Layer] = {}
    bausteine: dict[str, Baustein] = {}
    requirements: dict[str, Requirement] = {}
    for chapter in chapters:
        match = _LAYER_TITLE.match(_title(chapter))
        if match is None:
            continue
        layer_id, layer_title = match.groups()
        sections = [
            s for s in chapter.findall(_DB + "section") if _title(s).startswith(layer_id + ".")
        ]
        if not sections:
            continue
        baustein_ids = []
        for section in sections:
            baustein, reqs = _parse_baustein(section, layer_id, modelling, source)
            if baustein.id in bausteine:
                raise CatalogError(f"{source}: Baustein {baustein.id} kommt doppelt vor")
            bausteine[baustein.id] = baustein
            baustein_ids.append(baustein.id)
            for requirement in reqs:
                if requirement.id in requirements:
                    raise CatalogError(f"{source}: Anforderung {requirement.id} kommt doppelt vor")
                requirements[requirement.id] = requirement
        kind = (
            "Prozess"
            if layer_id in PROCESS_LAYERS
            else "System"
            if layer_id in SYSTEM_LAYERS
            else None
        )
        layers[layer_id] = Layer(layer_id, layer_title, kind, tuple(baustein_ids))

    if not bausteine:
        raise CatalogError(f"{source}: keine Bausteine gefunden – ist das das IT-Grundschutz-Kompendium?")
    unknown = sorted(set(modelling) - set(bausteine))
    if unknown:
        raise CatalogError(
            f"{source}: die Modellierungstabelle nennt unbekannte Bausteine: {', '.join(unknown)}"
        )
    table = tuple(ModellingTableRow(b, order, target) for b, (order, target) in modelling.items())
    return Kompendium(layers, bausteine, requirements, threats, modelling_table=table)


# --------------------------------------------------------------------------- internals


def _parse_xml(data: bytes, source: str) -> Element:
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_kompendium expects bytes")
    try:
        return DefusedET.fromstring(
            bytes(data), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise CatalogError(
            f"{source}: XML mit DTD/Entity-Deklaration abgelehnt (wird aus Sicherheitsgründen "
            f"nicht verarbeitet): {exc!r}"
        ) from exc
    except ParseError as exc:
        raise CatalogError(f"{source}: {invalid_file('XML', exc)}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _title(element: Element) -> str:
    title = element.find(_DB + "title")
    return normalise_space("".join(title.itertext())) if title is not None else ""


def _chapter(chapters: list[Element], title: str, source: str) -> Element:
    for chapter in chapters:
        if _title(chapter) == title:
            return chapter
    raise CatalogError(f"{source}: Kapitel '{title}' fehlt – ist das das IT-Grundschutz-Kompendium?")


def _subsections(element: Element) -> dict[str, Element]:
    """Direct child sections by normalised title (leading numbers like '2 ' removed)."""
    result: dict[str, Element] = {}
    for section in element.findall(_DB + "section"):
        # OPS.1.1.1 has the title "2 Weiterführende Informationen".
        result.setdefault(re.sub(r"^\d+\s+", "", _title(section)), section)
    return result


def _text_lines(element: Element) -> list[str]:
    """Readable lines of a block element: paragraphs, list items ('- '), table rows."""
    lines: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "title" or tag == "section":
            continue
        if tag in ("itemizedlist", "orderedlist"):
            for number, item in enumerate(child.findall(_DB + "listitem"), 1):
                marker = "-" if tag == "itemizedlist" else f"{number}."
                item_lines = _text_lines(item) or [""]
                lines.append(f"{marker} {item_lines[0]}".rstrip())
                lines.extend("  " + line for line in item_lines[1:])
        elif tag == "informaltable":
            for row in child.iter(_DB + "tr"):
                cells = [normalise_space("".join(cell.itertext())) for cell in row]
                if any(cells):
                    lines.append(" | ".join(cells))
        else:
            text = normalise_space("".join(child.itertext()))
            if text:
                lines.append(text)
    return lines


def _text(element: Element | None) -> str:
    return "\n".join(_text_lines(element)) if element is not None else ""


def _parse_threats(chapter: Element, source: str) -> dict[str, Threat]:
    threats: dict[str, Threat] = {}
    for section in chapter.findall(_DB + "section"):
        match = _THREAT_TITLE.match(_title(section))
        if match is None:
            raise CatalogError(
                f"{source}: unerwarteter Abschnitt {_title(section)!r} im Kapitel '{_THREAT_CHAPTER}'"
            )
        threat_id = normalise_threat_id(match.group(1))
        assert threat_id is not None  # the regex guarantees it
        if threat_id in threats:
            raise CatalogError(f"{source}: elementare Gefährdung {threat_id} kommt doppelt vor")
        threats[threat_id] = Threat(threat_id, match.group(2), _text(section))
    if not threats:
        raise CatalogError(f"{source}: keine elementaren Gefährdungen gefunden")
    return dict(sorted(threats.items(), key=lambda item: threat_sort_key(item[0])))


def _parse_modelling(chapter: Element, source: str) -> dict[str, tuple[str, str]]:
    """Baustein id -> (order, target type) from the modelling table."""
    for table in chapter.iter(_DB + "informaltable"):
        rows = [
            [normalise_space("".join(cell.itertext())) for cell in row]
            for row in table.iter(_DB + "tr")
        ]
        if not rows or rows[0][:2] != ["Baustein", "Reihenfolge"] or len(rows[0]) < 3:
            continue
        result: dict[str, tuple[str, str]] = {}
        for number, row in enumerate(rows[1:], 2):
            if not any(row):
                continue
            match = _BAUSTEIN_TITLE.match(row[0]) if row else None
            if match is None or len(row) < 3 or row[1] not in ORDERS or not row[2]:
                raise CatalogError(
                    f"{source}: Modellierungstabelle, Zeile {number}: unerwartet {row!r}"
                )
            if match.group(1) in result:
                raise CatalogError(
                    f"{source}: Modellierungstabelle nennt {match.group(1)} mehrfach"
                )
            result[match.group(1)] = (row[1], row[2])
        return result
    raise CatalogError(
        f"{source}: Modellierungstabelle (Baustein | Reihenfolge | Zielobjekttyp) fehlt "
        f"im Kapitel '{_MODELLING_CHAPTER}'"
    )


def _parse_role_table(anforderungen: Element) -> tuple[str | None, tuple[str, ...]]:
    responsible: str | None = None
    further: tuple[str, ...] = ()
    for table in anforderungen.findall(_DB + "informaltable"):
        for row in table.iter(_DB + "tr"):
            cells = [normalise_space("".join(cell.itertext())) for cell in row]
            if len(cells) < 2:
                continue
            label, value = cells[0], cells[1]
            roles = tuple(r for r in split_outside_parentheses(value) if r.lower() not in _NO_ROLE)
            if label == "Grundsätzlich zuständig":
                responsible = roles[0] if roles else None
            elif label.startswith("Weitere Zuständigkeit"):
                further = roles
    return responsible, further


def _parse_baustein(
    section: Element,
    layer_id: str,
    modelling: dict[str, tuple[str, str]],
    source: str,
) -> tuple[Baustein, list[Requirement]]:
    match = _BAUSTEIN_TITLE.match(_title(section))
    if match is None:
        raise CatalogError(f"{source}: unerwarteter Baustein-Titel {_title(section)!r}")
    baustein_id, title = match.groups()
    parts = _subsections(section)
    if "Anforderungen" not in parts:
        raise CatalogError(f"{source}: Baustein {baustein_id} hat keinen Abschnitt 'Anforderungen'")

    description_parts = _subsections(parts["Beschreibung"]) if "Beschreibung" in parts else {}
    threats = ()
    if "Gefährdungslage" in parts:
        threats = tuple(
            BausteinThreat(_title(s), _text(s))
            for s in parts["Gefährdungslage"].findall(_DB + "section")
        )
    responsible, further = _parse_role_table(parts["Anforderungen"])

    requirements: list[Requirement] = []
    for level_section in parts["Anforderungen"].findall(_DB + "section"):
        section_level = _LEVEL_SECTIONS.get(_title(level_section))
        if section_level is None:
            raise CatalogError(
                f"{source}: Baustein {baustein_id}: unbekannter Abschnitt "
                f"{_title(level_section)!r} unter 'Anforderungen'"
            )
        for req_section in level_section.findall(_DB + "section"):
            requirements.append(
                _parse_requirement(req_section, baustein_id, section_level, source)
            )

    order, target_type = modelling.get(baustein_id, (None, None))
    roles = ((responsible,) if responsible else ()) + tuple(r for r in further if r != responsible)
    baustein = Baustein(
        id=baustein_id,
        title=title,
        layer=layer_id,
        responsible_role=responsible,
        further_roles=further,
        roles=roles,
        description=_text(description_parts.get("Einleitung")),
        scope=_text(description_parts.get("Abgrenzung und Modellierung")),
        order=order,
        target_type=target_type,
        requirement_ids=tuple(r.id for r in requirements),
        threats=threats,
    )
    return baustein, requirements


def _parse_requirement(
    section: Element, baustein_id: str, section_level: str, source: str
) -> Requirement:
    title = _title(section)
    match = _REQUIREMENT_TITLE.match(title)
    if match is None:
        raise CatalogError(f"{source}: Baustein {baustein_id}: unerwarteter Anforderungstitel {title!r}")
    raw_id, req_title, level, roles = match.groups()
    requirement_id = normalise_requirement_id(raw_id)
    if not requirement_id.startswith(baustein_id + ".A"):
        raise CatalogError(
            f"{source}: Anforderung {requirement_id} steht im Baustein {baustein_id}"
        )
    if level != section_level:
        raise CatalogError(
            f"{source}: Anforderung {requirement_id} ({level}) steht im Abschnitt für "
            f"{LEVEL_NAMES[section_level]}"
        )
    return Requirement(
        id=requirement_id,
        baustein=baustein_id,
        title=req_title,
        level=level,
        withdrawn=req_title.upper() == "ENTFALLEN",
        roles=split_outside_parentheses(roles or ""),
        text=_text(section),
    )
