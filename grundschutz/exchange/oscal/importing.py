"""``grundschutz oscal import``: statuses of an SSP (and findings of assessment results) back into ``check.csv``.

:func:`plan_oscal_import` reads one or more documents written by
``grundschutz oscal export`` (and edited by an auditor's or a KRZ's OSCAL
tooling) and works out what they change in ``check.csv``: status, note
(the implementation status' remarks), responsible role, due date and date
checked (SSP), status and note (assessment results). The rules are those
of the Excel import:

- a document of another assessment is refused; one exported before the
  objects or ``check.csv`` changed is refused unless ``force``;
- every problem is reported at once (file, JSON path, value), nothing is
  written; a status for a requirement that is not selected is an error with
  the reason;
- only values that differ from the assessment are written, cell by cell
  (:class:`~grundschutz.io.csv_edit.CsvDocument`): an unchanged SSP leaves
  the folder byte for byte as it was;
- the assessment as it would be after the import is checked in full before
  anything is written; :func:`apply_oscal_import` writes under the folder's
  lock, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from grundschutz.exchange.excel.applying import date_text
from grundschutz.exchange.excel.export import assessment_fingerprint
from grundschutz.exchange.excel.importing import NEW_FILE_COLUMNS, listing_end, validate_in_copy
from grundschutz.exchange.oscal.common import ExportContext
from grundschutz.exchange.oscal.export import check_hash, file_hash
from grundschutz.exchange.oscal.reading import (
    Document,
    Proposal,
    proposals,
    read_document,
)
from grundschutz.io.csv_edit import CsvDocument
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, os_read_reason
from grundschutz.model.ids import normalise_requirement_id
from grundschutz.model.records import Status

#: The columns of ``check.csv`` the import writes, with the German label shown in the listing.
COLUMNS = {"status": "Status", "note": "Anmerkung", "responsible": "Verantwortlich", "due": "Umsetzung bis",
           "checked_on": "Geprüft am"}
CHECK_FILE = "check.csv"


@dataclass(frozen=True)
class Change:
    """One value of ``check.csv`` that changes, and the document item it comes from."""

    file: str
    path: str
    object: str
    requirement: str
    column: str
    old: str
    new: str


@dataclass
class OscalImportPlan:
    """What an import would change: the changes value by value, the new ``check.csv`` and notes."""

    folder: Path
    documents: list[str]
    changes: list[Change] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    check_sha256: str = "-"


def _show(value: object) -> str:
    """A value as the listing shows it (dates TT.MM.JJJJ)."""
    return value.strftime("%d.%m.%Y") if isinstance(value, date) else "" if value is None else str(value)


def _check_identity(document: Document, analysis, force: bool, notes: list[str]) -> None:
    def refuse(message: str) -> None:
        raise AssessmentError([Problem(document.file, None, None, None, message)], document.file)

    identity = document.identity
    if "assessment" not in identity or "assessment-fingerprint" not in identity:
        refuse("Dokument stammt nicht aus 'grundschutz oscal export' (Kennung der Bewertung in metadata.props "
               "fehlt); nur exportierte Dokumente können importiert werden")
    name = analysis.assessment.settings.name
    if identity["assessment"].strip() != " ".join(name.split()):
        refuse(f"Dokument gehört zur Bewertung '{identity['assessment']}', nicht zu '{name}'")
    fingerprint = assessment_fingerprint(analysis.assessment.objects)
    if identity["assessment-fingerprint"] != fingerprint:
        message = (f"die Zielobjekte der Bewertung stimmen nicht mit dem Dokument überein (Kennung "
                   f"{identity['assessment-fingerprint']} im Dokument, {fingerprint} in der Bewertung)")
        if not force:
            refuse(message + "; neu exportieren oder mit --force übernehmen")
        notes.append(f"Achtung ({document.file}): {message}.")
    current = check_hash(analysis)
    exported = identity.get(f"source-sha256:{CHECK_FILE}")
    if exported is not None and exported != current:
        message = f"{CHECK_FILE} wurde nach dem Export geändert; die Werte des Dokuments würden neuere überschreiben"
        if not force:
            refuse(message + ". Bitte neu exportieren oder mit --force übernehmen")
        notes.append(f"Achtung ({document.file}): {message} (--force).")


def plan_oscal_import(analysis, files, *, force: bool = False) -> OscalImportPlan:
    """Work out what importing the OSCAL ``files`` (SSPs, assessment results) into ``analysis`` changes.

    ``analysis`` is the :class:`~grundschutz.method.analysis.Analysis` (with a
    catalog) of an assessment folder with CSV files. Raises
    :class:`AssessmentError` listing every problem; changes nothing.
    """
    folder = Path(analysis.path)
    if not folder.is_dir() or not (folder / "needs.csv").is_file():
        raise GrundschutzError(f"{folder}: keine CSV-Bewertung (needs.csv fehlt); der Import schreibt in check.csv")
    if analysis.check is None:
        raise GrundschutzError("Der OSCAL-Import braucht den Katalog (Modellierung, Anforderungen, Check): "
                               f"{analysis.catalog_note or 'Katalogverzeichnis angeben (--catalogs).'}")
    paths = [Path(f) for f in files]
    plan = OscalImportPlan(folder, [p.name for p in paths], check_sha256=check_hash(analysis))
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(read_document(path.read_bytes(), path.name))
        except OSError as exc:
            problems.append(Problem(path.name, None, None, None, f"nicht lesbar ({os_read_reason(exc)})"))
        except ValueError as exc:
            problems.append(Problem(path.name, None, None, None, str(exc)))
    if problems:
        raise AssessmentError(problems, ", ".join(plan.documents))
    for document in documents:
        _check_identity(document, analysis, force, plan.notes)
    ctx = ExportContext(analysis, "")
    components = {ctx.component_uuid(object_id): object_id for object_id in analysis.modelling.objects}
    statements = {ctx.by_component_uuid(e.object, e.requirement): (e.object, e.requirement) for e in analysis.check}
    found = [p for document in documents for p in proposals(document, components, statements, problems)]
    changed = _merge(analysis, found, problems, plan.notes)
    if problems:
        raise AssessmentError(problems, ", ".join(plan.documents))
    plan.changes = [change for _, changes in changed for change in changes]
    if plan.changes:
        plan.files = {CHECK_FILE: _write_check(folder, analysis, changed)}
        validate_in_copy(plan.folder, plan.files, analysis, ", ".join(plan.documents))
    return plan


def _requirement_check(analysis):
    """The catalog's check of a row: requirement exists and is selected (the message says why not)."""
    if analysis.gspp:
        from grundschutz.method.gspp import gspp_requirement_check

        return gspp_requirement_check(analysis.selection, analysis.modelling.catalog)
    from grundschutz.method.check import kompendium_requirement_check

    return kompendium_requirement_check(analysis.selection, analysis.kompendium)


def _merge(analysis, found: list[Proposal], problems: list[Problem], notes: list[str]):
    """Per check row ``((entry, new values by column), [Change…])``; conflicts and errors go to ``problems``."""
    index = {(e.object, e.requirement): e for e in analysis.check}
    check_requirement = _requirement_check(analysis)
    seen: dict[tuple[str, str, str], Proposal] = {}
    new_values: dict[tuple[str, str], dict[str, tuple[object, Proposal]]] = {}
    for proposal in found:
        notes.extend(proposal.notes)
        key = (proposal.object, normalise_requirement_id(proposal.requirement))
        shown = f"{key[0]} / {key[1]}"
        if (proposal.file, *key) in seen:
            problems.append(Problem(proposal.file, None, proposal.path, shown,
                                    f"kommt doppelt vor (auch {seen[(proposal.file, *key)].path})"))
            continue
        seen[(proposal.file, *key)] = proposal
        entry = index.get(key)
        if entry is None:
            why = check_requirement(key[1], key[0]) or "Anforderung ist nicht ausgewählt"
            problems.append(Problem(proposal.file, None, proposal.path, shown, why))
            continue
        for column, value in proposal.values.items():
            if value == _old(entry, column):
                continue
            earlier = new_values.setdefault(key, {}).get(column)
            if earlier is not None and earlier[0] != value:
                problems.append(Problem(proposal.file, None, proposal.path, _show(value),
                                        f"widerspricht {earlier[1].file} ({earlier[1].path}: '{_show(earlier[0])}') "
                                        f"für {COLUMNS[column]} von {shown}"))
                continue
            new_values[key][column] = (value, proposal)
    result = []
    for key, values in new_values.items():
        if not values:
            continue
        entry = index[key]
        state = {column: _old(entry, column) for column in COLUMNS} | {c: v for c, (v, _) in values.items()}
        first = next(iter(values.values()))[1]
        if state["status"] is Status.ENTBEHRLICH and not state["note"]:
            problems.append(Problem(first.file, None, f"{first.path}.implementation-status.remarks", "",
                                    f"Status 'entbehrlich' braucht eine Begründung (remarks) für {key[0]} / {key[1]}"))
            continue
        changes = [Change(proposal.file, proposal.path, key[0], key[1], column, _show(_old(entry, column)),
                          _show(value)) for column, (value, proposal) in values.items()]
        result.append(((entry, {c: v for c, (v, _) in values.items()}), changes))
    return result


def _old(entry, column: str) -> object:
    value = getattr(entry, column)
    return value if column in ("status", "due", "checked_on") else (value or "")


def _write_check(folder: Path, analysis, changed) -> bytes:
    """The new ``check.csv``: changed cells of existing rows, new rows for requirements without one."""
    path = folder / CHECK_FILE
    doc = CsvDocument.parse(path.read_bytes(), CHECK_FILE) if path.is_file() else \
        CsvDocument.new(CHECK_FILE, list(NEW_FILE_COLUMNS[CHECK_FILE]))
    rows = {(doc.get(r, "object"), normalise_requirement_id(doc.get(r, "requirement"))): r for r in doc.rows()}
    like = next((doc.get(r, c) for r in doc.rows() for c in ("due", "checked_on") if doc.get(r, c)), "")
    for (entry, values), _ in changed:
        record = rows.get((entry.object, entry.requirement))
        if record is None:
            state = {column: values.get(column, _old(entry, column)) for column in COLUMNS}
            cells = {"object": entry.object, "requirement": entry.requirement}
            cells.update({c: _cell(c, v, like) for c, v in state.items()})
            rows[(entry.object, entry.requirement)] = doc.append(cells)
            continue
        for column, value in values.items():
            doc.set(record, column, _cell(column, value, doc.get(record, column) or like))
    return doc.to_bytes()


def _cell(column: str, value: object, like: str) -> str:
    if column in ("due", "checked_on"):
        return date_text(value, like)
    return value.value if isinstance(value, Status) else str(value or "")


def apply_oscal_import(plan: OscalImportPlan) -> dict[str, int]:
    """Write the changed ``check.csv`` of ``plan`` under the folder's lock; the number of changed values."""
    from grundschutz.io.files import folder_lock, replace_files

    if not plan.files:
        return {}
    with folder_lock(plan.folder, purpose="grundschutz oscal import"):
        path = plan.folder / CHECK_FILE
        if file_hash(path) != plan.check_sha256:
            raise GrundschutzError(f"{path}: wurde seit der Vorschau geändert; Import bitte erneut ausführen")
        replace_files(plan.folder, plan.files)
    return {CHECK_FILE: len(plan.changes)}


def render_oscal_import(plan: OscalImportPlan, applied: bool = False) -> str:
    """The German listing of an import: the changes per document, notes, and what was written."""
    out = [f"Import aus {', '.join(plan.documents)} in {plan.folder}",
           *([] if plan.changes else ["Keine Änderungen zu übernehmen (siehe Hinweise)." if plan.notes else
                                      "Keine Änderungen: die Dokumente stimmen mit der Bewertung überein."])]
    for file in dict.fromkeys(change.file for change in plan.changes):
        changes = [c for c in plan.changes if c.file == file]
        out += ["", f"{file} → {CHECK_FILE}: {len(changes)} {'Wert' if len(changes) == 1 else 'Werte'}"]
        out += [f"  {c.object} / {c.requirement} · {COLUMNS[c.column]}: '{c.old}' → '{c.new}'" for c in changes]
    return "\n".join(out + listing_end(list(dict.fromkeys(plan.notes)), len(plan.changes), [CHECK_FILE], applied))
