"""Results as rows and as pandas DataFrames.

``*_records`` functions return plain lists of dicts (used by the CLI's CSV and
JSON output, no pandas needed); ``*_frame`` functions return DataFrames for
Jupyter. pandas is imported only here, and only when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from grundschutz.method.propagation import _OVERRIDE, _RULES, Propagation
from grundschutz.model import BASIC_VALUES, Level, ObjectType
from grundschutz.model.assessment import object_column

LEVEL_LABELS = [level.label for level in Level]
#: The columns of :func:`needs_records` and :func:`needs_rows`.
NEEDS_COLUMNS: tuple[str, ...] = (
    "object", "type", "name", "count",
    *(f"{value.value}{part}" for value in BASIC_VALUES for part in ("", "_rule", "_source", "_provisional")),
    "deviation",
)
# Words by the codes of the propagation's arrays, looked up once here instead of an enum property per cell:
# level 0 (unrated) is "", and rule -1 (none) picks the "" at the end.
_LEVEL_WORDS = ("", *LEVEL_LABELS)
_RULE_WORDS = (*(rule.value for rule in _RULES), "")
_TYPE_WORDS = {t: t.value for t in ObjectType}


def needs_rows(result: Propagation, provisional: tuple[object, object] = (False, True)) -> Iterator[tuple]:
    """One tuple per object (in id order) with its final needs and provenance, in the order of
    :data:`NEEDS_COLUMNS`; ``provisional`` is what stands for no and yes in the
    ``<value>_provisional`` columns (the CSV output writes ``("", "ja")``).

    Built column by column and zipped, so a million rows cost no dict and no
    enum lookup per cell; nothing is listed before it is asked for.
    """
    return zip(*_needs_columns(result, provisional))


def _needs_columns(result: Propagation, flags: tuple[object, object]) -> list[Iterable]:
    ids = result.index.ids
    objects = result.assessment.objects
    sources = (*ids, "")  # origin -1 (none) picks the "" at the end
    columns: list[Iterable] = [
        ids,
        map(_TYPE_WORDS.__getitem__, object_column(objects, "type", ids)),
        object_column(objects, "name", ids),
        object_column(objects, "count", ids),
    ]
    for value in BASIC_VALUES:
        columns += [
            map(_LEVEL_WORDS.__getitem__, result.levels[value]),
            map(_RULE_WORDS.__getitem__, result.rules[value]),
            map(sources.__getitem__, result.origins[value]),
            map(flags.__getitem__, result.provisional[value]),
        ]
    deviations = [""] * len(ids)
    position = result.index.position
    for object_id in result.assessment.overrides:
        i = position[object_id]
        deviations[i] = ";".join(
            value.value for value in BASIC_VALUES
            if result.rules[value][i] == _OVERRIDE and result.levels[value][i] < result.computed[value][i]
        )
    columns.append(deviations)
    return columns


def needs_records(result: Propagation) -> list[dict[str, object]]:
    """One record per object (in id order) with its final needs and provenance.

    Columns: ``object, type, name, count``, then per basic value ``<value>``
    (the level's German word, ``""`` where unrated), ``<value>_rule``,
    ``<value>_source`` (the object the value comes from),
    ``<value>_provisional``; and ``deviation`` (overrides below the
    Maximumprinzip, as ``value`` names separated by ``;``).
    """
    return [dict(zip(NEEDS_COLUMNS, row)) for row in needs_rows(result)]


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
