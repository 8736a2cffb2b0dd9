"""``{% load documents %}{% document_list application %}``: the documents of an application.

A template tag keeps the layering: the application page (a grants view) shows reporting's
documents without grants importing reporting.
"""

from typing import Any

from django import template

from reporting.selectors import documents_for, issued_document

register = template.Library()


@register.simple_tag(takes_context=True)
def document_of(context: dict[str, Any], subject: Any, kind: str) -> Any:
    """``{% document_of note "review_note" as document %}``: the issued document the user may
    download (None while it is being made or for someone who may not see it)."""
    request = context.get("request")
    return issued_document(subject, kind, user=getattr(request, "user", None))


@register.inclusion_tag("reporting/_document_list.html", takes_context=True)
def document_list(context: dict[str, Any], application: Any) -> dict[str, Any]:
    request = context.get("request")
    return {"documents": documents_for(application, user=getattr(request, "user", None))}
