"""Revocation of a grant (Widerruf, §§ 49, 49a VwVfG) by an approver, with a confirmation step.

The first submission only checks the entries and shows what the revocation will do (what is
reclaimed, which commitments are released, from when interest runs); the second, confirmed
one calls ``grant_revoke``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.selectors import reference_figures
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.views.common import show_domain_error
from grants.awards.forms import RevocationForm
from grants.awards.models import Grant
from grants.awards.selectors import grant_detail_queryset
from grants.awards.services.reclaim import grant_revoke
from grants.awards.services.reclaim._common import reclaimable_by_year
from grants.awards.services.reclaim.revocation import REVOCABLE_STATES
from grants.awards.views.common import APPROVER, require_staff, visible_grant

ZERO = Decimal("0.00")
ENDED_STATES = ("revoked", "closed")


@dataclass
class Consequences:
    whole: bool
    reclaim: Decimal
    reclaimable: Decimal
    interest_from: date | None
    released: dict[int, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def released_total(self) -> Decimal:
        return sum(self.released.values(), ZERO)


def consequences(grant: Grant, kwargs: dict[str, Any]) -> Consequences:
    """What ``grant_revoke`` would do with these entries (it checks everything again)."""
    whole = kwargs["amount"] is None
    reclaimable = sum(reclaimable_by_year(grant).values(), ZERO)
    last_paid = (
        grant.drawdowns.filter(state="paid", paid_on__isnull=False)
        .order_by("-paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
    result = Consequences(
        whole=whole,
        reclaim=reclaimable if whole else kwargs["amount"],
        reclaimable=reclaimable,
        interest_from=kwargs.get("interest_from") or last_paid,
    )
    if whole:
        if grant.state not in REVOCABLE_STATES:
            result.problems.append(
                _("A grant in state “%(state)s” cannot be revoked as a whole.")
                % {"state": grant.get_state_display()}
            )
        for (_envelope, year), figures in reference_figures(grant.file_number).items():
            if figures.open > 0:
                result.released[year] = result.released.get(year, ZERO) + figures.open
        result.released = dict(sorted(result.released.items()))
        pending = grant.drawdowns.filter(state__in=("requested", "certified", "ordered")).count()
        if pending:
            # The revocation does not stop them: decide them first, so nothing is paid afterwards.
            result.warnings.append(
                _(
                    "%(count)s drawdown(s) of this grant are requested, certified or ordered. The revocation does not stop them: reject them first, or they would still be paid."
                )
                % {"count": pending}
            )
    elif result.reclaim > reclaimable:
        result.problems.append(
            _(
                "%(amount)s cannot be reclaimed: only %(reclaimable)s were paid on this grant and not yet reclaimed."
            )
            % {"amount": format_eur(result.reclaim), "reclaimable": format_eur(reclaimable)}
        )
    if result.reclaim > 0 and result.interest_from is None:
        result.problems.append(_("Nothing has been paid on this grant, so interest has no start date."))
    return result


@login_required
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_staff(request.user, grant, APPROVER)
    if request.method != "POST":
        form = RevocationForm(
            initial={"scope": RevocationForm.WHOLE, "revoked_on": timezone.localdate()},
            auto_id="id_revoke_%s",
        )
        return _render(request, grant, form)
    form = RevocationForm(request.POST, auto_id="id_revoke_%s")
    if not form.is_valid() or "edit" in request.POST:
        return _render(request, grant, form)
    kwargs = form.service_kwargs()
    if request.POST.get("confirmed") != "1":
        return _render(request, grant, form, preview=consequences(grant, kwargs))
    try:
        reclaim = grant_revoke(grant=grant, by=request.user, **kwargs)
    except DomainError as error:
        show_domain_error(request, error)
        return _render(request, grant, form)
    if kwargs["amount"] is None:
        messages.success(request, _("The grant was revoked."))
    else:
        messages.success(
            request,
            _("The grant was revoked in part (%(amount)s).") % {"amount": format_eur(kwargs["amount"])},
        )
    if reclaim is not None:
        return redirect("reclaim_detail", pk=grant.pk, reclaim_pk=reclaim.pk)
    return redirect("grant_detail", pk=grant.pk)


def _render(
    request: HttpRequest, grant: Grant, form: RevocationForm, preview: Consequences | None = None
) -> HttpResponse:
    return render(
        request,
        "grants/grant_revocation.html",
        {"grant": grant, "form": form, "preview": preview, "ended": grant.state in ENDED_STATES},
    )
