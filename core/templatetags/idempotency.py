"""``{% csrf_token %}`` that also renders the form's one-time key (``core.idempotency``).

Registered as a template builtin after Django's own (``TEMPLATES[0]["OPTIONS"]["builtins"]``),
so it replaces the tag in every template, the admin's included: every form that is protected
against cross-site requests is protected against being sent twice as well.
"""

from __future__ import annotations

import secrets

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.idempotency import FIELD

register = template.Library()


class CsrfAndFormKeyNode(CsrfTokenNode):
    def render(self, context: Context) -> SafeString:
        csrf = super().render(context)
        if not csrf:
            return mark_safe("")
        return format_html('{}<input type="hidden" name="{}" value="{}">', csrf, FIELD, secrets.token_hex(16))


@register.tag
def csrf_token(parser: Parser, token: Token) -> CsrfAndFormKeyNode:
    return CsrfAndFormKeyNode()
