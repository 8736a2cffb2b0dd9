"""``{% glossary_url "bestandskraft" %}``: the address of a glossary entry; an unknown anchor
fails the page (and so its test) instead of linking nowhere."""

from __future__ import annotations

from django import template

from core.pages import glossary_url as _glossary_url

register = template.Library()


@register.simple_tag
def glossary_url(anchor: str) -> str:
    return _glossary_url(anchor)
