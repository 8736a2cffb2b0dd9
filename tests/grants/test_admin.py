"""The Django admin: every page renders, nothing bypasses the services, refusals are reported."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from budgets.models import BudgetEnvelope, LedgerEntry, PayingAccount
from grants.applications.models import Application, Attachment, Instalment
from grants.applications.services.application import application_propose_approval, default_instalments
from grants.applications.services.attachment import attachment_add
from grants.awards.models import Grant
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_request
from grants.records.models import LegalHold, RetentionLog
from tests.budgets.factories import envelope, membership
from tests.grants.factories import add_plan

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADMIN_APPS = {"accounts", "budgets", "grants"}


@pytest.fixture
def admin_client(client, workflow, settings):
    client.force_login(workflow.superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _this_year_application(workflow) -> Application:
    """A draft whose plan lies in the current year, so a drawdown can be requested today."""
    year = timezone.localdate().year
    application = workflow.draft(plan=False, start_date=date(year, 1, 1), end_date=date(year, 12, 31))
    add_plan(application, year=year)
    return application


@pytest.fixture
def every_model(workflow, django_capture_on_commit_callbacks):
    """At least one row of every model the admin shows, each made by its service."""
    today = timezone.localdate()
    if not BudgetEnvelope.objects.filter(programme=workflow.programme, budget_year=today.year).exists():
        envelope(office=workflow.state_office, programme=workflow.programme, budget_year=today.year)
    with django_capture_on_commit_callbacks(execute=True):
        approved = _this_year_application(workflow)
        for step in ("submit", "start_formal_check", "complete_formal_check"):
            approved = workflow.step(approved, step)
        approved = workflow.step(approved, "propose_approval", instalments=default_instalments(approved))
        approved = workflow.step(approved, "approve")
    grant = Grant.objects.get(application=approved)
    drawdown_request(
        grant=grant,
        by=workflow.carrier,
        amount=Decimal("1000"),
        needed_on=min(today + timedelta(days=7), grant.period_end),
        purpose="Honorare für den ersten Workshop",
        today=today,
    )
    draft = workflow.draft()
    attachment_add(
        application=draft,
        by=workflow.carrier,
        kind="concept",
        upload=SimpleUploadedFile("Konzept.pdf", PDF, content_type="application/pdf"),
    )
    # The office's paying account (DOMAIN.md §8), set up in the admin.
    PayingAccount.objects.create(
        office=workflow.state_office, funding_source="", name="Staatskasse", iban="DE02100500000054540402"
    )
    # Records management: a hold an auditor placed and the log entry of the run that skipped it.
    LegalHold.objects.create(application=approved, reason="audit", note="Prüfung", placed_by=workflow.auditor)
    RetentionLog.objects.create(
        run_on=today,
        action="skipped",
        record_type="grant",
        rule="grant_file",
        due_on=today,
        application=approved,
        reference=grant.file_number,
        detail="Prüfung",
    )
    return {"approved": approved, "draft": draft}


def _admin_urls(model, model_admin, superuser) -> list[str]:
    info = (model._meta.app_label, model._meta.model_name)
    urls = [reverse("admin:{}_{}_changelist".format(*info))]
    obj = model.objects.first()
    assert obj is not None, f"no {model.__name__} row to open"
    urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    request = RequestFactory().get("/")
    request.user = superuser
    if model_admin.has_add_permission(request):
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    return urls


def test_every_admin_changelist_and_change_page_renders_for_a_superuser(admin_client, workflow, every_model):
    registered = {m: ma for m, ma in admin.site._registry.items() if m._meta.app_label in ADMIN_APPS}
    assert {Application, Attachment, Drawdown, BudgetEnvelope, LedgerEntry} <= set(registered)
    failures = []
    for model, model_admin in registered.items():
        for url in _admin_urls(model, model_admin, workflow.superuser):
            status = admin_client.get(url).status_code
            if status != 200:
                failures.append((url, status))
    assert failures == []


def test_application_admin_never_offers_the_state_as_a_form_field(admin_client, every_model):
    application = every_model["approved"]
    response = admin_client.get(reverse("admin:grants_application_change", args=[application.pk]))
    assert response.status_code == 200
    assert b'name="state"' not in response.content
    assert b"Approved" in response.content


def test_attachment_admin_links_to_the_permission_checked_view_not_to_storage(admin_client, every_model):
    attachment = Attachment.objects.get(application=every_model["draft"])
    download = reverse("attachment_download", args=[attachment.application_id, attachment.pk])
    for url in (
        reverse("admin:grants_application_change", args=[attachment.application_id]),
        reverse("admin:grants_attachment_change", args=[attachment.pk]),
        reverse("admin:grants_attachment_changelist"),
    ):
        content = admin_client.get(url).content.decode()
        assert download in content
        assert attachment.file.name not in content


def _run_action(client, action: str, *applications: Application):
    response = client.post(
        reverse("admin:grants_application_changelist"),
        {"action": action, "_selected_action": [a.pk for a in applications]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_admin_action_moves_the_application_through_the_service(admin_client, workflow):
    membership(workflow.superuser, workflow.office, "case_officer")
    application = workflow.bring_to("submitted")

    messages = _run_action(admin_client, "start_formal_check", application)

    application.refresh_from_db()
    assert application.state == "formal_check"
    log = StateLog.objects.for_(application).latest("timestamp")
    assert (log.transition, log.by) == ("start_formal_check", workflow.superuser)
    assert messages == ["“Start formal check” done for 1 application."]


def test_admin_proposal_uses_the_requested_annual_amounts(admin_client, workflow):
    membership(workflow.superuser, workflow.office, "case_officer")
    application = workflow.bring_to("content_review")

    _run_action(admin_client, "propose_approval", application)

    application.refresh_from_db()
    assert application.state == "approval_proposed"
    assert application.proposed_by == workflow.superuser
    assert list(Instalment.objects.filter(application=application).values_list("budget_year", "amount")) == [
        (2026, Decimal("9000.00"))
    ]


def test_admin_approval_by_the_proposer_is_refused_by_four_eyes_and_changes_nothing(admin_client, workflow):
    membership(workflow.superuser, workflow.office, "case_officer")
    membership(workflow.superuser, workflow.state_office, "approver")
    application = workflow.bring_to("content_review")
    application = application_propose_approval(
        application=application, by=workflow.superuser, instalments=default_instalments(application)
    )
    logs_before = StateLog.objects.for_(application).count()

    messages = _run_action(admin_client, "approve", application)

    application.refresh_from_db()
    assert application.state == "approval_proposed"
    assert StateLog.objects.for_(application).count() == logs_before
    assert not Grant.objects.filter(application=application).exists()
    assert messages == [
        f"{application.reference}: Four-eyes principle: the decision must be taken by someone other than "
        "the person who proposed it or reviewed its content."
    ]


def test_admin_action_without_the_role_is_refused_and_changes_nothing(admin_client, workflow):
    application = workflow.bring_to("submitted")  # the superuser holds no office role

    messages = _run_action(admin_client, "start_formal_check", application)

    application.refresh_from_db()
    assert application.state == "submitted"
    assert messages == [
        f"{application.reference}: Only a case officer of the responsible office can take this step."
    ]


def test_admin_action_reports_each_refusal_and_counts_the_successes(admin_client, workflow):
    membership(workflow.superuser, workflow.office, "case_officer")
    submitted = [workflow.bring_to("submitted") for _ in range(2)]
    draft = workflow.draft()

    messages = _run_action(admin_client, "start_formal_check", *submitted, draft)

    assert [a.state for a in Application.objects.filter(pk__in=[a.pk for a in submitted])] == [
        "formal_check"
    ] * 2
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert messages == [
        f"{draft.reference}: This step is not possible while the application is in state “Draft”.",
        "“Start formal check” done for 2 applications.",
    ]


def test_admin_cannot_add_change_or_delete_applications(admin_client, every_model):
    application = every_model["approved"]
    assert admin_client.get(reverse("admin:grants_application_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:grants_application_change", args=[application.pk]), {"title": "Umbenannt"}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(reverse("admin:grants_application_delete", args=[application.pk])).status_code
        == 403
    )
    application.refresh_from_db()
    assert application.title != "Umbenannt"
