"""OSCAL out and back: the assessment as System Security Plan, assessment plan, assessment results and POA&M.

- :func:`export_oscal` (``export``): the four OSCAL 1.1.3 JSON documents of
  an analysed assessment, deterministic (``ssp``, ``results``: the builders;
  ``common``: namespaces, uuids, props, metadata).
- :func:`plan_oscal_import` / :func:`apply_oscal_import` (``importing``): the
  statuses of an SSP (and the findings of assessment results) back into
  ``check.csv``, with preview, refusal and all-or-nothing writing.

The props of this toolkit's namespace and the status mapping are described in
``docs/oscal.md``.
"""

from grundschutz.exchange.oscal.common import NAMESPACE, OSCAL_VERSION, STATES
from grundschutz.exchange.oscal.export import OscalExport, export_oscal, render_export

__all__ = ["NAMESPACE", "OSCAL_VERSION", "STATES", "OscalExport", "export_oscal", "render_export"]
