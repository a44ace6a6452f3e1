"""Searching the loaded catalogs.

:func:`search_catalog` finds Bausteine, requirements, threats and
Grundschutz++ controls of a :class:`~grundschutz.catalog.loading.Catalog` by
id or text and returns ranked :class:`SearchHit` objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from grundschutz.catalog._common import normalise_requirement_id, normalise_space
from grundschutz.catalog.gspp import OscalCatalog
from grundschutz.catalog.loading import Catalog
from grundschutz.catalog.sources import editions


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    ``kind`` is ``"baustein"``, ``"requirement"``, ``"threat"`` or
    ``"control"``; ``source`` is the key of the file it comes from;
    ``snippet`` is a short excerpt around the first match (or the start of the
    text); a higher ``score`` ranks higher.
    """

    id: str
    kind: str
    title: str
    snippet: str
    score: int
    source: str


@dataclass(frozen=True)
class _Entry:
    id: str
    kind: str
    title: str
    text: str
    source: str
    withdrawn: bool
    id_lower: str
    title_lower: str
    text_lower: str


_KIND_ORDER = {"baustein": 0, "requirement": 1, "threat": 2, "control": 3}
#: Words that need not occur for a hit (they only add to the score).
_STOPWORDS = frozenset(
    "der die das des dem den ein eine einer eines einem einen und oder mit ohne von vom für "
    "bei beim im in ins am an auf aus zu zum zur unter über nach vor als wie auch nicht".split()
)


def search_catalog(
    catalog: Catalog, text: str, limit: int | None = 20, *, gspp: bool | None = None
) -> list[SearchHit]:
    """Search ids, titles and texts case-insensitively; return the best ``limit`` hits.

    Searched are the Bausteine, requirements and elementary threats of the
    Kompendium and the Grundschutz++ controls: with ``gspp=None`` those of the
    catalogs already loaded on ``catalog``, with ``True`` of every installed
    one (loading them), with ``False`` none.

    Every word of ``text`` except common German stop words (``mit``, ``und``,
    ``für`` …) must occur (in id, title or text). Ranking: exact
    id, then id prefix (``APP.1.1`` -> its requirements), then the phrase in
    the title, all words in the title, the phrase in the text, the words
    anywhere; ties in document order, Bausteine before requirements before
    threats before controls, withdrawn requirements last.
    """
    query = normalise_space(text).lower()
    if not query:
        return []
    words = query.split(" ")
    required = [w for w in words if w not in _STOPWORDS] or words
    optional = [w for w in words if w not in required]
    id_query = normalise_requirement_id(query.upper()).lower()
    entries = list(_kompendium_entries(catalog))
    if gspp is not False:
        seen: set[str] = set()
        for key, oscal in catalog.gspp_catalogs(load=bool(gspp)).items():
            for entry in _control_entries(catalog, key, oscal):
                if entry.id not in seen:
                    seen.add(entry.id)
                    entries.append(entry)
    scored: list[tuple[tuple[int, int, int], SearchHit]] = []
    for position, entry in enumerate(entries):
        score = _score(entry, query, id_query, required, optional)
        if score <= 0:
            continue
        if entry.withdrawn:
            score -= 1
        snippet = _snippet(entry, query, words)
        hit = SearchHit(entry.id, entry.kind, entry.title, snippet, score, entry.source)
        scored.append(((-score, _KIND_ORDER[entry.kind], position), hit))
    scored.sort(key=lambda item: item[0])
    hits = [hit for _, hit in scored]
    return hits if limit is None else hits[: max(limit, 0)]


def _score(entry: _Entry, query: str, id_query: str, required: list[str], optional: list[str]) -> int:
    if entry.id_lower in (query, id_query):
        return 1000
    if entry.id_lower.startswith(query + ".") or entry.id_lower.startswith(id_query + "."):
        return 600 - entry.id_lower.count(".")
    title = entry.title_lower
    if title == query:
        return 400
    if query in title:
        return 320 if _at_word_start(title, query) else 300
    if all(w in title or w in entry.id_lower for w in required):
        return 200 + sum(w in title for w in optional)
    if query in entry.text_lower:
        return 100 + (10 if _at_word_start(entry.text_lower, query) else 0)
    haystack = " ".join((entry.id_lower, title, entry.text_lower))
    if all(w in haystack for w in required):
        return 50 + 2 * sum(w in title for w in required) + sum(w in haystack for w in optional)
    return 0


def _at_word_start(text: str, query: str) -> bool:
    index = text.find(query)
    return index == 0 or (index > 0 and not text[index - 1].isalnum())


def _snippet(entry: _Entry, query: str, words: list[str], width: int = 160) -> str:
    text = entry.text
    if not text:
        return ""
    lowered = entry.text_lower  # str.lower keeps the length for German text
    index = lowered.find(query)
    if index < 0:
        found = [lowered.find(w) for w in words if w in lowered]
        index = min(found) if found else 0
    if len(text) <= width:
        return text
    start = max(0, index - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < index else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > index else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _entry(
    item_id: str, kind: str, title: str, text: str, source: str, withdrawn: bool = False
) -> _Entry:
    flat = normalise_space(text)
    return _Entry(
        item_id, kind, title, flat, source, withdrawn, item_id.lower(), title.lower(), flat.lower()
    )


def _kompendium_entries(catalog: Catalog) -> list[_Entry]:
    index = catalog._loaded.get("_search:kompendium")
    if index is None:
        source = editions()[catalog.edition]["kompendium"]
        kompendium = catalog.kompendium
        index = []
        for baustein in kompendium.bausteine.values():
            index.append(
                _entry(
                    baustein.id,
                    "baustein",
                    baustein.title,
                    f"{baustein.description} {baustein.scope}",
                    source,
                )
            )
            for rid in baustein.requirement_ids:
                req = kompendium.requirements[rid]
                index.append(_entry(req.id, "requirement", req.title, req.text, source, req.withdrawn))
        for threat in kompendium.threats.values():
            index.append(_entry(threat.id, "threat", threat.title, threat.text, source))
        catalog._loaded["_search:kompendium"] = index
    return index


def _control_entries(catalog: Catalog, key: str, oscal: OscalCatalog) -> list[_Entry]:
    name = f"_search:{key}"
    index = catalog._loaded.get(name)
    if index is None:
        index = [
            _entry(c.id, "control", c.title, f"{c.statement} {c.guidance}", key)
            for c in oscal.controls.values()
        ]
        catalog._loaded[name] = index
    return index
