"""Schutzbedarf propagation: Maximumprinzip, cycles, Kumulations- and
Verteilungseffekt, overrides, and the provenance of every final value.

One pass over the strongly connected components in topological order, so the
computation is linear in objects + edges. Each basic value is handled on its
own. Unrated stays unrated (``None``) and is reported, never filled in.

>>> from grundschutz.model import *
>>> objs = {i: TargetObject(i, t, i) for i, t in [("P", ObjectType.PROCESS), ("S", ObjectType.SERVER)]}
>>> a = Assessment(Settings(), objs, (Dependency("P", "S"),),
...                needs={"P": {BasicValue.AVAILABILITY: Need(Level.HOCH, "Bürgerservice")}})
>>> result = propagate(a)
>>> d = result.derivation("S", BasicValue.AVAILABILITY)
>>> d.level, d.rule, d.origin
(<Level.HOCH: 2>, <Rule.MAXIMUM: 'maximum'>, 'P')
>>> result.derivation("S", BasicValue.CONFIDENTIALITY).level is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from grundschutz.method.fronts import ASSESSED as _ASSESSED
from grundschutz.method.fronts import CUMULATION as _CUMULATION
from grundschutz.method.fronts import DISTRIBUTION as _DISTRIBUTION
from grundschutz.method.fronts import MAXIMUM as _MAXIMUM
from grundschutz.method.fronts import OVERRIDE as _OVERRIDE
from grundschutz.method.fronts import Fronts, fronts_of
from grundschutz.method.graph import DependencyIndex, build_index, strongly_connected_components
from grundschutz.method.redundancy import SharedGroup, shared_dependencies
from grundschutz.model import (
    BASIC_VALUES,
    Assessment,
    BasicValue,
    CumulationRule,
    Effect,
    Level,
    Rule,
)
from grundschutz.model.assessment import object_column
from grundschutz.model.bulk import paused_gc

_RULES = (Rule.ASSESSED, Rule.MAXIMUM, Rule.CUMULATION, Rule.DISTRIBUTION, Rule.OVERRIDE)
_LEVELS = (None, Level.NORMAL, Level.HOCH, Level.SEHR_HOCH)


@dataclass(frozen=True)
class CumulationEvent:
    """A Kumulationseffekt rule that fired (raised) or nearly fired (candidate)."""

    object: str
    basic_value: BasicValue
    rule: CumulationRule
    dependents: tuple[str, ...]
    before: Level | None
    after: Level | None

    @property
    def count(self) -> int:
        """How many direct dependents reach the rule's level."""
        return len(self.dependents)


@dataclass(frozen=True)
class DistributionEvent:
    """The Verteilungseffekt lowered what an object would otherwise inherit."""

    object: str
    basic_value: BasicValue
    via: tuple[str, ...]
    without: Level
    level: Level | None


@dataclass(frozen=True)
class SharedDependencyEvent:
    """An object every member of a redundancy group depends on got the group's object's undiminished value.

    ``dependent`` is the object whose redundancy group ``group`` has the
    ``members``; ``lowered`` is what the object would have had with the
    Verteilungseffekt (``None`` = unrated), ``level`` what it has.
    """

    object: str
    basic_value: BasicValue
    dependent: str
    group: str
    members: tuple[str, ...]
    lowered: Level | None
    level: Level


@dataclass(frozen=True)
class Derivation:
    """The final value of one basic value of one object, with its provenance.

    ``rule`` says how it came about, ``origin`` is the object the value comes
    from, ``via`` the direct dependent it flowed through (``None`` where the
    value arises at the object itself), ``path`` the chain of objects from
    ``origin`` to this object, ``reason`` the reason text of the origin.
    ``computed`` is the value before an override; ``deviation`` marks an
    override below the Maximumprinzip (not one that follows a Verteilungseffekt
    ``assessment.yaml`` documents: ``documented`` says which). ``provisional``
    is true where an object that feeds this value is still unrated.
    ``shared``: the value is the undiminished value of a redundancy group's
    object because every member depends on this object (``via`` is then that
    object, and the last step of ``path`` skips the members).
    """

    object: str
    basic_value: BasicValue
    level: Level | None
    rule: Rule | None
    origin: str | None
    via: str | None
    path: tuple[str, ...]
    reason: str
    computed: Level | None
    deviation: bool
    provisional: bool
    cycle: tuple[str, ...] = ()
    cumulation: CumulationEvent | None = None
    distribution: DistributionEvent | None = None
    contributors: tuple[str, ...] = ()
    shared: SharedDependencyEvent | None = None
    documented: str = ""


@dataclass(frozen=True)
class Propagation:
    """The result of :func:`propagate`: final values and everything that explains them.

    Per-object values are kept in compact arrays; ask for them with
    :meth:`level` and :meth:`derivation`, or as a DataFrame with
    :func:`grundschutz.views.tables.needs_frame`.
    """

    assessment: Assessment
    index: DependencyIndex
    levels: dict[BasicValue, list[int]]
    rules: dict[BasicValue, list[int]]
    via: dict[BasicValue, list[int]]
    origins: dict[BasicValue, list[int]]
    computed: dict[BasicValue, list[int]]
    provisional: dict[BasicValue, list[bool]]
    component: list[int]
    cycles: tuple[tuple[str, ...], ...]
    cumulations: tuple[CumulationEvent, ...]
    candidates: tuple[CumulationEvent, ...]
    distributions: tuple[DistributionEvent, ...]
    shared: tuple[SharedDependencyEvent, ...] = ()

    def level(self, object_id: str, basic_value: BasicValue) -> Level | None:
        """The final level of one basic value of an object (``None`` = unrated)."""
        self.assessment.object(object_id)
        return _LEVELS[self.levels[basic_value][self.index.position[object_id]]]

    def derivation(self, object_id: str, basic_value: BasicValue) -> Derivation:
        """The final value of one basic value of an object with its provenance."""
        self.assessment.object(object_id)
        i = self.index.position[object_id]
        ids = self.index.ids
        levels = self.levels[basic_value]
        code = self.rules[basic_value][i]
        level = _LEVELS[levels[i]]
        via = self.via[basic_value][i]
        origin = self.origins[basic_value][i]
        path = [i]
        node = i
        while self.via[basic_value][node] != -1 and len(path) <= len(ids):
            node = self.via[basic_value][node]
            path.append(node)
        path.reverse()
        cycle = self._cycle_by_object.get(object_id, ())
        cumulation = self._fired(object_id, basic_value, level)
        distribution = self._distribution_by_key.get((object_id, basic_value))
        computed = _LEVELS[self.computed[basic_value][i]]
        deviation = code == _OVERRIDE and computed is not None and level is not None and level < computed
        documented = self._documented_distribution(i, basic_value, level, computed) if deviation else ""
        contributors = tuple(
            ids[a] for a, _ in self.index.dependents[i] if levels[a] and levels[a] == levels[i]
        )
        return Derivation(
            object=object_id,
            basic_value=basic_value,
            level=level,
            rule=_RULES[code] if code >= 0 else None,
            origin=ids[origin] if origin >= 0 else None,
            via=ids[via] if via >= 0 else None,
            path=tuple(ids[p] for p in path),
            reason=self._reason(origin, basic_value) if origin >= 0 else "",
            computed=computed,
            deviation=deviation and not documented,
            provisional=self.provisional[basic_value][i],
            cycle=cycle,
            cumulation=cumulation if code == _CUMULATION else None,
            distribution=distribution,
            contributors=contributors,
            shared=self._shared_by_key.get((object_id, basic_value)),
            documented=documented,
        )

    def _documented_distribution(self, i: int, basic_value: BasicValue, level: Level, computed: Level) -> str:
        """The documented Verteilungseffekt an override of object ``i`` follows, as German text; ``""`` if none.

        It follows one if ``assessment.yaml`` documents the distribution of
        this basic value (confidentiality, integrity), the override's effect
        is ``distribution``, the object is a member of one of the documented
        redundancy groups, and it lies no more than ``lower_by`` levels below
        the computed value.
        """
        setting = self.assessment.settings.distribution
        override = self.assessment.overrides[self.index.ids[i]][basic_value]
        documented = setting.documented_for(basic_value)
        if (documented is None or override.effect is not Effect.DISTRIBUTION
                or int(level) < int(computed) - setting.lower_by):
            return ""
        ids = self.index.ids
        for a, redundant in self.index.dependents[i]:
            for name, members in self.index.groups.get(a, ()) if redundant else ():
                if i in members and setting.lowers(basic_value, name):
                    return f"Redundanzgruppe '{name}' von {ids[a]}, assessment.yaml: {documented.reason}"
        return ""

    def derivations(self, object_id: str) -> dict[BasicValue, Derivation]:
        """The derivations of all three basic values of an object."""
        return {value: self.derivation(object_id, value) for value in BASIC_VALUES}

    @cached_property
    def _cycle_by_object(self) -> dict[str, tuple[str, ...]]:
        return {member: cycle for cycle in self.cycles for member in cycle}

    @cached_property
    def _cumulations_by_key(self) -> dict[tuple[str, BasicValue], list[CumulationEvent]]:
        found: dict[tuple[str, BasicValue], list[CumulationEvent]] = {}
        for event in self.cumulations:
            found.setdefault((event.object, event.basic_value), []).append(event)
        return found

    @cached_property
    def _shared_by_key(self) -> dict[tuple[str, BasicValue], SharedDependencyEvent]:
        return {(e.object, e.basic_value): e for e in self.shared}

    @cached_property
    def _distribution_by_key(self) -> dict[tuple[str, BasicValue], DistributionEvent]:
        return {(e.object, e.basic_value): e for e in self.distributions}

    def _fired(self, object_id: str, basic_value: BasicValue, level: Level | None) -> CumulationEvent | None:
        """The cumulation rule that raised the object to ``level`` (the last of several)."""
        events = self._cumulations_by_key.get((object_id, basic_value), ())
        return next((e for e in reversed(events) if e.after == level), None)

    def _reason(self, origin: int, basic_value: BasicValue) -> str:
        object_id = self.index.ids[origin]
        code = self.rules[basic_value][origin]
        if code == _OVERRIDE:
            return self.assessment.overrides[object_id][basic_value].reason
        if code == _CUMULATION:
            event = self._fired(object_id, basic_value, _LEVELS[self.levels[basic_value][origin]])
            return event.rule.reason if event else ""
        need = self.assessment.needs.get(object_id, {}).get(basic_value)
        return need.reason if need else ""

    @property
    def deviations(self) -> list[Derivation]:
        """Every override below the Maximumprinzip, in id order."""
        found = []
        for object_id, overrides in sorted(self.assessment.overrides.items()):
            for value in BASIC_VALUES:
                if value in overrides:
                    derivation = self.derivation(object_id, value)
                    if derivation.deviation:
                        found.append(derivation)
        return found

    def unrated(self, basic_value: BasicValue | None = None) -> list[str]:
        """Ids of objects unrated in ``basic_value`` (in any basic value if ``None``)."""
        values = [basic_value] if basic_value else BASIC_VALUES
        ids = self.index.ids
        return [ids[i] for i in range(len(ids)) if any(self.levels[v][i] == 0 for v in values)]


def propagate(assessment: Assessment, index: DependencyIndex | None = None) -> Propagation:
    """Compute the final protection needs of every object of ``assessment``.

    Per basic value, an object's value is the maximum of its own assessed need
    and what flows in from every object that depends on it (Maximumprinzip).
    Members of a cycle share the maximum of the cycle. Needs that reach an
    object through a redundancy group of two or more members are lowered by
    the distribution setting (availability only). Cumulation rules then raise
    objects with enough dependents, in the order the rules are given, and
    overrides replace the result. What an object ends with is what flows on.
    """
    with paused_gc():
        return _propagate(assessment, index)


def _propagate(assessment: Assessment, index: DependencyIndex | None) -> Propagation:
    index = index or build_index(assessment)
    components = strongly_connected_components(index)
    component = [0] * len(index)
    for number, members in enumerate(components):
        for member in members:
            component[member] = number
    cycles = tuple(sorted(tuple(index.ids[i] for i in c) for c in components if len(c) > 1))
    state = _State(assessment, index, components, component)
    if assessment.settings.distribution.enabled:
        state.shared_groups = shared_dependencies(index, component)
    for value in BASIC_VALUES:
        state.run(value)
    return Propagation(
        assessment=assessment,
        index=index,
        levels=state.levels,
        rules=state.rules,
        via=state.via,
        origins=state.origins,
        computed=state.computed,
        provisional=state.provisional,
        component=component,
        cycles=cycles,
        cumulations=_sorted_events(state.cumulations),
        candidates=_sorted_events(state.candidates),
        distributions=_sorted_events(state.distributions),
        shared=_sorted_events(state.shared),
    )


def _sorted_events(events: list) -> tuple:
    order = {value: i for i, value in enumerate(BASIC_VALUES)}
    return tuple(sorted(events, key=lambda e: (e.object, order[e.basic_value])))


class _State:
    """Working arrays of one propagation run."""

    def __init__(self, assessment, index, components, component):
        self.assessment = assessment
        self.index = index
        self.components = components
        self.component = component
        self.levels: dict[BasicValue, list[int]] = {}
        self.rules: dict[BasicValue, list[int]] = {}
        self.via: dict[BasicValue, list[int]] = {}
        self.origins: dict[BasicValue, list[int]] = {}
        self.computed: dict[BasicValue, list[int]] = {}
        self.provisional: dict[BasicValue, list[bool]] = {}
        self.cumulations: list[CumulationEvent] = []
        self.candidates: list[CumulationEvent] = []
        self.distributions: list[DistributionEvent] = []
        self.shared: list[SharedDependencyEvent] = []
        #: per object: the redundancy groups it is a single point of failure of (redundancy.py)
        self.shared_groups: list[tuple[SharedGroup, ...] | None] | None = None

    def run(self, value: BasicValue) -> None:
        assessment, index = self.assessment, self.index
        n = len(index)
        ids = index.ids
        position = index.position
        dependents = index.dependents
        component = self.component
        setting = assessment.settings.distribution
        lower_by = setting.lower_by if setting.enabled and value in setting.basic_values else 0
        # confidentiality and integrity: only the redundancy groups assessment.yaml documents
        documented = setting.documented_groups(value) if lower_by else None
        lowered_edges = None
        if documented is not None:
            lowered_edges = {a * n + m for a, groups in index.groups.items()
                             for name, members in groups if name in documented for m in members}
        shared_groups = self.shared_groups if lower_by else None
        picked: dict[int, tuple[SharedGroup, int]] = {}
        own = [0] * n
        for object_id, needs in assessment.needs.items():
            need = needs.get(value)
            if need is not None:
                own[position[object_id]] = int(need.level)
        overrides = {
            position[object_id]: o[value] for object_id, o in assessment.overrides.items() if value in o
        }
        rules = [r for r in assessment.settings.cumulation if r.basic_value == value]
        rules_for = self._rules_by_object(rules)
        unlowered_best: dict[int, int] = {}
        fronts = self.fronts
        if fronts is not None:  # a large graph: numpy arrays, settled front by front
            level, rule, via, origin, provisional, computed = fronts.initial(own)
        else:
            level, rule, via, origin = [0] * n, [-1] * n, [-1] * n, [-1] * n
            provisional, computed = [False] * n, [0] * n

        def settle(b: int, single: bool, this: int) -> None:
            """Object ``b``'s value from its own need and its dependents outside its cycle ``this``."""
            best, best_rule, best_via = own[b], (_ASSESSED if own[b] else -1), -1
            unlowered = 0
            incomplete = False
            for a, redundant in dependents[b]:
                if not single and component[a] == this:
                    continue
                la = level[a]
                if la == 0:
                    incomplete = True
                    continue
                if provisional[a]:
                    incomplete = True
                code = _MAXIMUM
                if redundant and lower_by and (lowered_edges is None or a * n + b in lowered_edges):
                    if la > unlowered:
                        unlowered = la
                    lowered = la - lower_by if la - lower_by >= 1 else 1
                    if lowered != la:
                        la, code = lowered, _DISTRIBUTION
                elif la > unlowered:
                    unlowered = la
                # ties: own assessment first, then unlowered, then lowest id (edges sorted)
                if la > best or (la == best and best_rule == _DISTRIBUTION and code == _MAXIMUM):
                    best, best_rule, best_via = la, code, a
            if shared_groups is not None and shared_groups[b] is not None:
                before = best
                for group in shared_groups[b]:
                    a = group.dependent
                    if documented is not None and group.name not in documented:
                        continue
                    la = level[a]
                    if la == 0 or provisional[a]:
                        incomplete = True
                    if la > unlowered:
                        unlowered = la
                    # the undiminished value of the group's object: it wins over an equal lowered one
                    if la > best or (la == best and best_rule == _DISTRIBUTION):
                        best, best_rule, best_via = la, _MAXIMUM, a
                        picked[b] = (group, before)
                if b in picked and best_via != picked[b][0].dependent:
                    del picked[b]
            level[b] = best
            rule[b] = best_rule
            via[b] = best_via
            origin[b] = origin[best_via] if best_via >= 0 else (b if best else -1)
            provisional[b] = incomplete
            if unlowered > best:
                unlowered_best[b] = unlowered
            else:
                unlowered_best.pop(b, None)

        def finish(members: list[int], single: bool) -> None:
            """Cumulation, overrides and cycles of a settled component, and the events of its members."""
            if single:
                b = members[0]
                if rules_for[b]:
                    self._cumulate(b, rules_for[b], value, level, rule, via, origin, True)
                computed[b] = level[b]
                override = overrides.get(b)
                if override is not None:
                    level[b], rule[b], via[b], origin[b] = int(override.level), _OVERRIDE, -1, b
            else:
                self._settle_cycle(members, value, rules_for, overrides, level, rule, via, origin, provisional,
                                   computed)
            for b in members:
                if b in picked and rule[b] == _MAXIMUM and via[b] == picked[b][0].dependent:
                    group, lowered_level = picked[b]
                    self.shared.append(SharedDependencyEvent(
                        ids[b], value, ids[group.dependent], group.name, tuple(ids[m] for m in group.members),
                        _LEVELS[lowered_level], Level(level[b])))
                if unlowered_best.get(b, 0) > computed[b]:
                    lowered_via = tuple(
                        ids[a] for a, redundant in dependents[b] if redundant and level[a] == unlowered_best[b]
                        and (lowered_edges is None or a * n + b in lowered_edges)
                    )
                    self.distributions.append(
                        DistributionEvent(ids[b], value, lowered_via, Level(unlowered_best[b]), _LEVELS[computed[b]])
                    )

        if fronts is not None:
            resettle = set() if shared_groups is None else \
                {b for b, found in enumerate(shared_groups) if found is not None}
            special = {b for b, found in enumerate(rules_for) if found} | set(overrides) | resettle
            lowerable = fronts.lowerable(index, lowered_edges) if lower_by else None
            arrays = fronts.settle((level, rule, via, origin, provisional, computed), lower_by, lowerable,
                                   self.components, special, resettle, unlowered_best, settle, finish)
        else:
            for members in self.components:
                single = len(members) == 1
                this = component[members[0]]
                for b in members:
                    settle(b, single, this)
                finish(members, single)
            arrays = level, rule, via, origin, provisional, computed
        (self.levels[value], self.rules[value], self.via[value], self.origins[value], self.provisional[value],
         self.computed[value]) = arrays

    @cached_property
    def fronts(self) -> Fronts | None:
        """The fronts of a large graph (:mod:`grundschutz.method.fronts`); ``None`` for others."""
        return fronts_of(self.index, self.component, len(self.components))

    def _rules_by_object(self, rules: list[CumulationRule]) -> list[tuple[CumulationRule, ...]]:
        """Per object (by number), the rules whose type filter admits it, in order.

        :meth:`CumulationRule.applies_to` looks at the object's type only, so
        it is asked once per type, not once per object.
        """
        if not rules:
            return [()] * len(self.index)
        objects = self.assessment.objects
        types = object_column(objects, "type", self.index.ids)
        # one object of each type, asked in its place
        example = dict(zip(reversed(types), reversed(self.index.ids)))
        by_type = {t: tuple(r for r in rules if r.applies_to(objects[i])) for t, i in example.items()}
        return list(map(by_type.__getitem__, types))

    def _settle_cycle(self, members, value, rules_for, overrides, level, rule, via, origin, provisional, computed):
        """Settle the members of a cycle, given what flows in from outside.

        Overridden members are fixed at their override; the others rise to the
        highest level among the members they depend on and by the cumulation
        rules, until nothing changes (levels only rise, so this ends after a
        few rounds). Without overrides every member ends at the cycle's maximum.
        """
        dependents = self.index.dependents
        inside = set(members)
        base = {m: level[m] for m in members}
        fixed = {m: overrides[m] for m in members if m in overrides}
        for m, override in fixed.items():
            level[m], rule[m], via[m], origin[m] = int(override.level), _OVERRIDE, -1, m
        free = [m for m in members if m not in fixed]
        changed = True
        while changed:
            changed = False
            for m in free:
                for a, _ in dependents[m]:
                    if a in inside and level[a] > level[m]:
                        level[m], rule[m], via[m], origin[m] = level[a], _MAXIMUM, a, origin[a]
                        changed = True
                if rules_for[m] and self._cumulate(m, rules_for[m], value, level, rule, via, origin, False):
                    changed = True
        for m in free:
            if rules_for[m]:  # at the fixpoint no rule fires any more: this only lists candidates
                self._cumulate(m, rules_for[m], value, level, rule, via, origin, True)
            computed[m] = level[m]
        for m, override in fixed.items():
            # what the Maximumprinzip would give the member, for the deviation check
            saved = level[m], rule[m], via[m], origin[m]
            level[m] = max([base[m]] + [level[a] for a, _ in dependents[m] if a in inside])
            if rules_for[m]:
                self._cumulate(m, rules_for[m], value, level, rule, via, origin, True)
            computed[m] = level[m]
            level[m], rule[m], via[m], origin[m] = saved
        incomplete = any(provisional[m] for m in members) or any(
            level[a] == 0 for m in members for a, _ in dependents[m] if a not in inside
        )
        for m in members:
            provisional[m] = incomplete

    def _cumulate(self, b, rules, value, level, rule, via, origin, list_candidates) -> bool:
        """Apply the cumulation rules to object ``b`` in order; record what fired
        (and, with ``list_candidates``, the near misses). True if ``b`` was raised.
        ``rules`` are those whose type filter admits ``b`` (:meth:`_rules_by_object`)."""
        raised = False
        dependents = self.index.dependents[b]
        for cumulation in rules:
            current = level[b]
            if current >= int(cumulation.raise_to):  # int: a numpy number compared with an enum member is slow
                continue
            at_level = int(cumulation.at_level)
            counted = {a for a, _ in dependents if level[a] >= at_level}
            count = len(counted)
            if count >= cumulation.min_dependents:
                level[b] = int(cumulation.raise_to)
                rule[b] = _CUMULATION
                via[b] = -1
                origin[b] = b
                self.cumulations.append(self._event(b, value, cumulation, counted, current))
                raised = True
            elif list_candidates and count and count >= cumulation.min_dependents - cumulation.candidate_margin:
                self.candidates.append(self._event(b, value, cumulation, counted, current))
        return raised

    def _event(self, b, value, cumulation, counted, current) -> CumulationEvent:
        """The event of ``cumulation`` at object ``b``; ``counted`` holds the
        numbers of the dependents that reach the rule's level."""
        ids = self.index.ids
        return CumulationEvent(
            ids[b], value, cumulation, tuple(sorted(ids[a] for a in counted)), _LEVELS[current], cumulation.raise_to
        )
