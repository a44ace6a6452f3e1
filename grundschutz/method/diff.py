"""Differences between two states of an assessment: the annual review and
"what did the KRZ change?".

:func:`diff_assessments` compares two :class:`~grundschutz.method.analysis.Analysis`
objects: objects added, removed and changed (type, name, description, tags,
count), dependencies added and removed, derived needs changed (with the
explanation of the new value), Bausteine and requirements added and dropped,
and status changes in the IT-Grundschutz-Check. Either side may be a git
revision of a folder (:mod:`grundschutz.io.revisions`); the differences as
one table are :mod:`grundschutz.views.diff_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grundschutz.method.explanation import explain_text
from grundschutz.model import Dependency, TargetObject
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Level

if TYPE_CHECKING:
    from grundschutz.method.analysis import Analysis

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
        old_label=old_label or old.assessment.source, new_label=new_label or new.assessment.source,
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
