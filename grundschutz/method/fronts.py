"""The Maximumprinzip of a large graph front by front, with numpy.

For a basic value without Verteilungseffekt, the value of an object is the
maximum of its own assessed need and the values of its direct dependents
(outside its own cycle); the first dependent in id order with that value is
where it comes from, the object's own assessment wins a tie, and the value
is provisional where a dependent is unrated or provisional. None of this
needs a Python step per edge: the components of the condensation are cut
into *fronts* (a component's front is the length of the longest chain of
components that depend on it), the components of one front do not depend on
each other, and each front is settled by a few numpy operations over the
edges that end in it.

What is rare stays with the plain code of :mod:`grundschutz.method.propagation`:
cumulation rules, overrides and cycles are applied, per object, after its
front is computed, exactly as the plain pass applies them. The results -
levels, rules, where a value comes from, provisional flags, events - are the
same as the plain pass gives (``tests/test_columnar.py`` compares both).
"""

from __future__ import annotations

from collections.abc import Sequence

from grundschutz.method.graph import DependencyIndex

#: More fronts than this (a long chain of components): the plain pass is faster.
MAX_FRONTS = 512


class Fronts:
    """The objects and the edges between components of a large graph, ordered by front.

    ``objects[starts[k]:starts[k + 1]]`` are the objects of front ``k`` (in id
    order); ``sources``/``targets`` the edges between components, ordered by
    the front of the target, then target, then source, and
    ``edge_starts[k]:edge_starts[k + 1]`` those that end in front ``k``.
    """

    def __init__(self, index: DependencyIndex, component: Sequence[int], depth, count: int):
        import numpy as np

        n = len(index)
        indptr, indices = index.csr
        sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        targets = np.asarray(indices, dtype=np.int64)
        label = np.asarray(component, dtype=np.int64)
        across = label[sources] != label[targets]
        sources, targets = sources[across], targets[across]
        front = depth[label]
        self.count = count
        self.objects = np.argsort(front, kind="stable")
        self.starts = np.searchsorted(front[self.objects], np.arange(count + 1))
        order = np.lexsort((sources, targets, front[targets]))
        self.sources, self.targets = sources[order], targets[order]
        self.edge_starts = np.searchsorted(front[self.targets], np.arange(count + 1))
        self.front = front
        self._cycles: list[list[int]] | None = None

    def cycles(self, components: Sequence[Sequence[int]]) -> list[list[int]]:
        """The components of more than one object (found once)."""
        if self._cycles is None:
            self._cycles = [members for members in components if len(members) > 1]
        return self._cycles


def fronts_of(index: DependencyIndex, component: Sequence[int], components: int) -> Fronts | None:
    """The fronts of a large graph (``index.csr`` set); ``None`` if there is no such index or there
    are more than :data:`MAX_FRONTS` fronts."""
    if index.csr is None:
        return None
    import numpy as np

    indptr, indices = index.csr
    label = np.asarray(component, dtype=np.int64)
    a = label[np.repeat(np.arange(len(index), dtype=np.int64), np.diff(indptr))]
    b = label[np.asarray(indices, dtype=np.int64)]
    a, b = a[a != b], b[a != b]
    # a component's front: 1 + the highest front of the components that depend on it
    order = np.argsort(b, kind="stable")
    a, b = a[order], b[order]
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]]) if len(b) else np.zeros(0, dtype=np.int64)
    heads = b[starts]
    depth = np.zeros(components, dtype=np.int64)
    for _ in range(MAX_FRONTS):
        if not len(b):
            break
        deeper = np.maximum.reduceat(depth[a], starts) + 1
        if (depth[heads] >= deeper).all():
            break
        depth[heads] = np.maximum(depth[heads], deeper)
    else:
        return None
    return Fronts(index, component, depth, int(depth.max(initial=0)) + 1)


def maximum_by_fronts(state, fronts: Fronts, own: list[int], overrides: dict, rules_for: list, value):
    """The Maximumprinzip of one basic value without Verteilungseffekt: ``level, rule, via, origin,
    provisional, computed`` as lists, with cumulation, overrides and cycles applied through ``state``
    (:class:`grundschutz.method.propagation._State`) as the plain pass applies them."""
    import numpy as np

    from grundschutz.method.propagation import _ASSESSED, _MAXIMUM, _OVERRIDE

    n = len(own)
    span = n + 1
    level = np.asarray(own, dtype=np.int64)
    rule = np.where(level > 0, _ASSESSED, -1).astype(np.int64)
    via = np.full(n, -1, dtype=np.int64)
    origin = np.where(level > 0, np.arange(n), -1).astype(np.int64)
    provisional = np.zeros(n, dtype=bool)
    computed = np.zeros(n, dtype=np.int64)
    special = _special_by_front(state, fronts, overrides, rules_for)
    for k in range(fronts.count):
        start, stop = fronts.edge_starts[k], fronts.edge_starts[k + 1]
        if start < stop:
            a, b = fronts.sources[start:stop], fronts.targets[start:stop]
            la = level[a]
            heads = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
            targets = b[heads]
            # the highest value, then the lowest id: one integer each
            key = np.maximum.reduceat(la * span + (n - a), heads)
            best, first = key // span, n - key % span
            provisional[targets] = np.logical_or.reduceat((la == 0) | provisional[a], heads)
            wins = best > level[targets]
            winners = targets[wins]
            level[winners] = best[wins]
            rule[winners] = _MAXIMUM
            via[winners] = first[wins]
            origin[winners] = origin[first[wins]]
        members = fronts.objects[fronts.starts[k]:fronts.starts[k + 1]]
        computed[members] = level[members]
        for component in special[k]:
            if len(component) > 1:
                state._settle_cycle(component, value, rules_for, overrides, level, rule, via, origin,
                                    provisional, computed)
                continue
            b = component[0]
            if rules_for[b]:
                state._cumulate(b, rules_for[b], value, level, rule, via, origin, True)
            computed[b] = level[b]
            override = overrides.get(b)
            if override is not None:
                level[b], rule[b], via[b], origin[b] = int(override.level), _OVERRIDE, -1, b
    return (level.tolist(), rule.tolist(), via.tolist(), origin.tolist(), provisional.tolist(),
            computed.tolist())


def _special_by_front(state, fronts: Fronts, overrides: dict, rules_for: list) -> list[list[list[int]]]:
    """Per front, the components the plain code settles: cycles, and objects with a cumulation rule or
    an override."""
    special: list[list[list[int]]] = [[] for _ in range(fronts.count)]
    front = fronts.front.tolist()
    singles = {b for b, rules in enumerate(rules_for) if rules} | set(overrides)
    seen: set[int] = set()
    for cycle in fronts.cycles(state.components):
        special[front[cycle[0]]].append(cycle)
        seen.update(cycle)
    for b in sorted(singles - seen):
        special[front[b]].append([b])
    return special
