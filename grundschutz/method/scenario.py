"""Scenarios: overlays on an assessment and what they change (BSI 200-2 planning).

A scenario is a YAML file ``scenarios/<name>.yaml`` in an assessment folder
(read with the assessment by :mod:`grundschutz.io.scenarios`). It describes a
planned change - Teleheimarbeit, a new server landscape - as an overlay on the
assessment; the assessment itself is never changed. :func:`apply_scenario`
returns a *new* :class:`~grundschutz.model.assessment.Assessment`,
:func:`analyse_scenario` computes Schutzbedarf, Modellierung, requirements and
check for it, :func:`compare` sets it against the baseline and gives a verdict
per application. :meth:`Analysis.scenario
<grundschutz.method.analysis.Analysis.scenario>` does all of it once per scenario.

The file format (every key but ``applications`` is optional)::

    name: teleheimarbeit                # default: the file name
    description: Beschäftigte arbeiten tageweise zu Hause.
    applications: [APP-43, APP-16]     # the applications the scenario is about:
                                        # one verdict each (read by the work plan)
    add:
      objects:                          # columns of objects.csv
        - {id: NET-20, type: network, name: Heimnetze, tags: [extern], count: 40}
      dependencies:                     # columns of dependencies.csv
        - {object: CL-02, depends_on: NET-20, note: Internetzugang zu Hause}
      needs:                            # columns of needs.csv; an override needs
        - object: NET-20                # effect and a reason, as in needs.csv
          confidentiality: normal
          confidentiality_reason: Nur VPN-verschlüsselter Verkehr.
          effect: manual
    remove:
      objects: [SRV-25]                 # removes its dependencies, needs, overrides too
      dependencies:
        - {object: APP-54, depends_on: SRV-25}
    change:
      objects:                          # id plus the fields that change; tags are
        - {id: CL-02, count: 70}        # replaced as a whole
      needs:                            # a basic value given replaces the baseline's,
        - object: APP-59                # an empty one removes it; every value set
          availability: hoch            # needs its reason
          availability_reason: Ohne DMS keine Rechnungsbearbeitung.
    bausteine:                          # hand changes of the Modellierung (like
      - object: NET-20                  # modelling.csv); action add (default) or remove
        baustein: NET.1.1
        action: remove
        reason: Private Heimnetze gestaltet die Stadt nicht.
    check:                              # columns of check.csv: the status of
      - object: IV                      # requirements in the scenario (on top of check.csv)
        requirement: OPS.1.2.4.A1
        status: ja
        note: Dienstvereinbarung Telearbeit

Tags may be written as in ``objects.csv`` (``"a;b=c"``), as a list or as a
mapping. Every problem of a file is reported at once, with its line
(:class:`~grundschutz.model.errors.ScenarioError`).

What blocks an application ``X`` (:func:`compare`): its *scope* is ``X`` and
every object it depends on, transitively, in the scenario's graph. A
requirement blocks ``X`` if it is selected in the scenario for an object of
the scope, is not ``ja``/``entbehrlich`` in the check, and is new through the
scenario (new object, new Baustein, or an H requirement newly selected because
a need rose); the scenario's new requirements of the Informationsverbund
(e.g. OPS.1.2.4) block every application. Requirements that are open in the
baseline's check already are counted per application (``baseline_open``) but
do not block; with ``include_baseline=True`` every open requirement of the
scope and of the Informationsverbund blocks.

A risk analysis is *made necessary* by the scenario for an object that needs
one in the scenario (:func:`grundschutz.method.risk.flag_objects`: ``sehr hoch``,
``hoch``, no fitting Baustein, tag ``atypisch``) but not in the baseline, or
for a reason the baseline did not have (e.g. newly ``sehr hoch``). It holds up ``X`` if the object is in ``X``'s scope and the reason applies to
``X``: no Baustein, ``atypisch``, a high need that arises at the object itself
(its own assessment, an override, cumulation), or a high need that ``X``
itself has in that basic value - a notebook that is ``hoch`` only because of
another application does not hold up an application of normal need.

Verdicts per application, in this order: ``nicht vor der
Schutzbedarfsfeststellung`` (``X`` is unrated in a basic value), ``nicht vor
einer Risikoanalyse`` (naming the objects), ``bereit, sobald N Anforderungen
umgesetzt sind`` (naming them), ``bereit aus Sicht des Szenarios; im Bestand
offen: N Basis-Anforderungen`` (the Basis-Anforderungen of ``X``'s scope that
are open in the baseline already, so that nobody reads it as "all is safe").
"""

from __future__ import annotations

import dataclasses

from grundschutz.method.scenario_compare import ScenarioResult, compare
from grundschutz.model import Assessment, Need, Override
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.scenario import Scenario


def apply_scenario(assessment: Assessment, scenario: Scenario) -> Assessment:
    """The assessment with the scenario applied, as a new object; ``assessment`` is unchanged.

    Removing an object removes its dependencies, needs and overrides as well,
    and the rows of ``modelling.csv`` for it; the scenario's ``bausteine``
    follow the hand changes of ``modelling.csv``, its ``check`` rows those of
    ``check.csv`` (they win). The scenario must fit the assessment (as
    :func:`grundschutz.io.scenarios.validate_scenario` checks when reading).
    """
    removed = set(scenario.remove_objects)
    objects = {i: o for i, o in assessment.objects.items() if i not in removed}
    for change in scenario.change_objects:
        objects[change.id] = dataclasses.replace(objects[change.id], **change.fields)
    objects.update((o.id, o) for o in scenario.add_objects)
    gone = set(scenario.remove_dependencies)
    dependencies = tuple(
        d for d in assessment.dependencies
        if d.source not in removed and d.target not in removed and (d.source, d.target) not in gone
    ) + scenario.add_dependencies
    needs = {k: dict(v) for k, v in assessment.needs.items() if k not in removed}
    overrides = {k: dict(v) for k, v in assessment.overrides.items() if k not in removed}
    for target, given in ((needs, scenario.add_needs), (overrides, scenario.add_overrides)):
        for object_id, values in given.items():
            target.setdefault(object_id, {}).update(values)
    for change in scenario.change_needs:
        target = overrides if change.effect else needs
        values = target.setdefault(change.object, {})
        for value, level in change.levels.items():
            if level is None:
                values.pop(value, None)
            elif change.effect:
                values[value] = Override(level, change.reasons[value], change.effect)
            else:
                values[value] = Need(level, change.reasons[value])
    overrides = {k: v for k, v in overrides.items() if v}
    source = f"{assessment.source or assessment.settings.name} + Szenario {scenario.name}"
    changes = tuple(c for c in assessment.modelling_changes if c.object not in removed) + scenario.bausteine
    return Assessment(assessment.settings, objects, dependencies, needs, overrides, source, changes,
                      assessment.check_records + scenario.check, assessment.risk_records,
                      relevance_decisions=assessment.relevance_decisions)


def analyse_scenario(baseline, scenario: Scenario):
    """The :class:`~grundschutz.method.analysis.Analysis` of the scenario, with the baseline's catalog and variant.

    Like the baseline's, for the scenario's assessment (:func:`apply_scenario`):
    the rows of ``check.csv`` whose requirement is no longer selected are
    dropped, the scenario's own ``check`` rows must fit.
    """
    assessment = apply_scenario(baseline.assessment, scenario)
    if baseline.catalog is not None and baseline.assessment.settings.edition == "grundschutz++":
        raise GrundschutzError("Szenarien mit Modellierung sind für Grundschutz++ (Zielobjekt-Kategorien) noch "
                               "nicht umgesetzt; nur der Schutzbedarf lässt sich vergleichen (analyse ohne Katalog).")
    carried = frozenset(r.file for r in baseline.assessment.check_records)
    return type(baseline)(assessment, baseline.catalog, variant=baseline.variant, carried_check_files=carried,
                          catalog_note=baseline.catalog_note)


def run_scenario(baseline, scenario: Scenario, *, include_baseline: bool = False) -> ScenarioResult:
    """Analyse ``scenario`` on top of the analysis ``baseline`` and compare the two.

    The step behind :meth:`Analysis.scenario <grundschutz.method.analysis.Analysis.scenario>`.
    """
    return compare(baseline, analyse_scenario(baseline, scenario), scenario, include_baseline=include_baseline)
