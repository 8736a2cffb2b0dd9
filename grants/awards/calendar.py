"""The deadline calendar (issue 11 §2): every dated deadline of the cases a person may see,
between two days, for the calendar page and the per-user iCalendar feed.

Kinds: proofs of use due, first checks of proofs due (officials only), objection periods
ending, drawdown windows ending (paid money not yet used), amendment decisions and revision
requests due.

Every kind is one query filtered by the date range, the person's scope and ``limit`` in the
database (issue 14): a month of the calendar costs the same at 1,000 grants as at 100,000, and
no list is ever read whole. A kind cut at ``limit`` is named in ``Calendar.cut``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import CoordinatingOffice
from budgets.rules import role_paths
from core.dates import format_date
from core.formatting import format_eur
from grants.applications.models import Message
from grants.applications.models.correspondence import MessageKind
from grants.awards.deadlines import WindowEnd
from grants.awards.models import Amendment, AmendmentState, Grant, GrantState, ProofOfUse
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.rules import carrier_organisation_ids

PAGE_LIMIT = 300  # entries per kind and month on the page
FEED_LIMIT = 2000  # entries per kind in the feed's window
FEED_MONTHS_BACK = 3
FEED_MONTHS_AHEAD = 12


class CalendarKind(models.TextChoices):
    PROOF_DUE = "proof_due", gettext_lazy("Proof of use due")
    FIRST_CHECK = "first_check", gettext_lazy("First check of a proof due")
    OBJECTION_ENDS = "objection_ends", gettext_lazy("Objection period ends")
    DRAWDOWN_WINDOW = "drawdown_window", gettext_lazy("Drawdown window ends")
    AMENDMENT_DECISION = "amendment_decision", gettext_lazy("Amendment decided")
    REVISION_DUE = "revision_due", gettext_lazy("Revision request due")


# The office's own deadlines: never shown to a carrier.
STAFF_ONLY = frozenset({CalendarKind.FIRST_CHECK})


@dataclass(frozen=True)
class CalendarEntry:
    kind: str
    day: date
    object_id: int
    reference: str  # the grant's file number or the application's reference
    title: str
    url: str  # the case page (a path)
    what: str  # what is due, in the active language
    organisation_name: str
    office_name: str

    @property
    def kind_label(self) -> str:
        return str(CalendarKind(self.kind).label)

    @property
    def uid(self) -> str:
        """Stable across renderings: the kind and the row it is about."""
        return f"{self.kind}-{self.object_id}"


@dataclass(frozen=True)
class CalendarScope:
    """Whose cases: ``office_paths`` None = every office (superuser); ``staff`` = may see the
    office's own deadlines."""

    organisation_ids: frozenset[int] = frozenset()
    office_paths: tuple[str, ...] | None = ()
    staff: bool = False

    def q(self, prefix: str, *, staff_only: bool = False) -> Q:
        if self.office_paths is None:
            return Q()
        q = Q(pk__in=[])
        if not staff_only and self.organisation_ids:
            q |= Q(**{f"{prefix}organisation_id__in": sorted(self.organisation_ids)})
        for path in self.office_paths:
            q |= Q(**{f"{prefix}office__path__startswith": path})
        return q


def offices_for(user: Any) -> list[CoordinatingOffice]:
    """The offices an official may narrow the calendar to: their subtrees (every office for a
    superuser), in tree order."""
    paths = role_paths(user)
    offices = CoordinatingOffice.objects.order_by("path")
    if paths is None:
        return list(offices)
    if not paths:
        return []
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return list(offices.filter(q))


def scope_for(user: Any, *, office: CoordinatingOffice | None = None) -> CalendarScope:
    """What ``user`` may see (``grants.rules`` visibility), narrowed to one office's subtree when
    given (the caller checks the office is one of :func:`offices_for`)."""
    if not getattr(user, "is_authenticated", False):
        return CalendarScope()
    paths = role_paths(user)
    if office is not None:
        return CalendarScope(office_paths=(office.path,), staff=True)
    if paths is None:
        return CalendarScope(office_paths=None, staff=True)
    return CalendarScope(
        organisation_ids=frozenset(carrier_organisation_ids(user)),
        office_paths=tuple(paths),
        staff=bool(paths),
    )


@dataclass
class Calendar:
    start: date
    end: date
    entries: list[CalendarEntry] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # kinds that hold more than the limit

    def days(self) -> list[tuple[date, list[CalendarEntry]]]:
        return [(day, list(items)) for day, items in groupby(self.entries, key=lambda e: e.day)]

    def weeks(self) -> list[tuple[tuple[int, int], list[tuple[date, list[CalendarEntry]]]]]:
        """Days grouped by ISO week: ((year, week), [(day, entries), ...])."""
        return [
            (week, list(days))
            for week, days in groupby(self.days(), key=lambda d: tuple(d[0].isocalendar())[:2])
        ]


def _grant_fields(grant: Grant) -> dict[str, Any]:
    return {
        "reference": grant.file_number,
        "title": grant.title,
        "organisation_name": grant.organisation.name,
        "office_name": grant.office.name,
    }


def _proofs_due(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    proofs = (
        ProofOfUse.objects.outstanding()
        .filter(scope.q("grant__"), due_on__gte=start, due_on__lte=end)
        .select_related("grant__organisation", "grant__office")
        .order_by("due_on", "pk")[:limit]
    )
    return [
        CalendarEntry(
            kind=CalendarKind.PROOF_DUE,
            day=p.due_on,
            object_id=p.pk,
            url=reverse("proof_detail", args=[p.grant_id, p.pk]),
            what=_("The proof of use (%(kind)s, %(year)s) must be handed in.")
            % {"kind": p.get_kind_display(), "year": p.budget_year},
            **_grant_fields(p.grant),
        )
        for p in proofs
    ]


def _first_checks(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    if not scope.staff:
        return []
    proofs = (
        ProofOfUse.objects.awaiting_first_check()
        .filter(
            scope.q("grant__", staff_only=True), first_check_due_on__gte=start, first_check_due_on__lte=end
        )
        .select_related("grant__organisation", "grant__office")
        .order_by("first_check_due_on", "pk")[:limit]
    )
    return [
        CalendarEntry(
            kind=CalendarKind.FIRST_CHECK,
            day=p.first_check_due_on,
            object_id=p.pk,
            url=reverse("proof_detail", args=[p.grant_id, p.pk]),
            what=_("The first check of the proof of use (%(kind)s, %(year)s) must be done.")
            % {"kind": p.get_kind_display(), "year": p.budget_year},
            **_grant_fields(p.grant),
        )
        for p in proofs
        if p.first_check_due_on is not None
    ]


def _objections(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    grants = (
        Grant.objects.filter(
            scope.q(""),
            state=GrantState.NOTIFIED,
            objection_waived_on__isnull=True,
            objection_deadline__gte=start,
            objection_deadline__lte=end,
        )
        .select_related("organisation", "office")
        .order_by("objection_deadline", "pk")[:limit]
    )
    return [
        CalendarEntry(
            kind=CalendarKind.OBJECTION_ENDS,
            day=g.objection_deadline,
            object_id=g.pk,
            url=reverse("grant_detail", args=[g.pk]),
            what=_("Last day to object to the grant notice; unless objected, it becomes final."),
            **_grant_fields(g),
        )
        for g in grants
        if g.objection_deadline is not None
    ]


def _drawdown_windows(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    drawdowns = (
        Drawdown.objects.filter(
            scope.q("grant__"),
            state=DrawdownState.PAID,
            paid_on__isnull=False,
            paid_on__lte=end,
            used_on__isnull=True,
            grant__state__in=Grant.LATE_USE_STATES,
        )
        .annotate(
            window_end=WindowEnd(
                F("paid_on"), F("grant__drawdown_window_value"), F("grant__drawdown_window_unit")
            )
        )
        .filter(window_end__gte=start, window_end__lte=end)
        .select_related("grant__organisation", "grant__office")
        .order_by("window_end", "pk")[:limit]
    )
    return [
        CalendarEntry(
            kind=CalendarKind.DRAWDOWN_WINDOW,
            day=d.window_end,
            object_id=d.pk,
            url=reverse("grant_drawdowns", args=[d.grant_id]),
            what=_("The %(amount)s paid on %(paid_on)s must be used by this day.")
            % {"amount": format_eur(d.amount), "paid_on": format_date(d.paid_on)},
            **_grant_fields(d.grant),
        )
        for d in drawdowns
    ]


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _amendments(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    since, until = _day_bounds(start, end)
    amendments = (
        Amendment.objects.filter(
            scope.q("grant__"),
            state__in=(AmendmentState.APPROVED, AmendmentState.REJECTED),
            decided_at__gte=since,
            decided_at__lt=until,
        )
        .select_related("grant__organisation", "grant__office")
        .order_by("decided_at", "pk")[:limit]
    )
    entries = []
    for a in amendments:
        if a.decided_at is None:
            continue
        what = (
            _("Amendment no. %(number)s was approved.")
            if a.is_approved
            else _("Amendment no. %(number)s was rejected.")
        )
        entries.append(
            CalendarEntry(
                kind=CalendarKind.AMENDMENT_DECISION,
                day=timezone.localdate(a.decided_at),
                object_id=a.pk,
                url=reverse("amendment_detail", args=[a.grant_id, a.pk]),
                what=what % {"number": a.number},
                **_grant_fields(a.grant),
            )
        )
    return entries


def _revision_requests(scope: CalendarScope, start: date, end: date, limit: int) -> list[CalendarEntry]:
    messages = (
        Message.objects.filter(
            scope.q("application__"),
            kind=MessageKind.REVISION_REQUEST,
            answered_by__isnull=True,
            due_on__gte=start,
            due_on__lte=end,
        )
        .select_related("application__organisation", "application__office")
        .order_by("due_on", "pk")[:limit]
    )
    return [
        CalendarEntry(
            kind=CalendarKind.REVISION_DUE,
            day=m.due_on,
            object_id=m.pk,
            reference=m.application.reference,
            title=m.application.title,
            url=reverse("application_detail", args=[m.application_id]),
            what=_("The documents asked for in the revision request must be handed in."),
            organisation_name=m.application.organisation.name,
            office_name=m.application.office.name,
        )
        for m in messages
        if m.due_on is not None
    ]


READERS = {
    CalendarKind.PROOF_DUE: _proofs_due,
    CalendarKind.FIRST_CHECK: _first_checks,
    CalendarKind.OBJECTION_ENDS: _objections,
    CalendarKind.DRAWDOWN_WINDOW: _drawdown_windows,
    CalendarKind.AMENDMENT_DECISION: _amendments,
    CalendarKind.REVISION_DUE: _revision_requests,
}


def calendar_between(
    scope: CalendarScope,
    *,
    start: date,
    end: date,
    kinds: Iterable[str] | None = None,
    limit: int = PAGE_LIMIT,
) -> Calendar:
    """The entries from ``start`` to ``end`` (both included), one query per kind asked for,
    sorted by day, kind and reference."""
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    wanted = set(READERS) if kinds is None else {CalendarKind(k) for k in kinds}
    calendar = Calendar(start=start, end=end)
    for kind, read in READERS.items():
        if kind not in wanted or (kind in STAFF_ONLY and not scope.staff):
            continue
        found = read(scope, start, end, limit + 1)
        if len(found) > limit:
            calendar.cut.append(kind)
            found = found[:limit]
        calendar.entries.extend(found)
    order = list(READERS)
    calendar.entries.sort(key=lambda e: (e.day, order.index(CalendarKind(e.kind)), e.reference, e.object_id))
    return calendar


def feed_window(today: date) -> tuple[date, date]:
    """The feed's days: :data:`FEED_MONTHS_BACK` months back to :data:`FEED_MONTHS_AHEAD` ahead."""
    return today - relativedelta(months=FEED_MONTHS_BACK), today + relativedelta(months=FEED_MONTHS_AHEAD)
