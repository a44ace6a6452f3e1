"""The Maximumprinzip of a large graph front by front, with numpy.

The value of an object is the maximum of its own assessed need and the
values of its direct dependents outside its own cycle, lowered by the
Verteilungseffekt along the edges of a redundancy group; the object's own
assessment wins a tie, then an unlowered value, then the dependent first in
id order; the value is provisional where a dependent is unrated or
provisional. None of this needs a Python step per edge: the components of
the condensation are cut into *fronts* (a component's front is the length of
the longest chain of components that depend on it), the components of one
front do not depend on each other, and each front is settled by a few numpy
operations over the edges that end in it.

What is rare stays with the plain code of :mod:`grundschutz.method.propagation`
(its ``settle`` and ``finish`` steps): objects that are a single point of
failure of a redundancy group are settled again by it; cumulation rules,
overrides, cycles and the events are applied, per component, after its front
is computed, exactly as the plain pass applies them. The results - levels,
rules, where a value comes from, provisional flags, events - are the same as
the plain pass gives (``tests/test_columnar.py`` compares both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from grundschutz.method.graph import DependencyIndex

#: The codes of :class:`~grundschutz.model.Rule` in the working arrays of a propagation.
ASSESSED, MAXIMUM, CUMULATION, DISTRIBUTION, OVERRIDE = range(5)
#: More fronts than this (a long chain of components): the plain pass is faster.
MAX_FRONTS = 512


class Fronts:
    """The objects and the edges between components of a large graph, ordered by front.

    ``objects[starts[k]:starts[k + 1]]`` are the objects of front ``k`` (in id
    order); ``sources``/``targets`` the edges between components, ordered by
    the front of the target, then target, then source (``int32``), and
    ``edge_starts[k]:edge_starts[k + 1]`` those that end in front ``k``.
    """

    def __init__(self, sources, targets, edges, label, depth, count: int):
        import numpy as np

        n = len(label)
        front = depth[label]
        self.count = count
        self.objects = np.argsort(front.astype(np.int16), kind="stable")  # fronts fit 16 bits: a radix sort
        self.starts = np.searchsorted(front[self.objects], np.arange(count + 1))
        by_front = front[targets]
        order = np.argsort(by_front.astype(np.int64) * n + targets, kind="stable")  # stable: sources in order
        self.edge_starts = np.searchsorted(by_front[order], np.arange(count + 1))
        del by_front
        self.sources, self.targets = sources[order], targets[order]
        self.edges = edges[order]  # where each edge is in the index's CSR arrays
        self.front = front
        self._cycles: list[list[int]] | None = None
        self._numbers: list[int] | None = None
        self.label = label

    def initial(self, own: list[int]) -> tuple:
        """``level, rule, via, origin, provisional, computed`` before anything flows: each object's own need."""
        import numpy as np

        n = len(own)
        level = np.asarray(own, dtype=np.int64)
        rule = np.where(level > 0, ASSESSED, -1).astype(np.int64)
        origin = np.where(level > 0, np.arange(n), -1).astype(np.int64)
        return (level, rule, np.full(n, -1, dtype=np.int64), origin, np.zeros(n, dtype=bool),
                np.zeros(n, dtype=np.int64))

    def lowerable(self, index: DependencyIndex, lowered: set[int] | None):
        """Per edge: whether the Verteilungseffekt lowers it (an edge of a redundancy group of at least two
        members; of ``lowered`` (``source * n + target``) only, if given)."""
        import numpy as np

        n = len(index)
        if lowered is None:
            lowered = {a * n + m for a, groups in index.groups.items() for _, members in groups for m in members}
        keys = np.fromiter(lowered, dtype=np.int64, count=len(lowered))
        indptr, indices = index.csr
        # the CSR rows are sorted by source, then target: each key is found by bisection
        ordered = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)) * n + indices
        marked = np.zeros(len(indices), dtype=bool)
        marked[np.searchsorted(ordered, keys)] = True
        return marked[self.edges]

    def cycles(self, components: Sequence[Sequence[int]]) -> list[list[int]]:
        """The components of more than one object (found once)."""
        if self._cycles is None:
            self._cycles = [members for members in components if len(members) > 1]
        return self._cycles


    def settle(self, arrays: tuple, lower_by: int, lowerable, components: Sequence[list[int]], special: set[int],
               resettle: set[int], unlowered_best: dict[int, int], settle: Callable, finish: Callable) -> tuple:
        """Settle every front in turn; ``arrays`` from :meth:`initial`, returned as lists.

        ``special``: the objects ``finish`` must see (cumulation rules,
        overrides, single points of failure in ``resettle``, which ``settle``
        computes again); cycles and objects a Verteilungseffekt lowered are
        added here. ``unlowered_best`` receives what a lowered object would
        have had without the Verteilungseffekt.
        """
        import numpy as np

        level, rule, via, origin, provisional, computed = arrays
        n = len(level)
        span = n + 1
        front = self.front.tolist()
        by_front: list[dict[int, list[int]]] = [{} for _ in range(self.count)]
        for cycle in self.cycles(components):
            by_front[front[cycle[0]]][cycle[0]] = cycle
        cyclic = {m for cycle in self.cycles(components) for m in cycle}
        for b in special - cyclic:
            by_front[front[b]][b] = [b]
        for k in range(self.count):
            start, stop = self.edge_starts[k], self.edge_starts[k + 1]
            if start < stop:
                a, b = self.sources[start:stop], self.targets[start:stop]
                la = level[a]
                heads = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
                targets = b[heads]
                plain = np.ones(len(a), dtype=np.int64)
                if lowerable is not None:
                    lowered = lowerable[start:stop] & (la > 0)
                    effective = np.where(lowered, np.maximum(la - lower_by, 1), la)
                    plain = (effective == la).astype(np.int64)
                    la = effective
                # the highest value, then unlowered, then the lowest id: one integer each
                key = np.maximum.reduceat((la * 2 + plain) * span + (n - a), heads)
                best, unlowered, first = key // (2 * span), (key // span) % 2, n - key % span
                provisional[targets] = np.logical_or.reduceat((level[a] == 0) | provisional[a], heads)
                wins = best > level[targets]
                winners = targets[wins]
                level[winners] = best[wins]
                rule[winners] = np.where(unlowered[wins] == 1, MAXIMUM, DISTRIBUTION)
                via[winners] = first[wins]
                origin[winners] = origin[first[wins]]
                if lowerable is not None:
                    highest = np.maximum.reduceat(level[a], heads)
                    above = highest > level[targets]
                    for target, value in zip(targets[above].tolist(), highest[above].tolist()):
                        unlowered_best[target] = value
                        if target not in cyclic:
                            by_front[k][target] = [target]
            members = self.objects[self.starts[k]:self.starts[k + 1]]
            computed[members] = level[members]
            for component in by_front[k].values():
                single = len(component) == 1
                for b in component:
                    if b in resettle:
                        settle(b, single, int(self.label[component[0]]))
                finish(component, single)
        return (level.tolist(), rule.tolist(), self._shared(via), self._shared(origin), provisional.tolist(),
                computed.tolist())

    def _shared(self, numbers) -> list[int]:
        """``numbers`` (object numbers or -1) as a list of the same int objects for every list: a million
        objects' sources and predecessors of three basic values would otherwise be six million ints."""
        if self._numbers is None:
            self._numbers = [*range(len(self.label)), -1]  # [-1] is the last item: -1
        return list(map(self._numbers.__getitem__, numbers.tolist()))


def fronts_of(index: DependencyIndex, component: Sequence[int], components: int) -> Fronts | None:
    """The fronts of a large graph (``index.csr`` set); ``None`` if there is no such index or there
    are more than :data:`MAX_FRONTS` fronts."""
    if index.csr is None:
        return None
    import numpy as np

    indptr, indices = index.csr
    # int32 numbers throughout: a million objects with four million edges stay small
    label = np.asarray(component, dtype=np.int32)
    sources = np.repeat(np.arange(len(index), dtype=np.int32), np.diff(indptr))
    targets = np.asarray(indices, dtype=np.int32)
    across = label[sources] != label[targets]
    sources, targets, edges = sources[across], targets[across], np.flatnonzero(across).astype(np.int32)
    del across
    a, b = label[sources], label[targets]
    # a component's front: 1 + the highest front of the components that depend on it
    order = np.argsort(b, kind="stable")
    a, b = a[order], b[order]
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]]) if len(b) else np.zeros(0, dtype=np.int64)
    heads = b[starts]
    depth = np.zeros(components, dtype=np.int32)
    for _ in range(MAX_FRONTS):
        if not len(b):
            break
        deeper = np.maximum.reduceat(depth[a], starts) + 1
        if (depth[heads] >= deeper).all():
            break
        depth[heads] = np.maximum(depth[heads], deeper)
    else:
        return None
    del a, b, order, starts, heads
    return Fronts(sources, targets, edges, label, depth, int(depth.max(initial=0)) + 1)
