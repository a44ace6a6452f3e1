"""The files ``grundschutz portfolio -o`` writes, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from grundschutz.model.errors import GrundschutzError

#: What :func:`write_portfolio_output` writes, by the file's suffix.
OUTPUTS = (".xlsx", ".html", ".png", ".svg", ".csv", ".json")


def write_portfolio_output(portfolio, path: str | Path, by: str = "object") -> Path:
    """Write ``portfolio`` to ``path`` as its suffix says, atomically; the path written.

    ``.xlsx``: the provider's workbook; ``.html``: the portfolio page; ``.png``/``.svg``:
    the heatmap of services by municipality; ``.csv``/``.json``: the rows ``by``
    ``object`` (one per shared object) or ``client`` (one per object and municipality).
    """
    from grundschutz.io.files import atomic_write
    from grundschutz.views.portfolio_tables import portfolio_data, portfolio_records
    from grundschutz.views.render import to_csv, to_json

    if not str(path).lower().endswith(OUTPUTS):
        raise GrundschutzError(f"{path}: Dateiendung muss eine von {', '.join(OUTPUTS)} sein")
    suffix = str(path).lower().rsplit(".", 1)[-1]
    if suffix == "xlsx":
        from grundschutz.exchange.portfolio.workbook import write_portfolio_workbook

        return Path(write_portfolio_workbook(portfolio, path))
    if suffix == "html":
        from grundschutz.views.portfolio_report import write_portfolio_report

        return Path(write_portfolio_report(portfolio, path))
    if suffix in ("png", "svg"):
        from grundschutz.views.figures import figure_bytes
        from grundschutz.views.portfolio_figures import portfolio_heatmap_figure

        return Path(atomic_write(path, figure_bytes(portfolio_heatmap_figure(portfolio), suffix)))
    if suffix == "csv":
        return Path(atomic_write(path, to_csv(portfolio_records(portfolio, by))))
    data = portfolio_data(portfolio) if by == "object" else portfolio_records(portfolio, by)
    return Path(atomic_write(path, to_json(data) + "\n"))
