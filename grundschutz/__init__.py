"""grundschutz: BSI IT-Grundschutz risk classification as a library.

>>> import grundschutz
>>> result = grundschutz.propagate(grundschutz.read_assessment("assessments/haan"))  # doctest: +SKIP
>>> grundschutz.needs_frame(result)  # doctest: +SKIP
"""

from grundschutz.model.errors import AssessmentError, CatalogError, GrundschutzError, Problem, UnknownObjectError
from grundschutz.method.graph import find_cycles, to_networkx
from grundschutz.io.inventory import parse_csv, parse_settings, read_assessment
from grundschutz.model.assessment import (
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
)
from grundschutz.method.propagation import Derivation, Propagation, propagate
from grundschutz.views.summary import Summary, summarize
from grundschutz.views.tables import needs_frame, needs_records

__all__ = [
    "Assessment", "AssessmentError", "BasicValue", "CatalogError", "CumulationRule", "Dependency",
    "Derivation", "DistributionSetting", "Effect", "GrundschutzError", "Level", "Need",
    "ObjectType", "Override", "Problem", "Propagation", "Rule", "Settings", "Summary",
    "TargetObject", "UnknownObjectError", "find_cycles", "needs_frame", "needs_records",
    "parse_csv", "parse_settings", "propagate", "read_assessment", "summarize", "to_networkx",
]
__version__ = "0.1.0"
