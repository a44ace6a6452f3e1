"""Cell values as people write them: whole numbers, tags, dates.

Each parser raises :class:`ValueError` with a German message that the caller
turns into a :class:`~grundschutz.model.errors.Problem` with file, row, column
and value.

>>> positive_int("3"), parse_date("31.12.2024"), parse_date("2024-12-31")
(3, datetime.date(2024, 12, 31), datetime.date(2024, 12, 31))
"""

from __future__ import annotations

import re
from datetime import date

_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


def positive_int(value: object) -> int:
    """An integer >= 1 from a cell or YAML value, else :class:`ValueError` in German."""
    number = non_negative_int(value)
    if number < 1:
        raise ValueError("muss eine ganze Zahl >= 1 sein")
    return number


def non_negative_int(value: object) -> int:
    """An integer >= 0 from a cell or YAML value, else :class:`ValueError` in German.

    >>> non_negative_int("-1")
    Traceback (most recent call last):
    ...
    ValueError: darf nicht negativ sein
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("muss eine ganze Zahl sein")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("muss eine ganze Zahl sein") from None
    if number < 0:
        raise ValueError("darf nicht negativ sein")
    return number


def parse_tags(text: str) -> dict[str, str]:
    """Parse a tags cell: ``;``-separated ``key=value`` pairs or plain words.

    >>> parse_tags("source=vorlage; kronjuwel ;os=linux")
    {'source': 'vorlage', 'kronjuwel': '', 'os': 'linux'}
    """
    tags = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition("=")
        tags[key.strip()] = value.strip()
    return tags


def parse_date(text: str) -> date:
    """Read a date as ISO ``2024-03-15`` or German ``15.03.2024``.

    >>> parse_date("31.02.2024")
    Traceback (most recent call last):
    ...
    ValueError: ungültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)
    """
    text = text.strip()
    match = _ISO_DATE.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (match := _GERMAN_DATE.match(text)):
        parts = (match.group(3), match.group(2), match.group(1))
    try:
        if parts is None:
            raise ValueError
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError("ungültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)") from None


def as_list(value: object) -> list:
    """``value`` itself if it is a list, else a list of it."""
    return value if isinstance(value, list) else [value]


def show(value: object) -> str:
    """A value as shown in a problem: ``None`` as empty, a list as its items.

    >>> show(None), show(["gering", "mittel"]), show(3)
    ('', 'gering, mittel', '3')
    """
    if isinstance(value, list):
        return ", ".join(map(show, value))
    return "" if value is None else str(value)
