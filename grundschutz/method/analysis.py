"""The whole method for one assessment: each step computed once, on first use, and handed on.

:func:`analyse` takes an :class:`~grundschutz.model.assessment.Assessment`
(everything read from its folder) and, optionally, a loaded
:class:`~grundschutz.catalog.loading.Catalog`. The :class:`Analysis` it
returns computes the steps of BSI 200-2/200-3 in order, each the first time
it is asked for and never again::

    read -> propagate -> model -> select -> check -> risk -> plan -> scenarios

Without a catalog only the Schutzbedarf is computed; the catalog steps are
``None`` and :attr:`Analysis.catalog_note` says why. No step reads a file:
the rows of ``modelling.csv``, ``check.csv``, ``risks.csv`` and the scenarios
come with the assessment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from grundschutz.method.check import Check, build_check, kompendium_requirement_check
from grundschutz.method.gspp import gspp_requirement_check, model_gspp, select_gspp
from grundschutz.method.modelling import Modelling, model_assessment
from grundschutz.method.propagation import Propagation, propagate
from grundschutz.method.selection import RequirementSelection, select_requirements
from grundschutz.model import Assessment
from grundschutz.model.errors import AssessmentError, Problem


class Analysis:
    """An assessment with every step of the method, each computed once on first use.

    Attributes (computed when first read): :attr:`propagation`,
    :attr:`modelling`, :attr:`selection`, :attr:`check` (``None`` without a
    catalog), :attr:`risks`, :attr:`plan`; :meth:`scenario` per scenario.
    ``variant`` overrides the assessment's variant for the selection.
    ``carried_check_files``: rows of these check files are dropped where their
    requirement is not selected (a scenario's view of the baseline's
    ``check.csv``).
    """

    def __init__(self, assessment: Assessment, catalog=None, *, variant: str | None = None,
                 catalog_note: str = "", carried_check_files: frozenset[str] = frozenset()):
        self.assessment = assessment
        self.catalog = catalog
        self.variant = variant
        self.catalog_note = catalog_note
        self.carried_check_files = carried_check_files
        self._scenarios: dict[tuple[str, bool], object] = {}

    def __repr__(self) -> str:
        catalog = "mit Katalog" if self.catalog is not None else "ohne Katalog"
        return f"<Analysis {self.assessment.settings.name!r}: {len(self.assessment)} Zielobjekte, {catalog}>"

    @property
    def path(self) -> Path:
        """The folder or workbook the assessment was read from."""
        return Path(self.assessment.source)

    @property
    def gspp(self) -> bool:
        """Whether the assessment follows Grundschutz++ (``edition: grundschutz++``)."""
        return self.assessment.settings.edition == "grundschutz++"

    @property
    def kompendium(self):
        """The Kompendium (with the KRT applied) of the catalog, ``None`` without one."""
        return self.catalog.kompendium if self.catalog is not None else None

    @cached_property
    def propagation(self) -> Propagation:
        """The Schutzbedarfsfeststellung: :func:`~grundschutz.method.propagation.propagate`."""
        return propagate(self.assessment)

    @cached_property
    def modelling(self) -> Modelling | None:
        """The Modellierung (Bausteine, or Zielobjekt-Kategorien for Grundschutz++)."""
        if self.catalog is None:
            return None
        if self.gspp:
            return model_gspp(self.assessment, self.catalog.gspp(), self.catalog.gspp_rules())
        return model_assessment(self.assessment, self.catalog.kompendium, self.catalog.modelling_rules(),
                                self.assessment.modelling_changes)

    @cached_property
    def selection(self) -> RequirementSelection | None:
        """The requirements (controls) selected for every object, with reasons."""
        if self.modelling is None:
            return None
        if self.gspp:
            return select_gspp(self.modelling, self.propagation, self.catalog.gspp(), self.variant)
        return select_requirements(self.modelling, self.propagation, self.catalog.kompendium, self.variant)

    @cached_property
    def check(self) -> Check | None:
        """The IT-Grundschutz-Check: the status of every selected requirement (``check.csv``)."""
        if self.selection is None:
            return None
        if self.gspp:
            requirement = gspp_requirement_check(self.selection, self.catalog.gspp())
        else:
            requirement = kompendium_requirement_check(self.selection, self.catalog.kompendium)
        return build_check(self.selection, self.assessment.check_records, requirement, self.assessment.source,
                           self.carried_check_files)

    @cached_property
    def risks(self):
        """The Risikoanalyse (BSI 200-3): :func:`~grundschutz.method.risk.analyse_risks`."""
        from grundschutz.method.risk import analyse_risks

        return analyse_risks(self)

    @cached_property
    def plan(self):
        """The work plan (Realisierungsplan): :func:`~grundschutz.method.plan.work_plan`."""
        from grundschutz.method.plan import work_plan

        return work_plan(self)

    def scenario(self, name: str, *, include_baseline: bool = False):
        """The scenario ``name`` (``scenarios/<name>.yaml``) analysed and compared with this analysis.

        Raises :class:`~grundschutz.model.errors.ScenarioError` naming the
        scenarios there are if there is none of that name.
        """
        from grundschutz.method.scenario import run_scenario

        definition = self.assessment.scenario(name)
        key = (definition.file, include_baseline)
        if key not in self._scenarios:
            self._scenarios[key] = run_scenario(self, definition, include_baseline=include_baseline)
        return self._scenarios[key]

    def validate(self) -> None:
        """Run every step that checks the assessment against the catalog and report all problems at once.

        Without a catalog there is nothing to check beyond what
        :func:`~grundschutz.io.folder.read_assessment` checked. With one: the
        hand changes of the Modellierung, the rows of ``check.csv`` and
        ``risks.csv``, and every scenario's Bausteine and check rows. Raises
        one :class:`~grundschutz.model.errors.AssessmentError` with every
        problem; a step that depends on a failed one is not run.
        """
        from grundschutz.method.scenario import analyse_scenario

        if self.catalog is None:
            return
        problems: list[Problem] = []

        def attempt(step) -> bool:
            try:
                step()
            except AssessmentError as exc:
                problems.extend(exc.problems)
                return False
            return True

        if attempt(lambda: self.modelling):
            attempt(lambda: self.check)
            attempt(lambda: self.risks)
        for scenario in self.assessment.scenarios.values() if not self.gspp else ():
            other = analyse_scenario(self, scenario)  # its modelling repeats the baseline's problems: one set
            if attempt(lambda other=other: other.modelling):
                attempt(lambda other=other: other.check)
        if problems:
            raise AssessmentError(problems, self.assessment.source)

    @property
    def scenarios(self) -> dict[str, object]:
        """Every scenario of the assessment, analysed and compared, by name."""
        return {name: self.scenario(name) for name in self.assessment.scenarios}


def analyse(assessment: Assessment, catalog=None, *, variant: str | None = None, catalog_note: str = "") -> Analysis:
    """The :class:`Analysis` of ``assessment``: every step of the method, each computed once when first used.

    ``catalog`` is a loaded :class:`~grundschutz.catalog.loading.Catalog`
    (``None``: Schutzbedarf only; ``catalog_note`` may say why). ``variant``
    overrides the assessment's ``basis``/``standard``/``kern``.
    """
    return Analysis(assessment, catalog, variant=variant, catalog_note=catalog_note)
