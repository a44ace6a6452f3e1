"""What every OSCAL document of an export shares: namespaces, identifiers, props, metadata, back-matter.

- :data:`NAMESPACE`: the namespace of this toolkit's props (documented in
  ``docs/oscal.md``); the BSI's props keep the BSI's namespaces
  (:data:`BSI_NAMESPACE`).
- :class:`ExportContext`: one export of one analysis: the deterministic uuids
  (:func:`uuid.uuid5` of stable keys under the assessment's name), the time
  stamp, the roles named in ``check.csv`` and the catalog files that are
  cited.
- :func:`prop`, :func:`props`: OSCAL props; values are single-line (OSCAL's
  ``string`` has no line breaks), empty values are left out.
- :func:`metadata`, :func:`resource`: the ``metadata`` and the back-matter
  resources (published address and SHA-256 from ``catalogs/sources.yaml``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from grundschutz.catalog.sources import official_sources
from grundschutz.model.levels import BASIC_VALUES, ObjectType
from grundschutz.model.records import Status

#: The OSCAL version written (and the one compliance-trestle 3.x models).
OSCAL_VERSION = "1.1.3"
#: Namespace of this toolkit's props (a URI that names, it is not fetched).
NAMESPACE = "https://grundschutz.invalid/ns/oscal"
#: Namespace of the BSI's props, as in the Grundschutz++ source catalogs (``<name>.csv`` appended).
BSI_NAMESPACE = "https://github.com/BSI-Bund/Stand-der-Technik-Bibliothek/tree/main/documentation/namespaces/"
#: The BSI props copied from the controls and the modelling, with their vocabulary file.
BSI_PROPS = {"sec_level": "security_level.csv", "effort_level": "effort_level.csv",
             "target_object_categories": "target_object_categories.csv"}
#: The BSI's vocabulary of the elementary threats (naming system of the threat ids).
BASETHREATS = BSI_NAMESPACE + "basethreats.csv"
#: File names of the four documents in the output folder, in the order of the OSCAL chain.
FILES = {"ssp": "ssp.json", "ap": "ap.json", "ar": "ar.json", "poam": "poam.json"}
#: The root key of each document.
ROOTS = {"ssp": "system-security-plan", "ap": "assessment-plan", "ar": "assessment-results",
         "poam": "plan-of-action-and-milestones"}
#: The check status -> OSCAL implementation-status state.
STATES: Mapping[Status, str] = {
    Status.JA: "implemented",
    Status.TEILWEISE: "partial",
    Status.NEIN: "planned",
    Status.UNBEARBEITET: "planned",
    Status.ENTBEHRLICH: "not-applicable",
}
#: Object type -> OSCAL component type (the Informationsverbund is ``this-system``).
COMPONENT_TYPES: Mapping[ObjectType, str] = {
    ObjectType.PROCESS: "process-procedure",
    ObjectType.APPLICATION: "software",
    ObjectType.SERVER: "hardware",
    ObjectType.CLIENT: "hardware",
    ObjectType.MOBILE: "hardware",
    ObjectType.NETWORK_DEVICE: "hardware",
    ObjectType.PRINTER: "hardware",
    ObjectType.TELEPHONY: "hardware",
    ObjectType.ICS: "hardware",
    ObjectType.IOT: "hardware",
    ObjectType.NETWORK: "network",
    ObjectType.ROOM: "physical",
    ObjectType.BUILDING: "physical",
    ObjectType.SERVICE: "service",
    ObjectType.INFORMATIONSVERBUND: "this-system",
}
#: Media type of a cited file by its suffix.
MEDIA_TYPES = {".json": "application/json", ".xml": "application/xml", ".csv": "text/csv",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_PROJECT = uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE)
_SLUG = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class Items:
    """A lazy OSCAL array of objects: the export writes it item by item without holding it in memory.

    ``first`` is the first item (``None`` for an empty array, which is left out).

    >>> items = Items({"n": n} for n in range(3))
    >>> items.first, list(items)
    ({'n': 0}, [{'n': 0}, {'n': 1}, {'n': 2}])
    """

    def __init__(self, items: Iterable[dict]) -> None:
        self._iterator = iter(items)
        self.first = next(self._iterator, None)

    def __iter__(self):
        if self.first is not None:
            yield self.first
            yield from self._iterator


def single_line(text: object) -> str:
    """A text as one line with single spaces (what an OSCAL ``string`` allows).

    >>> single_line("  Zeile 1\\n  Zeile 2 ")
    'Zeile 1 Zeile 2'
    """
    return " ".join(str(text).split())


def prop(name: str, value: object, *, ns: str = NAMESPACE, cls: str | None = None) -> dict[str, str]:
    """One OSCAL prop; ``value`` is made single-line."""
    result = {"name": name, "ns": ns, "value": single_line(value)}
    if cls:
        result["class"] = cls
    return result


def props(*items: tuple[str, object] | dict | None) -> list[dict[str, str]]:
    """Props of this toolkit's namespace from ``(name, value)`` pairs (or ready props); empty values are left out."""
    result = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, dict):
            if item.get("value"):
                result.append(item)
            continue
        name, value = item
        if value is not None and (text := single_line(value)):
            result.append({"name": name, "ns": NAMESPACE, "value": text})
    return result


def bsi_prop(name: str, value: object) -> dict[str, str]:
    """A prop of the BSI's namespace (``sec_level``, ``effort_level``, ``target_object_categories``)."""
    return prop(name, value, ns=BSI_NAMESPACE + BSI_PROPS[name])


def role_ids(titles: Iterable[str]) -> dict[str, str]:
    """An OSCAL role id (a token) for every responsible role named in ``check.csv``, deterministic.

    >>> role_ids(["Bürgermeisterin", "IT", "it"])
    {'Bürgermeisterin': 'rolle-buergermeisterin', 'IT': 'rolle-it', 'it': 'rolle-it-2'}
    """
    result: dict[str, str] = {}
    used: set[str] = set()
    for title in sorted(set(titles)):
        base = "rolle-" + (_SLUG.sub("-", title.casefold().translate(_UMLAUTS)).strip("-") or "x")
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        result[title] = candidate
    return result


def iso_timestamp(moment: datetime | date) -> str:
    """An OSCAL date-time with time zone: a date is midnight UTC; naive times are taken as UTC.

    >>> iso_timestamp(date(2024, 3, 5)), iso_timestamp(datetime(2024, 3, 5, 14, 30, 0, 12))
    ('2024-03-05T00:00:00Z', '2024-03-05T14:30:00Z')
    """
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def resource(ctx: ExportContext, key: str) -> dict:
    """The back-matter resource of the official file ``key`` of ``sources.yaml``: its published addresses
    and SHA-256; the uuid is derived from the key, so every document cites the file the same way."""
    source = official_sources()[key]
    suffix = "." + source.path.rsplit(".", 1)[-1].lower()
    rlinks = [{"href": url, "media-type": MEDIA_TYPES.get(suffix, "application/octet-stream"),
               "hashes": [{"algorithm": "SHA-256", "value": source.sha256}]} for url in source.urls]
    result = {"uuid": ctx.resource_uuid(key), "title": single_line(source.description),
              "props": props(("source-key", key), ("origin", source.origin), ("license", source.license)),
              "rlinks": rlinks}
    return result


@dataclass
class ExportContext:
    """One export: the analysis, the time stamp and the deterministic identifiers.

    Every uuid is :func:`uuid.uuid5` of a key under the assessment's name, so
    the same subject (object, requirement, threat) keeps its uuid across
    exports, and the same assessment exported twice gives the same bytes.
    ``roles``: responsible text of ``check.csv`` -> OSCAL role id.
    ``cited``: catalog files (keys of ``sources.yaml``) cited by the SSP.
    """

    analysis: object
    timestamp: str
    roles: dict[str, str] = field(default_factory=dict)
    identity: list[dict[str, str]] = field(default_factory=list)
    _base: uuid.UUID = field(init=False, repr=False)
    _objects: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._base = uuid.uuid5(_PROJECT, self.name)

    @property
    def name(self) -> str:
        return self.analysis.assessment.settings.name

    @property
    def gspp(self) -> bool:
        return self.analysis.gspp

    def uuid(self, *parts: str) -> str:
        """The uuid of a subject named by ``parts`` (e.g. ``"component", "SRV-01"``)."""
        return str(uuid.uuid5(self._base, "\x1f".join(parts)))

    def _per_object(self, kind: str, object_id: str) -> str:
        """The uuid of an object's ``kind`` (component, observation), derived once per export."""
        key = (kind, object_id)
        if key not in self._objects:
            self._objects[key] = self.uuid(kind, object_id)
        return self._objects[key]

    def component_uuid(self, object_id: str) -> str:
        return self._per_object("component", object_id)

    def by_component_uuid(self, object_id: str, requirement: str) -> str:
        return self.uuid("by-component", object_id, requirement)

    def observation_uuid(self, object_id: str) -> str:
        return self._per_object("observation", object_id)

    def risk_uuid(self, object_id: str, threat: str) -> str:
        return self.uuid("risk", object_id, threat)

    def resource_uuid(self, key: str) -> str:
        return self.uuid("resource", key)

    @property
    def party_uuid(self) -> str:
        """The organisation (``organisation`` of ``assessment.yaml``, else the assessment's name)."""
        return self.uuid("party", "organisation")

    def document_uuid(self, kind: str) -> str:
        return self.uuid("document", kind)

    def system_id(self) -> dict[str, str]:
        """The system id of the Informationsverbund (RFC 4122 uuid)."""
        return {"identifier-type": "https://ietf.org/rfc/rfc4122", "id": self.uuid("system")}

    def metadata(self, title: str, *, roles: bool = False, links: list[dict] | None = None) -> dict:
        """The ``metadata`` of a document: title, time stamp, version, the identity props of the
        assessment (checked by the import), the organisation as party and, with ``roles``, the roles."""
        settings = self.analysis.assessment.settings
        result = {"title": title, "last-modified": self.timestamp, "version": self.timestamp[:10],
                  "oscal-version": OSCAL_VERSION, "props": list(self.identity)}
        if links:
            result["links"] = links
        if roles and self.roles:
            result["roles"] = [{"id": rid, "title": title} for title, rid in self.roles.items()]
        result["parties"] = [{"uuid": self.party_uuid, "type": "organization",
                              "name": single_line(settings.organisation or settings.name)}]
        return result


def level_text(level) -> str:
    """The German word of a level, ``nicht bewertet`` for ``None``."""
    return level.label if level is not None else "nicht bewertet"


def needs_props(needs: Mapping) -> list[dict[str, str]]:
    """Props ``confidentiality``, ``integrity``, ``availability`` with the level words."""
    return [prop(value.value, level_text(needs.get(value))) for value in BASIC_VALUES]


__all__ = [
    "BASETHREATS", "BSI_NAMESPACE", "COMPONENT_TYPES", "ExportContext", "FILES", "Items", "NAMESPACE", "OSCAL_VERSION",
    "ROOTS", "STATES", "bsi_prop", "iso_timestamp", "level_text", "needs_props", "prop", "props",
    "resource", "role_ids", "single_line",
]
