"""Single points of failure of redundancy groups: where the Verteilungseffekt does not apply.

A redundancy group of an object ``A`` (the edges of ``A`` that share a
``redundancy_group``) says: ``A`` runs on ``S1`` *or* ``S2``. The
Verteilungseffekt lowers what flows from ``A`` to each member, because the
failure of one member does not take ``A`` down. An object that *every*
member depends on - the shared server room, its building, a shared network -
is different: its failure takes every member down at once, so the
distribution does not limit the damage there (BSI 200-2, 8.2: the
Verteilungseffekt applies only where the function is really distributed).
Such an object receives ``A``'s undiminished value.

"Depends on" means a *mandatory* dependency here: an edge outside any
redundancy group, followed transitively. A member's dependency on one of
several redundant objects is not a single point of failure of that member,
but an object every one of *those* redundant objects depends on is (nested
groups): the common dependencies of a group are computed the same way, one
level down.

Only the first common dependencies along each path get ``A``'s value
directly (the *frontier*); what lies behind them, reached by mandatory edges
from a common dependency, inherits it by the Maximumprinzip, so an override
at the frontier flows on like any other value. The work is a graph search
from each member over mandatory edges, done once per distinct set of members
(all virtual servers of one cluster share it): linear in the objects and
edges those searches reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from grundschutz.method.graph import DependencyIndex


@dataclass(frozen=True)
class SharedGroup:
    """A redundancy group ``name`` of object ``dependent`` (by number) with its ``members`` (by number)."""

    dependent: int
    name: str
    members: tuple[int, ...]


def shared_dependencies(index: DependencyIndex, component: list[int]) -> list[tuple[SharedGroup, ...] | None]:
    """Per object (by number): the redundancy groups for which it is a common dependency of every member,
    at the frontier (see the module docstring); ``None`` for most objects.

    ``component`` numbers the strongly connected components: an object in a
    cycle with the group's own object is left out (the cycle settles it), and
    a common dependency reached from another common dependency of another
    component by a mandatory edge inherits the value instead of receiving it.
    """
    found: list[tuple[SharedGroup, ...] | None] = [None] * len(index)
    if not index.groups:
        return found
    search = _Search(index)
    frontiers: dict[tuple[int, ...], tuple[int, ...]] = {}
    per_object: dict[int, list[SharedGroup]] = {}
    for dependent, groups in sorted(index.groups.items()):
        for name, members in groups:
            frontier = frontiers.get(members)
            if frontier is None:
                common = search.common(members)
                frontier = frontiers[members] = tuple(
                    sorted(t for t in common if not search.inherits(t, common, component)))
            group = SharedGroup(dependent, name, members)
            for target in frontier:
                if component[target] != component[dependent]:
                    per_object.setdefault(target, []).append(group)
    for target, groups in per_object.items():
        found[target] = tuple(groups)
    return found


class _Search:
    """Mandatory reach and common dependencies, each set of members searched once."""

    def __init__(self, index: DependencyIndex):
        self.supports = index.supports
        self.groups = index.groups
        self.redundant = {a: {m for _, members in groups for m in members} for a, groups in index.groups.items()}
        self.memo: dict[tuple[int, ...], frozenset[int]] = {}
        self.reached: dict[int, frozenset[int]] = {}
        self.next: dict[int, tuple[int, ...] | list[int]] = {}
        self.active: set[tuple[int, ...]] = set()

    def common(self, members: tuple[int, ...]) -> frozenset[int]:
        """The objects every member depends on mandatorily (a member counts for itself)."""
        known = self.memo.get(members)
        if known is not None:
            return known
        if members in self.active:  # groups nested in a cycle: nothing is known to be shared
            return frozenset()
        self.active.add(members)
        result = frozenset.intersection(*(self.reach(member) for member in members))
        self.active.discard(members)
        self.memo[members] = result
        return result

    def reach(self, start: int) -> frozenset[int]:
        """``start`` and every object it depends on mandatorily, transitively (nested groups included)."""
        known = self.reached.get(start)
        if known is not None:
            return known
        seen = {start}
        stack = [start]
        successors = self.successors
        while stack:
            for target in successors(stack.pop()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        result = self.reached[start] = frozenset(seen)
        return result

    def successors(self, node: int):
        """The mandatory dependencies of ``node``: edges outside its redundancy groups, and what every member of
        one of its groups depends on."""
        known = self.next.get(node)
        if known is not None:
            return known
        targets = self.supports[node]
        groups = self.groups.get(node)
        if groups:
            skip = self.redundant[node]
            targets = [t for t in targets if t not in skip]
            for _, members in groups:
                targets.extend(self.common(members))
        self.next[node] = targets
        return targets

    def inherits(self, target: int, common: frozenset[int], component: list[int]) -> bool:
        """Whether another common dependency (of another component) has a mandatory edge to ``target``."""
        # the common dependencies are few; their out-edges fewer than the in-edges of a shared network
        for other in common:
            if component[other] == component[target]:
                continue
            skip = self.redundant.get(other)
            if target in self.supports[other] and not (skip and target in skip):
                return True
        return False
