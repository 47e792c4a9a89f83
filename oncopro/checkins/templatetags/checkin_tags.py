from __future__ import annotations

from django import template

from oncopro.checkins.units import shown_in

register = template.Library()


@register.filter
def in_unit(celsius: float, unit: str) -> str:
    """38.61, "F" -> "101.5 °F": a stored reading as she reads it."""
    return shown_in(celsius, unit)
