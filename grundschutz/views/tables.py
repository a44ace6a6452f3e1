"""Results as rows and as pandas DataFrames.

``*_records`` functions return plain lists of dicts (used by the CLI's CSV and
JSON output, no pandas needed); ``*_frame`` functions return DataFrames for
Jupyter. pandas is imported only here, and only when a frame is asked for.
"""

from __future__ import annotations

from grundschutz.method.propagation import _LEVELS, _OVERRIDE, _RULES, Propagation
from grundschutz.model import BASIC_VALUES, Level

LEVEL_LABELS = [level.label for level in Level]


def needs_records(result: Propagation) -> list[dict[str, object]]:
    """One record per object (in id order) with its final needs and provenance.

    Columns: ``object, type, name, count``, then per basic value ``<value>``
    (the level's German word, ``""`` where unrated), ``<value>_rule``,
    ``<value>_source`` (the object the value comes from), ``<value>_path``
    (``A > B > C``), ``<value>_provisional``; and ``deviation`` (overrides
    below the Maximumprinzip, as ``value`` names separated by ``;``).
    """
    ids = result.index.ids
    objects = result.assessment.objects
    records = []
    columns = {
        value: (
            result.levels[value],
            result.rules[value],
            result.origins[value],
            result.computed[value],
            result.provisional[value],
        )
        for value in BASIC_VALUES
    }
    for i, object_id in enumerate(ids):
        obj = objects[object_id]
        record: dict[str, object] = {
            "object": object_id,
            "type": obj.type.value,
            "name": obj.name,
            "count": obj.count,
        }
        deviations = []
        for value, (levels, rules, origins, computed, provisional) in columns.items():
            level = levels[i]
            record[value.value] = _LEVELS[level].label if level else ""
            record[f"{value.value}_rule"] = _RULES[rules[i]].value if rules[i] >= 0 else ""
            record[f"{value.value}_source"] = ids[origins[i]] if origins[i] >= 0 else ""
            record[f"{value.value}_provisional"] = provisional[i]
            if rules[i] == _OVERRIDE and level < computed[i]:
                deviations.append(value.value)
        record["deviation"] = ";".join(deviations)
        records.append(record)
    return records


def needs_frame(result: Propagation):
    """The final needs as a DataFrame, one row per object, indexed by object id.

    Level columns are ordered categoricals (``normal < hoch < sehr hoch``), so
    they sort and compare as levels; unrated values are missing (``NaN``).

    >>> from grundschutz.model import *
    >>> from grundschutz.method.propagation import propagate
    >>> a = Assessment(Settings(), {"A": TargetObject("A", ObjectType.APPLICATION, "Meldewesen")},
    ...                needs={"A": {BasicValue.INTEGRITY: Need(Level.HOCH)}})
    >>> frame = needs_frame(propagate(a))
    >>> frame.loc["A", "integrity"], frame.loc["A", "integrity_rule"]
    ('hoch', 'assessed')
    """
    import pandas as pd

    frame = pd.DataFrame.from_records(needs_records(result))
    if frame.empty:
        return frame
    frame = frame.set_index("object")
    dtype = pd.CategoricalDtype(LEVEL_LABELS, ordered=True)
    for value in BASIC_VALUES:
        frame[value.value] = frame[value.value].replace("", None).astype(dtype)
    return frame
