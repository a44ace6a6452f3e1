"""The whole Standard-Absicherung of one assessment in one object.

:func:`analyse` reads an assessment, propagates its protection needs and,
where a catalog is installed, models it, selects the requirements and reads
the IT-Grundschutz-Check. Later steps (risk analysis, scenarios, work plan,
Excel export, report) start from an :class:`Analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grundschutz.model.assessment import Assessment
from grundschutz.method.propagation import Propagation, propagate


@dataclass(frozen=True)
class Analysis:
    """An assessment with everything computed from it.

    ``catalog``, ``modelling``, ``selection`` and ``check`` are ``None`` when
    the analysis was made without a catalog (Schutzbedarf only);
    ``catalog_note`` then says why (e.g. how to install the catalogs).
    """

    path: Path
    assessment: Assessment
    propagation: Propagation
    catalog: object | None = None
    modelling: object | None = None
    selection: object | None = None
    check: object | None = None
    catalog_note: str = ""

    def _repr_html_(self) -> str:
        from grundschutz.views.html import analysis_html

        return analysis_html(self)

    @property
    def kompendium(self):
        """The Kompendium (with the KRT applied) the analysis used."""
        return self.catalog.kompendium if self.catalog is not None else None


def analyse(path: str | Path, catalogs: str | Path | None = None, *, with_catalog: bool = True,
            require_catalog: bool = True, variant: str | None = None,
            assessment: Assessment | None = None) -> Analysis:
    """Read (or take) an assessment and compute every step the catalog allows.

    ``catalogs`` is the catalog directory (see
    :func:`grundschutz.catalog.catalog_dir`). With ``with_catalog=False``
    only the Schutzbedarf is computed; with ``require_catalog=False`` a missing
    or unreadable catalog is not an error either, and ``catalog_note`` says
    what is missing. An ``assessment`` given explicitly
    (e.g. a scenario's) is used instead of the files in ``path``; the
    per-assessment tables ``modelling.csv`` and ``check.csv`` still come from
    ``path``.
    """
    from grundschutz.io.inventory import read_assessment

    path = Path(path)
    assessment = assessment if assessment is not None else read_assessment(path)
    result = propagate(assessment)
    if not with_catalog:
        return Analysis(path, assessment, result)
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.method.check import read_check
    from grundschutz.model.errors import CatalogError
    from grundschutz.method.modelling import model_assessment, read_modelling_overrides, select_requirements

    try:
        catalog = load_catalog(catalog_dir(catalogs))
    except CatalogError as exc:
        if require_catalog:
            raise
        return Analysis(path, assessment, result, catalog_note=str(exc))
    if assessment.settings.edition == "grundschutz++":  # Zielobjekt-Kategorien: grundschutz.gspp_modelling
        from grundschutz.method.gspp import analyse_gspp
        try:
            steps = analyse_gspp(path if path.is_dir() else path.parent, assessment, result, catalog, variant)
        except CatalogError as exc:
            if require_catalog:
                raise
            return Analysis(path, assessment, result, catalog_note=str(exc))
        return Analysis(path, assessment, result, catalog, *steps)
    kompendium = catalog.kompendium
    overrides = read_modelling_overrides(path if path.is_dir() else path.parent, assessment, kompendium)
    modelling = model_assessment(assessment, kompendium, overrides=overrides)
    selection = select_requirements(modelling, result, kompendium, variant)
    check = read_check(path if path.is_dir() else path.parent, selection, kompendium)
    return Analysis(path, assessment, result, catalog, modelling, selection, check)
