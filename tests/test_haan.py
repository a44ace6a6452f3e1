"""The worked example Stadt Haan: complete, consistent, and every rule fires on it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grundschutz import BasicValue, ObjectType, propagate, read_assessment, summarize
from grundschutz.cli.app import main

#: Applications the city's report (Vorlage 10/092/2018) names, by a word of their name.
NAMED_IN_REPORT = [
    "MESO", "DIGANT", "AUTISTA", "Ortsbuch", "Rentenversicherung", "DAKOTA", "MedicalPad", "GESO",
    "KoBo", "SM Library", "Pedestal", "Bibliotheca", "PROSOZ", "WGPlus", "Map", "LANDCAD", "StadtCAD",
    "IRIS", "AUGIAS", "SOMACOS", "STLB", "California", "KULTURline", "UHlex", "SODATIS", "AKDN",
    "ROSEhelp", "Ausländerzentralregister", "LOGA-Mitarbeiterportal", "H&H", "AVVISO", "LOGA 2001",
    "Kolibri", "Eventmanager", "Politess", "TimeOffice", "PROwinKITA", "HBO", "GEOVision", "WinFried",
    "AMSplus", "INTRANET", "GroupWise", "Retain", "Druck", "BOL", "Workflow", "Vote IT", "VOIS", "ABUko",
]


@pytest.fixture(scope="module")
def result(haan):
    return propagate(read_assessment(haan))


def test_size_and_shape(result):
    objects = result.assessment.objects.values()
    assert len(result.assessment) >= 150
    applications = [o for o in objects if o.type is ObjectType.APPLICATION]
    assert 55 <= len(applications) <= 75
    assert all(o.tags.get("source") in ("vorlage", "annahme") for o in applications)
    for kind in ObjectType:
        if kind is not ObjectType.INFORMATIONSVERBUND:
            assert any(o.type is kind for o in objects), kind
    groups = {o.name: o.count for o in objects if o.count > 1}
    assert 41 in groups.values()  # the multifunction printers
    assert "SRV-01" in result.assessment.objects


def test_every_application_named_in_the_report_is_there(result):
    names = " | ".join(o.name for o in result.assessment.objects.values() if o.type is ObjectType.APPLICATION)
    missing = [word for word in NAMED_IN_REPORT if word.lower() not in names.lower()]
    assert missing == []


def test_applications_and_processes_are_rated_with_reasons(result):
    a = result.assessment
    unrated = set()
    for obj in a.objects.values():
        if obj.type not in (ObjectType.APPLICATION, ObjectType.PROCESS):
            continue
        for value in BasicValue:
            need = a.needs.get(obj.id, {}).get(value)
            if need is None:
                unrated.add(obj.id)
            else:
                assert len(need.reason) > 15, (obj.id, value)
    # the deliberately open work, each saying so in its description
    assert unrated == {"APP-53", "APP-56", "APP-59"}
    assert "noch nicht festgestellt" in a.objects["APP-59"].description


def test_rules_really_fire(result):
    summary = summarize(result)
    values = {c["basic_value"] for c in summary.cumulations}
    assert values == {"availability", "confidentiality"}
    assert summary.candidates
    assert summary.distributions
    assert summary.cycles == [["APP-60", "APP-61"]]
    assert [d["object"] for d in summary.deviations] == ["NET-10"]
    assert result.derivation("SRV-01", BasicValue.CONFIDENTIALITY).rule.value == "cumulation"


def test_explain_answers_for_every_object(haan, result):
    runner = CliRunner()
    for object_id in result.assessment.objects:
        out = runner.invoke(main, ["explain", str(haan), object_id])
        assert out.exit_code == 0, (object_id, out.output)
        assert out.output.count("\n\n") == 3
