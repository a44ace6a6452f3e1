"""Verteilungseffekt (BSI-Standard 200-2, 8.2): where distribution limits the damage, and where it does not.

Two rules of issue 10 (method fidelity), each from the standard:

- the lowering applies to the *members* of a redundancy group; an object that
  every member depends on (the shared server room, its building, a shared
  network) is a single point of failure and receives the undiminished value;
- confidentiality and integrity are lowered only where ``assessment.yaml``
  documents the split of the data, with its reason.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grundschutz import read_assessment
from grundschutz.cli import main
from grundschutz.method import propagate
from grundschutz.method.explanation import explain_text
from grundschutz.model import BasicValue, Level
from grundschutz.views.summary import summarize

A, C, I = BasicValue.AVAILABILITY, BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY

OBJECTS = """id,type,name,description,tags,count
GP-1,process,Leitstelle,,,
APP-1,application,Einsatzleitsystem,,,
N-1,server,Clusterknoten 1,,,
N-2,server,Clusterknoten 2,,,
N-3,server,Clusterknoten 3,,,
SW-1,network_device,Switch 1,,,
SW-2,network_device,Switch 2,,,
R-1,room,Serverraum,,,
R-2,room,Nebenraum,,,
GEB-1,building,Rathaus,,,
NET-1,network,Servernetz,,,
"""
#: APP-1 runs on N-1 or N-2 (cluster); both stand in R-1 (building GEB-1) and hang on NET-1; only N-1
#: also uses R-2. Each node reaches NET-1 through one of two redundant switches, which stand in R-1 as well.
DEPENDENCIES = """object,depends_on,redundancy_group,note
GP-1,APP-1,,
APP-1,N-1,cluster,
APP-1,N-2,cluster,
N-1,R-1,,
N-2,R-1,,
N-1,R-2,,
N-1,NET-1,,
N-2,NET-1,,
R-1,GEB-1,,
R-2,GEB-1,,
N-3,SW-1,uplink,
N-3,SW-2,uplink,
SW-1,R-1,,
SW-2,R-1,,
"""
NEEDS = """object,confidentiality,integrity,availability
GP-1,normal,normal,sehr hoch
N-3,,,hoch
"""
SETTINGS = "name: Test\ndistribution: true\n"


def write(folder: Path, settings: str = SETTINGS, objects: str = OBJECTS, dependencies: str = DEPENDENCIES,
          needs: str = NEEDS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("assessment.yaml", settings), ("objects.csv", objects),
                       ("dependencies.csv", dependencies), ("needs.csv", needs)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def cluster(tmp_path):
    return propagate(read_assessment(write(tmp_path / "cluster")))


# --------------------------------------------------------------------------- item 1


def test_a_room_every_cluster_node_stands_in_keeps_the_undiminished_value(cluster):
    """BSI-Standard 200-2, 8.2 (Verteilungseffekt): the need of a component may be lowered where the
    function is distributed over several components. Two cluster nodes that both stand in one server room
    are not distributed with respect to that room: if it burns, both are gone. The nodes are lowered
    (sehr hoch -> hoch), the shared room, its building and the shared network are not."""
    assert cluster.level("N-1", A) is Level.HOCH and cluster.level("N-2", A) is Level.HOCH
    for shared in ("R-1", "NET-1"):
        derivation = cluster.derivation(shared, A)
        assert derivation.level is Level.SEHR_HOCH, shared
        assert derivation.shared is not None and derivation.shared.dependent == "APP-1"
        assert derivation.shared.members == ("N-1", "N-2") and derivation.shared.lowered is Level.HOCH
    # the building behind the shared room inherits the room's value by the Maximumprinzip
    assert cluster.level("GEB-1", A) is Level.SEHR_HOCH
    assert cluster.derivation("GEB-1", A).via == "R-1"


def test_an_object_only_some_members_reach_stays_lowered(cluster):
    """BSI-Standard 200-2, 8.2: the Verteilungseffekt applies where the failure of the object takes down only
    part of the distributed function. R-2 is used by N-1 only: N-2 keeps running when R-2 fails."""
    derivation = cluster.derivation("R-2", A)
    assert derivation.level is Level.HOCH and derivation.shared is None
    assert derivation.via == "N-1"


def test_a_dependency_on_one_of_several_redundant_objects_is_no_single_point_of_failure(tmp_path):
    """BSI-Standard 200-2, 8.2: the server reaches the network through SW-1 *or* SW-2. Neither switch is a
    single point of failure of the server (each is lowered), but the room both switches stand in is, and so
    is the room of a cluster whose nodes each use their own redundant switch pair (nested redundancy)."""
    objects = """id,type,name,description,tags,count
APP-1,application,Verfahren,,,
N-1,server,Knoten 1,,,
N-2,server,Knoten 2,,,
SW-1,network_device,Switch 1,,,
SW-2,network_device,Switch 2,,,
SW-3,network_device,Switch 3,,,
SW-4,network_device,Switch 4,,,
R-1,room,Verteilerraum,,,
R-2,room,Büro,,,
"""
    dependencies = """object,depends_on,redundancy_group,note
APP-1,N-1,cluster,
APP-1,N-2,cluster,
N-1,SW-1,uplink,
N-1,SW-2,uplink,
N-2,SW-3,uplink,
N-2,SW-4,uplink,
SW-1,R-1,,
SW-2,R-1,,
SW-3,R-1,,
SW-4,R-1,,
SW-1,R-2,,
"""
    needs = "object,confidentiality,integrity,availability\nAPP-1,normal,normal,sehr hoch\n"
    result = propagate(read_assessment(write(tmp_path / "nested", SETTINGS, objects, dependencies, needs)))
    assert result.level("N-1", A) is Level.HOCH
    assert {result.level(s, A) for s in ("SW-1", "SW-2", "SW-3", "SW-4")} == {Level.NORMAL}
    room = result.derivation("R-1", A)
    assert room.level is Level.SEHR_HOCH and room.shared.dependent == "APP-1"
    assert result.level("R-2", A) is Level.NORMAL  # only SW-1 stands there


def test_explain_says_there_is_no_distribution_at_the_shared_room(tmp_path):
    """The explanation names the group, its members and what distribution would have given."""
    folder = write(tmp_path / "cluster")
    out = CliRunner().invoke(main, ["explain", str(folder), "R-1"])
    assert out.exit_code == 0, out.output
    assert ("gemeinsame Abhängigkeit aller Mitglieder der Redundanzgruppe 'cluster' von APP-1 (N-1, N-2): "
            "keine Verteilung") in out.output
    assert "Fällt R-1 aus, fallen alle Mitglieder zugleich aus (mit Verteilungseffekt: hoch)" in out.output
    summary = CliRunner().invoke(main, ["assess", str(folder)]).output
    assert "Keine Verteilung: gemeinsame Abhängigkeit aller Mitglieder einer Redundanzgruppe" in summary
    assert "APP-1: cluster (N-1, N-2)" in summary


def test_without_distribution_nothing_changes(tmp_path):
    """With the Verteilungseffekt off every object inherits the full value, and no shared event is listed."""
    result = propagate(read_assessment(write(tmp_path / "off", settings="name: Test\n")))
    assert not result.shared
    assert {result.level(i, A) for i in ("N-1", "N-2", "R-1", "R-2", "NET-1", "GEB-1")} == {Level.SEHR_HOCH}


def test_an_override_at_the_shared_room_flows_on(tmp_path):
    """docs/method.md, Overrides: what an object ends with flows on. The building behind a shared room gets
    the room's value, including an override, and not the undiminished value a second time."""
    from dataclasses import replace

    from grundschutz.model import Effect, Override

    assessment = read_assessment(write(tmp_path / "override"))
    overridden = replace(assessment, overrides={"R-1": {A: Override(Level.HOCH, "Brandabschnitt", Effect.MANUAL)}})
    result = propagate(overridden)
    assert result.derivation("R-1", A).deviation
    assert result.level("GEB-1", A) is Level.HOCH


# --------------------------------------------------------------------------- item 2

SPLIT_OBJECTS = """id,type,name,description,tags,count
APP-1,application,Archiv,,,
DB-1,server,Teilbestand A-K,,,
DB-2,server,Teilbestand L-Z,,,
WEB-1,server,Webserver 1,,,
WEB-2,server,Webserver 2,,,
R-1,room,Serverraum,,,
"""
SPLIT_DEPENDENCIES = """object,depends_on,redundancy_group,note
APP-1,DB-1,teilbestand,
APP-1,DB-2,teilbestand,
APP-1,WEB-1,lastverteilung,
APP-1,WEB-2,lastverteilung,
DB-1,R-1,,
DB-2,R-1,,
"""
SPLIT_NEEDS = """object,confidentiality,integrity,availability
APP-1,sehr hoch,hoch,hoch
"""
DOCUMENTED = textwrap.dedent("""\
    name: Test
    distribution:
      enabled: true
      basic_values: [availability, confidentiality]
      confidentiality:
        groups: [teilbestand]
        reason: Die Akten sind nach Nachnamen auf zwei Server aufgeteilt; keiner hält den ganzen Bestand.
    """)


def split(folder: Path, settings: str = DOCUMENTED, needs: str = SPLIT_NEEDS) -> Path:
    return write(folder, settings, SPLIT_OBJECTS, SPLIT_DEPENDENCIES, needs)


def test_confidentiality_is_lowered_only_in_the_documented_groups(tmp_path):
    """BSI-Standard 200-2, 8.2 (Verteilungseffekt): distribution can lower confidentiality where the data is
    split so that no single system holds the sensitive whole. Only the documented group 'teilbestand' splits
    the data; the web servers of 'lastverteilung' each see everything and keep the full confidentiality."""
    result = propagate(read_assessment(split(tmp_path / "split")))
    assert result.level("DB-1", C) is Level.HOCH and result.level("DB-2", C) is Level.HOCH
    assert result.level("WEB-1", C) is Level.SEHR_HOCH and result.level("WEB-2", C) is Level.SEHR_HOCH
    # integrity is not documented: never lowered
    assert result.level("DB-1", I) is Level.HOCH and result.derivation("DB-1", I).distribution is None
    # the room holding both halves holds the whole
    assert result.level("R-1", C) is Level.SEHR_HOCH and result.derivation("R-1", C).shared is not None
    text = explain_text(result, result.derivation("DB-1", C))
    assert "Begründung der Verteilung (teilbestand): Die Akten sind nach Nachnamen" in text
    assert [(e.object, e.basic_value) for e in result.distributions if e.basic_value is C] == [
        ("DB-1", C), ("DB-2", C)]


def test_confidentiality_without_documentation_is_refused_with_the_line(tmp_path):
    """docs/format.md, distribution: confidentiality and integrity need the groups and the reason; every
    problem with its line."""
    from conftest import problems_of

    settings = textwrap.dedent("""\
        name: Test
        distribution:
          basic_values: [availability, confidentiality, integrity]
          integrity:
            groups: [teilbestand, gibtsnicht]
        """)
    problems = problems_of(split(tmp_path / "bad", settings))
    assert problems == [
        "assessment.yaml, Zeile 3, Spalte 'distribution.basic_values', Wert 'availability, confidentiality, "
        "integrity': Verteilungseffekt für confidentiality (Vertraulichkeit) nur mit Begründung: unter "
        "'distribution.confidentiality' die Redundanzgruppen ('groups'), die die Daten aufteilen, und die "
        "Begründung ('reason') angeben – eine Kopie ist so vertraulich und so integritätskritisch wie das Original",
        "assessment.yaml, Zeile 4, Spalte 'distribution.integrity.reason': Begründung fehlt: warum hält kein "
        "einzelnes Mitglied den ganzen Bestand?",
    ]
    unknown = DOCUMENTED.replace("groups: [teilbestand]", "groups: [teilbestand, gibtsnicht]")
    assert problems_of(split(tmp_path / "unknown", unknown)) == [
        "assessment.yaml, Zeile 5, Spalte 'distribution.confidentiality.groups', Wert 'gibtsnicht': "
        "Redundanzgruppe gibt es in dependencies.csv nicht"]
    stray = "name: Test\ndistribution:\n  confidentiality:\n    groups: [teilbestand]\n    reason: geteilt\n"
    assert problems_of(split(tmp_path / "stray", stray)) == [
        "assessment.yaml, Zeile 3, Spalte 'distribution.confidentiality': wirkt nur, wenn 'basic_values' auch "
        "confidentiality enthält"]


def test_an_override_matching_a_documented_distribution_is_no_deviation(tmp_path):
    """BSI-Standard 200-2, 8.2: a lowering the officer documents as Verteilungseffekt is part of the method,
    not a departure from the Maximumprinzip. DB-1 is a member of the documented group: an override with
    effect 'distribution' one level below the computed value is no deviation; on WEB-1 (not documented) or
    with effect 'manual' it stays one."""
    needs = ("object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason,"
             "availability_reason,effect\n"
             "APP-1,sehr hoch,hoch,hoch,Akten,Akten,Akten,\n"
             "DB-1,normal,,,Teilbestand ohne Namen und Anschriften,,,distribution\n"
             "WEB-1,hoch,,,Webserver zeigt nur Teile,,,distribution\n"
             "DB-2,normal,,,Teilbestand,,,manual\n")
    result = propagate(read_assessment(split(tmp_path / "override", needs=needs)))
    db1 = result.derivation("DB-1", C)
    assert db1.computed is Level.HOCH and db1.level is Level.NORMAL
    assert not db1.deviation and "Redundanzgruppe 'teilbestand' von APP-1" in db1.documented
    assert "Keine Abweichung: dokumentierter Verteilungseffekt" in explain_text(result, db1)
    assert result.derivation("WEB-1", C).deviation
    assert result.derivation("DB-2", C).deviation
    assert [d.object for d in result.deviations] == ["DB-2", "WEB-1"]
    assert [d["object"] for d in summarize(result).deviations] == ["DB-2", "WEB-1"]


def test_a_distribution_setting_made_in_python_with_lower_by_0_is_refused_in_german():
    """The check of ``assessment.yaml`` holds for a setting built in a notebook too, with a German reason."""
    from grundschutz.model.assessment import DistributionSetting

    with pytest.raises(ValueError, match="^lower_by muss mindestens 1 sein, nicht 0$"):
        DistributionSetting(enabled=True, lower_by=0)
