"""Revocation of a grant (Widerruf, §§ 49, 49a VwVfG) by an approver, with a confirmation step.

The first submission only checks the entries and shows what the revocation will do
(:func:`revocation_consequences`: what is reclaimed, which requests fall, which ordered payment
blocks it, which commitments are released, from when interest runs); the second, confirmed one
calls ``grant_revoke``, which reads the same consequences on the locked grant before it writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms import RevocationForm
from grants.awards.models import Grant
from grants.awards.models.grant import REVOKE_GRANT
from grants.awards.selectors import grant_detail_queryset
from grants.awards.services.reclaim import grant_revoke
from grants.awards.services.reclaim.revocation import RevocationConsequences, revocation_consequences
from grants.awards.views.common import require_rule, visible_grant


@login_required
def grant_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_rule(request.user, REVOKE_GRANT, grant)
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
        preview = revocation_consequences(
            grant, amount=kwargs["amount"], reasons=kwargs["reasons"], interest_from=kwargs["interest_from"]
        )
        return _render(request, grant, form, preview=preview)
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
    request: AuthenticatedRequest,
    grant: Grant,
    form: RevocationForm,
    preview: RevocationConsequences | None = None,
) -> HttpResponse:
    return render(request, "grants/grant_revocation.html", {"grant": grant, "form": form, "preview": preview})
