"""Property tests of the Schutzbedarf propagation over generated assessments.

Assessments are built directly from the model dataclasses: random object
types, random acyclic or cyclic dependency graphs (no self-loops, no duplicate
edges), random redundancy groups, random assessed needs including unrated
values, random Kumulationseffekt rules, the Verteilungseffekt on or off, and
random overrides with reasons and effects.

In these tests an unrated value counts as the lowest level (0).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace

import networkx as nx
from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grundschutz.io.tables import build_assessment
from grundschutz.io.text import parse_csv
from grundschutz.method.graph import to_networkx
from grundschutz.method.propagation import Propagation, propagate
from grundschutz.model import (
    BASIC_VALUES,
    Assessment,
    AssessmentError,
    BasicValue,
    CumulationRule,
    Dependency,
    DistributionSetting,
    Effect,
    Level,
    Need,
    ObjectType,
    Override,
    Rule,
    Settings,
    TargetObject,
)

PROPERTY_SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

C, I, A = BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY, BasicValue.AVAILABILITY

# A few types, so that type-restricted cumulation rules actually match.
TYPES = (
    ObjectType.PROCESS,
    ObjectType.APPLICATION,
    ObjectType.SERVER,
    ObjectType.NETWORK_DEVICE,
    ObjectType.ROOM,
    ObjectType.SERVICE,
)
REASONS = ("", "Bürgerservice", "Meldewesen, Kasse", "Personaldaten; Art. 9 DSGVO", 'Ausfall "länger" als 24 h')
OVERRIDE_REASONS = REASONS[1:]

levels_st = st.sampled_from(list(Level))
ids_st = st.text(alphabet="abcxyzAB019_-", min_size=1, max_size=4)


def rank(level: Level | None) -> int:
    """Unrated counts as the lowest value."""
    return 0 if level is None else int(level)


# --------------------------------------------------------------------------
# Strategies


@st.composite
def assessments(
    draw,
    *,
    cumulation: bool = True,
    distribution: bool | None = None,
    overrides: bool = True,
    acyclic: bool | None = None,
    max_objects: int = 25,
    min_rules: int = 0,
    any_type: bool = False,
) -> Assessment:
    """A random, valid assessment.

    ``distribution``: ``None`` = on or off at random. ``acyclic``: ``None`` =
    a DAG or a possibly cyclic graph at random. ``min_rules``: at least this
    many cumulation rules; ``any_type``: rules without a type filter.
    """
    ids = draw(st.lists(ids_st, min_size=1, max_size=max_objects, unique=True))
    n = len(ids)
    objects = {
        object_id: TargetObject(object_id, draw(st.sampled_from(TYPES)), object_id) for object_id in ids
    }

    dag = draw(st.booleans()) if acyclic is None else acyclic
    dependencies: list[Dependency] = []
    if n >= 2:
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
                max_size=min(3 * n, 50),
            )
        )
        seen: set[tuple[int, int]] = set()
        for i, j in pairs:
            if dag:  # orient every edge along the (random) order of ``ids``
                i, j = min(i, j), max(i, j)
            if (i, j) in seen:
                continue
            seen.add((i, j))
            group = draw(st.sampled_from(["", "", "r1", "r1", "r2"]))
            dependencies.append(Dependency(ids[i], ids[j], group, ""))

    needs: dict[str, dict[BasicValue, Need]] = {}
    for object_id in ids:
        if draw(st.integers(0, 4)) == 0:
            continue  # no needs row at all
        row = {}
        for value in BASIC_VALUES:
            level = draw(st.none() | levels_st)  # None: unrated
            if level is not None:
                row[value] = Need(level, draw(st.sampled_from(REASONS)))
        needs[object_id] = row

    rules: tuple[CumulationRule, ...] = ()
    if cumulation:
        rules = tuple(
            draw(
                st.lists(
                    st.builds(
                        CumulationRule,
                        basic_value=st.sampled_from(BASIC_VALUES),
                        min_dependents=st.integers(1, 4),
                        raise_to=levels_st,
                        at_level=levels_st,
                        types=st.just(frozenset())
                        if any_type
                        else st.just(frozenset()) | st.frozensets(st.sampled_from(TYPES), max_size=3),
                        candidate_margin=st.integers(0, 2),
                        reason=st.sampled_from(OVERRIDE_REASONS),
                        name=st.sampled_from(["K1", "K2", "K3"]),
                    ),
                    min_size=min_rules,
                    max_size=3,
                )
            )
        )

    enabled = draw(st.booleans()) if distribution is None else distribution
    lower_by = draw(st.integers(1, 2))

    fixed: dict[str, dict[BasicValue, Override]] = {}
    if overrides:
        for object_id in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True)):
            values = draw(st.lists(st.sampled_from(BASIC_VALUES), min_size=1, max_size=3, unique=True))
            fixed[object_id] = {
                value: Override(
                    draw(levels_st),
                    draw(st.sampled_from(OVERRIDE_REASONS)),
                    draw(st.sampled_from(list(Effect))),
                )
                for value in values
            }

    return Assessment(
        Settings(
            name="generiert",
            cumulation=rules,
            distribution=DistributionSetting(enabled=enabled, lower_by=lower_by),
        ),
        objects,
        tuple(dependencies),
        needs,
        fixed,
        "generiert",
    )


# --------------------------------------------------------------------------
# Helpers


def final_levels(result: Propagation) -> dict[tuple[str, BasicValue], int]:
    return {
        (object_id, value): rank(result.level(object_id, value))
        for object_id in result.assessment.objects
        for value in BASIC_VALUES
    }


def snapshot(result: Propagation) -> dict:
    """Everything a propagation computes, in a comparable form keyed by ids."""
    derivations = {
        (object_id, value): result.derivation(object_id, value)
        for object_id in sorted(result.assessment.objects)
        for value in BASIC_VALUES
    }
    return {
        "derivations": derivations,
        "cycles": result.cycles,
        "cumulations": result.cumulations,
        "candidates": result.candidates,
        "distributions": result.distributions,
        "unrated": result.unrated(),
        "deviations": result.deviations,
    }


def shuffled(assessment: Assessment, rnd: random.Random) -> Assessment:
    """The same assessment with objects, dependencies and needs in another order."""

    def shuffle_items(mapping):
        items = list(mapping.items())
        rnd.shuffle(items)
        return items

    dependencies = list(assessment.dependencies)
    rnd.shuffle(dependencies)
    return Assessment(
        assessment.settings,
        dict(shuffle_items(assessment.objects)),
        tuple(dependencies),
        {k: dict(shuffle_items(v)) for k, v in shuffle_items(assessment.needs)},
        {k: dict(shuffle_items(v)) for k, v in shuffle_items(assessment.overrides)},
        assessment.source,
    )


def to_csv_text(assessment: Assessment, rnd: random.Random) -> dict[str, str]:
    """The tables of an assessment as CSV text, rows in random order."""

    def write(header, rows):
        rows = list(rows)
        rnd.shuffle(rows)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    objects = write(
        ["id", "type", "name", "description", "tags", "count"],
        [[o.id, o.type.value, o.name, o.description, "", o.count] for o in assessment.objects.values()],
    )
    dependencies = write(
        ["object", "depends_on", "redundancy_group", "note"],
        [[d.source, d.target, d.redundancy_group, d.note] for d in assessment.dependencies],
    )
    header = [
        "object", "confidentiality", "integrity", "availability",
        "confidentiality_reason", "integrity_reason", "availability_reason", "effect",
    ]
    rows = []
    for object_id, needs in assessment.needs.items():
        levels = [needs[v].level.label if v in needs else "" for v in BASIC_VALUES]
        reasons = [needs[v].reason if v in needs else "" for v in BASIC_VALUES]
        rows.append([object_id, *levels, *reasons, ""])
    for object_id, overrides in assessment.overrides.items():
        for value, override in overrides.items():
            levels = [override.level.label if v == value else "" for v in BASIC_VALUES]
            reasons = [override.reason if v == value else "" for v in BASIC_VALUES]
            rows.append([object_id, *levels, *reasons, override.effect.value])
    return {"objects": objects, "dependencies": dependencies, "needs": write(header, rows)}


def from_csv_text(settings_: Settings, texts: dict[str, str]) -> Assessment:
    tables = {name: parse_csv(text, f"{name}.csv") for name, text in texts.items()}
    problems = []
    assessment = build_assessment(settings_, tables, "generiert", problems).assessment
    if assessment is None:
        raise AssessmentError(problems, "generiert")
    return assessment


def component_of(assessment: Assessment) -> dict[str, int]:
    graph = to_networkx(assessment)
    return {
        node: number
        for number, members in enumerate(nx.strongly_connected_components(graph))
        for node in members
    }


# --------------------------------------------------------------------------
# 1. Never below the own assessment, except by an override


@PROPERTY_SETTINGS
@given(assessments())
def test_never_below_own_assessment_except_by_override(assessment):
    result = propagate(assessment)
    for object_id in assessment.objects:
        own = assessment.needs.get(object_id, {})
        for value in BASIC_VALUES:
            d = result.derivation(object_id, value)
            overridden = value in assessment.overrides.get(object_id, {})
            assert (d.rule == Rule.OVERRIDE) == overridden, (object_id, value, d)
            if overridden:
                override = assessment.overrides[object_id][value]
                assert d.level == override.level
                # a value set below what was computed is marked as a deviation
                assert d.deviation == (rank(override.level) < rank(d.computed)), d
                continue
            assert not d.deviation
            if value in own:
                assert rank(d.level) >= rank(own[value].level), (object_id, value, d)
            # before the override step the value is the computed one
            assert d.computed == d.level


@PROPERTY_SETTINGS
@given(assessments(distribution=True, overrides=False))
def test_distribution_never_lowers_the_own_assessment(assessment):
    result = propagate(assessment)
    for object_id, own in assessment.needs.items():
        for value, need in own.items():
            assert rank(result.level(object_id, value)) >= int(need.level), (object_id, value)


# --------------------------------------------------------------------------
# 2. Monotonicity: raising an input never lowers an output


@st.composite
def raised_pairs(draw, overrides: bool, **kwargs):
    assessment = draw(assessments(overrides=overrides, **kwargs))
    # mostly an object that something depends on, so that the change flows on
    sources = sorted({d.source for d in assessment.dependencies})
    if sources and draw(st.booleans()):
        object_id = draw(st.sampled_from(sources))
    else:
        object_id = draw(st.sampled_from(sorted(assessment.objects)))
    value = draw(st.sampled_from(BASIC_VALUES))
    current = assessment.needs.get(object_id, {}).get(value)
    higher = [level for level in Level if current is None or level > current.level]
    if not higher:  # already sehr hoch: raise another value, or add one
        unrated = [v for v in BASIC_VALUES if v not in assessment.needs.get(object_id, {})]
        if not unrated:
            return assessment, assessment
        value, higher = draw(st.sampled_from(unrated)), list(Level)
    level = draw(st.sampled_from(higher))
    needs = {k: dict(v) for k, v in assessment.needs.items()}
    needs.setdefault(object_id, {})[value] = Need(level, "erhöht")
    return assessment, replace(assessment, needs=needs)


def assert_monotone(before: Assessment, after: Assessment) -> None:
    low, high = final_levels(propagate(before)), final_levels(propagate(after))
    for key, level in low.items():
        object_id, value = key
        if value in before.overrides.get(object_id, {}):
            continue  # an override fixes the value
        assert high[key] >= level, key


@PROPERTY_SETTINGS
@given(raised_pairs(overrides=False))
def test_raising_a_need_never_lowers_a_result(pair):
    assert_monotone(*pair)


@PROPERTY_SETTINGS
@given(raised_pairs(overrides=True))
def test_raising_a_need_never_lowers_a_result_with_overrides(pair):
    assert_monotone(*pair)


@PROPERTY_SETTINGS
@given(raised_pairs(overrides=False, max_objects=8, min_rules=1, any_type=True))
def test_raising_a_need_never_lowers_a_result_under_cumulation(pair):
    """Small graphs where cumulation rules always apply: a dependent that
    rises above a rule's ``at_level`` still counts."""
    assert_monotone(*pair)


@PROPERTY_SETTINGS
@given(assessments(overrides=False), st.data())
def test_adding_a_dependent_at_a_higher_level_never_lowers(assessment, data):
    """Cumulation is monotone too: one more dependent can only raise."""
    new_id = "zz_neu"
    assert new_id not in assessment.objects
    target = data.draw(st.sampled_from(sorted(assessment.objects)))
    level = data.draw(levels_st)
    value = data.draw(st.sampled_from(BASIC_VALUES))
    grown = replace(
        assessment,
        objects={**assessment.objects, new_id: TargetObject(new_id, ObjectType.PROCESS, new_id)},
        dependencies=assessment.dependencies + (Dependency(new_id, target),),
        needs={**assessment.needs, new_id: {value: Need(level)}},
    )
    low, high = final_levels(propagate(assessment)), final_levels(propagate(grown))
    for key, level_before in low.items():
        assert high[key] >= level_before, key


# --------------------------------------------------------------------------
# 3. Row order does not matter


@PROPERTY_SETTINGS
@given(assessments(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_tuple_and_dict_order(assessment, rnd):
    expected = snapshot(propagate(assessment))
    for _ in range(3):
        assert snapshot(propagate(shuffled(assessment, rnd))) == expected


@PROPERTY_SETTINGS
@given(assessments(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_csv_row_order(assessment, rnd):
    expected = snapshot(propagate(assessment))
    first = from_csv_text(assessment.settings, to_csv_text(assessment, rnd))
    assert first.objects == assessment.objects
    assert set(first.dependencies) == set(assessment.dependencies)
    assert {k: dict(v) for k, v in first.needs.items()} == {k: dict(v) for k, v in assessment.needs.items()}
    assert {k: dict(v) for k, v in first.overrides.items()} == {
        k: dict(v) for k, v in assessment.overrides.items()
    }
    assert snapshot(propagate(first)) == expected
    second = from_csv_text(assessment.settings, to_csv_text(assessment, rnd))
    assert snapshot(propagate(second)) == expected


# --------------------------------------------------------------------------
# 4. Idempotence


@PROPERTY_SETTINGS
@given(assessments(overrides=False))
def test_feeding_results_back_changes_nothing(assessment):
    result = propagate(assessment)
    needs = {}
    for object_id in assessment.objects:
        row = {}
        for value in BASIC_VALUES:
            level = result.level(object_id, value)
            if level is not None:
                row[value] = Need(level, "aus erster Runde")
        needs[object_id] = row
    again = replace(
        assessment,
        settings=replace(assessment.settings, cumulation=()),
        needs=needs,
        overrides={},
    )
    assert final_levels(propagate(again)) == final_levels(result)


@PROPERTY_SETTINGS
@given(assessments())
def test_propagating_twice_gives_identical_results(assessment):
    first, second = propagate(assessment), propagate(assessment)
    assert snapshot(first) == snapshot(second)
    assert first.levels == second.levels
    assert first.rules == second.rules
    assert first.origins == second.origins
    assert first.via == second.via


# --------------------------------------------------------------------------
# 5. Maximumprinzip against a brute-force oracle


@PROPERTY_SETTINGS
@given(assessments(cumulation=False, distribution=False, overrides=False))
def test_maximumprinzip_matches_brute_force(assessment):
    result = propagate(assessment)
    graph = nx.DiGraph()
    graph.add_nodes_from(assessment.objects)
    graph.add_edges_from((d.source, d.target) for d in assessment.dependencies)
    for object_id in assessment.objects:
        feeding = nx.ancestors(graph, object_id) | {object_id}
        for value in BASIC_VALUES:
            expected = max(
                (int(assessment.needs[x][value].level) for x in feeding if value in assessment.needs.get(x, {})),
                default=0,
            )
            assert rank(result.level(object_id, value)) == expected, (object_id, value)
            d = result.derivation(object_id, value)
            if expected:
                assert d.rule in (Rule.ASSESSED, Rule.MAXIMUM)
                origin_need = assessment.needs[d.origin][value]
                assert int(origin_need.level) == expected
                assert d.origin in feeding
            else:
                assert d.rule is None and d.origin is None


# --------------------------------------------------------------------------
# 6. Cycles share one level


@PROPERTY_SETTINGS
@given(assessments(acyclic=False, overrides=False))
def test_members_of_a_cycle_share_their_level(assessment):
    result = propagate(assessment)
    component = component_of(assessment)
    members: dict[int, list[str]] = {}
    for object_id, number in component.items():
        members.setdefault(number, []).append(object_id)
    expected_cycles = sorted(tuple(sorted(m)) for m in members.values() if len(m) > 1)
    assert list(result.cycles) == expected_cycles
    for cycle in result.cycles:
        for value in BASIC_VALUES:
            assert len({result.level(m, value) for m in cycle}) == 1, (cycle, value)
            for m in cycle:
                assert result.derivation(m, value).cycle == cycle


# --------------------------------------------------------------------------
# 7. Distribution never lowers confidentiality or integrity


@PROPERTY_SETTINGS
@given(assessments(distribution=True))
def test_distribution_leaves_confidentiality_and_integrity_alone(assessment):
    on = propagate(assessment)
    off = propagate(
        replace(assessment, settings=replace(assessment.settings, distribution=DistributionSetting(enabled=False)))
    )
    for object_id in assessment.objects:
        for value in (C, I):
            assert on.derivation(object_id, value) == off.derivation(object_id, value), (object_id, value)
        # availability can only be lower with distribution, never higher
        assert rank(on.level(object_id, A)) <= rank(off.level(object_id, A)) or (
            A in assessment.overrides.get(object_id, {})
        )
    assert not [e for e in on.distributions if e.basic_value != A]


def _cluster_in_one_room() -> Assessment:
    """p runs on n1 or n2 (group r1); both stand in room r: r is a single point of failure of p."""
    objects = {i: TargetObject(i, t, i) for i, t in (("p", ObjectType.APPLICATION), ("n1", ObjectType.SERVER),
                                                      ("n2", ObjectType.SERVER), ("r", ObjectType.ROOM))}
    return Assessment(
        Settings(distribution=DistributionSetting(enabled=True)),
        objects,
        (Dependency("p", "n1", "r1"), Dependency("p", "n2", "r1"), Dependency("n1", "r"), Dependency("n2", "r")),
        needs={"p": {A: Need(Level.SEHR_HOCH, "Leitstelle")}},
    )


@PROPERTY_SETTINGS
@given(assessments(distribution=True, overrides=False, cumulation=False))
@example(_cluster_in_one_room())
def test_a_dependency_every_member_of_a_group_shares_gets_the_undiminished_value(assessment):
    """BSI-Standard 200-2, 8.2 (Verteilungseffekt): distribution lowers the need only where it limits the
    damage. An object that every member of a redundancy group depends on through edges outside redundancy
    groups (found here by a plain search) fails all members at once: it has at least the group object's
    availability."""
    groups: dict[tuple[str, str], set[str]] = {}
    for d in assessment.dependencies:
        if d.redundancy_group:
            groups.setdefault((d.source, d.redundancy_group), set()).add(d.target)
    redundant = {(a, t) for (a, _), targets in groups.items() if len(targets) >= 2 for t in targets}
    mandatory: dict[str, list[str]] = {}
    for d in assessment.dependencies:
        if (d.source, d.target) not in redundant:
            mandatory.setdefault(d.source, []).append(d.target)

    def reach(start: str) -> set[str]:
        seen, stack = {start}, [start]
        while stack:
            for target in mandatory.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    result = propagate(assessment)
    for (source, _), members in groups.items():
        if len(members) < 2:
            continue
        for shared in set.intersection(*(reach(m) for m in members)) - {source}:
            assert rank(result.level(shared, A)) >= rank(result.level(source, A)), (source, shared)


# --------------------------------------------------------------------------
# 8. Derivation paths follow the dependencies


def _override_in_cycle() -> Assessment:
    """p -> a, a <-> b; p is hoch in confidentiality, a is overridden to normal."""
    objects = {i: TargetObject(i, ObjectType.SERVER, i) for i in ("p", "a", "b")}
    return Assessment(
        Settings(),
        objects,
        (Dependency("p", "a"), Dependency("a", "b"), Dependency("b", "a")),
        needs={"p": {C: Need(Level.HOCH, "Meldewesen")}},
        overrides={"a": {C: Override(Level.NORMAL, "manuell", Effect.MANUAL)}},
    )


@PROPERTY_SETTINGS
@given(assessments())
@example(_override_in_cycle())
def test_derivation_path_runs_from_origin_to_object_along_edges(assessment):
    result = propagate(assessment)
    edges = {(d.source, d.target) for d in assessment.dependencies}
    component = component_of(assessment)
    for object_id in assessment.objects:
        for value in BASIC_VALUES:
            d = result.derivation(object_id, value)
            assert d.path, d
            assert d.path[-1] == object_id, d
            if d.origin is None:
                assert d.level is None and d.path == (object_id,), d
                continue
            assert d.path[0] == d.origin, d
            assert len(set(d.path)) == len(d.path), d
            for a, b in zip(d.path, d.path[1:]):
                # or the undiminished value of a redundancy group at a dependency every member shares
                shared = result.derivation(b, value).shared
                assert (a, b) in edges or component[a] == component[b] or (shared and shared.dependent == a), \
                    (a, b, d)
            if d.via is not None:
                assert d.path[-2] == d.via, d


# --------------------------------------------------------------------------
# 9. Renaming objects does not change the levels (docs/method.md, "Strukturanalyse
#    and the dependency graph": the objects are numbered in id order and no
#    result depends on an order; "Cycles": the members of a cycle are settled
#    together, whatever their ids)


def relabeled(assessment: Assessment, mapping: dict[str, str]) -> Assessment:
    return Assessment(
        assessment.settings,
        {mapping[k]: TargetObject(mapping[k], o.type, mapping[k]) for k, o in assessment.objects.items()},
        tuple(replace(d, source=mapping[d.source], target=mapping[d.target]) for d in assessment.dependencies),
        {mapping[k]: v for k, v in assessment.needs.items()},
        {mapping[k]: v for k, v in assessment.overrides.items()},
        assessment.source,
    )


def _chained_cumulation_in_cycle() -> Assessment:
    """p -> a, a <-> b; a server raised by K1 makes the room b reach K2."""
    objects = {
        "p": TargetObject("p", ObjectType.PROCESS, "p"),
        "a": TargetObject("a", ObjectType.SERVER, "a"),
        "b": TargetObject("b", ObjectType.ROOM, "b"),
    }
    rules = (
        CumulationRule(A, min_dependents=2, raise_to=Level.HOCH, types=frozenset({ObjectType.SERVER}), name="K1"),
        CumulationRule(
            A, min_dependents=1, raise_to=Level.SEHR_HOCH, at_level=Level.HOCH,
            types=frozenset({ObjectType.ROOM}), name="K2",
        ),
    )
    return Assessment(
        Settings(cumulation=rules),
        objects,
        (Dependency("p", "a"), Dependency("a", "b"), Dependency("b", "a")),
        needs={"p": {A: Need(Level.NORMAL)}},
    )


@PROPERTY_SETTINGS
@given(assessments(), st.one_of(st.just("reversed"), st.integers(0, 2**16)))
@example(_chained_cumulation_in_cycle(), "reversed")
def test_renaming_objects_does_not_change_the_levels(assessment, order):
    ids = sorted(assessment.objects)
    new = [f"n{k:02d}" for k in range(len(ids))]
    if order == "reversed":
        new.reverse()  # the id order of the objects is turned round
    else:
        random.Random(order).shuffle(new)
    mapping = dict(zip(ids, new))
    before = propagate(assessment)
    after = propagate(relabeled(assessment, mapping))
    for object_id in ids:
        for value in BASIC_VALUES:
            assert after.level(mapping[object_id], value) == before.level(object_id, value), (object_id, value)
    assert sorted(tuple(sorted(mapping[m] for m in c)) for c in before.cycles) == list(after.cycles)
