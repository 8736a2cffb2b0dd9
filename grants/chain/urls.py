"""URLs of funds, committees and the rollup of money passed on (included by ``grants.urls``)."""

from grants.chain.views import committees, funds, rollups

urlpatterns = [*funds.urlpatterns, *committees.urlpatterns, *rollups.urlpatterns]
