"""Deadlines that need someone's attention on a given day (DOMAIN.md §3.3–3.6, §4.3, §4.4).

Four lists, each read with one query and returned as plain data so that the carrier's
reminder e-mail and the officials' worklist show the same items:

- proofs of use due within the next 30 days (``ProofOfUse.is_due_soon``),
- proofs of use overdue (``ProofOfUse.is_overdue``: due before today and not handed in),
- drawdowns paid but not used within their window (late-use interest, § 49a (4) VwVfG),
- notices whose objection period ends within the next 7 days;

and, for officials only (never in the carrier's reminder), the office's own deadline:

- proofs awaiting their first check (VV Nr. 11.1: within three months of receipt), due within
  the next 14 days or overdue (``ProofOfUse.is_first_check_overdue``).

Every selector takes ``today`` (never reads the clock) and may be narrowed to office subtrees
(materialised-path prefixes) and/or one carrier organisation.

Proofs are read from ``ProofOfUse`` rows and their ``due_on``: a proof that has no row yet
is not listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from budgets.rules import office_roles
from grants import calculations
from grants.awards.models import Grant, GrantState, ProofOfUse
from grants.awards.payments.models import Drawdown, DrawdownState

PROOF_DUE_SOON_DAYS = ProofOfUse.DUE_SOON_DAYS
OBJECTION_ENDING_DAYS = 7

# Grants whose drawdowns still matter for late use: settled and closed grants are done with.


class DeadlineKind:
    PROOF_DUE = "proof_due"
    PROOF_OVERDUE = "proof_overdue"
    DRAWDOWN_NOT_USED = "drawdown_not_used"
    OBJECTION_ENDING = "objection_ending"
    FIRST_CHECK_DUE = "first_check_due"
    FIRST_CHECK_OVERDUE = "first_check_overdue"


@dataclass(frozen=True)
class DeadlineItem:
    """One deadline: ``due_on`` is the date it is about, ``days`` = due_on − today (negative when past)."""

    kind: str
    due_on: date
    days: int
    grant_id: int
    file_number: str
    grant_title: str
    organisation_id: int
    organisation_name: str
    office_id: int
    office_name: str
    object_id: int  # the proof, drawdown or grant the item is about
    proof_kind: str = ""
    budget_year: int | None = None
    amount: Decimal | None = None
    paid_on: date | None = None
    used_on: date | None = None

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days)


@dataclass(frozen=True)
class Deadlines:
    proofs_due_soon: list[DeadlineItem] = field(default_factory=list)
    proofs_overdue: list[DeadlineItem] = field(default_factory=list)
    drawdowns_not_used: list[DeadlineItem] = field(default_factory=list)
    objections_ending: list[DeadlineItem] = field(default_factory=list)
    # The office's first checks (officials only): overdue ones first, then by due date.
    first_checks: list[DeadlineItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.lists()) + len(self.first_checks)

    def lists(self) -> tuple[list[DeadlineItem], ...]:
        """The carrier's deadlines (what its reminder may mention)."""
        return (self.proofs_due_soon, self.proofs_overdue, self.drawdowns_not_used, self.objections_ending)


def _scope(prefix: str, office_paths: Iterable[str] | None, organisation: Any) -> Q:
    """Rows of grants (reached through ``prefix``) in the given office subtrees / organisation."""
    q = Q()
    if office_paths is not None:
        paths = sorted(set(office_paths))
        subtree = Q(pk__in=[])
        for path in paths:
            subtree |= Q(**{f"{prefix}office__path__startswith": path})
        q &= subtree
    if organisation is not None:
        q &= Q(**{f"{prefix}organisation_id": getattr(organisation, "pk", organisation)})
    return q


def _item(
    kind: str, grant: Grant, *, due_on: date, today: date, object_id: int, **extra: Any
) -> DeadlineItem:
    return DeadlineItem(
        kind=kind,
        due_on=due_on,
        days=(due_on - today).days,
        grant_id=grant.pk,
        file_number=grant.file_number,
        grant_title=grant.title,
        organisation_id=grant.organisation_id,
        organisation_name=grant.organisation.name,
        office_id=grant.office_id,
        office_name=grant.office.name,
        object_id=object_id,
        **extra,
    )


def _proofs(kind: str, proofs: QuerySet[ProofOfUse], *, today: date) -> list[DeadlineItem]:
    proofs = proofs.select_related("grant__organisation", "grant__office").order_by(
        "due_on", "grant__file_number", "pk"
    )
    return [
        _item(
            kind,
            p.grant,
            due_on=p.due_on,
            today=today,
            object_id=p.pk,
            proof_kind=p.kind,
            budget_year=p.budget_year,
        )
        for p in proofs
    ]


def proofs_due_soon(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    days: int = PROOF_DUE_SOON_DAYS,
) -> list[DeadlineItem]:
    """Proofs due soon (:meth:`ProofOfUse.is_due_soon`): from today up to ``days`` days ahead."""
    proofs = ProofOfUse.objects.due_soon(today, days).filter(_scope("grant__", office_paths, organisation))
    return _proofs(DeadlineKind.PROOF_DUE, proofs, today=today)


def proofs_overdue(
    *, today: date, office_paths: Iterable[str] | None = None, organisation: Any = None
) -> list[DeadlineItem]:
    """Overdue proofs (:meth:`ProofOfUse.is_overdue`: outstanding and due before today)."""
    proofs = ProofOfUse.objects.overdue(today).filter(_scope("grant__", office_paths, organisation))
    return _proofs(DeadlineKind.PROOF_OVERDUE, proofs, today=today)


def first_checks_due(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    days: int = ProofOfUse.FIRST_CHECK_SOON_DAYS,
) -> list[DeadlineItem]:
    """Proofs awaiting their first check, overdue (:meth:`ProofOfUse.is_first_check_overdue`) or
    due from today up to ``days`` days ahead; ``due_on`` is the first check's last day."""
    proofs = (
        ProofOfUse.objects.awaiting_first_check()
        .filter(_scope("grant__", office_paths, None), first_check_due_on__lte=today + timedelta(days=days))
        .select_related("grant__organisation", "grant__office")
        .order_by("first_check_due_on", "grant__file_number", "pk")
    )
    return [
        _item(
            DeadlineKind.FIRST_CHECK_OVERDUE
            if p.is_first_check_overdue(today)
            else DeadlineKind.FIRST_CHECK_DUE,
            p.grant,
            due_on=p.first_check_due_on,
            today=today,
            object_id=p.pk,
            proof_kind=p.kind,
            budget_year=p.budget_year,
        )
        for p in proofs
        if p.first_check_due_on is not None
    ]


def drawdowns_not_used_in_time(
    *, today: date, office_paths: Iterable[str] | None = None, organisation: Any = None
) -> list[DeadlineItem]:
    """Paid drawdowns whose window is over and whose money was not used by its last day.

    The window depends on each grant's parameters, so the database narrows the rows (paid,
    not used on the payout day itself) and the window end is computed per row in Python.
    ``due_on`` is the window's last day.
    """
    drawdowns = (
        Drawdown.objects.filter(
            _scope("grant__", office_paths, organisation),
            state=DrawdownState.PAID,
            paid_on__isnull=False,
            paid_on__lt=today,
            grant__state__in=Grant.LATE_USE_STATES,
            late_use_claims__isnull=True,  # once the interest is claimed, nothing is left to remind of
        )
        .filter(Q(used_on__isnull=True) | Q(used_on__gt=F("paid_on")))
        .select_related("grant__organisation", "grant__office")
        .order_by("paid_on", "grant__file_number", "pk")
    )
    items = []
    for d in drawdowns:
        grant = d.grant
        window_end = calculations.window_end(
            d.paid_on, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
        )
        if window_end >= today or (d.used_on is not None and d.used_on <= window_end):
            continue
        items.append(
            _item(
                DeadlineKind.DRAWDOWN_NOT_USED,
                grant,
                due_on=window_end,
                today=today,
                object_id=d.pk,
                budget_year=d.budget_year,
                amount=d.amount,
                paid_on=d.paid_on,
                used_on=d.used_on,
            )
        )
    return items


def objection_periods_ending(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    days: int = OBJECTION_ENDING_DAYS,
) -> list[DeadlineItem]:
    """Notices not yet final whose objection period ends from today up to ``days`` days ahead."""
    grants = (
        Grant.objects.filter(
            _scope("", office_paths, organisation),
            state=GrantState.NOTIFIED,
            objection_waived_on__isnull=True,
            objection_deadline__gte=today,
            objection_deadline__lte=today + timedelta(days=days),
        )
        .select_related("organisation", "office")
        .order_by("objection_deadline", "file_number")
    )
    return [
        _item(
            DeadlineKind.OBJECTION_ENDING,
            g,
            due_on=g.objection_deadline,
            today=today,
            object_id=g.pk,
        )
        for g in grants
        if g.objection_deadline is not None
    ]


def deadlines(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    first_checks: bool = False,
) -> Deadlines:
    """All four lists for the given scope (four queries); with ``first_checks`` (officials) also
    the proofs awaiting their first check (a fifth)."""
    paths = None if office_paths is None else sorted(set(office_paths))
    scope = {"office_paths": paths, "organisation": organisation}
    return Deadlines(
        proofs_due_soon=proofs_due_soon(today=today, **scope),
        proofs_overdue=proofs_overdue(today=today, **scope),
        drawdowns_not_used=drawdowns_not_used_in_time(today=today, **scope),
        objections_ending=objection_periods_ending(today=today, **scope),
        first_checks=first_checks_due(today=today, office_paths=paths) if first_checks else [],
    )


def deadlines_for_staff(user: Any, *, today: date) -> Deadlines:
    """The officials' worklist of deadlines: the four lists and the first checks, limited to the
    user's office subtrees.

    Superusers see every office; a user without office roles sees nothing (and costs no query
    beyond loading the roles).
    """
    if getattr(user, "is_superuser", False):
        return deadlines(today=today, first_checks=True)
    paths = {path for path, _role in office_roles(user)}
    if not paths:
        return Deadlines()
    return deadlines(today=today, office_paths=paths, first_checks=True)


def deadlines_for_organisation(organisation: Any, *, today: date) -> Deadlines:
    """The carrier's own deadlines (e.g. for its start page)."""
    return deadlines(today=today, organisation=organisation)
