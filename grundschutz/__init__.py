"""grundschutz: BSI IT-Grundschutz risk classification as a library.

The package is layered (``docs/method.md``, "Where things live"): ``model``
(the domain) <- ``io`` (assessment files) and ``catalog`` (BSI catalogs) <-
``method`` (the BSI steps) <- ``views`` (tables, text, report, figures) <-
``exchange`` (Excel) <- ``cli``. The names below are the public API; they are
imported on first use, so ``import grundschutz`` stays fast.

>>> import grundschutz as gs
>>> assessment = gs.read_assessment("assessments/haan")
>>> result = gs.propagate(assessment)
>>> result.level("APP-01", gs.BasicValue.AVAILABILITY)
<Level.HOCH: 2>
>>> gs.needs_frame(result).loc["APP-01", "availability"]
'hoch'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "grundschutz.model": (
        "Assessment", "AssessmentError", "BasicValue", "CatalogError", "CheckRecord", "CumulationRule",
        "Dependency", "DistributionSetting", "Effect", "GrundschutzError", "Level", "ModellingChange", "Need",
        "ObjectType", "Override", "Problem", "RiskRecord", "Rule", "RulesError", "Scenario", "ScenarioError",
        "Settings", "Status", "TargetObject", "UnknownObjectError",
    ),
    "grundschutz.io": ("parse_csv", "parse_settings", "read_assessment"),
    "grundschutz.catalog": ("Catalog", "load_catalog", "catalog_dir"),
    "grundschutz.method": (
        "Analysis", "Derivation", "Propagation", "analyse", "find_cycles", "propagate", "to_networkx",
    ),
    "grundschutz.views": ("Summary", "needs_frame", "needs_records", "summarize"),
    "grundschutz.views.portfolio_tables": ("portfolio_frame",),
    "grundschutz.exchange.portfolio": ("read_portfolio",),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'grundschutz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
