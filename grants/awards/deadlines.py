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

Every list is filtered, ordered and limited by the database (issue 14): the officials' panel
asks for the first :data:`PANEL_ITEMS` of each list and one count per list, so it costs the
same at 1,000 grants as at 100,000; the full lists (``limit=None``) are for the reminders,
the late-use claims and the deadlines page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DateField, Exists, F, Func, OuterRef, Q, QuerySet

from budgets.rules import office_roles
from grants.awards.models import Grant, GrantState, ProofOfUse, Reclaim
from grants.awards.payments.models import Drawdown, DrawdownState

PROOF_DUE_SOON_DAYS = ProofOfUse.DUE_SOON_DAYS
OBJECTION_ENDING_DAYS = 7
PANEL_ITEMS = 5  # items per list on the worklist's and grant list's deadline panel
COUNT_LIMIT = 99  # the panel counts up to this many items of a kind ("99+"): a bounded walk

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
    # Rows per list when the lists are limited (the panel): {"proofs_overdue": 2817, ...}.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        if self.counts:
            return sum(min(n, COUNT_LIMIT) for n in self.counts.values())
        return sum(len(items) for items in self.lists()) + len(self.first_checks)

    @property
    def shown(self) -> int:
        return sum(len(items) for items in self.lists()) + len(self.first_checks)

    @property
    def capped(self) -> bool:
        """A list has more than COUNT_LIMIT items: the total is a lower bound."""
        return any(n > COUNT_LIMIT for n in self.counts.values())

    @property
    def more(self) -> bool:
        """The lists are cut: the panel links to the full list."""
        return self.total > self.shown

    def lists(self) -> tuple[list[DeadlineItem], ...]:
        """The carrier's deadlines (what its reminder may mention)."""
        return (self.proofs_due_soon, self.proofs_overdue, self.drawdowns_not_used, self.objections_ending)


class WindowEnd(Func):
    """The drawdown window's last day in SQL: :func:`grants.calculations.window_end` of
    ``paid_on`` with the grant's ``value`` weeks or months (a month end clamps: 31 January plus
    one month is 28/29 February, as ``relativedelta`` does)."""

    output_field = DateField()
    arity = 3  # paid_on, value, unit

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (paid, paid_params), (value, value_params), (unit, unit_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # date + interval '1 month' clamps to the month's last day in PostgreSQL.
        sql = (
            f"(CASE WHEN {unit} = 'weeks' THEN {paid} + ({value}) * 7 "
            f"ELSE ({paid} + make_interval(months => ({value})::int))::date END)"
        )
        return sql, (*unit_params, *paid_params, *value_params, *paid_params, *value_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (paid, paid_params), (value, value_params), (unit, unit_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # SQLite's '+n months' rolls 31 January into March; the month's last day caps it.
        months = f"date({paid}, '+' || ({value}) || ' months')"
        last = f"date({paid}, 'start of month', '+' || (({value}) + 1) || ' months', '-1 day')"
        sql = (
            f"(CASE WHEN {unit} = 'weeks' THEN date({paid}, '+' || (({value}) * 7) || ' days') "
            f"ELSE MIN({months}, {last}) END)"
        )
        params = (*unit_params, *paid_params, *value_params, *paid_params, *value_params)
        return sql, (*params, *paid_params, *value_params)


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


def _limited(qs: QuerySet[Any], limit: int | None) -> QuerySet[Any]:
    return qs if limit is None else qs[:limit]


def _proofs(
    kind: str, proofs: QuerySet[ProofOfUse], *, today: date, limit: int | None = None
) -> list[DeadlineItem]:
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
        for p in _limited(proofs, limit)
    ]


def _due_soon_qs(
    *, today: date, office_paths: Iterable[str] | None, organisation: Any, days: int = PROOF_DUE_SOON_DAYS
) -> QuerySet[ProofOfUse]:
    return ProofOfUse.objects.due_soon(today, days).filter(_scope("grant__", office_paths, organisation))


def _overdue_qs(
    *, today: date, office_paths: Iterable[str] | None, organisation: Any
) -> QuerySet[ProofOfUse]:
    return ProofOfUse.objects.overdue(today).filter(_scope("grant__", office_paths, organisation))


def proofs_due_soon(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    days: int = PROOF_DUE_SOON_DAYS,
    limit: int | None = None,
) -> list[DeadlineItem]:
    """Proofs due soon (:meth:`ProofOfUse.is_due_soon`): from today up to ``days`` days ahead."""
    proofs = _due_soon_qs(today=today, office_paths=office_paths, organisation=organisation, days=days)
    return _proofs(DeadlineKind.PROOF_DUE, proofs, today=today, limit=limit)


def proofs_overdue(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    limit: int | None = None,
) -> list[DeadlineItem]:
    """Overdue proofs (:meth:`ProofOfUse.is_overdue`: outstanding and due before today)."""
    proofs = _overdue_qs(today=today, office_paths=office_paths, organisation=organisation)
    return _proofs(DeadlineKind.PROOF_OVERDUE, proofs, today=today, limit=limit)


def _first_checks_qs(
    *, today: date, office_paths: Iterable[str] | None, days: int = ProofOfUse.FIRST_CHECK_SOON_DAYS
) -> QuerySet[ProofOfUse]:
    return ProofOfUse.objects.awaiting_first_check().filter(
        _scope("grant__", office_paths, None),
        first_check_due_on__isnull=False,
        first_check_due_on__lte=today + timedelta(days=days),
    )


def first_checks_due(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    days: int = ProofOfUse.FIRST_CHECK_SOON_DAYS,
    limit: int | None = None,
) -> list[DeadlineItem]:
    """Proofs awaiting their first check, overdue (:meth:`ProofOfUse.is_first_check_overdue`) or
    due from today up to ``days`` days ahead; ``due_on`` is the first check's last day."""
    proofs = (
        _first_checks_qs(today=today, office_paths=office_paths, days=days)
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
        for p in _limited(proofs, limit)
        if p.first_check_due_on is not None
    ]


def _not_used_qs(*, today: date, office_paths: Iterable[str] | None, organisation: Any) -> QuerySet[Drawdown]:
    return (
        Drawdown.objects.filter(
            _scope("grant__", office_paths, organisation),
            state=DrawdownState.PAID,
            paid_on__isnull=False,
            paid_on__lt=today,
            grant__state__in=Grant.LATE_USE_STATES,
        )
        # Once the interest is claimed, nothing is left to remind of (NOT EXISTS, not a LEFT JOIN
        # … IS NULL: PostgreSQL then estimates the rows well and walks drawdown_paid_idx).
        .exclude(Exists(Reclaim.objects.filter(drawdown=OuterRef("pk"))))
        .annotate(
            window_end=WindowEnd(
                F("paid_on"), F("grant__drawdown_window_value"), F("grant__drawdown_window_unit")
            )
        )
        .filter(window_end__lt=today)
        .filter(Q(used_on__isnull=True) | Q(used_on__gt=F("window_end")))
    )


def drawdowns_not_used_in_time(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    limit: int | None = None,
) -> list[DeadlineItem]:
    """Paid drawdowns whose window is over and whose money was not used by its last day.

    The window depends on each grant's parameters; the database computes its last day
    (:class:`WindowEnd`), so it filters and limits the rows itself. ``due_on`` is the window's
    last day.
    """
    drawdowns = (
        _not_used_qs(today=today, office_paths=office_paths, organisation=organisation)
        .select_related("grant__organisation", "grant__office")
        .order_by("paid_on", "pk")  # the partial index drawdown_paid_idx: oldest payout first
    )
    return [
        _item(
            DeadlineKind.DRAWDOWN_NOT_USED,
            d.grant,
            due_on=d.window_end,
            today=today,
            object_id=d.pk,
            budget_year=d.budget_year,
            amount=d.amount,
            paid_on=d.paid_on,
            used_on=d.used_on,
        )
        for d in _limited(drawdowns, limit)
    ]


def _objections_qs(
    *, today: date, office_paths: Iterable[str] | None, organisation: Any, days: int = OBJECTION_ENDING_DAYS
) -> QuerySet[Grant]:
    return Grant.objects.filter(
        _scope("", office_paths, organisation),
        state=GrantState.NOTIFIED,
        objection_waived_on__isnull=True,
        objection_deadline__gte=today,
        objection_deadline__lte=today + timedelta(days=days),
    )


def objection_periods_ending(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    days: int = OBJECTION_ENDING_DAYS,
    limit: int | None = None,
) -> list[DeadlineItem]:
    """Notices not yet final whose objection period ends from today up to ``days`` days ahead."""
    grants = (
        _objections_qs(today=today, office_paths=office_paths, organisation=organisation, days=days)
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
        for g in _limited(grants, limit)
        if g.objection_deadline is not None
    ]


def _counts(querysets: dict[str, QuerySet[Any]]) -> dict[str, int]:
    """Rows of each queryset, up to COUNT_LIMIT + 1 each, in one query (the panel's counts:
    bounded, so they cost the same however many rows match)."""
    parts, params = [], []
    for qs in querysets.values():
        sql, qs_params = qs.order_by().values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
        # Django compiled the inner SQL; the values stay bound parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(qs_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def deadlines(
    *,
    today: date,
    office_paths: Iterable[str] | None = None,
    organisation: Any = None,
    first_checks: bool = False,
    limit: int | None = None,
) -> Deadlines:
    """All four lists for the given scope (four queries); with ``first_checks`` (officials) also
    the proofs awaiting their first check (a fifth). With ``limit`` each list holds its first
    ``limit`` items and ``counts`` the size of each list (one more query)."""
    paths = None if office_paths is None else sorted(set(office_paths))
    scope = {"office_paths": paths, "organisation": organisation}
    counts: dict[str, int] = {}
    if limit is not None:
        querysets: dict[str, QuerySet[Any]] = {
            "proofs_due_soon": _due_soon_qs(today=today, **scope),
            "proofs_overdue": _overdue_qs(today=today, **scope),
            "drawdowns_not_used": _not_used_qs(today=today, **scope),
            "objections_ending": _objections_qs(today=today, **scope),
        }
        if first_checks:
            querysets["first_checks"] = _first_checks_qs(today=today, office_paths=paths)
        counts = _counts(querysets)
    return Deadlines(
        proofs_due_soon=proofs_due_soon(today=today, limit=limit, **scope),
        proofs_overdue=proofs_overdue(today=today, limit=limit, **scope),
        drawdowns_not_used=drawdowns_not_used_in_time(today=today, limit=limit, **scope),
        objections_ending=objection_periods_ending(today=today, limit=limit, **scope),
        first_checks=first_checks_due(today=today, office_paths=paths, limit=limit) if first_checks else [],
        counts=counts,
    )


def deadlines_for_staff(user: Any, *, today: date, limit: int | None = PANEL_ITEMS) -> Deadlines:
    """The officials' worklist of deadlines: the four lists and the first checks, limited to the
    user's office subtrees; the first ``limit`` of each list and their counts (the panel), or
    every item with ``limit=None`` (the deadlines page).

    Superusers see every office; a user without office roles sees nothing (and costs no query
    beyond loading the roles).
    """
    if getattr(user, "is_superuser", False):
        return deadlines(today=today, first_checks=True, limit=limit)
    paths = {path for path, _role in office_roles(user)}
    if not paths:
        return Deadlines()
    return deadlines(today=today, office_paths=paths, first_checks=True, limit=limit)


def deadlines_for_organisation(organisation: Any, *, today: date) -> Deadlines:
    """The carrier's own deadlines (e.g. for its start page)."""
    return deadlines(today=today, organisation=organisation)
