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

Money passed on (DOMAIN §7) is published as 360Giving describes regranting: the first
recipient's grant (one whose file number finances at least one fund) carries ``regrantType``,
and each micro-project is a grant whose funding organisation is the first recipient, with the
same identifier the first recipient has as a recipient, so aggregators can follow the money
down and count it once. A micro-project whose first recipient is confidential is left out too:
naming its funder would name the carrier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import LedgerKind
from budgets.models import CoordinatingOffice, Fund, LedgerEntry
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

# 360Giving codelist "regrantType" (codelists/regrantType.csv of the standard, closed list).
# FRG010 "Common Regrant": "a grant awarded to a single grantmaking organisation for onward
# distribution as grants to end recipients" — a first recipient's grant that goes into its
# funds as a whole. FRG070 "Multipurpose": "grant to recipient for activities that include
# making onward grants, as well as funding other activities" — the usual case of a partnership
# for democracy, whose grant pays its coordination office too (≤ 50 %) and puts the rest into
# its action and youth funds. Which one applies is read from the ledger: the allocations to the
# grant's funds against the amount awarded. (FRG020 "Transfer to intermediary" is for money
# passed to other organisations that then regrant; a first recipient regrants itself.)
REGRANT_COMMON = "FRG010"
REGRANT_MULTIPURPOSE = "FRG070"


def _identifier(value: str) -> str:
    # 360Giving: no slashes, spaces or special characters in identifiers; "_" instead.
    return re.sub(r"[^A-Za-z0-9-]", "_", value)


def _number(amount: Decimal) -> float:
    # A JSON number. A two-place amount below 10^13 has at most 15 significant digits, so its
    # shortest float repr, which json writes, is exactly the decimal amount ("12345.67").
    return float(amount)


def grants_for_open_data(*, office_paths: Iterable[str] | None = None) -> QuerySet[Grant]:
    """Awarded grants that may be published; ``office_paths`` limits them to those subtrees.

    Annotated for the chain of money passed on: ``finances_funds`` and ``passed_on`` (what the
    grant allocated to its funds) on a first recipient's grant; ``first_recipient_*`` (the
    organisation of the grant named by the fund's ``source_reference``) on a micro-project.
    """
    first_grant = Grant.objects.filter(file_number=OuterRef("fund__source_reference"))
    allocated = (
        LedgerEntry.objects.filter(
            reference=OuterRef("file_number"), kind=LedgerKind.ALLOCATION, envelope__fund__isnull=False
        )
        .order_by()
        .values("reference")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    qs = (
        Grant.objects.exclude(state=GrantState.REVOKED)
        .exclude(organisation__confidential=True)
        .annotate(
            finances_funds=Exists(Fund.objects.filter(source_reference=OuterRef("file_number"))),
            passed_on=Subquery(allocated, output_field=DecimalField(max_digits=14, decimal_places=2)),
            first_recipient_id=Subquery(first_grant.values("organisation_id")[:1]),
            first_recipient_name=Subquery(first_grant.values("organisation__name")[:1]),
        )
        .exclude(Exists(first_grant.filter(organisation__confidential=True)))
        .select_related("organisation", "office", "programme", "fund__kind")
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


def regrant_type(grant: Grant) -> str | None:
    """The 360Giving regrant type of a first recipient's grant; None for any other grant."""
    if not getattr(grant, "finances_funds", False):
        return None
    passed_on = getattr(grant, "passed_on", None) or Decimal(0)
    return REGRANT_COMMON if passed_on >= grant.granted_amount else REGRANT_MULTIPURPOSE


def funding_organisation(grant: Grant) -> dict[str, Any]:
    """Who gave the grant: the office, or for a micro-project its fund's first recipient."""
    first_recipient_id = getattr(grant, "first_recipient_id", None)
    first_recipient_name = getattr(grant, "first_recipient_name", None)
    if grant.fund_id is not None and first_recipient_id is not None:
        return {"id": f"{ORGANISATION_ID_PREFIX}{first_recipient_id}", "name": first_recipient_name}
    return {"id": f"{OFFICE_ID_PREFIX}{grant.office.pk}", "name": grant.office.name}


def grant_programme(grant: Grant) -> dict[str, Any]:
    """The programme, or for a micro-project the first recipient's fund it was awarded from.

    Only the fund: the programme's money is counted once, on the first recipient's grant. The
    fund's code is the financing grant's file number and the fund kind, unique and permanent.
    """
    fund = grant.fund
    if fund is not None:
        return {"code": f"{_identifier(fund.source_reference)}-{fund.kind.code}", "title": fund.name}
    return {"code": grant.programme.code, "title": grant.programme.name}


def grant_record(grant: Grant) -> dict[str, Any]:
    """One grant in the 360Giving schema (from :func:`grants_for_open_data`)."""
    organisation = grant.organisation
    recipient: dict[str, Any] = {
        "id": f"{ORGANISATION_ID_PREFIX}{organisation.pk}",
        "name": organisation.name,
    }
    if organisation.city:
        recipient["addressLocality"] = organisation.city
    if organisation.postcode:
        recipient["postalCode"] = organisation.postcode
    recipient["addressCountry"] = "DE"
    record = {
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
        "fundingOrganization": [funding_organisation(grant)],
        "grantProgramme": [grant_programme(grant)],
    }
    regrant = regrant_type(grant)
    if regrant is not None:
        record["regrantType"] = regrant
    return record


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
