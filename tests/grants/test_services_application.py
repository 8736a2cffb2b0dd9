"""The application services: carrier-side writes, proposals with instalments, history, atomicity."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from django_fsm_log.models import StateLog

from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, ApplicationState, CoverLine, ExpenditureLine, Instalment
from grants.applications.services.application import (
    application_create,
    application_propose_approval,
    application_update,
    financing_plan_replace,
)

S = ApplicationState
NOT_A_CARRIER = "Only members of the applying organisation may change this application."
D = Decimal


def _not_editable(label: str) -> str:
    return (
        "The application can only be changed as a draft or after a revision request "
        f"(current state: “{label}”)."
    )


def _history(application):
    return StateLog.objects.for_(application).count()


# --- create ----------------------------------------------------------------------------------


def test_carrier_creates_a_draft_with_a_reference_of_the_form_A_year_number(workflow):
    application = application_create(
        organisation=workflow.organisation,
        programme=workflow.programme,
        office=workflow.office,
        by=workflow.carrier,
        title="Demokratiewerkstatt",
        region="Leipzig",
    )
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert application.created_by == workflow.carrier
    assert (application.title, application.region) == ("Demokratiewerkstatt", "Leipzig")
    assert re.fullmatch(r"A-\d{4}-\d{5}", application.reference)
    assert application.reference == f"A-{application.created_at.year}-{application.pk:05d}"


def test_reference_year_is_the_local_year_at_new_year(workflow, monkeypatch):
    new_year_in_berlin = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 Jan 2026 local
    # The field's default is ``timezone.now`` itself, bound at import; Django caches it here.
    monkeypatch.setattr(Application._meta.get_field("created_at"), "_get_default", lambda: new_year_in_berlin)
    application = application_create(
        organisation=workflow.organisation,
        programme=workflow.programme,
        office=workflow.office,
        by=workflow.carrier,
        title="Neujahrsprojekt",
    )
    assert application.reference == f"A-2026-{application.pk:05d}"


@pytest.mark.parametrize("role", ["other_carrier", "officer", "approver", "superuser", "anonymous"])
def test_application_create_refuses_anyone_but_a_member_of_the_organisation(workflow, role):
    with translation.override("en"), pytest.raises(AccessDenied) as refused:
        application_create(
            organisation=workflow.organisation,
            programme=workflow.programme,
            office=workflow.office,
            by=workflow.person(role),
            title="Fremder Antrag",
        )
    assert refused.value.messages == ["You can only apply on behalf of your own organisation."]
    assert Application.objects.count() == 0


def test_application_create_refuses_fields_that_are_not_editable(workflow):
    with pytest.raises(TypeError, match="state"):
        application_create(
            organisation=workflow.organisation,
            programme=workflow.programme,
            office=workflow.office,
            by=workflow.carrier,
            title="Trick",
            state="approved",
        )
    assert Application.objects.count() == 0


# --- update and plan -------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.REVISION_REQUESTED])
def test_carrier_may_change_the_application_in_an_editable_state(workflow, state):
    application = workflow.bring_to(state)
    application_update(
        application=application, by=workflow.carrier, title="Neuer Titel", end_date=date(2026, 11, 30)
    )
    application.refresh_from_db()
    assert (application.title, application.end_date) == ("Neuer Titel", date(2026, 11, 30))
    assert application.state == state


@pytest.mark.parametrize(
    "state", [S.SUBMITTED, S.FORMAL_CHECK, S.CONTENT_REVIEW, S.APPROVAL_PROPOSED, S.APPROVED, S.WITHDRAWN]
)
def test_application_cannot_be_changed_outside_draft_and_revision(workflow, state):
    application = workflow.bring_to(state)
    with translation.override("en"):
        with pytest.raises(DomainError) as update_refused:
            application_update(application=application, by=workflow.carrier, title="Neuer Titel")
        with pytest.raises(DomainError) as plan_refused:
            financing_plan_replace(application=application, by=workflow.carrier, expenditure=[], cover=[])
        label = str(S(state).label)
    assert update_refused.value.messages == plan_refused.value.messages == [_not_editable(label)]
    application.refresh_from_db()
    assert application.title == "Demokratiewerkstatt im Stadtteil"
    assert application.expenditure_lines.count() == 1
    assert application.cover_lines.count() == 2


@pytest.mark.parametrize(
    "role", ["other_carrier", "officer", "ancestor_officer", "approver", "superuser", "anonymous"]
)
def test_only_the_carrier_may_change_the_application_or_its_plan(workflow, role):
    application = workflow.draft()
    with translation.override("en"):
        with pytest.raises(AccessDenied) as update_refused:
            application_update(application=application, by=workflow.person(role), title="Übernommen")
        with pytest.raises(AccessDenied) as plan_refused:
            financing_plan_replace(
                application=application, by=workflow.person(role), expenditure=[], cover=[]
            )
    assert update_refused.value.messages == plan_refused.value.messages == [NOT_A_CARRIER]
    application.refresh_from_db()
    assert application.title == "Demokratiewerkstatt im Stadtteil"
    assert application.expenditure_lines.count() == 1


def test_financing_plan_replace_replaces_every_line_in_the_given_order(workflow):
    application = workflow.draft()
    financing_plan_replace(
        application=application,
        by=workflow.carrier,
        expenditure=[
            {"category": "fees", "description": "Workshops", "budget_year": 2026, "amount": D("6000.00")},
            {"category": "travel", "description": "Fahrten", "budget_year": 2026, "amount": D("500.50")},
        ],
        cover=[
            {"kind": "own", "source": "", "budget_year": 2026, "amount": D("500.50")},
            {"kind": "grant", "source": "", "budget_year": 2026, "amount": D("6000.00")},
        ],
    )
    assert list(
        ExpenditureLine.objects.filter(application=application).values_list("position", "category", "amount")
    ) == [
        (0, "fees", D("6000.00")),
        (1, "travel", D("500.50")),
    ]
    assert list(
        CoverLine.objects.filter(application=application).values_list("position", "kind", "amount")
    ) == [
        (0, "own", D("500.50")),
        (1, "grant", D("6000.00")),
    ]


def test_financing_plan_refuses_negative_amounts_and_keeps_the_old_plan(workflow):
    application = workflow.draft()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        financing_plan_replace(
            application=application,
            by=workflow.carrier,
            expenditure=[{"category": "fees", "description": "X", "budget_year": 2026, "amount": D("100")}],
            cover=[{"kind": "own", "source": "", "budget_year": 2026, "amount": D("-0.01")}],
        )
    assert refused.value.messages == ["Amounts in the financing plan must not be negative."]
    assert list(application.expenditure_lines.values_list("amount", flat=True)) == [D("10000.00")]
    assert sorted(application.cover_lines.values_list("amount", flat=True)) == [D("1000.00"), D("9000.00")]


# --- proposals and instalments ---------------------------------------------------------------


def test_proposal_stores_the_instalments_and_their_total(workflow):
    application = workflow.bring_to(S.CONTENT_REVIEW, workflow.draft(end_date=date(2027, 6, 30)))
    result = application_propose_approval(
        application=application, by=workflow.officer, instalments={2027: D("3000.00"), 2026: D("6000.00")}
    )
    assert result.state == S.APPROVAL_PROPOSED
    assert result.proposed_amount == D("9000.00")
    assert (result.proposed_by, result.content_reviewed_by) == (workflow.officer, workflow.officer)
    assert list(Instalment.objects.filter(application=application).values_list("budget_year", "amount")) == [
        (2026, D("6000.00")),
        (2027, D("3000.00")),
    ]


def test_proposal_leaves_out_zero_instalments(workflow):
    application = workflow.bring_to(S.CONTENT_REVIEW, workflow.draft(end_date=date(2027, 6, 30)))
    application_propose_approval(
        application=application, by=workflow.officer, instalments={2026: D("8000"), 2027: D("0")}
    )
    assert list(Instalment.objects.filter(application=application).values_list("budget_year", "amount")) == [
        (2026, D("8000.00"))
    ]


@pytest.mark.parametrize(
    ("instalments", "messages"),
    [
        (
            {2026: D("-1.00")},
            [
                "The instalment for 2026 must not be negative.",
                "The proposed grant must be greater than zero.",
            ],
        ),
        (
            {2026: D("5000.00"), 2027: D("1000.00")},
            ["The budget year 2027 lies outside the project period."],
        ),
        (
            {2025: D("1000.00"), 2026: D("5000.00")},
            ["The budget year 2025 lies outside the project period."],
        ),
        ({2026: D("0.00")}, ["The proposed grant must be greater than zero."]),
        ({}, ["The proposed grant must be greater than zero."]),
        ({2026: D("9000.01")}, ["The proposed grant of €9,000.01 exceeds the requested grant of €9,000.00."]),
    ],
    ids=["negative", "after-period", "before-period", "zero", "empty", "above-requested"],
)
def test_proposal_instalments_must_fit_the_period_and_the_request(
    workflow, instalments, messages, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.CONTENT_REVIEW)
    history = _history(application)
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as refused,
    ):
        application_propose_approval(application=application, by=workflow.officer, instalments=instalments)
    assert refused.value.messages == messages
    _assert_nothing_written(application, S.CONTENT_REVIEW, history, callbacks)


def test_proposal_instalment_may_not_exceed_the_programme_maximum_per_year(workflow):
    application = workflow.draft(plan=False)
    financing_plan_replace(
        application=application,
        by=workflow.carrier,
        expenditure=[
            {"category": "staff", "description": "Team", "budget_year": 2026, "amount": D("160000")}
        ],
        cover=[
            {"kind": "own", "source": "", "budget_year": 2026, "amount": D("19999.99")},
            {"kind": "grant", "source": "", "budget_year": 2026, "amount": D("140000.01")},
        ],
    )
    workflow.programme.max_grant_per_year = D("150000")
    workflow.programme.save()
    application = workflow.bring_to(S.CONTENT_REVIEW, application)
    workflow.programme.max_grant_per_year = D("140000")
    workflow.programme.save()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        application_propose_approval(
            application=application, by=workflow.officer, instalments={2026: D("140000.01")}
        )
    assert refused.value.messages == [
        "The instalment for 2026 is €140,000.01; the programme allows at most €140,000.00 per year."
    ]
    assert not Instalment.objects.exists()


def test_proposal_refuses_strangers_before_looking_at_the_instalments(workflow):
    application = workflow.bring_to(S.CONTENT_REVIEW)
    with translation.override("en"), pytest.raises(AccessDenied):
        application_propose_approval(
            application=application, by=workflow.other_carrier, instalments={2026: D("1e6")}
        )


# --- nothing half-written --------------------------------------------------------------------


def _assert_nothing_written(application, state, history, callbacks):
    application.refresh_from_db()
    assert application.state == state
    assert _history(application) == history
    assert not Instalment.objects.filter(application=application).exists()
    assert callbacks == []
    assert mail.outbox == []


def test_failure_after_the_transition_rolls_back_state_history_and_mail(
    workflow, monkeypatch, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.CONTENT_REVIEW)
    history = _history(application)

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Instalment.objects, "bulk_create", broken_bulk_create)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        application_propose_approval(
            application=application, by=workflow.officer, instalments={2026: D("9000")}
        )

    _assert_nothing_written(application, S.CONTENT_REVIEW, history, callbacks)
    application.refresh_from_db()
    assert (application.proposed_by, application.proposed_amount) == (None, None)


# --- history ---------------------------------------------------------------------------------


def test_every_transition_writes_one_history_entry_with_actor_states_and_comment(workflow):
    application = workflow.draft()
    steps = [
        ("submit", {"comment": "Antrag anbei"}),
        ("start_formal_check", {"comment": "Eingang bestätigt"}),
        ("request_revision", {"comment": "Kostenplan fehlt"}),
        ("submit", {"comment": "Kostenplan ergänzt"}),
        ("start_formal_check", {}),
        ("complete_formal_check", {"comment": "vollständig"}),
        ("propose_approval", {"comment": "förderwürdig"}),
        ("return_proposal", {"comment": "Rate prüfen"}),
        ("propose_rejection", {"comment": "doch nicht"}),
        ("reject", {"comment": "abgelehnt"}),
    ]
    for transition, kwargs in steps:
        application = workflow.step(application, transition, **kwargs)

    carrier, officer, approver = workflow.carrier, workflow.officer, workflow.approver
    rows = StateLog.objects.for_(application).order_by("timestamp", "pk")
    assert [(r.by, r.source_state, r.state, r.transition, r.description) for r in rows] == [
        (carrier, "draft", "submitted", "submit", "Antrag anbei"),
        (officer, "submitted", "formal_check", "start_formal_check", "Eingang bestätigt"),
        (officer, "formal_check", "revision_requested", "request_revision", "Kostenplan fehlt"),
        (carrier, "revision_requested", "submitted", "submit", "Kostenplan ergänzt"),
        (officer, "submitted", "formal_check", "start_formal_check", None),
        (officer, "formal_check", "content_review", "complete_formal_check", "vollständig"),
        (officer, "content_review", "approval_proposed", "propose_approval", "förderwürdig"),
        (approver, "approval_proposed", "content_review", "return_proposal", "Rate prüfen"),
        (officer, "content_review", "rejection_proposed", "propose_rejection", "doch nicht"),
        (approver, "rejection_proposed", "rejected", "reject", "abgelehnt"),
    ]
