"""The inbox pages: the start page of every signed-in person, assignment and the bulk steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from grants.inbox.forms import AssignForm, InboxFilterForm
from grants.inbox.selectors import inbox, kind_choices, task_object
from grants.inbox.services import assignment_candidates, drawdowns_bulk, task_assign


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = InboxFilterForm(request.GET or None, kinds=kind_choices(request.user))
    filters = form.filters()
    sections = inbox(request.user, today=today, **filters)
    return render(
        request,
        "grants/inbox/inbox.html",
        {
            "form": form,
            "sections": sections,
            "filtering": bool(request.GET),
            "query": request.GET.urlencode(),
            "today": today,
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(reverse("inbox") + (f"?{query}" if query else ""))


@login_required
@require_POST
def inbox_bulk(request: HttpRequest, step: str) -> HttpResponse:
    ids = [v for v in request.POST.getlist("drawdown") if v.isdigit()]
    try:
        done = drawdowns_bulk(step=step, drawdown_ids=ids, by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request)
    if step == "certify":
        text = ngettext(
            "%(count)d drawdown was certified as factually and arithmetically correct.",
            "%(count)d drawdowns were certified as factually and arithmetically correct.",
            len(done),
        )
    else:
        text = ngettext("%(count)d payment was ordered.", "%(count)d payments were ordered.", len(done))
    messages.success(request, text % {"count": len(done)})
    return _back(request)


@login_required
def inbox_assign(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    today = timezone.localdate()
    found = task_object(kind, pk, request.user, today=today)
    if found is None:
        raise Http404(_("This task is not in your inbox."))
    task_kind, obj = found
    candidates = assignment_candidates(task_kind, obj)
    form = AssignForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        assignee: User | None = form.cleaned_data["assignee"]
        try:
            task_assign(kind=kind, object_id=pk, assignee=assignee, by=request.user, today=today)  # type: ignore[arg-type]
        except DomainError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if assignee is None:
                messages.success(request, _("The assignment was taken back."))
            else:
                messages.success(
                    request,
                    _("The task was assigned to %(person)s.")
                    % {"person": assignee.get_full_name() or assignee.username},
                )
            return redirect("inbox")
    reference, title, url = task_kind.describe(obj)
    return render(
        request,
        "grants/inbox/assign.html",
        {"form": form, "kind": task_kind, "reference": reference, "title": title, "url": url},
    )
