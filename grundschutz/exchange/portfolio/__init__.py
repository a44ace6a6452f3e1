"""The provider's portfolio: many municipalities' assessments at once (``grundschutz portfolio``).

- :mod:`~grundschutz.exchange.portfolio.reading`: find the assessment folders,
  read and propagate each in a worker process, compute the portfolio
  (:func:`read_portfolio`; the computation itself is
  :mod:`grundschutz.method.portfolio`);
- :mod:`~grundschutz.exchange.portfolio.applying`: write the inherited needs
  into the provider's ``needs.csv`` (:func:`plan_apply`, :func:`apply_portfolio`);
- :mod:`~grundschutz.exchange.portfolio.workbook`: the Excel workbook for the provider;
- :mod:`~grundschutz.exchange.portfolio.outputs`: every file ``portfolio -o`` writes, by its suffix
  (:func:`~grundschutz.exchange.portfolio.outputs.write_portfolio_output`).
"""

from grundschutz.exchange.portfolio.applying import ApplyPlan, apply_portfolio, plan_apply, render_apply
from grundschutz.exchange.portfolio.reading import find_assessments, read_portfolio, read_summaries

__all__ = ["ApplyPlan", "apply_portfolio", "find_assessments", "plan_apply", "read_portfolio", "read_summaries",
           "render_apply"]
