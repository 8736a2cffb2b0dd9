"""Reads for the grant pages: who sees which grant, the grant list, figures and one timeline.

Every page built from these costs a fixed number of queries: child objects are fetched once
per kind, and the merged timeline is one query over the state logs of all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from core.formatting import format_eur
from grants.applications.models import Application
from grants.applications.selectors import visibility_q
from grants.awards.filters import DrawdownFilter, GrantFilter
from grants.awards.models import Amendment, Grant, PlanVersion, PlanVersionLine, ProofOfUse, Reclaim
from grants.awards.payments.models import Drawdown, DrawdownState

ZERO = Decimal("0.00")


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    """Carriers see their organisations' grants, staff their offices' subtrees (``visibility_q``)."""
    return Grant.objects.filter(visibility_q(user)).select_related("organisation", "programme", "office")


def grant_filter(user: Any, data: Any, *, offices: Any = None) -> GrantFilter:
    """The grants the user may see, narrowed by the person's filters and search (django-filter)."""
    return GrantFilter(data or None, queryset=grants_visible_to(user), offices=offices)


def drawdown_filter(user: Any, data: Any) -> DrawdownFilter:
    return DrawdownFilter(data or None, queryset=drawdowns_visible_to(user))


def drawdowns_visible_to(user: Any) -> QuerySet[Drawdown]:
    """Drawdowns of every grant the user may see (the officials' and finance's queue)."""
    return Drawdown.objects.filter(visibility_q(user, prefix="grant__")).select_related(
        "grant", "grant__organisation", "grant__office", "requested_by"
    )


def grant_detail_queryset(user: Any) -> QuerySet[Grant]:
    return grants_visible_to(user).select_related("application", "approved_by")


def plan_versions(grant: Grant) -> list[PlanVersion]:
    """Every version of the financing plan, oldest first, with its lines (in the model's order)
    and the amendment that made it (two queries)."""
    return list(
        PlanVersion.objects.filter(grant=grant)
        .select_related("created_by", "amendment")
        .prefetch_related("lines")
        .order_by("version")
    )


def grant_drawdowns(grant: Grant) -> list[Drawdown]:
    return list(
        Drawdown.objects.filter(grant=grant)
        .select_related("requested_by", "certified_by", "ordered_by", "booked_by")
        .order_by("-requested_at", "-pk")
    )


@dataclass
class InstalmentRow:
    budget_year: int
    instalment: Decimal
    in_progress: Decimal = ZERO  # requested, certified or ordered, not yet paid
    paid: Decimal = ZERO

    @property
    def headroom(self) -> Decimal:
        return self.instalment - self.in_progress - self.paid


def instalment_rows(grant: Grant, drawdowns: list[Drawdown]) -> list[InstalmentRow]:
    """Per budget year: instalment, requested and paid, and what can still be requested.

    The same rule as ``drawdown_headroom``: every open request counts against the year.
    """
    rows = {i.budget_year: InstalmentRow(i.budget_year, i.amount) for i in grant.instalments.all()}
    for drawdown in drawdowns:
        row = rows.get(drawdown.budget_year)
        if row is None:
            continue
        if drawdown.state == DrawdownState.PAID:
            row.paid += drawdown.amount
        elif drawdown.state in (DrawdownState.REQUESTED, DrawdownState.CERTIFIED, DrawdownState.ORDERED):
            row.in_progress += drawdown.amount
    return [rows[year] for year in sorted(rows)]


def instalment_totals(rows: list[InstalmentRow]) -> InstalmentRow:
    """The total line of the instalment table (``budget_year`` 0); its headroom is the sum's."""
    return InstalmentRow(
        0,
        sum((r.instalment for r in rows), ZERO),
        in_progress=sum((r.in_progress for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
    )


def plan_sides(version: PlanVersion) -> dict[str, Any]:
    expenditure = [line for line in version.lines.all() if line.side == PlanVersionLine.Side.EXPENDITURE]
    cover = [line for line in version.lines.all() if line.side == PlanVersionLine.Side.COVER]
    return {
        "version": version,
        "expenditure": expenditure,
        "cover": cover,
        "expenditure_total": sum((line.amount for line in expenditure), ZERO),
        "cover_total": sum((line.amount for line in cover), ZERO),
    }


# --- the timeline ---------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    entry: StateLog
    subject: str
    source: str
    target: str
    url: str = ""
    kind: str = field(default="")


def _label_drawdown(d: Drawdown) -> str:
    return _("Drawdown of %(amount)s") % {"amount": format_eur(d.amount)}


def _label_proof(p: ProofOfUse) -> str:
    return f"{p.get_kind_display()} {p.budget_year}" if p.budget_year else str(p.get_kind_display())


def _label_reclaim(r: Reclaim) -> str:
    return f"{r.get_kind_display()} ({format_eur(r.principal)})"


def _label_amendment(a: Amendment) -> str:
    return _("Amendment %(number)s") % {"number": a.number}


def grant_timeline(
    grant: Grant,
    *,
    drawdowns: list[Drawdown],
    proofs: list[ProofOfUse],
    reclaims: list[Reclaim],
    amendments: list[Amendment],
) -> list[TimelineEntry]:
    """One merged history of the application, the grant and everything hanging off it.

    One query: the state logs of all these objects, matched against the lists the page
    has already loaded (so labels cost nothing).
    """
    groups: list[tuple[type[models.Model], list[Any], Any, str]] = [
        (Application, [grant.application], lambda a: _("Application"), "application"),
        (Grant, [grant], lambda g: _("Grant"), "grant"),
        (Drawdown, drawdowns, _label_drawdown, "drawdown"),
        (ProofOfUse, proofs, _label_proof, "proof"),
        (Reclaim, reclaims, _label_reclaim, "reclaim"),
        (Amendment, amendments, _label_amendment, "amendment"),
    ]
    types = ContentType.objects.get_for_models(*(model for model, *_rest in groups))
    query = Q(pk__in=[])
    lookup: dict[tuple[int, int], tuple[Any, Any, str, dict[str, str]]] = {}
    for model, objects, label, kind in groups:
        if not objects:
            continue
        ct = types[model]
        query |= Q(content_type_id=ct.pk, object_id__in=[o.pk for o in objects])
        choices = {str(k): str(v) for k, v in getattr(model._meta.get_field("state"), "flatchoices", [])}
        for obj in objects:
            lookup[(ct.pk, obj.pk)] = (obj, label, kind, choices)
    entries = []
    for log in StateLog.objects.filter(query).select_related("by").order_by("timestamp", "pk"):
        obj, label, kind, choices = lookup[(log.content_type_id, log.object_id)]
        entries.append(
            TimelineEntry(
                entry=log,
                subject=label(obj),
                source=choices.get(log.source_state or "", log.source_state or "–"),
                target=choices.get(log.state, log.state),
                kind=kind,
            )
        )
    return entries
