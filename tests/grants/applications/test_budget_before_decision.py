"""The budget available before proposing or approving: one read for the page and the service.

``budget_available`` gives per budget year the envelope the approval would commit against, its
available money and the amount asked. The proposal and approval steps show it; the proposal
service refuses a shortfall and the approval service refuses a shortfall or a missing envelope
with exactly the sentence the page showed, before anything is written.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import resolve, reverse
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from budgets.services.commitments import commit_instalments
from core.errors import DomainError
from grants.applications.models import ApplicationState
from grants.applications.selectors import approval_budget, budget_available
from grants.applications.services.application import application_propose_approval
from grants.awards.models import Grant
from grants.awards.services.award import application_approve
from grants.awards.views.decision import application_approve_view
from tests.budgets.factories import envelope

S = ApplicationState
D = Decimal


def _shortfall(workflow, *, available: str, requested: str, shortfall: str) -> str:
    label = f"0601 684 21 ({workflow.state_office.short_name}, {workflow.programme.code})"
    return (
        f"Haushaltsjahr 2026: Im Mittelansatz {label} sind {available} verfügbar, angefordert werden aber "
        f"{requested} (Fehlbetrag {shortfall})."
    )


def _no_envelope(workflow) -> str:
    programme = workflow.programme
    return (
        f"Haushaltsjahr 2026: Für {programme.name} ({programme.get_funding_level_display()}) gibt es weder "
        f"bei {workflow.office.name} noch bei einer übergeordneten Stelle einen Mittelansatz."
    )


def _snapshot(application) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        StateLog.objects.for_(application).count(),
        LedgerEntry.objects.count(),
        Grant.objects.count(),
        application.instalments.count(),
        len(mail.outbox),
    )


@pytest.fixture
def in_review(workflow):
    application = workflow.draft()
    for step in ("submit", "start_formal_check", "complete_formal_check"):
        application = workflow.step(application, step)
    return application


@pytest.fixture
def tight_envelope(workflow):
    """2026 at the state office: 10,000.00 allocated, 2,500.00 already committed elsewhere."""
    env = envelope(office=workflow.state_office, programme=workflow.programme, allocated=D("10000"))
    commit_instalments(
        office=workflow.office,
        programme=workflow.programme,
        instalments={2026: D("2500")},
        reference="SN-X-2026-0001",
        by=workflow.approver,
    )
    return env


def test_the_read_gives_available_and_requested_per_year(workflow, in_review, tight_envelope):
    (row,) = budget_available(application=in_review, instalments={2026: D("7000"), 2027: D("0")})
    assert (row.year, row.envelope, row.available, row.requested, row.problem) == (
        2026,
        tight_envelope,
        D("7500.00"),
        D("7000"),
        "",
    )


def test_the_read_names_a_shortfall_and_a_missing_envelope(workflow, in_review, tight_envelope):
    rows = budget_available(application=in_review, instalments={2026: D("9000"), 2027: D("100")})
    assert [(r.year, r.available, r.fits) for r in rows] == [(2026, D("7500.00"), False), (2027, None, False)]
    assert rows[0].problem == _shortfall(
        workflow, available="7.500,00 €", requested="9.000,00 €", shortfall="1.500,00 €"
    )
    assert rows[1].missing_envelope
    assert rows[1].problem == _no_envelope(workflow).replace("2026", "2027")


def test_a_proposal_beyond_the_available_budget_is_refused_and_writes_nothing(
    workflow, in_review, tight_envelope, django_capture_on_commit_callbacks
):
    before = _snapshot(in_review)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as refused:
        application_propose_approval(
            application=in_review, by=workflow.officer, instalments={2026: D("9000")}
        )
    assert refused.value.messages == [
        _shortfall(workflow, available="7.500,00 €", requested="9.000,00 €", shortfall="1.500,00 €")
    ]
    assert _snapshot(in_review) == before


def test_a_proposal_may_precede_the_envelope_but_the_approval_needs_one(
    workflow, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposed = application_propose_approval(
            application=in_review, by=workflow.officer, instalments={2026: D("9000")}
        )
    assert proposed.state == S.APPROVAL_PROPOSED
    assert [r.problem for r in approval_budget(proposed)] == [_no_envelope(workflow)]
    before = _snapshot(proposed)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as refused:
        application_approve(application=proposed, by=workflow.approver)

    assert refused.value.messages == [_no_envelope(workflow)]
    assert _snapshot(proposed) == before


def test_the_approval_step_shows_the_sentence_the_approval_then_refuses_with(
    client, workflow, in_review, tight_envelope, django_capture_on_commit_callbacks
):
    proposed = application_propose_approval(
        application=in_review, by=workflow.officer, instalments={2026: D("7000")}
    )
    # Another grant takes money in between: the page and the service both see the new balance.
    commit_instalments(
        office=workflow.office,
        programme=workflow.programme,
        instalments={2026: D("1000")},
        reference="SN-X-2026-0002",
        by=workflow.approver,
    )
    sentence = _shortfall(workflow, available="6.500,00 €", requested="7.000,00 €", shortfall="500,00 €")
    client.force_login(workflow.approver)
    html = client.get(reverse("application_detail", args=[proposed.pk])).content.decode()
    assert "Verfügbare Haushaltsmittel" in html
    assert sentence in html
    before = _snapshot(proposed)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_transition", args=[proposed.pk, "approve"]), {"comment": ""}, follow=True
        )

    assert [str(m) for m in response.context["messages"]] == [sentence]
    assert _snapshot(proposed) == before


def test_the_proposal_step_shows_available_and_requested(client, workflow, in_review, tight_envelope):
    client.force_login(workflow.officer)
    html = client.get(reverse("application_detail", args=[in_review.pk])).content.decode()
    table = html[html.index("Verfügbare Haushaltsmittel") :]
    assert re.search(
        r'<td>2026( · [^<]+)?</td><td class="num">7.500,00 €</td><td class="num">9.000,00 €</td>', table
    )
    assert (
        _shortfall(workflow, available="7.500,00 €", requested="9.000,00 €", shortfall="1.500,00 €") in table
    )


def test_an_approval_that_fits_commits_and_the_page_showed_no_refusal(
    client, workflow, in_review, tight_envelope, django_capture_on_commit_callbacks
):
    proposed = application_propose_approval(
        application=in_review, by=workflow.officer, instalments={2026: D("7500")}
    )
    assert [(r.available, r.requested, r.problem) for r in approval_budget(proposed)] == [
        (D("7500.00"), D("7500.00"), "")
    ]
    client.force_login(workflow.approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_transition", args=[proposed.pk, "approve"]), {"comment": "Einverstanden"}
        )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == S.APPROVED
    assert LedgerEntry.objects.filter(kind="commitment", envelope=tight_envelope).count() == 2


def test_the_approval_url_is_unchanged_and_dispatched_by_the_awards_side(workflow):
    url = reverse("application_transition", args=[7, "approve"])
    assert url == "/antraege/7/schritt/approve/" == reverse("application_approve", args=[7])
    assert resolve(url).func is application_approve_view
