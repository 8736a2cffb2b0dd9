"""The page "API-Zugänge": a person's API tokens, created (shown once) and revoked here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenCreateForm
from api.models import ApiToken
from api.tokens import token_create, token_revoke
from core.errors import AccessDenied, DomainError
from grants.applications.views.common import AuthenticatedRequest


def _render(
    request: AuthenticatedRequest, form: TokenCreateForm, secret: str = "", created: ApiToken | None = None
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
    # The token is on this page once: ``never_cache`` keeps every cache from storing it.
    return render(
        request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret, "created": created}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, auto_id="id_token_%s")
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The API token “%(name)s” was created.") % {"name": token.name})
            return _render(request, TokenCreateForm(auto_id="id_token_%s"), secret=secret, created=token)
    return _render(request, form)


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    try:
        token_revoke(token=token, by=request.user)
    except AccessDenied as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    messages.success(
        request, _("The API token “%(name)s” was revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("api_tokens")
