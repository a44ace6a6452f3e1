"""Modellierung (Baustein assignment), Kompendium 2023.

:func:`model_assessment` applies the modelling rules (``catalogs/modelling.yaml``,
read and checked by :mod:`grundschutz.catalog.modelling_rules`) to every object plus
the implicit Informationsverbund ``IV``, then the hand changes of
``modelling.csv`` (:class:`~grundschutz.model.records.ModellingChange`).
Rules may look at the dependency graph (``depends_on``/``used_by``: NET.2.2 on
every IT system that uses a WLAN, SYS.1.9 on the clients of a terminal
server). Objects without a fitting Baustein are listed: they need a risk
analysis (BSI 200-3). Every object whose name suggests a tag it lacks gets a
:class:`NameHint` result (:class:`TagHint`) with what the tag would add. The
requirement selection that follows is :mod:`grundschutz.method.selection`;
Grundschutz++ (Zielobjekt-Kategorien instead of Bausteine) is
:mod:`grundschutz.method.gspp`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.catalog import Kompendium
from grundschutz.model import Assessment, TargetObject
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, UnknownObjectError
from grundschutz.model.levels import ObjectType
from grundschutz.model.records import INFORMATIONSVERBUND_ID, ModellingChange
from grundschutz.model.rules import RULES_FILE, DependencyView, ModellingRule, ModellingRules, normalised_tags

#: The file of the officer's standing hand changes; changes from other files (scenarios) are lenient.
HAND_CHANGES_FILE = "modelling.csv"

# --------------------------------------------------------------------------- Modellierung


@dataclass(frozen=True)
class Assignment:
    """A Baustein assigned to an object, by a rule or by hand (``modelling.csv``)."""

    baustein: str
    title: str
    reason: str
    rule: str = ""
    manual: bool = False
    row: int | None = None

    @property
    def source(self) -> str:
        """``"regel"`` or ``"hand"``."""
        return "hand" if self.manual else "regel"


@dataclass(frozen=True)
class Removal:
    """A Baustein a rule assigned and ``modelling.csv`` removed, with the reason."""

    baustein: str
    title: str
    reason: str
    rule: str
    row: int | None = None


@dataclass(frozen=True)
class TagHint:
    """A tag the object's name suggests (a :class:`~grundschutz.model.rules.NameHint` of
    ``modelling.yaml``) and what it would change: ``bausteine`` it would add to the
    object, ``verbund`` it would add to the Informationsverbund, ``replaces`` it would
    take away, ``covered`` whether the object would then count as covered, ``uncovered``
    the reason of a rule saying that no Baustein fits it."""

    word: str
    tag: str
    bausteine: tuple[str, ...] = ()
    verbund: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    covered: bool = False
    uncovered: str = ""

    @property
    def text(self) -> str:
        """The hint in German, e.g. ``Tag 'serverraum' (Name: 'serverraum') ergäbe INF.2``."""
        parts = []
        if self.bausteine:
            parts.append(", ".join(self.bausteine))
        if self.verbund:
            parts.append(f"am Informationsverbund {', '.join(self.verbund)}")
        if self.covered:
            parts.append("abgedeckt (keine eigenen Bausteine nötig)")
        if self.uncovered:
            parts.append(f"keinen Baustein: {self.uncovered}")
        text = f"Tag '{self.tag}' (Name: '{self.word}') ergäbe {'; '.join(parts)}"
        return text + (f" statt {', '.join(self.replaces)}" if self.replaces else "")


@dataclass(frozen=True)
class ObjectModelling:
    """The Modellierung of one object.

    ``assignments`` are in Kompendium order. ``covered`` is the reason of a
    rule stating that the object needs no own Bausteine (e.g. processes);
    ``uncovered`` the reason of a rule stating that no Baustein fits (it needs
    a risk analysis). ``hints``: tags its name suggests (:class:`TagHint`).
    ``covered_by``: the Bausteine the covering rule names as covering the
    object (NET.1.1 for a network of the Gesamtnetz), for its threat overview.
    """

    object: TargetObject
    assignments: tuple[Assignment, ...]
    removals: tuple[Removal, ...] = ()
    covered: str = ""
    covered_rule: str = ""
    uncovered: str = ""
    uncovered_rule: str = ""
    hints: tuple[TagHint, ...] = ()
    covered_by: tuple[str, ...] = ()

    @property
    def bausteine(self) -> tuple[str, ...]:
        return tuple(a.baustein for a in self.assignments)

    @property
    def needs_risk_analysis(self) -> bool:
        """True when no Baustein fits and no rule says the object is covered."""
        return not self.assignments and not self.covered


@dataclass(frozen=True)
class Modelling:
    """Per object (Informationsverbund first) its Bausteine with reasons (:func:`model_assessment`).

    ``warnings``: entries of a scenario's ``bausteine`` that change nothing (the
    rules already assign the Baustein, or do not assign what it removes).
    """

    assessment: Assessment
    informationsverbund: TargetObject
    objects: Mapping[str, ObjectModelling]
    rules_source: str = RULES_FILE
    warnings: tuple[Problem, ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    def __getitem__(self, object_id: str) -> ObjectModelling:
        try:
            return self.objects[object_id]
        except KeyError:
            raise UnknownObjectError(f"Zielobjekt '{object_id}' gibt es in der Modellierung nicht") from None

    def __len__(self) -> int:
        return len(self.objects)

    def bausteine(self, object_id: str) -> tuple[str, ...]:
        """The Baustein ids assigned to an object."""
        return self[object_id].bausteine

    @property
    def modelled(self) -> tuple[str, ...]:
        """Ids of the objects with at least one Baustein."""
        return tuple(i for i, m in self.objects.items() if m.assignments)

    @property
    def covered(self) -> tuple[str, ...]:
        """Ids of objects without own Bausteine that a rule declares covered."""
        return tuple(i for i, m in self.objects.items() if not m.assignments and m.covered)

    @property
    def unmodelled(self) -> tuple[str, ...]:
        """Ids of objects with no fitting Baustein: they need a risk analysis."""
        return tuple(i for i, m in self.objects.items() if m.needs_risk_analysis)

    @property
    def without_bausteine(self) -> tuple[str, ...]:
        """Ids of every object without a Baustein (covered or unmodelled)."""
        return tuple(i for i, m in self.objects.items() if not m.assignments)


def informationsverbund_object(assessment: Assessment) -> TargetObject:
    """The assessment's object of type ``informationsverbund``, else an implicit ``IV``."""
    for obj in assessment.objects.values():
        if obj.type is ObjectType.INFORMATIONSVERBUND:
            return obj
    if INFORMATIONSVERBUND_ID in assessment.objects:
        raise GrundschutzError(
            f"Objekt-ID '{INFORMATIONSVERBUND_ID}' ist für den Informationsverbund reserviert, in der "
            f"Bewertung aber ein Objekt vom Typ {assessment.objects[INFORMATIONSVERBUND_ID].type.value}"
        )
    name = assessment.settings.name or "Informationsverbund"
    return TargetObject(INFORMATIONSVERBUND_ID, ObjectType.INFORMATIONSVERBUND, name,
                        "Implizites Zielobjekt für die Prozess-Bausteine (ISMS, ORP, CON, OPS, DER).")


def model_assessment(
    assessment: Assessment,
    kompendium: Kompendium,
    rules: ModellingRules,
    changes: Iterable[ModellingChange] = (),
) -> Modelling:
    """Assign Bausteine to every object of ``assessment`` and to the Informationsverbund.

    Every rule whose selector (with its conditions on the dependency graph)
    and whose ``when_present``/``when_absent`` condition hold adds its
    Bausteine; the first rule naming a Baustein gives its reason. Then the
    hand ``changes`` (``modelling.csv``, a scenario's ``bausteine``) are
    applied in row order. A Baustein the Kompendium lacks is an error
    (:class:`AssessmentError` with file and row of every such change); so is,
    in ``modelling.csv``, removing a Baustein that is not assigned or adding
    one that is. A scenario's entry of that kind changes nothing and is a
    warning (:attr:`Modelling.warnings`): the rules may have come to assign
    what the scenario asks for. ``rules`` must have been checked against
    ``kompendium`` (:meth:`Catalog.modelling_rules
    <grundschutz.catalog.loading.Catalog.modelling_rules>` does that).
    An assessment with ``edition: grundschutz++`` is refused: its Modellierung
    is :func:`~grundschutz.method.gspp.model_gspp`.
    """
    if assessment.settings.edition == "grundschutz++":
        raise GrundschutzError(
            "Die Bewertung ist auf Grundschutz++ eingestellt (edition: grundschutz++): die Modellierung nach "
            "Zielobjekt-Kategorien braucht den Grundschutz++-Katalog (model_gspp), nicht das Kompendium 2023."
        )
    verbund = informationsverbund_object(assessment)
    objects = [verbund] + [o for o in assessment.objects.values() if o.id != verbund.id]
    graph = DependencyView(assessment.objects.values(), assessment.dependencies)
    present = tuple(assessment.objects.values())
    hits = {rule.id: (_hits(rule.when_present, present, graph), _hits(rule.when_absent, present, graph))
            for rule in rules if rule.when_present is not None or rule.when_absent is not None}
    active = [rule for rule in rules if rule.id not in hits or _holds(rule, *hits[rule.id])]
    by_type = {t: _of_type(active, t) for t in ObjectType}
    order = {bid: i for i, bid in enumerate(kompendium.bausteine)}

    def title(baustein: str) -> str:
        return kompendium.bausteine[baustein].title

    assigned: dict[str, dict[str, Assignment]] = {}
    matched: dict[str, _Matched] = {}
    for obj in objects:
        matched[obj.id] = _match(obj, by_type[obj.type], graph)
        assigned[obj.id] = {b: Assignment(b, title(b), rule.reason, rule.id)
                            for b, rule in matched[obj.id].bausteine.items()}
    removals, warnings = _apply_changes(changes, assigned, kompendium, title, assessment)
    hints = _hints(assessment, rules, graph, hits, by_type, assigned, removals, verbund.id)
    result = {}
    for obj in objects:
        found = matched[obj.id]
        cover, uncover = found.covered, found.uncovered
        result[obj.id] = ObjectModelling(
            obj,
            tuple(sorted(assigned[obj.id].values(), key=lambda a: order[a.baustein])),
            tuple(removals.get(obj.id, ())),
            cover.reason if cover else "",
            cover.id if cover else "",
            uncover.reason if uncover else "",
            uncover.id if uncover else "",
            hints.get(obj.id, ()),
            cover.covered_by if cover else (),
        )
    return Modelling(assessment, verbund, result, rules.source, warnings=tuple(warnings))


@dataclass(frozen=True)
class _Matched:
    """What the rules say about one object: Bausteine (with the first rule naming each),
    the first covering and the first ``uncovered`` rule."""

    bausteine: dict[str, ModellingRule]
    covered: ModellingRule | None
    uncovered: ModellingRule | None


def _hits(selector, objects: Sequence[TargetObject], graph: DependencyView) -> tuple[str, ...]:
    """The ids of up to two objects that match ``selector``: enough to tell whether one other
    than a given object does."""
    if selector is None:
        return ()
    found = []
    types = selector.types
    for obj in objects:
        if (not types or obj.type in types) and selector.matches(obj, graph, graph.tags(obj)):
            found.append(obj.id)
            if len(found) == 2:
                break
    return tuple(found)


def _holds(rule: ModellingRule, present: Sequence[str], absent: Sequence[str]) -> bool:
    """Whether ``when_present``/``when_absent`` hold, given the ids of (up to two) matching objects."""
    return (rule.when_present is None or bool(present)) and (rule.when_absent is None or not absent)


def _of_type(rules: Iterable[ModellingRule], object_type: ObjectType) -> list[ModellingRule]:
    return [r for r in rules if not r.selector.types or object_type in r.selector.types]


def _match(obj: TargetObject, active: Sequence[ModellingRule], graph: DependencyView) -> _Matched:
    bausteine: dict[str, ModellingRule] = {}
    covered = uncovered = None
    tags = normalised_tags(obj)
    for rule in active:
        if not rule.selector.matches(obj, graph, tags):
            continue
        if rule.covered and covered is None:
            covered = rule
        if rule.uncovered and uncovered is None:
            uncovered = rule
        for baustein in rule.bausteine:
            bausteine.setdefault(baustein, rule)
    return _Matched(bausteine, covered, uncovered)


def _apply_changes(changes, assigned, kompendium, title, assessment) -> tuple[dict[str, list[Removal]], list[Problem]]:
    """The hand changes on ``assigned`` (in place): the removals per object and the warnings."""
    removals: dict[str, list[Removal]] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for change in changes:
        strict = change.file == HAND_CHANGES_FILE

        def bad(column: str, value: str, message: str, strict: bool = True, change=change) -> None:
            (problems if strict else warnings).append(Problem(change.file, change.row, column, value, message))

        if change.object not in assigned:
            bad("object", change.object, "unbekannte Objekt-ID")
            continue
        if change.baustein not in kompendium.bausteine:
            hint = " (das ist eine Anforderung, kein Baustein)" if change.baustein in kompendium.requirements else ""
            bad("baustein", change.baustein, f"Baustein gibt es im Kompendium nicht{hint}")
            continue
        current = assigned[change.object]
        existing = current.get(change.baustein)
        nothing = "" if strict else "; der Eintrag ändert nichts"
        if change.action == "add":
            if existing is not None:
                how = f"durch Regel '{existing.rule}'" if existing.rule else "von Hand"
                bad("baustein", change.baustein,
                    f"{change.baustein} ist {change.object} bereits {how} zugeordnet{nothing}", strict)
                continue
            current[change.baustein] = Assignment(
                change.baustein, title(change.baustein), change.reason or "von Hand hinzugefügt", "", True, change.row)
        elif existing is None or existing.manual:
            bad("baustein", change.baustein,
                f"{change.baustein} ist {change.object} durch keine Regel zugeordnet; Entfernen nicht möglich"
                if strict else f"{change.baustein} ist {change.object} durch keine Regel zugeordnet{nothing}", strict)
        else:
            del current[change.baustein]
            removals.setdefault(change.object, []).append(
                Removal(change.baustein, existing.title, change.reason, existing.rule, change.row))
    if problems:
        raise AssessmentError(problems, assessment.source)
    return removals, warnings


# --------------------------------------------------------------------------- name hints


def _hints(assessment, rules, graph, hits, by_type, assigned, removals, verbund_id) -> dict[str, tuple[TagHint, ...]]:
    """Per object the :class:`TagHint` of every name hint that fits its type and name, names a
    tag the object does not carry, and would change its Modellierung or the Informationsverbund's.

    The tag is tried on the object itself: its rules, and the ``when_present``/``when_absent``
    conditions it would then meet or break; what other objects' graph conditions would make
    of it is left out. Bausteine removed by hand are not proposed again.
    """
    if not rules.hints:
        return {}
    active_ids = {r.id for rules_of_type in by_type.values() for r in rules_of_type}
    result: dict[str, tuple[TagHint, ...]] = {}
    for obj in assessment.objects.values():
        found = []
        own_keys = {k.casefold() for k in obj.tags}
        for hint in rules.hints:
            if (hint.types and obj.type not in hint.types) or hint.tag.key in own_keys:
                continue
            word = hint.word_in(obj.name)
            if word is None:
                continue
            tagged = dataclasses.replace(obj, tags={**obj.tags, hint.tag.key: hint.tag.pattern or ""})
            now_active = _active_with(tagged, rules, hits, graph)
            before = _match(obj, by_type[obj.type], graph)
            after = _match(tagged, _of_type(now_active, obj.type), graph)
            known = set(assigned[obj.id]) | {r.baustein for r in removals.get(obj.id, ())}
            new = tuple(b for b in after.bausteine if b not in known)
            gone = tuple(b for b in before.bausteine if b not in after.bausteine and b in assigned[obj.id])
            verbund = tuple(dict.fromkeys(
                b for r in now_active
                if r.id not in active_ids and ObjectType.INFORMATIONSVERBUND in r.selector.types
                for b in r.bausteine if b not in assigned[verbund_id]))
            covered = before.covered is None and after.covered is not None and not after.bausteine
            uncovered = (after.uncovered.reason if after.uncovered is not None and before.uncovered is None
                         and not after.bausteine and not covered else "")
            if new or verbund or covered or uncovered:
                found.append(TagHint(word, hint.tag.text.strip(), new, verbund, gone, covered, uncovered))
        if found:
            result[obj.id] = tuple(found)
    return result


def _active_with(tagged: TargetObject, rules: ModellingRules, hits, graph) -> list[ModellingRule]:
    """The active rules if the object ``tagged.id`` were ``tagged``: only its own match of the
    ``when_present``/``when_absent`` conditions changes (``hits``: up to two matching ids per rule)."""
    result = []
    for rule in rules:
        if rule.id in hits:
            present, absent = ([i for i in ids if i != tagged.id] for ids in hits[rule.id])
            if rule.when_present is not None and rule.when_present.matches(tagged, graph):
                present.append(tagged.id)
            if rule.when_absent is not None and rule.when_absent.matches(tagged, graph):
                absent.append(tagged.id)
            if not _holds(rule, present, absent):
                continue
        result.append(rule)
    return result
