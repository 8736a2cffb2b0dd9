"""URLs of records management (included by ``grants.urls``)."""

from grants.records.views import urlpatterns

__all__ = ["urlpatterns"]
