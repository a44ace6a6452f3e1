"""The steps of BSI-Standard 200-2 and 200-3 as functions of an assessment and a catalog.

No file is read here: everything comes with the
:class:`~grundschutz.model.assessment.Assessment` and the loaded catalog.

- :mod:`~grundschutz.method.graph`, :mod:`~grundschutz.method.propagation`,
  :mod:`~grundschutz.method.explanation`: the Schutzbedarfsfeststellung
  (Maximumprinzip, cycles, Verteilungs- and Kumulationseffekt, overrides)
  and why every value is what it is;
- :mod:`~grundschutz.method.modelling`, :mod:`~grundschutz.method.selection`,
  :mod:`~grundschutz.method.gspp`: Modellierung and requirement selection
  (Kompendium 2023, Grundschutz++);
- :mod:`~grundschutz.method.check`: the IT-Grundschutz-Check;
- :mod:`~grundschutz.method.risk`: the Risikoanalyse (200-3);
- :mod:`~grundschutz.method.plan`: the work plan;
- :mod:`~grundschutz.method.scenario`, :mod:`~grundschutz.method.scenario_compare`:
  what-if scenarios;
- :mod:`~grundschutz.method.migration`, :mod:`~grundschutz.method.diff`:
  Kompendium -> Grundschutz++, and two states of an assessment;
- :mod:`~grundschutz.method.analysis`: :func:`analyse`, all of it once.
"""

from grundschutz.method.analysis import Analysis, analyse
from grundschutz.method.graph import find_cycles, to_networkx
from grundschutz.method.propagation import Derivation, Propagation, propagate

__all__ = ["Analysis", "Derivation", "Propagation", "analyse", "find_cycles", "propagate", "to_networkx"]
