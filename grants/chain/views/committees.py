"""Pages of the chain: committees."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
