"""Each propagation rule on a small hand-computed case (docs/method.md, Schutzbedarfsfeststellung)."""

from __future__ import annotations

import pytest

from grundschutz import (
    Assessment,
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
    UnknownObjectError,
    propagate,
)

C, I, A = BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY, BasicValue.AVAILABILITY
N, H, SH = Level.NORMAL, Level.HOCH, Level.SEHR_HOCH


def landscape(types: dict[str, ObjectType], edges, needs=None, overrides=None, **settings) -> Assessment:
    """An assessment from compact literals: edges are (source, target[, group])."""
    objects = {i: TargetObject(i, t, f"Objekt {i}") for i, t in types.items()}
    dependencies = tuple(Dependency(e[0], e[1], e[2] if len(e) > 2 else "") for e in edges)
    return Assessment(
        Settings(**settings),
        objects,
        dependencies,
        {k: {v: Need(level, f"Grund {k}") for v, level in d.items()} for k, d in (needs or {}).items()},
        overrides or {},
    )


P, APP, SRV, NET, ROOM = (
    ObjectType.PROCESS, ObjectType.APPLICATION, ObjectType.SERVER, ObjectType.NETWORK, ObjectType.ROOM,
)


def test_maximum_takes_the_highest_dependent_per_basic_value():
    a = landscape(
        {"A1": APP, "A2": APP, "S": SRV},
        [("A1", "S"), ("A2", "S")],
        {"A1": {C: H, I: N, A: N}, "A2": {C: N, I: SH, A: N}},
    )
    r = propagate(a)
    assert (r.level("S", C), r.level("S", I), r.level("S", A)) == (H, SH, N)
    d = r.derivation("S", I)
    assert (d.rule, d.origin, d.via, d.path, d.reason) == (Rule.MAXIMUM, "A2", "A2", ("A2", "S"), "Grund A2")


def test_maximum_is_transitive_along_the_chain():
    a = landscape(
        {"P": P, "A": APP, "S": SRV, "R": ROOM},
        [("P", "A"), ("A", "S"), ("S", "R")],
        {"P": {A: SH}},
    )
    d = propagate(a).derivation("R", A)
    assert d.level is SH
    assert d.path == ("P", "A", "S", "R")
    assert d.origin == "P"


def test_own_assessed_value_wins_a_tie_and_is_never_lowered():
    a = landscape({"A": APP, "S": SRV}, [("A", "S")], {"A": {C: H}, "S": {C: H, I: SH}})
    r = propagate(a)
    assert r.derivation("S", C).rule is Rule.ASSESSED
    assert r.derivation("S", C).origin == "S"
    assert r.level("S", I) is SH


def test_unrated_stays_unrated_and_marks_what_it_feeds_provisional():
    a = landscape({"A1": APP, "A2": APP, "S": SRV}, [("A1", "S"), ("A2", "S")], {"A1": {C: N}})
    r = propagate(a)
    assert r.level("A2", C) is None
    assert r.level("S", I) is None
    assert r.derivation("S", I).rule is None
    assert r.level("S", C) is N
    assert r.derivation("S", C).provisional is True
    assert r.unrated(I) == ["A1", "A2", "S"]


def test_cycle_members_share_the_maximum_and_the_cycle_is_reported():
    a = landscape(
        {"A": APP, "DC": SRV, "DNS": SRV, "X": APP},
        [("A", "DC"), ("DC", "DNS"), ("DNS", "DC"), ("X", "DNS")],
        {"A": {C: H}, "X": {C: N, A: SH}},
    )
    r = propagate(a)
    assert r.cycles == (("DC", "DNS"),)
    assert r.level("DC", C) is H and r.level("DNS", C) is H
    assert r.level("DC", A) is SH and r.level("DNS", A) is SH
    d = r.derivation("DC", A)
    assert d.cycle == ("DC", "DNS")
    assert d.path == ("X", "DNS", "DC")


def test_cumulation_raises_at_the_threshold_and_lists_near_misses():
    rule = CumulationRule(A, min_dependents=3, raise_to=H, types=frozenset({SRV}), candidate_margin=1,
                          reason="viele Anwendungen")
    types = {"S1": SRV, "S2": SRV, "R": ROOM, **{f"A{i}": APP for i in range(5)}}
    edges = [("A0", "S1"), ("A1", "S1"), ("A2", "S1"), ("A3", "S2"), ("A4", "S2"),
             ("A0", "R"), ("A1", "R"), ("A2", "R")]
    needs = {f"A{i}": {A: N} for i in range(5)}
    r = propagate(landscape(types, edges, needs, cumulation=(rule,)))
    assert r.level("S1", A) is H
    d = r.derivation("S1", A)
    assert d.rule is Rule.CUMULATION and d.origin == "S1"
    assert d.cumulation.dependents == ("A0", "A1", "A2")
    assert d.reason == "viele Anwendungen"
    assert r.level("S2", A) is N  # 2 of 3: a candidate, not raised
    assert [(e.object, e.count) for e in r.candidates] == [("S2", 2)]
    assert r.level("R", A) is N  # rooms are not in the rule's types


def test_cumulation_counts_only_dependents_at_the_rules_level():
    rule = CumulationRule(C, min_dependents=2, at_level=H, raise_to=SH, candidate_margin=1)
    a = landscape(
        {"A1": APP, "A2": APP, "A3": APP, "S": SRV},
        [("A1", "S"), ("A2", "S"), ("A3", "S")],
        {"A1": {C: H}, "A2": {C: N}, "A3": {C: N}},
        cumulation=(rule,),
    )
    r = propagate(a)
    assert r.level("S", C) is H
    assert r.candidates[0].dependents == ("A1",)


def test_cumulated_value_flows_on():
    rule = CumulationRule(A, min_dependents=2, raise_to=H, types=frozenset({SRV}))
    a = landscape(
        {"A1": APP, "A2": APP, "S": SRV, "R": ROOM},
        [("A1", "S"), ("A2", "S"), ("S", "R")],
        {"A1": {A: N}, "A2": {A: N}},
        cumulation=(rule,),
    )
    d = propagate(a).derivation("R", A)
    assert (d.level, d.rule, d.origin) == (H, Rule.MAXIMUM, "S")


def test_distribution_lowers_availability_through_a_redundancy_group_only():
    a = landscape(
        {"A": APP, "S1": SRV, "S2": SRV},
        [("A", "S1", "cluster"), ("A", "S2", "cluster")],
        {"A": {C: SH, I: H, A: SH}},
        distribution=DistributionSetting(enabled=True),
    )
    r = propagate(a)
    for s in ("S1", "S2"):
        assert (r.level(s, C), r.level(s, I), r.level(s, A)) == (SH, H, H)
    d = r.derivation("S1", A)
    assert d.rule is Rule.DISTRIBUTION
    assert d.distribution.without is SH
    assert [e.object for e in r.distributions] == ["S1", "S2"]


def test_distribution_never_below_normal_and_not_for_a_group_of_one():
    a = landscape(
        {"A": APP, "B": APP, "S1": SRV, "S2": SRV, "S3": SRV},
        [("A", "S1", "g"), ("A", "S2", "g"), ("B", "S3", "g")],
        {"A": {A: N}, "B": {A: H}},
        distribution=DistributionSetting(enabled=True, lower_by=2),
    )
    r = propagate(a)
    assert r.level("S1", A) is N
    assert r.level("S3", A) is H  # B's group has one member: nothing is lowered


def test_distribution_is_off_unless_enabled():
    a = landscape(
        {"A": APP, "S1": SRV, "S2": SRV},
        [("A", "S1", "g"), ("A", "S2", "g")],
        {"A": {A: H}},
    )
    r = propagate(a)
    assert r.level("S1", A) is H and r.distributions == ()


def test_override_below_maximum_is_a_marked_deviation_and_flows_on():
    a = landscape(
        {"A": APP, "N": NET, "R": ROOM},
        [("A", "N"), ("N", "R")],
        {"A": {C: H}},
        {"N": {C: Override(N, "Netz ist getrennt", Effect.MANUAL)}},
    )
    r = propagate(a)
    d = r.derivation("N", C)
    assert (d.level, d.rule, d.computed, d.deviation) == (N, Rule.OVERRIDE, H, True)
    assert r.level("R", C) is N
    assert [x.object for x in r.deviations] == ["N"]


def test_override_above_maximum_is_not_a_deviation():
    a = landscape(
        {"A": APP, "S": SRV}, [("A", "S")], {"A": {A: N}},
        {"S": {A: Override(H, "Kumulation nach Einschätzung", Effect.CUMULATION)}},
    )
    d = propagate(a).derivation("S", A)
    assert (d.level, d.deviation, d.reason) == (H, False, "Kumulation nach Einschätzung")


def test_unknown_object_is_a_clear_error():
    r = propagate(landscape({"A": APP}, []))
    with pytest.raises(UnknownObjectError, match="Zielobjekt 'X' gibt es"):
        r.derivation("X", C)


def test_distribution_setting_refuses_undocumented_confidentiality_and_integrity():
    with pytest.raises(ValueError, match="only where assessment.yaml documents"):
        DistributionSetting(enabled=True, basic_values=frozenset({C}))


def test_override_inside_a_cycle_flows_to_the_other_members():
    a = landscape(
        {"P": P, "A": SRV, "B": SRV},
        [("P", "A"), ("A", "B"), ("B", "A")],
        {"P": {C: H}},
        {"A": {C: Override(N, "gekapselt", Effect.MANUAL)}},
    )
    r = propagate(a)
    assert r.level("B", C) is N
    d = r.derivation("A", C)
    assert (d.computed, d.deviation) == (H, True)


def test_of_two_cumulation_rules_the_one_that_set_the_final_level_explains_it():
    first = CumulationRule(A, min_dependents=2, raise_to=H, name="erste", reason="zwei Anwendungen")
    second = CumulationRule(A, min_dependents=2, at_level=N, raise_to=SH, name="zweite", reason="Rechenzentrum")
    a = landscape(
        {"A1": APP, "A2": APP, "S": SRV, "R": ROOM},
        [("A1", "S"), ("A2", "S"), ("S", "R")],
        {"A1": {A: N}, "A2": {A: N}},
        cumulation=(first, second),
    )
    r = propagate(a)
    d = r.derivation("S", A)
    assert (d.level, d.cumulation.rule.name, d.reason) == (SH, "zweite", "Rechenzentrum")
    assert r.derivation("R", A).reason == "Rechenzentrum"
