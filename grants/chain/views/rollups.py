"""Pages of the chain: rollups."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
