"""Sheets and columns of the Excel workbook, shared by export and import.

The workbook is the toolkit's face to the KRZ and the departments, so its
sheet names, headers, fixed value lists and colours are German and defined
once here. :mod:`grundschutz.exchange.excel.export` writes them, :mod:`grundschutz.exchange.excel.importing`
reads the editable columns back by their header text (never by position).

>>> SHEETS["check"].title
'IT-Grundschutz-Check'
>>> [c.header for c in SHEETS["check"].editable]
['Status', 'Anmerkung', 'Verantwortlich', 'Umsetzung bis', 'Geprüft am']
>>> split_title("IT-Grundschutz-Check", 2)
'IT-Grundschutz-Check (2)'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from grundschutz.model import BASIC_VALUES

#: Rows per sheet in Excel (header included); a longer sheet is split.
EXCEL_MAX_ROWS = 1_048_576
#: Characters per cell in Excel; a longer text is exported cut, marked and read-only (:func:`truncated_mark`).
EXCEL_MAX_TEXT = 32_767
#: What ends a text cut at :data:`EXCEL_MAX_TEXT`; ``{file}`` is the file that holds the whole text.
TRUNCATED = " … [gekürzt – Originaltext in {file}]"
#: The earliest date the import takes from a date cell: an earlier one is a number typed into a date
#: cell (Excel shows ``1`` as 01.01.1900), not a date of an IT-Grundschutz-Check.
EARLIEST_DATE = date(1990, 1, 1)
#: Characters of a sheet name in Excel.
EXCEL_MAX_TITLE = 31
#: The hidden sheet with the workbook's identity.
META_SHEET = "_grundschutz"
#: The first sheet: what the workbook is, the legend, how to edit it.
OVERVIEW_TITLE = "Übersicht"
#: Separates the sheet titles in the ``sheets`` entry of the identity sheet (never part of a title).
TITLE_SEPARATOR = " / "
#: Version of the workbook layout; import refuses other versions.
LAYOUT_VERSION = "1"

LEVELS = ("normal", "hoch", "sehr hoch")
STATUSES = ("ja", "teilweise", "nein", "entbehrlich", "unbearbeitet")
#: Override effects as shown in the workbook -> as stored in ``needs.csv``.
EFFECTS: Mapping[str, str] = {"manuell": "manual", "Kumulationseffekt": "cumulation",
                              "Verteilungseffekt": "distribution"}
EFFECT_LABELS: Mapping[str, str] = {v: k for k, v in EFFECTS.items()}
ASSIGNMENTS = ("zugeordnet", "entfernt")
FREQUENCIES = ("selten", "mittel", "häufig", "sehr häufig")
IMPACTS = ("vernachlässigbar", "begrenzt", "beträchtlich", "existenzbedrohend")
TREATMENTS = ("vermeiden", "reduzieren", "transferieren", "akzeptieren")
RISK_CATEGORIES = ("gering", "mittel", "hoch", "sehr hoch")

#: Fixed value lists by column kind (drop-down lists, checked on import).
CHOICES: Mapping[str, tuple[str, ...]] = {
    "level": LEVELS,
    "status": STATUSES,
    "effect": tuple(EFFECTS),
    "assignment": ASSIGNMENTS,
    "frequency": FREQUENCIES,
    "impact": IMPACTS,
    "treatment": TREATMENTS,
    "risk": RISK_CATEGORIES,
}

# colours: (fill, font) in RGB hex, the usual Excel "good / neutral / bad" tones
GREEN, YELLOW, ORANGE, RED, BLUE = ("C6EFCE", "006100"), ("FFEB9C", "9C5700"), ("FCD5B4", "974706"), \
    ("FFC7CE", "9C0006"), ("DDEBF7", "1F4E78")
#: Fill and font colour per value of a coloured column kind (conditional formatting).
COLOURS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "level": {"normal": GREEN, "hoch": YELLOW, "sehr hoch": RED},
    "status": {"ja": GREEN, "teilweise": YELLOW, "nein": RED, "entbehrlich": BLUE},
    "risk": {"gering": GREEN, "mittel": YELLOW, "hoch": ORANGE, "sehr hoch": RED},
    "assignment": {"zugeordnet": GREEN, "entfernt": ("EDEDED", "7F7F7F")},
}
HEADER_FILL = "1F4E78"        # editable column header: dark blue
READONLY_HEADER_FILL = "595959"  # read-only column header: dark grey
READONLY_FILL = "EDEDED"      # read-only cells: light grey
READONLY_FONT = "404040"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: record key, German header, width in characters.

    ``kind`` is ``text``, ``date``, ``int`` or a key of :data:`CHOICES`;
    ``is_key`` marks the columns that identify a row (matched on import);
    ``printed`` the columns of the print area (a sheet too wide to print
    legibly prints its leading ``printed`` columns only).
    """

    key: str
    header: str
    width: float = 14
    editable: bool = False
    kind: str = "text"
    wrap: bool = False
    is_key: bool = False
    printed: bool = True

    @property
    def choices(self) -> tuple[str, ...]:
        return CHOICES.get(self.kind, ())


@dataclass(frozen=True)
class Sheet:
    """A table sheet: title, columns, what it is for (shown on Übersicht) and
    the file its rows come from (``source``; empty for computed sheets)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    purpose: str = ""
    source: str = ""

    @property
    def printed(self) -> tuple[Column, ...]:
        """The columns of the print area: the leading columns marked ``printed``."""
        columns = []
        for column in self.columns:
            if not column.printed:
                break
            columns.append(column)
        return tuple(columns)

    @property
    def editable(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.editable)

    @property
    def keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_key)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


def split_title(title: str, part: int) -> str:
    """The name of part ``part`` (2, 3, ...) of a sheet split at Excel's row limit."""
    if part <= 1:
        return title[:EXCEL_MAX_TITLE]
    suffix = f" ({part})"
    return title[:EXCEL_MAX_TITLE - len(suffix)] + suffix


def _key(key: str, header: str, width: float = 12) -> Column:
    return Column(key, header, width, is_key=True)


# The Schutzbedarfsfeststellung: first per basic value the result, the assessed level and its reason
# (what is printed), then the values set by hand and how each result came about.
_NEED_COLUMNS: list[Column] = []
for _value in BASIC_VALUES:
    _v, _l = _value.value, _value.label
    _NEED_COLUMNS += [
        Column(f"{_v}_final", f"{_l}: Ergebnis", 16, kind="level"),
        Column(f"{_v}", f"{_l}: festgestellt", 16, True, "level"),
        Column(f"{_v}_reason", f"{_l}: Begründung", 35, True, wrap=True),
    ]
for _value in BASIC_VALUES:
    _v, _l = _value.value, _value.label
    _NEED_COLUMNS += [
        Column(f"{_v}_override", f"{_l}: manuell gesetzt", 16, True, "level", printed=False),
        Column(f"{_v}_effect", f"{_l}: Effekt", 18, True, "effect", printed=False),
        Column(f"{_v}_override_reason", f"{_l}: Begründung (manuell)", 32, True, wrap=True, printed=False),
        Column(f"{_v}_rule", f"{_l}: Regel", 18, wrap=True, printed=False),
        Column(f"{_v}_source", f"{_l}: Quelle", 16, wrap=True, printed=False),
        Column(f"{_v}_text", f"{_l}: Herleitung", 50, wrap=True, printed=False),
    ]

SHEETS: Mapping[str, Sheet] = {
    sheet.name: sheet
    for sheet in (
        Sheet("objects", "Strukturanalyse", (
            _key("id", "Zielobjekt"),
            Column("type", "Typ", 20),
            Column("name", "Name", 32, wrap=True),
            Column("description", "Beschreibung", 60, wrap=True),
            Column("tags", "Tags", 30, wrap=True),
            Column("count", "Anzahl", 8, kind="int"),
        ), "Zielobjekte (objects.csv); nur zur Ansicht.", "objects.csv"),
        Sheet("dependencies", "Abhängigkeiten", (
            _key("object", "Zielobjekt"),
            Column("object_name", "Name", 30, wrap=True),
            _key("depends_on", "hängt ab von"),
            Column("depends_on_name", "Name (Abhängigkeit)", 30, wrap=True),
            Column("redundancy_group", "Redundanzgruppe", 18),
            Column("note", "Notiz", 30, wrap=True),
        ), "Abhängigkeiten (dependencies.csv); nur zur Ansicht.", "dependencies.csv"),
        Sheet("needs", "Schutzbedarfsfeststellung", (
            _key("object", "Zielobjekt"),
            Column("name", "Name", 28, wrap=True),
            Column("type", "Typ", 20),
            *_NEED_COLUMNS,
        ), "Festgestellter und abgeleiteter Schutzbedarf je Grundwert mit Regel, Quelle und Herleitung; "
           "festgestellte Werte, Begründungen und manuell gesetzte Werte sind bearbeitbar (needs.csv).", "needs.csv"),
        Sheet("modelling", "Modellierung", (
            _key("object", "Zielobjekt"),
            Column("name", "Name", 26, wrap=True),
            Column("type", "Typ", 20),
            _key("baustein", "Baustein", 11),
            Column("title", "Titel", 36, wrap=True),
            Column("source", "Herkunft", 14),
            Column("rule", "Regel", 24, wrap=True),
            Column("rule_reason", "Begründung (Regel)", 50, wrap=True),
            Column("assignment", "Zuordnung", 13, True, "assignment"),
            Column("reason", "Begründung von Hand", 40, True, wrap=True),
        ), "Bausteine je Zielobjekt; Zuordnung 'entfernt' nimmt einen Baustein heraus, eine neue Zeile "
           "(Zielobjekt, Baustein, Begründung) fügt einen hinzu (modelling.csv).", "modelling.csv"),
        Sheet("check", "IT-Grundschutz-Check", (
            _key("object", "Zielobjekt"),
            Column("name", "Name", 24, wrap=True),
            Column("baustein", "Baustein", 11),
            _key("requirement", "Anforderung", 14),
            Column("level", "Stufe", 7),
            Column("title", "Titel", 40, wrap=True),
            Column("status", "Status", 13, True, "status"),
            Column("note", "Anmerkung", 44, True, wrap=True),
            Column("responsible", "Verantwortlich", 20, True, wrap=True),
            Column("due", "Umsetzung bis", 13, True, "date"),
            Column("checked_on", "Geprüft am", 13, True, "date"),
        ), "Umsetzungsstatus jeder ausgewählten Anforderung (check.csv).", "check.csv"),
    )
}

#: The sheet Risikoanalyse: the threats of every object that needs a risk analysis (``risks.csv``).
RISK_SHEET = Sheet("risks", "Risikoanalyse", (
    _key("object", "Zielobjekt"),
    Column("name", "Name", 20, wrap=True),
    _key("threat", "Gefährdung", 12),
    Column("title", "Titel", 24, True, wrap=True),
    Column("source", "Herkunft", 9),
    Column("requirements", "Anforderungen", 14, wrap=True),
    Column("frequency", "Häufigkeit", 12, True, "frequency"),
    Column("impact", "Auswirkung", 18, True, "impact"),
    Column("risk", "Risiko", 11, kind="risk"),
    Column("treatment", "Behandlung", 14, True, "treatment"),
    Column("note", "Maßnahmen / Begründung", 30, True, wrap=True),
    Column("accepted_by", "Risiko übernommen von", 14, True, wrap=True),
    Column("accepted_on", "Übernommen am", 13, True, "date"),
    Column("residual_frequency", "Häufigkeit danach", 12, True, "frequency"),
    Column("residual_impact", "Auswirkung danach", 18, True, "impact"),
    Column("residual_risk", "Restrisiko", 11, kind="risk"),
    Column("status", "Stand", 14, wrap=True),
), "Risikoanalyse nach BSI-Standard 200-3: Gefährdungen je Zielobjekt, Häufigkeit, Auswirkung, Behandlung "
   "und Restrisiko; bearbeitbar, eine neue Zeile ergänzt eine Gefährdung (risks.csv).", "risks.csv")

#: The sheet Realisierungsplan (read-only): the open work in the order to do it.
PLAN_SHEET = Sheet("plan", "Realisierungsplan", (
    Column("rank", "Nr.", 7, kind="int"),
    Column("group_title", "Schritt", 22, wrap=True),
    Column("object", "Zielobjekt", 12),
    Column("name", "Name", 26, wrap=True),
    Column("subject", "Gegenstand", 16, wrap=True),
    Column("title", "Aufgabe", 44, wrap=True),
    Column("level", "Stufe", 7),
    Column("need", "Schutzbedarf", 13, kind="level"),
    Column("role", "Zuständig laut Kompendium", 24, wrap=True),
    Column("status", "Status", 14, kind="status", wrap=True),
    Column("reason", "Warum an dieser Stelle", 60, wrap=True),
), "Realisierungsplan: offene Arbeit in der Reihenfolge, in der sie angegangen werden sollte, mit Begründung; "
   "nur zur Ansicht.")

#: A scenario's sheet (read-only): verdicts, changes against the baseline, blocking requirements.
SCENARIO_SHEET = Sheet("scenario", "Szenario", (
    Column("kind", "Art", 16, wrap=True),
    Column("change", "Änderung", 20, wrap=True),
    Column("object", "Zielobjekt", 12),
    Column("name", "Name", 26, wrap=True),
    Column("item", "Gegenstand", 16, wrap=True),
    Column("level", "Stufe", 7),
    Column("title", "Titel / Urteil", 44, wrap=True),
    Column("before", "vorher", 11, kind="level"),
    Column("after", "nachher", 11, kind="level"),
    Column("status", "Status", 13, kind="status"),
    Column("responsible", "Verantwortlich", 18, wrap=True),
    Column("due", "Umsetzung bis", 13, kind="date"),
    Column("detail", "Erläuterung", 54, wrap=True),
))


def edition_sheets(edition: str) -> dict[str, Sheet]:
    """The table sheets of :data:`SHEETS` for an assessment's edition.

    Grundschutz++ models by Zielobjekt-Kategorien and knows no hand changes
    of the Modellierung (no ``modelling.csv``): the sheet Modellierung is
    read-only there and names categories; the check names controls.

    >>> edition_sheets("grundschutz++")["modelling"].column("baustein").header
    'Zielobjekt-Kategorie'
    """
    if edition != "grundschutz++":
        return dict(SHEETS)
    from dataclasses import replace

    renamed = {"baustein": "Zielobjekt-Kategorie", "title": "Pfad", "requirement": "Control"}
    modelling = SHEETS["modelling"]
    modelling = replace(modelling, columns=tuple(
        replace(c, header=renamed.get(c.key, c.header), editable=False, kind="text" if c.editable else c.kind)
        for c in modelling.columns if c.key not in ("assignment", "reason")),
        purpose="Zielobjekt-Kategorien je Zielobjekt (Grundschutz++); nur zur Ansicht.")
    check = SHEETS["check"]
    check = replace(check, columns=tuple(
        replace(c, header={"baustein": "Gruppe", "requirement": "Control"}.get(c.key, c.header))
        for c in check.columns), purpose="Umsetzungsstatus jedes ausgewählten Controls (check.csv).")
    return {**SHEETS, "modelling": modelling, "check": check}

