"""The dependency graph of an assessment.

An edge ``A -> B`` means "A depends on B"; protection needs flow along it.
:class:`DependencyIndex` is the compact integer form the propagation runs on
(linear in objects + edges); :func:`to_networkx` gives the same graph as a
:class:`networkx.DiGraph` for exploring it in Jupyter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat

from grundschutz.model import Assessment, Dependency
from grundschutz.model.assessment import LARGE_GRAPH, DependencyColumns


@dataclass(frozen=True)
class DependencyIndex:
    """Objects numbered ``0..n-1`` in id order, with adjacency lists.

    ``dependents[b]`` lists ``(a, redundant)`` for each edge ``a -> b``:
    the objects whose needs flow into ``b``; ``redundant`` is true where the
    edge belongs to a redundancy group of at least two members of ``a``.
    ``supports[a]`` lists the ``b`` of each edge ``a -> b``. ``csr``: for a
    large graph, ``supports`` as the numpy arrays ``(indptr, indices)`` of a
    sparse matrix, which scipy takes as they are, and from which ``supports``
    makes each tuple when it is asked for (``None`` otherwise).
    ``groups[a]`` lists the redundancy groups of ``a`` with at least two
    members as ``(name, members)``, by name, members in id order.
    """

    ids: tuple[str, ...]
    position: dict[str, int]
    dependents: tuple[tuple[tuple[int, bool], ...], ...]
    supports: Sequence[tuple[int, ...]]
    csr: tuple | None = field(default=None, compare=False, repr=False)
    groups: Mapping[int, tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def build_index(assessment: Assessment) -> DependencyIndex:
    """Number the objects and build the adjacency lists of the assessment.

    Edges are kept in the order of the object ids of their sources, so that
    nothing computed from the index depends on row order. Large graphs (from
    :data:`~grundschutz.model.assessment.LARGE_GRAPH` edges) are sorted with
    numpy; the result is the same.
    """
    ids = tuple(sorted(assessment.objects))
    position = dict(zip(ids, range(len(ids))))
    groups = _redundancy_groups(assessment.dependencies, position)
    if len(assessment.dependencies) >= LARGE_GRAPH:
        return _index_of_arrays(ids, position, *_edge_arrays(assessment.dependencies, position), groups)
    sources, targets, redundant = _edges(assessment.dependencies, position)
    # Each edge a -> b as one integer ``a * span + 2 * b + redundant``: one sort
    # of plain integers orders the edges by (a, b, redundant), and few
    # containers are alive at once (which keeps the garbage collector quiet).
    span = 2 * len(ids)
    keys = [a * span + 2 * b + r for a, b, r in zip(sources, targets, redundant)]
    keys.sort()
    dependents: list[list[tuple[int, bool]]] = [[] for _ in ids]
    supports: list[tuple[int, ...]] = [()] * len(ids)
    current, found, pairs = -1, [], ((-1, False), (-1, True))
    for key in keys:
        a, code = divmod(key, span)
        if a != current:
            if found:
                supports[current] = tuple(found)
            current, found, pairs = a, [], ((a, False), (a, True))
        b = code >> 1
        found.append(b)
        # sources come in id order, so every dependents[b] ends up sorted
        dependents[b].append(pairs[code & 1])
    if found:
        supports[current] = tuple(found)
    return DependencyIndex(ids, position, tuple(map(tuple, dependents)), tuple(supports), groups=groups)


def _redundancy_groups(dependencies: Sequence[Dependency], position: dict[str, int]
                       ) -> dict[int, tuple[tuple[str, tuple[int, ...]], ...]]:
    """The redundancy groups of at least two members, by the number of their dependent
    (see :class:`DependencyIndex`); only the edges of a group are visited."""
    members: dict[tuple[str, str], list[int]] = {}
    if isinstance(dependencies, DependencyColumns):
        ids, names = dependencies.ids, dependencies.group_names
        for k in compress(range(len(dependencies.groups)), dependencies.groups):
            key = (ids[dependencies.sources[k]], names[dependencies.groups[k]])
            members.setdefault(key, []).append(position[ids[dependencies.targets[k]]])
    else:
        for d in dependencies:
            if d.redundancy_group:
                members.setdefault((d.source, d.redundancy_group), []).append(position[d.target])
    groups: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for (source, name), targets in sorted(members.items()):
        if len(targets) >= 2:
            groups.setdefault(position[source], []).append((name, tuple(sorted(targets))))
    return {a: tuple(found) for a, found in groups.items()}


def _edges(dependencies: Sequence[Dependency], position: dict[str, int]) -> tuple[list[int], list[int], list[int]]:
    """Source, target (numbers of ``position``) and redundancy (1: the edge belongs to a redundancy
    group of at least two members of its source) of every edge."""
    if isinstance(dependencies, DependencyColumns):
        rank = list(map(position.__getitem__, dependencies.ids))
        sources = list(map(rank.__getitem__, dependencies.sources))
        targets = list(map(rank.__getitem__, dependencies.targets))
        groups: Sequence[int] = dependencies.groups
    else:
        sources = [position[d.source] for d in dependencies]
        targets = [position[d.target] for d in dependencies]
        names: dict[str, int] = {"": 0}
        groups = [names.setdefault(d.redundancy_group, len(names)) for d in dependencies]
    size = Counter((sources[k], groups[k]) for k in compress(range(len(groups)), groups))
    redundant = [int(bool(g) and size[(a, g)] >= 2) for a, g in zip(sources, groups)]
    return sources, targets, redundant


def _edge_arrays(dependencies: Sequence[Dependency], position: dict[str, int]):
    """:func:`_edges` of a large graph as numpy arrays (no Python number per edge)."""
    import numpy as np

    if isinstance(dependencies, DependencyColumns):
        rank = np.fromiter(map(position.__getitem__, dependencies.ids), dtype=np.int64, count=len(dependencies.ids))
        sources = rank[np.frombuffer(dependencies.sources, dtype=np.intc)]
        targets = rank[np.frombuffer(dependencies.targets, dtype=np.intc)]
        groups = np.frombuffer(dependencies.groups, dtype=np.intc).astype(np.int64)
    else:
        count = len(dependencies)
        sources = np.fromiter((position[d.source] for d in dependencies), dtype=np.int64, count=count)
        targets = np.fromiter((position[d.target] for d in dependencies), dtype=np.int64, count=count)
        names: dict[str, int] = {"": 0}
        groups = np.fromiter((names.setdefault(d.redundancy_group, len(names)) for d in dependencies),
                             dtype=np.int64, count=count)
    grouped = np.flatnonzero(groups)
    _, which, size = np.unique(sources[grouped] * (int(groups.max(initial=0)) + 1) + groups[grouped],
                               return_inverse=True, return_counts=True)
    redundant = np.zeros(len(sources), dtype=bool)
    redundant[grouped] = size[which] >= 2
    return sources, targets, redundant


def _index_of_arrays(ids: tuple[str, ...], position: dict[str, int], a, b, redundant, groups) -> DependencyIndex:
    """:func:`build_index` of a large graph: the same index, sorted by numpy.

    The pairs ``(a, False)`` of ``dependents`` are shared, and ``supports`` stays
    in the arrays scipy takes (:class:`CsrRows`), so that a million objects do
    not cost millions of small ints and tuples.
    """
    import numpy as np

    n = len(ids)
    nodes = list(range(n))
    # edges are unique: so are the keys; stable = timsort, quick on the runs of edges listed object by object
    indices = b[np.argsort(a * n + b, kind="stable")]
    order = np.argsort(b * n + a, kind="stable")
    by_target = a[order].tolist()
    plain = list(zip(nodes, repeat(False)))
    items = list(map(plain.__getitem__, by_target))
    for k in np.flatnonzero(redundant[order]).tolist():
        items[k] = (nodes[by_target[k]], True)
    del by_target
    per_source = np.bincount(a, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_source, out=indptr[1:])
    return DependencyIndex(ids, position, _split(items, np.bincount(b, minlength=n)), CsrRows(indptr, indices),
                           (indptr, indices), groups)


class CsrRows(Sequence[tuple[int, ...]]):
    """The rows of a sparse matrix (``indptr``, ``indices``), each made into a tuple of ints when asked for;
    equal to the tuple of those tuples."""

    __slots__ = ("indices", "indptr")

    def __init__(self, indptr, indices):
        self.indptr, self.indices = indptr, indices

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __getitem__(self, row):
        if isinstance(row, slice):
            return tuple(self[i] for i in range(*row.indices(len(self))))
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return tuple(self.indices[self.indptr[row]:self.indptr[row + 1]].tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]


def _split(values: list, counts) -> tuple[tuple, ...]:
    """``values`` cut into consecutive tuples of ``counts[i]`` items."""
    bounds = [0, *counts.cumsum().tolist()]
    return tuple(map(tuple, map(values.__getitem__, map(slice, bounds[:-1], bounds[1:]))))


def strongly_connected_components(index: DependencyIndex) -> list[list[int]]:
    """The strongly connected components in topological order of the
    condensation: every component comes after all components that depend on it.

    Iterative Tarjan, linear in objects + edges; members of a component are
    sorted. Large graphs go to scipy's strongly connected components (whose
    numbering is checked to be a topological order); any topological order
    gives the propagation the same result.

    >>> from grundschutz.model import Assessment, Settings, TargetObject, Dependency, ObjectType
    >>> objs = {i: TargetObject(i, ObjectType.SERVER, i) for i in "abc"}
    >>> deps = (Dependency("a", "b"), Dependency("b", "c"), Dependency("c", "b"))
    >>> index = build_index(Assessment(Settings(), objs, deps))
    >>> [[index.ids[i] for i in c] for c in strongly_connected_components(index)]
    [['a'], ['b', 'c']]
    """
    if index.csr is not None or sum(map(len, index.supports)) >= LARGE_GRAPH:
        components = _scipy_components(index)
        if components is not None:
            return components
    return _tarjan(index)


def _tarjan(index: DependencyIndex) -> list[list[int]]:
    """:func:`strongly_connected_components` by an iterative Tarjan."""
    n = len(index)
    supports = index.supports
    number = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if number[root] != -1:
            continue
        number[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        # each entry: a node and the iterator over its remaining edges
        work = [(root, iter(supports[root]))]
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if number[nxt] == -1:
                    number[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, iter(supports[nxt])))
                    break
                if on_stack[nxt] and number[nxt] < low[node]:
                    low[node] = number[nxt]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                if low[node] == number[node]:
                    member = stack.pop()
                    on_stack[member] = False
                    if member == node:
                        components.append([node])
                        continue
                    component = [member]
                    while member != node:
                        member = stack.pop()
                        on_stack[member] = False
                        component.append(member)
                    component.sort()
                    components.append(component)
    components.reverse()
    return components


def _scipy_components(index: DependencyIndex) -> list[list[int]] | None:
    """:func:`strongly_connected_components` by scipy; ``None`` if its numbering is not a topological order.

    scipy (Pearce's algorithm) numbers the components in the order it completes
    them, so for every edge ``a -> b`` the number of ``a`` is at least that of
    ``b``; this is checked on every edge, and the components are returned from
    the highest number down, members sorted.
    """
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    n = len(index)
    if index.csr is not None:
        indptr, indices = index.csr
    else:
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, index.supports), dtype=np.int64, count=n), out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(index.supports), dtype=np.int64, count=int(indptr[-1]))
    graph = csr_array((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="strong")
    if not (labels[np.repeat(np.arange(n), np.diff(indptr))] >= labels[indices]).all():
        return None
    order = np.lexsort((np.arange(n), -labels))
    nodes = order.tolist()
    if count == n:
        return [[node] for node in nodes]
    bounds = [0, *(np.flatnonzero(np.diff(labels[order])) + 1).tolist(), n]
    return list(map(nodes.__getitem__, map(slice, bounds[:-1], bounds[1:])))


def find_cycles(assessment: Assessment) -> list[tuple[str, ...]]:
    """The dependency cycles (components of more than one object), sorted.

    >>> from grundschutz.model import Assessment, Settings, TargetObject, Dependency, ObjectType
    >>> objs = {i: TargetObject(i, ObjectType.SERVER, i) for i in ("dc", "dns")}
    >>> find_cycles(Assessment(Settings(), objs, (Dependency("dc", "dns"), Dependency("dns", "dc"))))
    [('dc', 'dns')]
    """
    index = build_index(assessment)
    cycles = [
        tuple(index.ids[i] for i in component)
        for component in strongly_connected_components(index)
        if len(component) > 1
    ]
    return sorted(cycles)


def to_networkx(assessment: Assessment):
    """The dependency graph as a :class:`networkx.DiGraph`.

    Nodes carry ``type``, ``name``, ``count`` and ``tags``; edges carry
    ``redundancy_group`` and ``note``.
    """
    import networkx as nx

    graph = nx.DiGraph(name=assessment.settings.name)
    for obj in assessment.objects.values():
        graph.add_node(obj.id, type=obj.type.value, name=obj.name, count=obj.count, tags=dict(obj.tags))
    for d in assessment.dependencies:
        graph.add_edge(d.source, d.target, redundancy_group=d.redundancy_group, note=d.note)
    return graph
