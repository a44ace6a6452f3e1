"""Write examples/inventar/anwendungen.xlsx: the sample application list for ``grundschutz init``.

The workbook has the columns that ``examples/inventar/mapping.yaml`` maps
(sheet "Anwendungen"), twelve made-up applications of a small town, with a
few cells the way real lists have them: several servers in one cell, an
empty level, a level written in capitals.

    python scripts/example_inventory.py      # rewrites the workbook
"""

from __future__ import annotations

from pathlib import Path

HEADER = ["Fachanwendung", "Beschreibung", "Fachbereich", "Verantwortlich", "Hersteller", "Server",
          "Vertraulichkeit", "Integrität", "Verfügbarkeit", "Begründung Verfügbarkeit", "Bemerkung"]
ROWS = [
    ["Einwohnermeldewesen", "Melderegister, An- und Ummeldungen", "Bürgerservice", "Leitung Bürgerbüro",
     "Anbieter A", "Fachverfahrensserver, Datenbankserver", "hoch", "hoch", "hoch",
     "Publikumsverkehr; Ausfall über einen Arbeitstag nicht hinnehmbar", ""],
    ["Personenstandswesen", "Beurkundungen und Register des Standesamts", "Standesamt", "Standesamtsleitung",
     "Anbieter B", "Fachverfahrensserver", "hoch", "sehr hoch", "hoch",
     "Sterbefälle müssen kurzfristig beurkundet werden", ""],
    ["Finanzwesen", "Haushalt, Kasse, Anlagenbuchhaltung", "Finanzen", "Kämmerei", "Anbieter C",
     "Terminalserver; Datenbankserver", "hoch", "hoch", "normal", "Zahlläufe können einige Tage warten", ""],
    ["Personalabrechnung", "Entgelt und Besoldung", "Personal", "Personalamt", "Anbieter D", "Datenbankserver",
     "sehr hoch", "hoch", "normal", "Abrechnung monatlich, Ausweichtermin möglich", ""],
    ["Dokumentenmanagement", "E-Akte und Posteingang", "Zentrale Dienste", "Hauptamt", "Anbieter E",
     "Fachverfahrensserver / Dateiserver", "hoch", "hoch", "hoch", "Ohne E-Akte steht die Sachbearbeitung", ""],
    ["Ratsinformationssystem", "Sitzungen, Vorlagen, Beschlüsse", "Zentrale Dienste", "Ratsbüro", "Anbieter F",
     "Webserver", "normal", "hoch", "normal", "Sitzungen lassen sich verschieben", "öffentlich"],
    ["Geoinformationssystem", "Kataster und Bauleitplanung", "Planung", "Vermessung", "Anbieter G",
     "Fachverfahrensserver", "normal", "hoch", "NORMAL", "", ""],
    ["Zeiterfassung", "Arbeitszeiten und Urlaub", "Personal", "Personalamt", "Anbieter H", "Webserver",
     "hoch", "normal", "normal", "Nachtragen möglich", ""],
    ["Bibliothekssoftware", "Ausleihe und Katalog der Stadtbücherei", "Kultur", "Büchereileitung", "Anbieter I",
     "Webserver", "normal", "normal", "hoch", "Ausleihe steht sonst still", ""],
    ["Gewerbewesen", "Gewerbean-, -um- und -abmeldungen", "Ordnung", "Ordnungsamt", "Anbieter A",
     "Fachverfahrensserver", "hoch", "hoch", "normal", "", ""],
    ["Friedhofsverwaltung", "Grabstellen und Gebühren", "Ordnung", "Friedhofsverwaltung", "Anbieter J",
     "Terminalserver", "normal", "normal", "", "", "Schutzbedarf noch offen"],
    ["E-Mail", "E-Mail und Kalender", "Zentrale Dienste", "IT-Abteilung", "Anbieter K", "Mailserver",
     "hoch", "hoch", "hoch", "Kommunikation mit Bürgerinnen und Bürgern", ""],
]


def write(path: Path) -> Path:
    """Write the sample application list to ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Anwendungen"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in ROWS:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJK", (24, 40, 18, 20, 12, 36, 14, 12, 14, 50, 24)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.creator = "grundschutz (Beispiel)"
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(write(Path(__file__).resolve().parents[1] / "examples" / "inventar" / "anwendungen.xlsx"))
