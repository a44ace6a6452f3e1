"""The dependency graph of an assessment.

An edge ``A -> B`` means "A depends on B"; protection needs flow along it.
:class:`DependencyIndex` is the compact integer form the propagation runs on
(linear in objects + edges); :func:`to_networkx` gives the same graph as a
:class:`networkx.DiGraph` for exploring it in Jupyter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grundschutz.model import Assessment


@dataclass(frozen=True)
class DependencyIndex:
    """Objects numbered ``0..n-1`` in id order, with adjacency lists.

    ``dependents[b]`` lists ``(a, redundant)`` for each edge ``a -> b``:
    the objects whose needs flow into ``b``; ``redundant`` is true where the
    edge belongs to a redundancy group of at least two members of ``a``.
    ``supports[a]`` lists the ``b`` of each edge ``a -> b``.
    ``groups[a]`` lists the redundancy groups of ``a`` with at least two
    members as ``(name, members)``, by name, members in id order.
    """

    ids: tuple[str, ...]
    position: dict[str, int]
    dependents: tuple[tuple[tuple[int, bool], ...], ...]
    supports: tuple[tuple[int, ...], ...]
    groups: Mapping[int, tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def build_index(assessment: Assessment) -> DependencyIndex:
    """Number the objects and build the adjacency lists of the assessment.

    Edges are kept in the order of the object ids of their sources, so that
    nothing computed from the index depends on row order.
    """
    ids = tuple(sorted(assessment.objects))
    position = {object_id: i for i, object_id in enumerate(ids)}
    dependencies = assessment.dependencies
    members: dict[tuple[str, str], list[int]] = {}
    for d in dependencies:
        if d.redundancy_group:
            members.setdefault((d.source, d.redundancy_group), []).append(position[d.target])
    group_size = {key: len(targets) for key, targets in members.items()}
    groups: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for (source, name), targets in sorted(members.items()):
        if len(targets) >= 2:
            groups.setdefault(position[source], []).append((name, tuple(sorted(targets))))
    # Each edge a -> b as one integer ``a * span + 2 * b + redundant``: one sort
    # of plain integers orders the edges by (a, b, redundant), and few
    # containers are alive at once (which keeps the garbage collector quiet).
    span = 2 * len(ids)
    keys = []
    append = keys.append
    for d in dependencies:
        group = d.redundancy_group
        key = position[d.source] * span + 2 * position[d.target]
        if group and group_size[(d.source, group)] >= 2:
            key += 1
        append(key)
    keys.sort()
    dependents: list[list[tuple[int, bool]]] = [[] for _ in ids]
    supports: list[tuple[int, ...]] = [()] * len(ids)
    current, targets, pairs = -1, [], ((-1, False), (-1, True))
    for key in keys:
        a, code = divmod(key, span)
        if a != current:
            if targets:
                supports[current] = tuple(targets)
            current, targets, pairs = a, [], ((a, False), (a, True))
        b = code >> 1
        targets.append(b)
        # sources come in id order, so every dependents[b] ends up sorted
        dependents[b].append(pairs[code & 1])
    if targets:
        supports[current] = tuple(targets)
    return DependencyIndex(ids, position, tuple(map(tuple, dependents)), tuple(supports),
                           {a: tuple(found) for a, found in groups.items()})


def strongly_connected_components(index: DependencyIndex) -> list[list[int]]:
    """The strongly connected components in topological order of the
    condensation: every component comes after all components that depend on it.

    Iterative Tarjan, linear in objects + edges; members of a component are
    sorted.

    >>> from grundschutz.model import Assessment, Settings, TargetObject, Dependency, ObjectType
    >>> objs = {i: TargetObject(i, ObjectType.SERVER, i) for i in "abc"}
    >>> deps = (Dependency("a", "b"), Dependency("b", "c"), Dependency("c", "b"))
    >>> index = build_index(Assessment(Settings(), objs, deps))
    >>> [[index.ids[i] for i in c] for c in strongly_connected_components(index)]
    [['a'], ['b', 'c']]
    """
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
