"""Files: reading a whole assessment into one validated :class:`~grundschutz.model.Assessment`
and writing assessment files.

- :func:`read_assessment` (:mod:`~grundschutz.io.folder`): every file of a
  folder or workbook, every problem at once;
- :mod:`~grundschutz.io.text` (CSV), :mod:`~grundschutz.io.workbook` (xlsx),
  :mod:`~grundschutz.io.settings` (``assessment.yaml``),
  :mod:`~grundschutz.io.tables` (objects, dependencies, needs),
  :mod:`~grundschutz.io.records` (modelling, check, risks, relevance),
  :mod:`~grundschutz.io.scenarios` (``scenarios/*.yaml``);
- :mod:`~grundschutz.io.csv_edit`: changing cells of a CSV file in place,
  keeping its form.
"""

from grundschutz.io.folder import WORKBOOK_FILE, read_assessment
from grundschutz.io.scenarios import parse_scenario, validate_scenario
from grundschutz.io.settings import SETTINGS_FILE, parse_settings
from grundschutz.io.text import Table, decode_text, parse_csv, read_csv_table

__all__ = [
    "SETTINGS_FILE", "WORKBOOK_FILE", "Table", "decode_text", "parse_csv", "parse_scenario", "parse_settings",
    "read_assessment", "read_csv_table", "validate_scenario",
]
