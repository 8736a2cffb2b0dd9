"""Reads of carriers: the organisations a user acts for, and bank-detail changes for finance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice
from budgets.rules import office_roles
from grants.carriers.models import BankDetailsChange, BankDetailsChangeState, Organisation
from grants.rules import carrier_organisation_ids

RECENT_DECISIONS = 20


def organisations_of(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` is a member of (what they may apply for and maintain), by name.

    Each comes with its bank-detail changes, newest first (the page shows a pending one and the
    history).
    """
    return (
        Organisation.objects.filter(pk__in=carrier_organisation_ids(user))
        .prefetch_related(
            Prefetch(
                "bank_details_changes",
                queryset=BankDetailsChange.objects.select_related("requested_by", "decided_by").order_by(
                    "-requested_at", "-pk"
                ),
            )
        )
        .order_by("name")
    )


def with_responsible_offices(organisations: Iterable[Organisation]) -> None:
    """Fill ``responsible_offices`` of many organisations in three queries (instead of one each)."""
    by_pk = {organisation.pk: organisation for organisation in organisations}
    if not by_pk:
        return
    rows = Organisation.objects.filter(pk__in=by_pk)
    office_ids: dict[int, set[int]] = defaultdict(set)
    for pk, office_id in rows.values_list("pk", "grants__office_id"):
        if office_id is not None:
            office_ids[pk].add(office_id)
    for pk, office_id, submitted_at in rows.values_list(
        "pk", "applications__office_id", "applications__submitted_at"
    ):
        if office_id is not None and submitted_at is not None:
            office_ids[pk].add(office_id)
    offices = CoordinatingOffice.objects.in_bulk(set().union(*office_ids.values()) if office_ids else set())
    for pk, organisation in by_pk.items():
        organisation._responsible_offices = sorted(  # type: ignore[attr-defined]
            (offices[i] for i in office_ids[pk]), key=lambda office: office.path
        )


def _responsible_under(paths: list[str]) -> Q:
    """Changes of organisations with a grant or handed-in application under one of ``paths``."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(organisation__grants__office__path__startswith=path)
        q |= Q(
            organisation__applications__office__path__startswith=path,
            organisation__applications__submitted_at__isnull=False,
        )
    return q


def bank_details_changes_visible_to(user: Any) -> QuerySet[BankDetailsChange]:
    """Changes of organisations with a grant or handed-in application in the user's finance subtrees."""
    # The finance role itself, also for an administrator: this is where finance confirms.
    paths = sorted({path for path, role in office_roles(user) if role == StaffRole.FINANCE})
    if not paths:
        return BankDetailsChange.objects.none()
    return BankDetailsChange.objects.filter(
        pk__in=BankDetailsChange.objects.filter(_responsible_under(paths)).values("pk")
    ).select_related("organisation", "requested_by", "decided_by")


def bank_details_changes_for_finance(user: Any) -> tuple[list[BankDetailsChange], list[BankDetailsChange]]:
    """(changes waiting for confirmation, oldest first; the latest decisions), offices filled in."""
    visible = bank_details_changes_visible_to(user)
    pending = list(visible.filter(state=BankDetailsChangeState.REQUESTED).order_by("requested_at", "pk"))
    decided = list(
        visible.exclude(state=BankDetailsChangeState.REQUESTED).order_by("-decided_at", "-pk")[
            :RECENT_DECISIONS
        ]
    )
    with_responsible_offices({c.organisation_id: c.organisation for c in pending + decided}.values())
    return pending, decided
