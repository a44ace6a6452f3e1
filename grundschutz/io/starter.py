"""A starter assessment folder: ``grundschutz init DIR`` without an application list.

:func:`write_starter` writes a small assessment that validates as it is: a
commented ``assessment.yaml``, the three tables with one example per layer
(a Geschäftsprozess, an Anwendung, a Server, a Raum, a Netz) and a German
``LIESMICH.md`` that says what goes into each file and which commands
follow. The officer replaces the examples with the own Informationsverbund.
"""

from __future__ import annotations

import json
from pathlib import Path

from grundschutz.io.files import folder_lock, replace_files
from grundschutz.model.errors import GrundschutzError, os_error_reason

#: The files of an assessment: ``init`` never writes into a folder that has one of them.
ASSESSMENT_FILES = ("assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv", "assessment.xlsx")

_SETTINGS = """\
# Einstellungen der Bewertung (Aufbau: docs/format.md, Abschnitt assessment.yaml).
# Angelegt mit 'grundschutz init'. Nach dem Ändern prüfen: grundschutz validate {folder}

name: {quoted}     # Name des Informationsverbunds
organisation: Meine Organisation   # Institution, erscheint in Bericht und Arbeitsmappe
edition: kompendium-2023          # kompendium-2023 oder grundschutz++
variant: standard                 # basis | standard | kern (Vorgehensweise nach BSI-Standard 200-2)

# Kumulationseffekt: ein Zielobjekt, von dem viele andere abhängen, kann einen höheren
# Schutzbedarf haben als jedes einzelne. Regeln werden in dieser Reihenfolge angewandt.
cumulation: []
#  - name: Verfügbarkeit gemeinsam genutzter Server
#    basic_value: availability      # confidentiality | integrity | availability
#    types: [server]
#    min_dependents: 5              # ab so vielen direkt abhängigen Zielobjekten ...
#    at_level: normal               # ... mit mindestens diesem Schutzbedarf ...
#    raise_to: hoch                 # ... wird auf diese Stufe angehoben
#    reason: Fällt der Server aus, fallen alle Anwendungen zugleich aus.

# Verteilungseffekt: redundant betriebene Systeme (redundancy_group in dependencies.csv)
# können in der Verfügbarkeit eine Stufe niedriger liegen.
distribution:
  enabled: false

risk_matrix: default              # Risikomatrix nach BSI-Standard 200-3 (oder eine eigene 4x4-Tabelle)
"""

_OBJECTS = """\
id,type,name,description,tags,count
GP-01,process,Beispiel-Geschäftsprozess,Eine Aufgabe der Organisation (ersetzen).,fachbereich=Beispiel,
APP-01,application,Beispiel-Fachanwendung,Die Anwendung des Geschäftsprozesses (ersetzen).,fachanwendung,
SRV-01,server,Beispiel-Server,Der Server der Anwendung (ersetzen).,virtualisiert,
NET-01,network,Beispiel-Netz,Das Netz des Servers (ersetzen).,,
R-01,room,Beispiel-Serverraum,Der Raum des Servers (ersetzen).,,
"""

_DEPENDENCIES = """\
object,depends_on,redundancy_group,note
GP-01,APP-01,,nutzt
APP-01,SRV-01,,läuft auf
SRV-01,NET-01,,angeschlossen an
SRV-01,R-01,,steht in
"""

_NEEDS = """\
object,confidentiality,integrity,availability,confidentiality_reason,integrity_reason,availability_reason,effect
GP-01,hoch,normal,normal,Personenbezogene Daten (Beispiel: begründen),Fehler fallen auf und sind korrigierbar (Beispiel),Ein Ausfall von einem Tag ist tragbar (Beispiel),
"""

_README = """\
# {name}

Diese Bewertung wurde mit `grundschutz init` angelegt. Sie enthält ein kleines
Beispiel, das gültig ist; ersetzen Sie es Schritt für Schritt durch Ihren
Informationsverbund. Jede Spalte ist in `docs/format.md` beschrieben.

| Datei | Inhalt |
| --- | --- |
| `assessment.yaml` | Einstellungen: Name, Edition, Variante, Kumulations- und Verteilungseffekt |
| `objects.csv` | die Zielobjekte der Strukturanalyse: `id`, `type` (process, application, server, client, network, room, …), `name`, `description`, `tags`, `count` |
| `dependencies.csv` | wer von wem abhängt: `object` hängt ab von `depends_on` (Prozess → Anwendung → Server → Raum/Netz) |
| `needs.csv` | der festgestellte Schutzbedarf (normal, hoch, sehr hoch) je Grundwert, mit Begründung |

Später kommen hinzu: `modelling.csv` (Bausteine von Hand), `check.csv` (der
IT-Grundschutz-Check), `risks.csv` (die Risikoanalyse) und
`scenarios/NAME.yaml` (geplante Änderungen).

Nächste Schritte:

```bash
grundschutz validate {folder}     # jedes Problem jeder Datei auf einmal
grundschutz assess {folder}       # Schutzbedarfsfeststellung
grundschutz export {folder} bewertung.xlsx   # als Arbeitsmappe weitergeben
```
"""


def starter_files(name: str, folder: str) -> dict[str, str]:
    """The files of a starter assessment called ``name`` in ``folder``, by file name."""
    return {
        "assessment.yaml": _SETTINGS.format(quoted=json.dumps(name, ensure_ascii=False), folder=folder),
        "objects.csv": _OBJECTS,
        "dependencies.csv": _DEPENDENCIES,
        "needs.csv": _NEEDS,
        "LIESMICH.md": _README.format(name=name, folder=folder),
    }


def write_starter(folder: str | Path) -> Path:
    """Create ``folder`` with a starter assessment that validates; return the folder.

    Raises :class:`GrundschutzError` if ``folder`` is a file or already holds
    an assessment (nothing is overwritten); a write that fails leaves no file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise GrundschutzError(f"{folder} ist eine Datei, kein Ordner")
    existing = [name for name in ASSESSMENT_FILES if (folder / name).exists()]
    if existing:
        raise GrundschutzError(f"{folder} enthält bereits eine Bewertung ({', '.join(existing)}); "
                               "init überschreibt nichts")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GrundschutzError(f"{folder}: Ordner nicht angelegt ({os_error_reason(exc)})") from None
    name = folder.resolve().name.replace("-", " ").replace("_", " ").title() or "Bewertung"
    files = starter_files(f"Informationsverbund {name}", folder.as_posix())
    with folder_lock(folder, purpose="init"):
        replace_files(folder, {file: text.encode("utf-8") for file, text in files.items()})
    return folder
