"""The domain of grundschutz: what an assessment is, independent of files and of the method.

- :mod:`~grundschutz.model.levels`: the ordered scales (``Level``, so that the
  Maximumprinzip is :func:`max`), basic values, object types, rules, effects;
- :mod:`~grundschutz.model.assessment`: target objects, dependencies, needs,
  overrides, settings, and the :class:`Assessment` with everything read;
- :mod:`~grundschutz.model.records`: the rows of ``modelling.csv``,
  ``check.csv``, ``risks.csv``; :mod:`~grundschutz.model.scenario`: scenarios;
- :mod:`~grundschutz.model.scales`: the scales and matrix of BSI 200-3;
- :mod:`~grundschutz.model.rules`: the modelling rules as data (selectors);
- :mod:`~grundschutz.model.ids`: requirement and threat ids;
- :mod:`~grundschutz.model.errors`: the one exception hierarchy.

Nothing here reads files or computes a step of the method.
"""

from grundschutz.model.assessment import (
    Assessment,
    CumulationRule,
    Dependency,
    DistributionSetting,
    DocumentedDistribution,
    Need,
    Override,
    PortfolioSetting,
    Settings,
    TargetObject,
)
from grundschutz.model.errors import (
    AssessmentError,
    CatalogError,
    GrundschutzError,
    Problem,
    RulesError,
    ScenarioError,
    UnknownObjectError,
)
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Effect, Level, ObjectType, Rule
from grundschutz.model.records import (
    INFORMATIONSVERBUND_ID,
    STATUSES,
    CheckRecord,
    ModellingChange,
    RelevanceDecision,
    RiskRecord,
    Status,
)
from grundschutz.model.scales import DEFAULT_MATRIX, Frequency, Impact, RiskCategory, RiskMatrix, Treatment
from grundschutz.model.scenario import NeedChange, ObjectChange, Scenario

__all__ = [
    "Assessment", "AssessmentError", "BASIC_VALUES", "BasicValue", "CatalogError", "CheckRecord",
    "CumulationRule", "DEFAULT_MATRIX", "Dependency", "DistributionSetting", "DocumentedDistribution", "Effect",
    "Frequency", "GrundschutzError", "INFORMATIONSVERBUND_ID", "Impact", "Level", "ModellingChange", "Need",
    "NeedChange", "ObjectChange", "ObjectType", "Override", "PortfolioSetting", "Problem", "RelevanceDecision",
    "RiskCategory", "RiskMatrix", "RiskRecord", "Rule", "RulesError", "STATUSES", "Scenario", "ScenarioError",
    "Settings", "Status", "TargetObject", "Treatment", "UnknownObjectError",
]
