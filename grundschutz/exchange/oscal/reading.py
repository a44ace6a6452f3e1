"""Reading an SSP or assessment results back: what each document says about each check row.

:func:`read_document` parses the JSON and names the kind (``ssp`` or
``ar``); :func:`proposals` turns it into one :class:`Proposal` per
``by-component`` (SSP) or finding (assessment results): the object, the
requirement and the values the document gives for the columns of
``check.csv``. Objects are found by their component uuid, which the export
derives from the assessment's name and the object id.

Status rules (``docs/oscal.md``): the OSCAL state decides; this toolkit's
``status`` prop only tells ``nein`` from ``unbearbeitet`` behind
``planned``. A finding whose target is ``satisfied`` is ``ja``
(``entbehrlich`` with state ``not-applicable``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from grundschutz.exchange.oscal.common import NAMESPACE, ROOTS
from grundschutz.io.values import parse_date
from grundschutz.model.errors import Problem
from grundschutz.model.ids import normalise_requirement_id
from grundschutz.model.records import Status

#: OSCAL state -> check status (``planned``: ``nein`` unless the status prop says ``unbearbeitet``).
STATUS_OF_STATE = {"implemented": Status.JA, "partial": Status.TEILWEISE, "planned": Status.NEIN,
                   "not-applicable": Status.ENTBEHRLICH, "alternative": Status.JA}
#: The kinds the import reads.
READABLE = {"ssp": ROOTS["ssp"], "ar": ROOTS["ar"]}


@dataclass(frozen=True)
class Proposal:
    """What one item of a document says about one check row: ``values`` by column of ``check.csv``
    (``status``, ``note``, and from an SSP ``responsible``, ``due``, ``checked_on``)."""

    file: str
    path: str
    object: str
    requirement: str
    values: Mapping[str, object]
    notes: tuple[str, ...] = ()


@dataclass
class Document:
    """A parsed document: ``kind`` ``ssp`` or ``ar``, its root object and this toolkit's metadata props."""

    file: str
    kind: str
    root: dict
    identity: dict[str, str] = field(default_factory=dict)


def read_document(data: bytes, file: str) -> Document:
    """Parse an OSCAL JSON document; a German :class:`Problem` list (via ``ValueError``) if it is none we read."""
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"keine gültige JSON-Datei ({exc})") from None
    if not isinstance(parsed, dict):
        raise ValueError("kein OSCAL-Dokument (JSON-Objekt erwartet)")
    for kind, key in READABLE.items():
        if isinstance(parsed.get(key), dict):
            root = parsed[key]
            metadata = _dict(root.get("metadata"))
            identity = {}
            for item in _list(metadata.get("props")):
                if isinstance(item, dict) and item.get("ns") == NAMESPACE:
                    name = item.get("name", "")
                    identity[f"{name}:{item['class']}" if item.get("class") else name] = str(item.get("value", ""))
            return Document(file, kind, root, identity)
    found = ", ".join(sorted(parsed)) or "nichts"
    raise ValueError(f"weder OSCAL-Sicherheitskonzept (system-security-plan) noch Prüfergebnisse "
                     f"(assessment-results); gefunden: {found}")


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str | None:
    """A string value as it is; anything else (a number, an object) as ``None``."""
    return value if isinstance(value, str) else None


def own_props(item: Mapping) -> dict[str, str]:
    """This toolkit's props of an item by name (the first of each name)."""
    found: dict[str, str] = {}
    for entry in _list(item.get("props")):
        name = _text(entry.get("name")) if isinstance(entry, dict) and entry.get("ns") == NAMESPACE else None
        if name is not None and name not in found:
            found[name] = str(entry.get("value", ""))
    return found


def status_of(state: object, status_prop: str, where: str, file: str, problems: list[Problem],
              notes: list[str]) -> Status | None:
    """The check status of an OSCAL implementation-status state (``None`` after a problem)."""
    if not isinstance(state, str | None):
        problems.append(Problem(file, None, f"{where}.implementation-status.state", str(state),
                                "Umsetzungsstatus muss ein Text sein"))
        return None
    if state is None or state == "":
        try:
            return Status(status_prop)
        except ValueError:
            problems.append(Problem(file, None, f"{where}.implementation-status", None,
                                    "Umsetzungsstatus fehlt (implementation-status mit state)"))
            return None
    if state not in STATUS_OF_STATE:
        problems.append(Problem(file, None, f"{where}.implementation-status.state", str(state),
                                f"unbekannter Umsetzungsstatus (erlaubt: {', '.join(STATUS_OF_STATE)})"))
        return None
    status = STATUS_OF_STATE[state]
    if state == "planned" and status_prop == Status.UNBEARBEITET.value:
        return Status.UNBEARBEITET
    if state == "alternative":
        notes.append(f"{file}, {where}: Umsetzungsstatus 'alternative' wird als 'ja' übernommen "
                     "(Anforderung durch alternative Maßnahmen erfüllt).")
    return status


def _date(value: str | None, where: str, file: str, problems: list[Problem]) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem(file, None, where, value, str(exc)))
        return None


def proposals(document: Document, components: Mapping[str, str], statements: Mapping[str, tuple[str, str]],
              problems: list[Problem]) -> list[Proposal]:
    """The proposals of a document. ``components``: component uuid -> object id; ``statements``:
    ``by-component`` uuid -> (object, requirement) of the export. Problems go to ``problems``."""
    if document.kind == "ssp":
        return _ssp(document, components, problems)
    return _results(document, components, statements, problems)


def _ssp(document: Document, components: Mapping[str, str], problems: list[Problem]) -> list[Proposal]:
    file, root = document.file, document.root
    roles = {_text(r.get("id")): str(r.get("title", "")) for r in _list(_dict(root.get("metadata")).get("roles"))
             if isinstance(r, dict)}
    result = []
    implemented = _list(_dict(root.get("control-implementation")).get("implemented-requirements"))
    for i, requirement in enumerate(implemented):
        if not isinstance(requirement, dict):
            continue
        control = normalise_requirement_id(str(requirement.get("control-id", "")))
        for j, item in enumerate(_list(requirement.get("by-components"))):
            where = f"control-implementation.implemented-requirements[{i}].by-components[{j}]"
            if not isinstance(item, dict):
                continue
            object_id = components.get(_text(item.get("component-uuid")))
            if object_id is None:
                problems.append(Problem(file, None, f"{where}.component-uuid", str(item.get("component-uuid")),
                                        "Komponente gehört zu keinem Zielobjekt der Bewertung"))
                continue
            own = own_props(item)
            status_block = _dict(item.get("implementation-status"))
            notes: list[str] = []
            found = len(problems)
            status = status_of(status_block.get("state"), own.get("status", ""), where, file, problems, notes)
            titles = []
            for k, role in enumerate(_list(item.get("responsible-roles"))):
                rid = _text(role.get("role-id")) if isinstance(role, dict) else None
                if rid not in roles or not roles[rid]:
                    problems.append(Problem(file, None, f"{where}.responsible-roles[{k}].role-id", str(rid),
                                            "Rolle ist in metadata.roles nicht definiert"))
                else:
                    titles.append(roles[rid])
            values = {"status": status, "note": str(status_block.get("remarks") or "").strip(),
                      "responsible": ", ".join(titles),
                      "due": _date(own.get("due"), f"{where}.props[due]", file, problems),
                      "checked_on": _date(own.get("checked-on"), f"{where}.props[checked-on]", file, problems)}
            if len(problems) == found:
                result.append(Proposal(file, where, object_id, control, values, tuple(notes)))
    return result


def _results(document: Document, components: Mapping[str, str], statements: Mapping[str, tuple[str, str]],
             problems: list[Problem]) -> list[Proposal]:
    file, result = document.file, []
    for i, block in enumerate(_list(document.root.get("results"))):
        if not isinstance(block, dict):
            continue
        subjects = {}
        for observation in _list(block.get("observations")):
            if isinstance(observation, dict):
                found = [components.get(_text(s.get("subject-uuid"))) for s in _list(observation.get("subjects"))
                         if isinstance(s, dict)]
                subjects[_text(observation.get("uuid"))] = [f for f in found if f]
        for j, finding in enumerate(_list(block.get("findings"))):
            where = f"results[{i}].findings[{j}]"
            if not isinstance(finding, dict):
                continue
            key = _finding_key(finding, subjects, statements)
            if key is None:
                problems.append(Problem(file, None, f"{where}.target", None,
                                        "Feststellung lässt sich keinem Zielobjekt und keiner Anforderung zuordnen "
                                        "(implementation-statement-uuid oder target-id mit Beobachtung)"))
                continue
            target = _dict(finding.get("target"))
            status_block = _dict(target.get("implementation-status"))
            satisfied = _dict(target.get("status")).get("state")
            own, notes, found = own_props(finding), [], len(problems)
            if satisfied == "satisfied":
                status = Status.ENTBEHRLICH if status_block.get("state") == "not-applicable" else Status.JA
            else:
                status = status_of(status_block.get("state"), own.get("status", ""), f"{where}.target", file,
                                   problems, notes)
                if status is not None and status.implemented:
                    problems.append(Problem(file, None, f"{where}.target.status.state", str(satisfied),
                                            f"widersprüchlich: Ziel nicht erfüllt, Umsetzungsstatus "
                                            f"'{status_block.get('state')}'"))
            if len(problems) == found:
                values = {"status": status, "note": str(status_block.get("remarks") or "").strip()}
                result.append(Proposal(file, where, key[0], key[1], values, tuple(notes)))
    return result


def _finding_key(finding: Mapping, subjects: Mapping, statements: Mapping) -> tuple[str, str] | None:
    """(object, requirement) of a finding: by its implementation statement, else target-id and the subject
    of its observation."""
    key = statements.get(_text(finding.get("implementation-statement-uuid")))
    if key is not None:
        return key
    target_id = str(_dict(finding.get("target")).get("target-id", ""))
    requirement = normalise_requirement_id(target_id[:-4] if target_id.endswith("_stm") else target_id)
    objects = {o for related in _list(finding.get("related-observations")) if isinstance(related, dict)
               for o in subjects.get(_text(related.get("observation-uuid")), ())}
    if len(objects) == 1 and requirement:
        return objects.pop(), requirement
    return None
