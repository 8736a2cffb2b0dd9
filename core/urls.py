from django.urls import path

from core import pages

urlpatterns = [
    path("glossar/", pages.glossary, name="glossary"),
    path("barrierefreiheit/", pages.accessibility, name="accessibility"),
]
