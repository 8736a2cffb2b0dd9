"""Interest for late use (§ 49a (4) VwVfG): the figures piece by piece, then the claim.

Money paid out and used after the end of its drawdown window bears interest. The page shows
the window's last day, how many days the money was used late and every interest piece before
the case officer claims it; the claim itself is ``late_use_interest_claim``.
"""

from __future__ import annotations

import decimal
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from core.errors import DomainError
from core.formatting import format_date
from grants import calculations
from grants.applications.views.common import show_domain_error
from grants.awards.forms import LateUseClaimForm
from grants.awards.models import Grant, ReclaimKind
from grants.awards.payments.models import Drawdown
from grants.awards.services.reclaim import drawdown_window_end, late_use_interest_claim
from grants.awards.services.reclaim.interest import base_rates, missing_half_year, missing_rate_message
from grants.awards.views.common import require_staff, visible_grant

DECIDERS = (StaffRole.CASE_OFFICER, StaffRole.APPROVER)
CENT = Decimal("0.01")


def late_use_preview(grant: Grant, drawdown: Drawdown) -> dict[str, Any]:
    """Window end, days late and the interest pieces; ``problems`` say why nothing can be claimed."""
    claim = drawdown.late_use_claims.order_by("pk").first()
    preview: dict[str, Any] = {
        "claim": claim,
        "problems": [],
        "pieces": [],
        "rate_error": "",
        "window_end": None,
        "used_on": None,
        "days_late": None,
        "interest_from": None,
        "interest": None,
    }
    if drawdown.state != "paid" or drawdown.paid_on is None:
        preview["problems"].append(_("Interest for late use can only be claimed on paid money."))
        return preview
    window_last_day = drawdown_window_end(drawdown)
    used_on = drawdown.used_on
    preview |= {"window_end": window_last_day, "used_on": used_on}
    if claim is not None:
        preview["problems"].append(_("Interest for late use has already been claimed on this drawdown."))
    if used_on is None:
        preview["problems"].append(
            _("The day the money was used has not been recorded yet (by the recipient or a case officer).")
        )
        return preview
    if used_on <= window_last_day:
        preview["problems"].append(
            _(
                "The money was used on %(used)s, within the drawdown window that ended on %(end)s; no interest is due."
            )
            % {"used": format_date(used_on), "end": format_date(window_last_day)}
        )
        return preview
    start = (
        window_last_day + timedelta(days=1) if grant.late_use_interest_from_window_end else drawdown.paid_on
    )
    preview |= {"days_late": (used_on - window_last_day).days, "interest_from": start}
    rates = base_rates()
    missing = missing_half_year(start, used_on, rates)
    if missing is not None:
        preview["rate_error"] = missing_rate_message(missing)
        return preview
    pieces = calculations.late_use_interest_pieces(
        drawdown.amount,
        paid_on=drawdown.paid_on,
        used_on=used_on,
        window_end=window_last_day,
        base_rates=rates,
        margin_points=grant.interest_margin_points,
        from_window_end=grant.late_use_interest_from_window_end,
    )
    with decimal.localcontext(prec=50):
        total = sum((p.amount for p in pieces), Decimal(0))
    preview |= {
        "pieces": [
            {
                "start": p.start,
                "last_day": p.end - timedelta(days=1),
                "days": p.days,
                "rate": p.rate_percent,
                "amount": p.amount.quantize(Decimal("0.0001")),
            }
            for p in pieces
        ],
        "interest": total.quantize(CENT, rounding=ROUND_HALF_UP),
    }
    return preview


@login_required
def late_use_claim(request: HttpRequest, pk: int, drawdown_pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    drawdown = get_object_or_404(Drawdown.objects.filter(grant=grant), pk=drawdown_pk)
    drawdown.grant = grant
    require_staff(request.user, grant, DECIDERS)
    form = LateUseClaimForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": timezone.localdate()},
        auto_id="id_late_%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            reclaim = late_use_interest_claim(drawdown=drawdown, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("The interest for late use was claimed."))
            return redirect("reclaim_detail", pk=grant.pk, reclaim_pk=reclaim.pk)
    preview = late_use_preview(grant, drawdown)
    context = {
        "grant": grant,
        "drawdown": drawdown,
        "form": None if preview["problems"] else form,
        "late_use_kind": ReclaimKind.LATE_USE,
        **preview,
    }
    return render(request, "grants/grant_late_use.html", context)
