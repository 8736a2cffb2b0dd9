"""The deadline calendar page (issue 11 §2): one month of deadlines grouped by week and day,
for officials (their office subtrees, narrowed to one office) and carriers (their
organisations' cases), and the person's secret feed address (issue, renew, revoke).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from babel.dates import format_date as babel_format_date
from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.dates import format_date
from grants.awards.calendar import (
    PAGE_LIMIT,
    STAFF_ONLY,
    CalendarKind,
    calendar_between,
    offices_for,
    scope_for,
)
from grants.awards.services.calendar_feed import feed_token_active, feed_token_issue, feed_token_revoke


class CalendarFilterForm(forms.Form):
    month = forms.RegexField(
        label=gettext_lazy("Month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2025-12.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    office = forms.TypedChoiceField(
        label=gettext_lazy("Office"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("Office %(value)s is not one of your offices.")},
    )

    def __init__(self, *args: object, staff: bool, offices: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        kinds = [(k.value, k.label) for k in CalendarKind if staff or k not in STAFF_ONLY]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("All kinds")), *kinds]
        self.offices = {o.pk: o for o in offices}
        if offices:
            cast(forms.ChoiceField, self.fields["office"]).choices = [
                ("", _("All my offices")),
                *((o.pk, o.name) for o in offices),
            ]
        else:
            del self.fields["office"]

    def clean_month(self) -> date | None:
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = (int(part) for part in value.split("-"))
        if not 1 <= month <= 12 or not 1900 <= year <= 2999:
            raise forms.ValidationError(
                _("“%(value)s” is not a month; give it as YYYY-MM, e.g. 2025-12.") % {"value": value}
            )
        return date(year, month, 1)


def _month_label(first: date) -> str:
    """``Dezember 2025`` (``December 2025`` in English)."""
    locale = "en" if (translation.get_language() or "de").startswith("en") else "de"
    return babel_format_date(first, "LLLL yyyy", locale=locale)


@login_required
def deadline_calendar(request: HttpRequest) -> HttpResponse:
    offices = offices_for(request.user)
    scope = scope_for(request.user)
    form = CalendarFilterForm(request.GET or None, staff=scope.staff, offices=offices)
    today = timezone.localdate()
    first = today.replace(day=1)
    kinds = None
    office = None
    if form.is_bound:
        form.is_valid()  # a refused field is shown with its message; the valid ones still apply
        first = form.cleaned_data.get("month") or first
        kinds = [form.cleaned_data["kind"]] if form.cleaned_data.get("kind") else None
        office = form.offices.get(form.cleaned_data.get("office") or 0)
    last = first + relativedelta(months=1) - timedelta(days=1)
    if office is not None:
        scope = scope_for(request.user, office=office)
    calendar = calendar_between(scope, start=first, end=last, kinds=kinds)

    def month_link(month: date) -> str:
        query = request.GET.copy()
        query["month"] = f"{month:%Y-%m}"
        return f"{reverse('deadline_calendar')}?{query.urlencode()}"

    token = feed_token_active(user=request.user)
    return render(
        request,
        "grants/deadline_calendar.html",
        {
            "form": form,
            "calendar": calendar,
            "calendar_limit": PAGE_LIMIT,
            "month_label": _month_label(first),
            "previous_link": month_link(first - relativedelta(months=1)),
            "next_link": month_link(first + relativedelta(months=1)),
            "previous_label": _month_label(first - relativedelta(months=1)),
            "next_label": _month_label(first + relativedelta(months=1)),
            "today": today,
            "today_label": format_date(today),
            "token": token,
            "feed_url": request.build_absolute_uri(reverse("calendar_feed", args=[token.token]))
            if token
            else "",
        },
    )


@login_required
@require_POST
def calendar_feed_token(request: HttpRequest) -> HttpResponse:
    """Issue (or renew) or revoke the person's secret feed address."""
    action = request.POST.get("action")
    if action == "revoke":
        if feed_token_revoke(user=request.user):
            messages.success(request, _("The calendar address was revoked; it no longer shows anything."))
        else:
            messages.info(request, _("You have no calendar address to revoke."))
    elif action == "issue":
        renewed = feed_token_active(user=request.user) is not None
        feed_token_issue(user=request.user)
        messages.success(
            request,
            _("A new calendar address was created; the old one no longer works.")
            if renewed
            else _("Your calendar address was created."),
        )
    else:
        messages.error(request, _("Unknown action “%(action)s”.") % {"action": action or ""})
    return redirect("deadline_calendar")
