"""The sheet Übersicht: what the workbook is, its sheets, key figures, the legend and how to edit it.

Written last (it counts the rows of the other sheets) but placed first in the
workbook; :func:`write_overview` takes the sheet's
:class:`~grundschutz.exchange.excel.writer.RowSink`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from grundschutz.exchange.excel.formats import Formats
from grundschutz.exchange.excel.layout import COLOURS, HEADER_FILL, READONLY_FILL, READONLY_FONT, READONLY_HEADER_FILL
from grundschutz.exchange.excel.printing import apply_print_setup, print_setup
from grundschutz.exchange.excel.writer import RowSink, excel_value, row_height, text_cell, text_lines
from grundschutz.model import BASIC_VALUES

WIDTHS = (34, 18, 90)

_LEVEL_TEXT = {
    "normal": "Die Schadensauswirkungen sind begrenzt und überschaubar.",
    "hoch": "Die Schadensauswirkungen können beträchtlich sein.",
    "sehr hoch": "Die Schadensauswirkungen können ein existenziell bedrohliches, katastrophales Ausmaß erreichen.",
}
_STATUS_TEXT = {
    "ja": "Anforderung vollständig umgesetzt.", "teilweise": "Anforderung teilweise umgesetzt.",
    "nein": "Anforderung nicht umgesetzt.", "entbehrlich": "Nicht nötig; Begründung in der Anmerkung.",
    "unbearbeitet": "Noch nicht geprüft.",
}
_RISK_TEXT = {
    "gering": "Die Maßnahmen des IT-Grundschutzes genügen.",
    "mittel": "Die Maßnahmen genügen möglicherweise nicht.",
    "hoch": "Die Maßnahmen genügen nicht; Risiko behandeln.",
    "sehr hoch": "Die Maßnahmen genügen nicht; Risiko dringend behandeln.",
}
_HOWTO = (
    "Nur die weißen Zellen bearbeiten; graue Zellen werden berechnet und beim Import nicht übernommen.",
    "Blätter, Spaltenüberschriften und die Zielobjekt-/Anforderungsspalten nicht umbenennen; Zeilen werden "
    "über diese Schlüssel zugeordnet, nicht über ihre Position. Sortieren und Filtern ist erlaubt.",
    "Werte mit fester Auswahl über die Auswahlliste setzen; Datumsangaben als Datum (TT.MM.JJJJ).",
    "Manuell gesetzter Schutzbedarf braucht Effekt und Begründung; 'entbehrlich' braucht eine Anmerkung.",
    "Modellierung: Zuordnung 'entfernt' mit Begründung nimmt einen Baustein heraus; eine neue Zeile mit "
    "Zielobjekt, Baustein und Begründung fügt einen hinzu. Gelöschte Zeilen ändern nichts.",
    "Zurückspielen: grundschutz import <Bewertungsordner> <Arbeitsmappe> zeigt die Änderungen; "
    "mit --apply werden sie in die CSV-Dateien geschrieben.",
)


def assessment_fingerprint(object_ids: Iterable[str]) -> str:
    """A short SHA-256 fingerprint of a set of object ids (order does not matter).

    >>> assessment_fingerprint(["B", "A"]) == assessment_fingerprint(["A", "B"])
    True
    """
    digest = hashlib.sha256("\n".join(sorted(object_ids)).encode("utf-8"))
    return digest.hexdigest()[:16]


def write_overview(sink: RowSink, f: Formats, analysis, plan, rows_per_sheet, skipped, exported, version) -> None:
    """Write Übersicht into ``sink``: ``plan`` are the table sheets written (with their row
    counts in ``rows_per_sheet``), ``skipped`` those left out with the reason."""
    from grundschutz.views.summary import summarize

    ws = sink.ws
    plain, wrapped, bold = f.get(), f.get(wrap=True), f.get(bold=True)
    title, section = f.get(bold=True, size=16), f.get(bold=True, size=12, colour=HEADER_FILL)
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    apply_print_setup(ws, print_setup(WIDTHS, WIDTHS), len(WIDTHS))
    settings = analysis.assessment.settings
    number = [0]

    def line(*cells):
        values = [excel_value(v) for v, _ in cells]
        lines = max([text_lines(v, WIDTHS[i]) for i, (v, (_, s)) in enumerate(zip(values, cells))
                     if isinstance(v, str) and s is wrapped] or [1])
        row = [text_cell(i, v, s, f.get(quote=True)) for i, (v, (_, s)) in enumerate(zip(values, cells))
               if v not in (None, "")]
        sink.row(number[0], row, row_height(lines) if lines > 1 else None)
        number[0] += 1

    line(("IT-Grundschutz – Arbeitsmappe", title))
    line(("Referenzdokumente nach BSI-Standard 200-2 und 200-3, erzeugt mit 'grundschutz export'; "
          "Änderungen werden mit 'grundschutz import' zurückgespielt.", plain))
    line()
    edition = {"kompendium-2023": "IT-Grundschutz-Kompendium Edition 2023", "grundschutz++": "Grundschutz++"}
    variant = analysis.selection.variant if analysis.selection is not None else settings.variant
    for label, value in (("Informationsverbund", settings.name), ("Organisation", settings.organisation),
                         ("Edition", edition.get(settings.edition, settings.edition)),
                         ("Absicherung", {"basis": "Basis-Absicherung", "standard": "Standard-Absicherung",
                                          "kern": "Kern-Absicherung"}.get(variant, variant)),
                         ("Stand (Export)", exported.strftime("%d.%m.%Y %H:%M")),
                         ("Erstellt mit", f"grundschutz {version}"),
                         ("Kennung der Bewertung", assessment_fingerprint(analysis.assessment.objects))):
        line((label, bold), (value, plain))
    line()
    line(("Blätter", section), ("Zeilen", section), ("Inhalt", section))
    for sheet, _ in plan:
        line((sheet.title, bold), (rows_per_sheet.get(sheet.title, 0), plain), (sheet.purpose, wrapped))
    for title_, reason in skipped.items():
        line((title_, bold), ("–", f.get(colour=READONLY_FONT)), (f"nicht enthalten: {reason}", wrapped))
    line()
    summary = summarize(analysis.propagation)
    line(("Kennzahlen", section))
    figures = [("Zielobjekte", summary.objects), ("Abhängigkeiten", summary.dependencies),
               ("Zyklen", len(summary.cycles)), ("Manuell gesetzte Werte", summary.overrides)]
    figures += [(f"Nicht bewertet: {v.label}", len(summary.unrated[v.value])) for v in BASIC_VALUES]
    for label, value in figures:
        line((label, bold), (value, plain))
    if analysis.modelling is not None:
        line(("Zielobjekte ohne passenden Baustein", bold), (len(analysis.modelling.unmodelled), plain))
        counts: dict[str, int] = {}
        for item in analysis.selection:
            counts[item.level] = counts.get(item.level, 0) + 1
        shown = " / ".join(f"{level} {n}" for level, n in counts.items())
        line(("Ausgewählte Anforderungen", bold), (f"{len(analysis.selection)} ({shown})" if counts else 0, plain))
        status = analysis.check.counts()
        total = sum(status.values())
        for key, n in status.items():
            line((f"Check: {key}", bold), (n, plain))
        done = (status["ja"] + status["entbehrlich"]) / total if total else "–"
        line(("Umgesetzt (ja + entbehrlich)", bold), (done, f.get(percent=True) if total else plain))
    line()
    line(("Legende", section))
    for group, texts, kind in (("Schutzbedarf", _LEVEL_TEXT, "level"), ("Umsetzungsstatus", _STATUS_TEXT, "status"),
                               ("Risikokategorie", _RISK_TEXT, "risk")):
        if kind == "risk" and not any(s.title == "Risikoanalyse" for s, _ in plan):
            continue
        for i, (value, text) in enumerate(texts.items()):
            fill, font = COLOURS[kind].get(value, (None, None))
            line((group if i == 0 else "", bold), (value, f.get(fill=fill, colour=font)), (text, wrapped))
    line(("Zellen", bold), ("grau", f.get(fill=READONLY_FILL, colour=READONLY_FONT)),
         ("schreibgeschützt: berechnet oder Stammdaten; wird beim Import nicht übernommen.", wrapped))
    line(("", bold), ("weiß", plain), ("bearbeitbar: wird mit 'grundschutz import' übernommen.", wrapped))
    line(("", bold), ("Kopfzeile", f.get(bold=True, colour="FFFFFF", fill=HEADER_FILL)),
         ("blaue Kopfzeile: bearbeitbare Spalte.", wrapped))
    line(("", bold), ("Kopfzeile", f.get(bold=True, colour="FFFFFF", fill=READONLY_HEADER_FILL)),
         ("graue Kopfzeile: schreibgeschützte Spalte.", wrapped))
    line(("", bold), ("gekürzt", f.get(fill=READONLY_FILL, colour=READONLY_FONT)),
         ("Text länger als eine Excel-Zelle (32.767 Zeichen): gekürzt und schreibgeschützt; der ganze Text steht "
          "in der genannten CSV-Datei und wird dort bearbeitet.", wrapped))
    line()
    line(("Bearbeiten und zurückspielen", section))
    for count, text in enumerate(_HOWTO, start=1):
        line((f"{count}.", bold), ("", plain), (text, wrapped))
