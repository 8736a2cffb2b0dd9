"""Awarded grants as a 360Giving data package (JSON, standard version 1.4).

Identifiers must never change once published: aggregators such as GrantNav join publications
on them. A grant's is ``GRANT_ID_PREFIX`` + its file number (the file number is unique and
permanent). A real publisher registers its own 360Giving prefix ("360G-…") with 360Giving and
puts it here before the first publication; after that it is fixed.

Carriers and offices have no register number in our data (an association's Vereinsregister
number would give an org-id.guide identifier such as ``DE-VR-…``), so, as the 360Giving
identifier guidance asks for organisations without one, they get the publisher's prefix plus
an internal identifier: their primary key, which never changes.

Carriers flagged confidential (exit programmes, DOMAIN.md §6) are left out entirely, as are
grants revoked as a whole (their award no longer stands).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.models import CoordinatingOffice
from grants.awards.models import Grant, GrantState

GRANT_ID_PREFIX = "360G-foerderverwaltung-"
ORGANISATION_ID_PREFIX = f"{GRANT_ID_PREFIX}org-"
OFFICE_ID_PREFIX = f"{GRANT_ID_PREFIX}office-"
STANDARD_VERSION = "1.4"  # the package's "version": major.minor of the schema used (1.4.3)
# The open licence German public bodies use for their data (Datenlizenz Deutschland –
# Namensnennung 2.0); whoever publishes must confirm it.
LICENSE = "https://www.govdata.de/dl-de/by-2-0"
PUBLISHER_FALLBACK = "Förderverwaltung"
CHUNK = 2000


def _identifier(value: str) -> str:
    # 360Giving: no slashes, spaces or special characters in identifiers; "_" instead.
    return re.sub(r"[^A-Za-z0-9-]", "_", value)


def _number(amount: Decimal) -> float:
    # A JSON number. A two-place amount below 10^13 has at most 15 significant digits, so its
    # shortest float repr, which json writes, is exactly the decimal amount ("12345.67").
    return float(amount)


def grants_for_open_data(*, office_paths: Iterable[str] | None = None) -> QuerySet[Grant]:
    """Awarded grants that may be published; ``office_paths`` limits them to those subtrees."""
    qs = (
        Grant.objects.exclude(state=GrantState.REVOKED)
        .exclude(organisation__confidential=True)
        .select_related("organisation", "office", "programme")
        .order_by("approved_at", "pk")
    )
    if office_paths is not None:
        q = Q(pk__in=[])
        for path in office_paths:
            q |= Q(office__path__startswith=path)
        qs = qs.filter(q)
    return qs


def publisher_name(office_paths: Iterable[str] | None = None) -> str:
    """The one office at the top of what is published, or a neutral name if there are several."""
    if office_paths is None:
        tops = list(CoordinatingOffice.objects.get_root_nodes().values_list("name", flat=True)[:2])
    else:
        tops = list(
            CoordinatingOffice.objects.filter(path__in=list(office_paths)).values_list("name", flat=True)[:2]
        )
    return tops[0] if len(tops) == 1 else PUBLISHER_FALLBACK


def grant_record(grant: Grant) -> dict[str, Any]:
    """One grant in the 360Giving schema (needs ``organisation``, ``office``, ``programme``)."""
    organisation, office = grant.organisation, grant.office
    recipient: dict[str, Any] = {
        "id": f"{ORGANISATION_ID_PREFIX}{organisation.pk}",
        "name": organisation.name,
    }
    if organisation.city:
        recipient["addressLocality"] = organisation.city
    if organisation.postcode:
        recipient["postalCode"] = organisation.postcode
    recipient["addressCountry"] = "DE"
    return {
        "id": f"{GRANT_ID_PREFIX}{_identifier(grant.file_number)}",
        "title": grant.title,
        "description": grant.purpose,
        "currency": "EUR",
        "amountAwarded": _number(grant.granted_amount),
        "awardDate": timezone.localdate(grant.approved_at).isoformat(),
        "plannedDates": [
            {"startDate": grant.period_start.isoformat(), "endDate": grant.period_end.isoformat()}
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": f"{OFFICE_ID_PREFIX}{office.pk}", "name": office.name}],
        "grantProgramme": [{"code": grant.programme.code, "title": grant.programme.name}],
    }


def package_metadata(*, publisher: str, issued: date) -> dict[str, Any]:
    return {
        "version": STANDARD_VERSION,
        "title": _("Grants awarded by %(publisher)s") % {"publisher": publisher},
        "issued": issued.isoformat(),
        "publisher": {"name": publisher},
        "license": LICENSE,
    }


def iter_package(grants: QuerySet[Grant], *, publisher: str, issued: date) -> Iterator[str]:
    """The package as JSON text in pieces, one grant at a time (memory stays flat)."""
    yield '{"grants": ['
    for n, grant in enumerate(grants.iterator(chunk_size=CHUNK)):
        yield ("\n" if n == 0 else ",\n") + json.dumps(grant_record(grant), ensure_ascii=False)
    metadata = json.dumps(package_metadata(publisher=publisher, issued=issued), ensure_ascii=False, indent=1)
    yield "\n], " + metadata[1:] + "\n"


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_package(out: Writable, grants: QuerySet[Grant], *, publisher: str, issued: date) -> None:
    for piece in iter_package(grants, publisher=publisher, issued=issued):
        out.write(piece)


def build_package(grants: QuerySet[Grant], *, publisher: str, issued: date) -> dict[str, Any]:
    """The package as a dict, exactly as written (for small sets and checks)."""
    return json.loads("".join(iter_package(grants, publisher=publisher, issued=issued)))
