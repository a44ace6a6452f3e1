"""The explanation of a derived value, in German: the rule, where the value comes from, the path, the reason.

Every final value of the Schutzbedarfsfeststellung can say why it is what it
is (BSI 200-2 asks for the reasons to be documented); :func:`explain_text`
says it in the sentences the officer puts into the security concept.
"""

from __future__ import annotations

from collections.abc import Sequence

from grundschutz.method.propagation import Derivation, Propagation
from grundschutz.model.levels import BasicValue, Rule


def _shorten(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else "")


def explain_text(result: Propagation, d: Derivation) -> str:
    """The explanation of one derivation as German sentences (several lines)."""
    objects = result.assessment.objects
    value = d.basic_value

    def named(object_id: str) -> str:
        return f"{object_id} ({objects[object_id].name})"

    lines = []
    if d.level is None:
        lines.append(
            "Offene Arbeit: weder für dieses Zielobjekt noch für ein Objekt, das von ihm abhängt, "
            f"ist die {value.label} festgestellt."
        )
    elif d.rule is Rule.ASSESSED:
        lines.append(f"Regel: festgestellt für dieses Zielobjekt. Begründung: {d.reason or '(keine angegeben)'}")
    elif d.rule in (Rule.MAXIMUM, Rule.DISTRIBUTION):
        if d.shared is not None:
            s = d.shared
            lines.append(
                f"Regel: {d.rule.label}, übernommen von {named(s.dependent)} als gemeinsame Abhängigkeit aller "
                f"Mitglieder der Redundanzgruppe '{s.group}' von {s.dependent} ({_shorten(list(s.members))}): "
                f"keine Verteilung. {_why_shared(d)} "
                f"(mit Verteilungseffekt: {s.lowered.label if s.lowered else 'nicht bewertet'})."
            )
        else:
            lines.append(f"Regel: {d.rule.label}, übernommen von {named(d.via)}.")
        lines.append(f"Herkunft: {named(d.origin)} ({_origin_rule(result, d)}): {d.reason or '(keine Begründung)'}")
        lines.append(f"Pfad: {' → '.join(d.path)}")
        others = [c for c in d.contributors if c != d.via]
        if others:
            lines.append(f"Ebenfalls {d.level.label}: {_shorten(others)}")
    elif d.rule is Rule.CUMULATION and d.cumulation is not None:
        c = d.cumulation
        lines.append(
            f"Regel: Kumulationseffekt ({c.rule.name}): {c.count} abhängige Zielobjekte mit mindestens "
            f"{c.rule.at_level.label} in {value.label} (Schwelle {c.rule.min_dependents}); "
            f"angehoben von {c.before.label if c.before else 'nicht bewertet'} auf {c.after.label}."
        )
        if c.rule.reason:
            lines.append(f"Begründung: {c.rule.reason}")
        lines.append(f"Gezählt: {_shorten(list(c.dependents))}")
    elif d.rule is Rule.OVERRIDE:
        override = result.assessment.overrides[d.object][value]
        lines.append(f"Regel: manuell gesetzt (Effekt: {override.effect.value}). Begründung: {override.reason}")
        if d.computed is not None and d.computed != d.level:
            lines.append(f"Berechnet wäre: {d.computed.label}.")
        if d.deviation:
            lines.append("ABWEICHUNG vom Maximumprinzip: der gesetzte Wert liegt unter dem berechneten.")
        elif d.documented:
            lines.append(f"Keine Abweichung: dokumentierter Verteilungseffekt ({d.documented}).")
    if d.distribution is not None:
        lines.append(
            f"Verteilungseffekt: über Redundanzgruppen gesenkt (ohne Verteilung: {d.distribution.without.label}; "
            f"redundant genutzt von {_shorten(list(d.distribution.via))})."
        )
        documented = result.assessment.settings.distribution.documented_for(value)
        if documented is not None:
            lines.append(f"Begründung der Verteilung ({', '.join(sorted(documented.groups))}): {documented.reason}")
    if d.cycle:
        lines.append(f"Zyklus: {' <-> '.join(d.cycle)} – alle Mitglieder erhalten den höchsten Wert des Zyklus.")
    if d.provisional:
        lines.append("Vorläufig: mindestens ein zuliefernder Wert ist noch nicht bewertet.")
    return "\n".join(lines)


def _why_shared(d: Derivation) -> str:
    if d.basic_value is BasicValue.AVAILABILITY:
        return f"Fällt {d.object} aus, fallen alle Mitglieder zugleich aus"
    return f"Über {d.object} sind alle Mitglieder zugleich betroffen"


def _origin_rule(result: Propagation, d: Derivation) -> str:
    origin = result.derivation(d.origin, d.basic_value)
    return origin.rule.label if origin.rule else ""
