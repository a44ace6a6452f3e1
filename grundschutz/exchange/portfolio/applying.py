"""Writing the inherited needs into the provider's own ``needs.csv``.

The portfolio's inherited needs become assessed needs of the provider's
shared objects, each with a generated reason that begins with
:data:`~grundschutz.method.portfolio.GENERATED_MARK`. A row is the
portfolio's own if it has no ``effect`` and every reason in it begins with the
mark; only those rows are changed, added or removed. Every other row — written
by hand, or a value set by hand (with ``effect``) — is never touched; where a
hand-written assessed row exists for a shared object, it stays and the plan
says what the portfolio would have written.

:func:`plan_apply` shows what would change; :func:`apply_portfolio` works it
out again under the folder's lock (:func:`~grundschutz.io.files.folder_lock`)
from the file as it is then and replaces ``needs.csv`` atomically
(:func:`~grundschutz.io.files.replace_files`). Untouched rows keep their bytes
(:class:`~grundschutz.io.csv_edit.CsvDocument`), so a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grundschutz.io.csv_edit import CsvDocument
from grundschutz.io.files import folder_lock, replace_files
from grundschutz.io.folder import WORKBOOK_FILE
from grundschutz.io.tables import TABLES, needs_from_table
from grundschutz.io.text import parse_csv
from grundschutz.method.portfolio import GENERATED_MARK, Portfolio, inherited_needs
from grundschutz.model import BASIC_VALUES, Level
from grundschutz.model.errors import AssessmentError, GrundschutzError, os_read_reason

NEEDS_FILE = "needs.csv"
_COLUMNS = [*TABLES["needs"][0], *TABLES["needs"][1]]


@dataclass(frozen=True)
class RowChange:
    """One row of ``needs.csv`` the portfolio adds, changes or removes: ``cells`` are (basic value, old, new)
    level words; ``reasons`` the basic values whose generated reason changes."""

    object: str
    action: str  # "neu", "geändert", "entfernt"
    cells: tuple[tuple[str, str, str], ...] = ()
    reasons: tuple[str, ...] = ()
    row: int | None = None


@dataclass(frozen=True)
class KeptRow:
    """A hand-written assessed row of a shared object: not touched; ``lower`` lists the basic values
    where it is below what the clients need (basic value, written, inherited)."""

    object: str
    row: int
    lower: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ApplyPlan:
    """What :func:`apply_portfolio` writes (``data``: the new ``needs.csv``, ``None`` if nothing changes)."""

    folder: Path
    changes: tuple[RowChange, ...]
    kept: tuple[KeptRow, ...]
    data: bytes | None

    @property
    def changed(self) -> bool:
        """Whether ``needs.csv`` changes."""
        return self.data is not None


def _provider_folder(portfolio: Portfolio, folder: str | Path | None) -> Path:
    path = Path(folder or portfolio.provider_source)
    if path.is_file() or ((path / WORKBOOK_FILE).is_file() and not (path / NEEDS_FILE).is_file()):
        raise GrundschutzError(f"{path}: die Bewertung des Anbieters liegt als Arbeitsmappe vor; --apply schreibt "
                               "needs.csv und braucht einen Bewertungsordner mit CSV-Dateien")
    return path


def _is_generated(doc: CsvDocument, record) -> bool:
    if doc.get(record, "effect"):
        return False
    reasons = [doc.get(record, f"{v.value}_reason") for v in BASIC_VALUES]
    return any(reasons) and all(r.startswith(GENERATED_MARK) for r in reasons if r)


def _plan(portfolio: Portfolio, folder: Path, data: bytes | None) -> ApplyPlan:
    doc = CsvDocument.parse(data, NEEDS_FILE) if data is not None else CsvDocument.new(NEEDS_FILE, _COLUMNS)
    wanted = {object_id: values for object_id, values in inherited_needs(portfolio).items() if values}
    generated, written = {}, {}
    for record in doc.rows():
        object_id = doc.get(record, "object")
        if _is_generated(doc, record):
            generated.setdefault(object_id, record)
        elif not doc.get(record, "effect"):
            written[object_id] = record
    changes, kept = [], []
    for object_id, values in wanted.items():
        if object_id in written:
            record = written[object_id]
            lower = []
            for value, (level, _) in values.items():
                text = doc.get(record, value.value)
                if not text or _rank(text) < int(level):
                    lower.append((value.value, text, level.label))
            kept.append(KeptRow(object_id, record.number, tuple(lower)))
            continue
        cells = {v.value: (values[v][0].label if v in values else "") for v in BASIC_VALUES}
        reasons = {f"{v.value}_reason": (values[v][1] if v in values else "") for v in BASIC_VALUES}
        record = generated.pop(object_id, None)
        if record is None:
            doc.append({"object": object_id, **cells, **reasons})
            changes.append(RowChange(object_id, "neu", tuple((k, "", v) for k, v in cells.items() if v)))
            continue
        diff = tuple((k, doc.get(record, k), v) for k, v in cells.items() if doc.get(record, k) != v)
        texts = tuple(k.removesuffix("_reason") for k, v in reasons.items() if doc.get(record, k) != v)
        for column, value in {**cells, **reasons}.items():
            doc.set(record, column, value)
        if diff or texts:
            changes.append(RowChange(object_id, "geändert", diff, texts, record.number))
    for object_id, record in generated.items():  # no client needs the object any more
        doc.delete(record)
        changes.append(RowChange(object_id, "entfernt", row=record.number))
    if not doc.changed:
        return ApplyPlan(folder, (), tuple(kept), None)
    new = doc.to_bytes()
    _check(new, portfolio, folder)
    return ApplyPlan(folder, tuple(changes), tuple(kept), new)


def _rank(text: str) -> int:
    try:
        return int(Level.parse(text))
    except ValueError:
        return 0


def _check(data: bytes, portfolio: Portfolio, folder: Path) -> None:
    """The new ``needs.csv`` must read as the toolkit reads it (nothing is written otherwise)."""
    problems = []
    table = parse_csv(data.decode("utf-8-sig"), NEEDS_FILE)
    known = {shared.id for shared in portfolio.objects}
    for _, row in table.rows:
        known.add(row.get("object", ""))
    needs_from_table(table, known, problems)
    if problems:
        raise AssessmentError(problems, f"{folder} (nach der Übernahme)")


def _read(folder: Path) -> bytes | None:
    path = folder / NEEDS_FILE
    if not folder.is_dir():
        raise GrundschutzError(f"Ordner des Anbieters nicht gefunden: {folder}")
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError as exc:
        raise GrundschutzError(f"{path}: nicht lesbar ({os_read_reason(exc)})") from None


def plan_apply(portfolio: Portfolio, folder: str | Path | None = None) -> ApplyPlan:
    """What :func:`apply_portfolio` would write into ``needs.csv`` of ``folder`` (default: the provider's)."""
    path = _provider_folder(portfolio, folder)
    return _plan(portfolio, path, _read(path))


def apply_portfolio(portfolio: Portfolio, folder: str | Path | None = None) -> ApplyPlan:
    """Write the inherited needs into the provider's ``needs.csv`` under the folder's lock; the plan applied."""
    path = _provider_folder(portfolio, folder)
    with folder_lock(path, purpose="grundschutz portfolio --apply"):
        plan = _plan(portfolio, path, _read(path))
        if plan.data is not None:
            replace_files(path, {NEEDS_FILE: plan.data})
    return plan


_LABELS = {v.value: v.label for v in BASIC_VALUES}


def render_apply(plan: ApplyPlan, applied: bool = False) -> str:
    """The plan in German: what changes in ``needs.csv``, which hand-written rows stay."""
    target = plan.folder / NEEDS_FILE
    lines = []
    if plan.changes:
        verb = "geschrieben" if applied else "Vorschau; mit --apply schreiben"
        lines.append(f"Übernahme in {target} ({verb}):")
        for change in plan.changes:
            cells = "; ".join(f"{_LABELS[k]} {old or 'leer'} → {new or 'leer'}" for k, old, new in change.cells)
            texts = ", ".join(_LABELS[k] for k in change.reasons if k not in {c[0] for c in change.cells})
            detail = "; ".join(p for p in (cells, f"Begründung {texts}" if texts else "") if p)
            where = f" (Zeile {change.row})" if change.row else ""
            lines.append(f"  {change.object}: {change.action}{where}" + (f": {detail}" if detail else ""))
    else:
        lines.append(f"Keine Änderungen: {target} enthält die geerbten Schutzbedarfe bereits.")
    for row in plan.kept:
        lower = "; ".join(f"{_LABELS[k]} {written or 'leer'} (geerbt: {inherited})" for k, written, inherited
                          in row.lower)
        lines.append(f"  {row.object}: handgeschriebene Zeile {row.row} bleibt unverändert"
                     + (f"; liegt unter dem Bedarf der Kommunen: {lower}" if lower else ""))
    return "\n".join(lines)
