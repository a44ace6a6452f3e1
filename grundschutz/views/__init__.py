"""Results for people: records and DataFrames, German text, CSV/JSON, the HTML report, figures.

- :mod:`~grundschutz.views.tables`: the Schutzbedarf per object (``needs_frame``);
  :mod:`~grundschutz.views.requirements_tables`, :mod:`~grundschutz.views.risk_tables`,
  :mod:`~grundschutz.views.plan_tables`, :mod:`~grundschutz.views.scenario_tables`,
  :mod:`~grundschutz.views.migration_tables`, :mod:`~grundschutz.views.diff_tables`:
  the other steps as records (for CSV/JSON) and DataFrames;
- :mod:`~grundschutz.views.summary` and :mod:`~grundschutz.views.render`: German
  text for the terminal, aligned tables, CSV, JSON;
- :mod:`~grundschutz.views.html`: HTML tables; :mod:`~grundschutz.views.report` (the page) and
  :mod:`~grundschutz.views.report_sections` (its sections): the HTML report;
- :mod:`~grundschutz.views.plots`: every figure (heatmap, check coverage, risk matrix, scenario drawn
  there; the dependency graph and its layout in :mod:`~grundschutz.views.figures_graph`; colours,
  canvas and PNG/SVG output in :mod:`~grundschutz.views.figures`).

Nothing here computes a step of the method or reads an assessment.
"""

from grundschutz.views.html import register_notebook_display
from grundschutz.views.summary import Summary, summarize
from grundschutz.views.tables import needs_frame, needs_records

register_notebook_display()

__all__ = ["Summary", "needs_frame", "needs_records", "summarize"]
