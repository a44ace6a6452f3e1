"""Differences between two states of an assessment: the annual review and
"what did the KRZ change?".

:func:`diff_assessments` compares two :class:`~grundschutz.method.analysis.Analysis`
objects: objects added, removed and changed (type, name, description, tags,
count), dependencies added and removed, derived needs changed (with the
explanation of the new value), Bausteine and requirements added and dropped,
and status changes in the IT-Grundschutz-Check. :func:`diff_paths` does the
same for two folders, where either side may be a git revision of a folder:

- ``assessments/haan`` - a folder;
- ``HEAD~1:assessments/haan`` - the folder as it was in that revision;
- ``HEAD~1`` - that revision of the folder given on the other side.

``diff_records`` / ``diff_frame`` give every difference as one table.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grundschutz.method.analysis import Analysis, analyse
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.assessment import BASIC_VALUES, BasicValue, Dependency, Level, TargetObject

#: The fields of an object that :func:`diff_assessments` compares, in this order.
OBJECT_FIELDS = ("type", "name", "description", "tags", "count")


@dataclass(frozen=True)
class FieldChange:
    """One field of an object that differs (values as text, tags as ``a;b=c``)."""

    object: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class NeedChange:
    """A derived need that differs; ``explanation`` explains the new value."""

    object: str
    basic_value: BasicValue
    old: Level | None
    new: Level | None
    explanation: str


@dataclass(frozen=True)
class StatusChange:
    """A requirement of an object whose check status differs."""

    object: str
    requirement: str
    title: str
    old: str
    new: str
    note: str


@dataclass(frozen=True)
class AssessmentDiff:
    """The result of :func:`diff_assessments`. Pairs are ``(object, id)``, in natural id order;
    ``bausteine_*`` and ``requirements_*`` also carry the title."""

    old_label: str
    new_label: str
    objects_added: tuple[TargetObject, ...]
    objects_removed: tuple[TargetObject, ...]
    objects_changed: tuple[FieldChange, ...]
    dependencies_added: tuple[Dependency, ...]
    dependencies_removed: tuple[Dependency, ...]
    needs_changed: tuple[NeedChange, ...]
    bausteine_added: tuple[tuple[str, str, str], ...] = ()
    bausteine_dropped: tuple[tuple[str, str, str], ...] = ()
    requirements_added: tuple[tuple[str, str, str], ...] = ()
    requirements_dropped: tuple[tuple[str, str, str], ...] = ()
    status_changes: tuple[StatusChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True if the two states do not differ in anything compared."""
        return not any(getattr(self, f) for f in self.__dataclass_fields__ if f not in ("old_label", "new_label"))


def natural_key(text: str) -> tuple:
    """Sort ids as people read them: ``APP.2.2.A3`` before ``APP.2.2.A12``.

    >>> sorted(["APP.2.2.A12", "APP.2.2.A3", "SRV-10", "SRV-9"], key=natural_key)
    ['APP.2.2.A3', 'APP.2.2.A12', 'SRV-9', 'SRV-10']
    """
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def _pair_key(pair: tuple) -> tuple:
    return tuple(natural_key(str(part)) for part in pair)


def _tags(tags: Mapping[str, str]) -> str:
    return ";".join(f"{k}={v}" if v else k for k, v in sorted(tags.items()))


def _field(obj: TargetObject, name: str) -> str:
    value = getattr(obj, name)
    return _tags(value) if name == "tags" else str(value)


def diff_assessments(old: Analysis, new: Analysis, old_label: str = "", new_label: str = "") -> AssessmentDiff:
    """Everything that differs between two analyses of (versions of) an assessment.

    Bausteine, requirements and check statuses are compared only where both
    analyses were made with a catalog. Needs are compared for objects in both.
    """
    from grundschutz.views.render import explain_text

    before, after = old.assessment.objects, new.assessment.objects
    added = tuple(after[i] for i in sorted(set(after) - set(before), key=natural_key))
    removed = tuple(before[i] for i in sorted(set(before) - set(after), key=natural_key))
    changed = tuple(
        FieldChange(i, name, _field(before[i], name), _field(after[i], name))
        for i in sorted(set(before) & set(after), key=natural_key)
        for name in OBJECT_FIELDS
        if _field(before[i], name) != _field(after[i], name)
    )

    def edges(analysis):
        return {(d.source, d.target, d.redundancy_group): d for d in analysis.assessment.dependencies}

    old_edges, new_edges = edges(old), edges(new)
    needs = []
    for i in sorted(set(before) & set(after), key=natural_key):
        for value in BASIC_VALUES:
            a, b = old.propagation.level(i, value), new.propagation.level(i, value)
            if a != b:
                text = explain_text(new.propagation, new.propagation.derivation(i, value))
                needs.append(NeedChange(i, value, a, b, text))
    result = dict(
        old_label=old_label or str(old.path), new_label=new_label or str(new.path),
        objects_added=added, objects_removed=removed, objects_changed=changed,
        dependencies_added=tuple(new_edges[k] for k in sorted(set(new_edges) - set(old_edges), key=_pair_key)),
        dependencies_removed=tuple(old_edges[k] for k in sorted(set(old_edges) - set(new_edges), key=_pair_key)),
        needs_changed=tuple(needs),
    )
    if old.modelling is not None and new.modelling is not None:
        def bausteine(analysis):
            return {(o, a.baustein): a.title for o, m in analysis.modelling.objects.items() for a in m.assignments}

        def requirements(analysis):
            return {(r.object, r.requirement): r.title for r in analysis.selection}

        for name, collect in (("bausteine", bausteine), ("requirements", requirements)):
            a, b = collect(old), collect(new)
            result[f"{name}_added"] = tuple((*k, b[k]) for k in sorted(set(b) - set(a), key=_pair_key))
            result[f"{name}_dropped"] = tuple((*k, a[k]) for k in sorted(set(a) - set(b), key=_pair_key))
        old_check = {(e.object, e.requirement): e for e in old.check}
        result["status_changes"] = tuple(
            StatusChange(e.object, e.requirement, e.title, old_check[k].status.value, e.status.value, e.note)
            for e in sorted(new.check, key=lambda e: _pair_key((e.object, e.requirement)))
            if (k := (e.object, e.requirement)) in old_check and old_check[k].status is not e.status
        )
    return AssessmentDiff(**result)


# --------------------------------------------------------------------------- folders and git revisions


def diff_paths(old: str | Path, new: str | Path, catalogs: str | Path | None = None, *,
               with_catalog: bool = True) -> AssessmentDiff:
    """Compare two assessment folders; either may be ``REV:path`` or a bare git
    revision of the folder on the other side (see the module docstring).

    Raises :class:`GrundschutzError` if a side is neither a folder nor a git
    revision, the folder is not under git, or the revision is unknown.
    """
    old_spec, new_spec = str(old), str(new)
    with tempfile.TemporaryDirectory(prefix="grundschutz-diff-") as tmp:
        sides = []
        for index, (spec, other) in enumerate(((old_spec, new_spec), (new_spec, old_spec))):
            folder, label = _resolve(spec, other, Path(tmp) / str(index))
            sides.append((analyse(folder, catalogs, with_catalog=with_catalog), label))
        (a, old_label), (b, new_label) = sides
        return diff_assessments(a, b, old_label, new_label)


def _resolve(spec: str, other: str, target: Path) -> tuple[Path, str]:
    """The folder to analyse for ``spec`` (exported from git into ``target`` if needed) and its label."""
    path = Path(spec)
    if path.is_dir():
        return path, spec
    if ":" in spec:
        revision, _, folder = spec.partition(":")
    elif Path(other).is_dir() and ":" not in other:
        revision, folder = spec, other
    else:
        raise GrundschutzError(
            f"'{spec}' ist weder ein Bewertungsordner noch eine Git-Revision eines Ordners "
            "(Formen: ORDNER, REVISION:ORDNER, oder REVISION zusammen mit einem ORDNER auf der anderen Seite)"
        )
    if not revision:
        raise GrundschutzError(f"'{spec}': Git-Revision fehlt vor ':'")
    folder_path = Path(folder or ".").absolute()
    anchor = next((p for p in (folder_path, *folder_path.parents) if p.is_dir()), Path.cwd())
    root = Path(_git(anchor, "rev-parse", "--show-toplevel", error=f"{anchor} liegt nicht in einem Git-Repository")
                .strip())
    try:
        relative = folder_path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GrundschutzError(f"{folder} liegt nicht im Git-Repository {root}") from None
    unknown = (f"Git-Revision '{revision}' ist unbekannt (in {root})" if ":" in spec else
               f"'{spec}' ist weder ein Bewertungsordner noch eine bekannte Git-Revision (in {root})")
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", error=unknown)
    prefix = "" if relative == "." else relative + "/"
    listing = _git(root, "ls-tree", "-r", "--name-only", "-z", revision, "--", prefix or ".")
    files = [f for f in listing.split("\0") if f]
    if not files:
        raise GrundschutzError(f"Ordner '{relative}' gibt es in Revision '{revision}' nicht")
    for name in files:
        data = subprocess.run(["git", "-C", str(root), "show", f"{revision}:{name}"], capture_output=True,
                              check=True).stdout
        destination = target / name[len(prefix):]
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return target, f"{revision}:{relative}"


def _git(directory: Path, *args: str, error: str = "") -> str:
    if shutil.which("git") is None:
        raise GrundschutzError("git ist nicht installiert; Vergleiche mit Git-Revisionen brauchen git")
    done = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise GrundschutzError(error or f"git {' '.join(args)}: {detail[-1] if detail else done.returncode}")
    return done.stdout


# --------------------------------------------------------------------------- records

DIFF_COLUMNS = ("kind", "change", "object", "item", "title", "old", "new", "detail")


def diff_records(diff: AssessmentDiff) -> list[dict[str, object]]:
    """Every difference as one record: ``kind`` (``Zielobjekt``, ``Abhängigkeit``,
    ``Schutzbedarf``, ``Baustein``, ``Anforderung``, ``Check``), ``change``
    (``hinzugefügt``, ``entfernt``, ``geändert``), ``object``, ``item``,
    ``title``, ``old``, ``new``, ``detail``."""
    records = []

    def add(kind, change, object_id, item="", title="", old="", new="", detail=""):
        records.append({"kind": kind, "change": change, "object": object_id, "item": item, "title": title,
                        "old": old, "new": new, "detail": detail})

    for obj in diff.objects_added:
        add("Zielobjekt", "hinzugefügt", obj.id, obj.type.value, obj.name, new=str(obj.count))
    for obj in diff.objects_removed:
        add("Zielobjekt", "entfernt", obj.id, obj.type.value, obj.name, old=str(obj.count))
    for c in diff.objects_changed:
        add("Zielobjekt", "geändert", c.object, c.field, old=c.old, new=c.new)
    for change, deps in (("hinzugefügt", diff.dependencies_added), ("entfernt", diff.dependencies_removed)):
        for d in deps:
            add("Abhängigkeit", change, d.source, d.target, detail=d.note,
                **({"new": d.redundancy_group} if change == "hinzugefügt" else {"old": d.redundancy_group}))
    for n in diff.needs_changed:
        add("Schutzbedarf", "geändert", n.object, n.basic_value.value, old=n.old.label if n.old else "",
            new=n.new.label if n.new else "", detail=n.explanation)
    for kind, added, dropped in (("Baustein", diff.bausteine_added, diff.bausteine_dropped),
                                 ("Anforderung", diff.requirements_added, diff.requirements_dropped)):
        for object_id, item, title in added:
            add(kind, "hinzugefügt", object_id, item, title)
        for object_id, item, title in dropped:
            add(kind, "entfernt", object_id, item, title)
    for s in diff.status_changes:
        add("Check", "geändert", s.object, s.requirement, s.title, s.old, s.new, s.note)
    return records


def diff_frame(diff: AssessmentDiff):
    """:func:`diff_records` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame.from_records(diff_records(diff), columns=list(DIFF_COLUMNS))
