from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def tel_href(number: str) -> str:
    """'+1 555 0100' -> 'tel:+15550100': phones dial what the link holds."""
    return "tel:" + re.sub(r"[^0-9+*#]", "", number or "")
