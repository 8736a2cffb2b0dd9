"""The carrier's editor: application fields and financing plan in one form, with a live check.

Adding and removing plan rows is done by the server (the whole form is posted, the rows are
renumbered and rendered again), so it works without JavaScript; htmx only swaps the result
in place. The live check posts the same form to ``plan_preview`` while the user types.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from core.errors import DomainError
from grants.applications.forms import (
    APPLICATION_FIELDS,
    COVER_PREFIX,
    EXPENDITURE_PREFIX,
    ApplicationForm,
    CoverFormSet,
    CoverLineForm,
    ExpenditureFormSet,
    ExpenditureLineForm,
)
from grants.applications.models import Application, CoverLine, ExpenditureLine
from grants.applications.selectors import applications_visible_to
from grants.applications.services.application import application_update, financing_plan_replace
from grants.applications.validation import check_application, plan_totals
from grants.applications.views.common import (
    AuthenticatedRequest,
    editable_application,
    rule_check_day,
    show_domain_error,
)

MAX_ROWS = 300
ROW_FORMS = {EXPENDITURE_PREFIX: ExpenditureLineForm, COVER_PREFIX: CoverLineForm}


def _with_plan(request: HttpRequest) -> Any:
    return applications_visible_to(request.user).prefetch_related("expenditure_lines", "cover_lines")


def _default_year(application: Application) -> int:
    return application.start_date.year if application.start_date else timezone.localdate().year


def _initial_forms(application: Application) -> tuple[ApplicationForm, Any, Any]:
    year = _default_year(application)
    form = ApplicationForm(
        initial={name: getattr(application, name) for name in APPLICATION_FIELDS}, fund=application.fund
    )
    expenditure = ExpenditureFormSet(
        prefix=EXPENDITURE_PREFIX,
        initial=[
            {
                "category": x.category,
                "description": x.description,
                "budget_year": x.budget_year,
                "amount": x.amount,
            }
            for x in application.expenditure_lines.all()
        ],
        form_kwargs={"default_year": year},
    )
    cover = CoverFormSet(
        prefix=COVER_PREFIX,
        initial=[
            {"kind": c.kind, "source": c.source, "budget_year": c.budget_year, "amount": c.amount}
            for c in application.cover_lines.all()
        ],
        form_kwargs={"default_year": year},
    )
    for formset in (expenditure, cover):
        formset.extra = 0 if formset.initial else 1
    return form, expenditure, cover


def _bound_forms(application: Application, data: QueryDict) -> tuple[ApplicationForm, Any, Any]:
    year = _default_year(application)
    return (
        ApplicationForm(data, fund=application.fund),
        ExpenditureFormSet(data, prefix=EXPENDITURE_PREFIX, form_kwargs={"default_year": year}),
        CoverFormSet(data, prefix=COVER_PREFIX, form_kwargs={"default_year": year}),
    )


def _row_action(data: QueryDict, default_year: int) -> QueryDict | None:
    """Apply an "add row" / "remove row" button to a copy of the posted data, or None."""
    add, remove = data.get("add_line", ""), data.get("remove_line", "")
    if add in ROW_FORMS:
        changed = data.copy()
        total = _total(data, add)
        if total < MAX_ROWS:
            changed[f"{add}-TOTAL_FORMS"] = str(total + 1)
            changed[f"{add}-{total}-budget_year"] = str(default_year)
        return changed
    prefix, _sep, index = remove.rpartition("-")
    if prefix in ROW_FORMS and index.isdigit():
        changed = data.copy()
        total, removed = _total(data, prefix), int(index)
        if removed < total:
            for row in range(removed, total - 1):
                for field in ROW_FORMS[prefix].base_fields:
                    changed[f"{prefix}-{row}-{field}"] = data.get(f"{prefix}-{row + 1}-{field}", "")
            for field in ROW_FORMS[prefix].base_fields:
                changed.pop(f"{prefix}-{total - 1}-{field}", None)
            changed[f"{prefix}-TOTAL_FORMS"] = str(total - 1)
            changed[f"{prefix}-INITIAL_FORMS"] = "0"
        return changed
    return None


def _focus_new_row(added: str, expenditure: Any, cover: Any) -> None:
    formset = {EXPENDITURE_PREFIX: expenditure, COVER_PREFIX: cover}.get(added)
    if formset is not None and formset.forms:
        first = next(iter(formset.forms[-1].fields.values()))
        first.widget.attrs["autofocus"] = True


def _total(data: QueryDict, prefix: str) -> int:
    value = data.get(f"{prefix}-TOTAL_FORMS", "0")
    return min(int(value), MAX_ROWS) if value.isdigit() else 0


def preview_context(application: Application, data: QueryDict | None) -> dict[str, Any]:
    """Totals and rule check of the plan as typed (``data``) or as saved (``None``)."""
    if data is None:
        candidate = application
        expenditure: list[Any] = list(application.expenditure_lines.all())
        cover: list[Any] = list(application.cover_lines.all())
        input_errors: list[str] = []
    else:
        form, expenditure_set, cover_set = _bound_forms(application, data)
        form.is_valid()
        candidate = copy.copy(application)  # never saved: only read by the rule check
        for name in APPLICATION_FIELDS:
            if name in form.cleaned_data:
                setattr(candidate, name, form.cleaned_data[name])
        input_errors = []
        expenditure = _typed_lines(
            expenditure_set, ExpenditureLine, _("Expenditure line %(n)s"), input_errors
        )
        cover = _typed_lines(cover_set, CoverLine, _("Cover line %(n)s"), input_errors)
    return {
        "totals": plan_totals(expenditure, cover),
        "rule_errors": check_application(
            candidate, expenditure=expenditure, cover=cover, today=rule_check_day(application)
        ),
        "input_errors": input_errors,
    }


def _typed_lines(formset: Any, model: type, row_label: str, errors: list[str]) -> list[Any]:
    lines = []
    for number, form in enumerate(formset.forms, start=1):
        if not form.has_changed():
            continue
        if form.is_valid():
            lines.append(model(**form.cleaned_data))
            continue
        for name, field_errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in field_errors:
                errors.append(f"{row_label % {'n': number}}, {label}: {error}")
    return lines


def _save(
    request: AuthenticatedRequest,
    application: Application,
    form: ApplicationForm,
    expenditure: Any,
    cover: Any,
) -> bool:
    try:
        # Fields and plan are one edit for the user: both are saved or neither.
        with transaction.atomic():
            application_update(application=application, by=request.user, **form.service_fields())
            financing_plan_replace(
                application=application, by=request.user, expenditure=expenditure.lines(), cover=cover.lines()
            )
    except DomainError as error:
        show_domain_error(request, error)
        return False
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return False
    return True


class HtmxHttpRequest(AuthenticatedRequest):
    htmx: HtmxDetails


@login_required
def application_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    application = editable_application(request, pk, _with_plan(request))
    hide_errors = False
    changed = None
    if request.method != "POST":
        form, expenditure, cover = _initial_forms(application)
        preview = preview_context(application, None)
    else:
        changed = _row_action(request.POST, _default_year(application))
        data = changed if changed is not None else request.POST
        form, expenditure, cover = _bound_forms(application, data)
        if changed is None:
            valid = all([form.is_valid(), expenditure.is_valid(), cover.is_valid()])
            if valid and _save(request, application, form, expenditure, cover):
                messages.success(request, _("The application was saved."))
                return redirect("application_detail", pk=application.pk)
            if not valid:
                messages.error(request, _("Please correct the marked entries."))
        else:
            hide_errors = True  # a half-filled row is not an error while the user is still typing
            _focus_new_row(request.POST.get("add_line", ""), expenditure, cover)
        preview = preview_context(application, data)
    context = {
        "application": application,
        "form": form,
        "expenditure": expenditure,
        "cover": cover,
        "hide_errors": hide_errors,
        **preview,
    }
    if request.htmx and changed is not None:
        return render(request, "grants/partials/plan_editor_swap.html", context)
    return render(request, "grants/application_edit.html", context)


@login_required
@require_POST
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    application = editable_application(request, pk, _with_plan(request))
    return render(
        request, "grants/partials/plan_preview_response.html", preview_context(application, request.POST)
    )
