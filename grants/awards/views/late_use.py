"""Interest for late use (§ 49a (4) VwVfG): the figures piece by piece, then the claim.

Money paid out and used after the end of its drawdown window bears interest. The page shows
the window's last day, how many days the money was used late and every interest piece before
the case officer claims it; both come from ``late_use_interest``, which the claim
(``late_use_interest_claim``) reads too before it writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms import LateUseClaimForm
from grants.awards.models import ReclaimKind
from grants.awards.models.reclaim import CLAIM_LATE_USE_INTEREST
from grants.awards.payments.models import Drawdown
from grants.awards.services.reclaim import late_use_interest_claim
from grants.awards.services.reclaim.late_use import late_use_interest
from grants.awards.views.common import require_rule, visible_grant


@login_required
def late_use_claim(request: AuthenticatedRequest, pk: int, drawdown_pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    drawdown = get_object_or_404(Drawdown.objects.filter(grant=grant), pk=drawdown_pk)
    drawdown.grant = grant
    require_rule(request.user, CLAIM_LATE_USE_INTEREST, grant)
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
    due = late_use_interest(drawdown)
    context = {
        "grant": grant,
        "drawdown": drawdown,
        "due": due,
        "form": None if due.problems else form,
        "late_use_kind": ReclaimKind.LATE_USE,
        # Who recorded the day of use the interest rests on, and when (the latest recording).
        "use_record": drawdown.use_records.select_related("recorded_by").order_by("recorded_at", "pk").last(),
    }
    return render(request, "grants/grant_late_use.html", context)
