"""Who may take which step of the proof-of-use workflow, from which state.

The final proof of a grant approved through the real services is brought to the state a step
starts from, and every role tries the step: the entitled roles reach the target state (the
carrier's members submit; a case officer of the granting office or an office above it reviews);
everyone else gets ``AccessDenied`` with the sentence of the named rule that refuses them
(``grants.edit_proof``, ``grants.review_proof``) and nothing changes: the proof's state, the
StateLog history, the ledger, settlements, drawdowns, e-mail and on-commit effects. A case officer
who is also a member of the recipient organisation may hand the proof in as a carrier but not
review it. Superusers have no implicit role: without a membership they are refused like anyone.
The page offers exactly the steps the state machine makes available to the user.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.applications.models import ApplicationState
from grants.awards.models import ProofOfUse, ProofState, Settlement
from grants.awards.payments.models import Drawdown
from grants.awards.services.proof import (
    StatementEntry,
    proof_accept,
    proof_request_changes,
    proof_start_review,
    proof_statement_replace,
    proof_submit,
    proof_update,
    receipt_add,
)
from grants.awards.services.proof.eligibility import eligible_from
from grants.awards.views.proofs import available_steps
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import UserFactory, membership

P = ProofState

ROLES = [
    "carrier",
    "other_carrier",
    "officer",
    "ancestor_officer",
    "sibling_officer",
    "unrelated_officer",
    "approver",
    "finance",
    "auditor",
    "superuser",
    "conflicted_officer",
]
CARRIERS = {"carrier", "conflicted_officer"}
REVIEWERS = {"officer", "ancestor_officer"}

SERVICES = {
    "submit": proof_submit,
    "start_review": proof_start_review,
    "request_changes": proof_request_changes,
    "accept": proof_accept,
}
ARGS: dict[str, dict[str, Any]] = {"request_changes": {"comment": "Bitte die Belege ergänzen."}}

# transition → (state it is tried from, state it leads to, roles that may take it)
MATRIX = {
    "submit": (P.DRAFT, P.SUBMITTED, CARRIERS),
    "start_review": (P.SUBMITTED, P.IN_REVIEW, REVIEWERS),
    "request_changes": (P.IN_REVIEW, P.CHANGES_REQUESTED, REVIEWERS),
    "accept": (P.IN_REVIEW, P.ACCEPTED, REVIEWERS),
}
SOURCES = {
    "submit": {P.DRAFT, P.CHANGES_REQUESTED},
    "start_review": {P.SUBMITTED},
    "request_changes": {P.IN_REVIEW},
    "accept": {P.IN_REVIEW},
}
# The shortest way from a fresh draft to each state (by the usual actors).
PATHS = {
    P.DRAFT: [],
    P.SUBMITTED: ["submit"],
    P.IN_REVIEW: ["submit", "start_review"],
    P.CHANGES_REQUESTED: ["submit", "start_review", "request_changes"],
    P.ACCEPTED: ["submit", "start_review", "accept"],
}

NOT_A_MEMBER = "Only members of the grant recipient may change this proof of use."
NOT_A_CASE_OFFICER = "Only a case officer of the granting office can review a proof of use."
OWN_ORGANISATION = "Nobody may review a proof of use of their own organisation."

ALLOWED = [(t, r) for t, (_s, _t, roles) in MATRIX.items() for r in ROLES if r in roles]
REFUSED = [(t, r) for t, (_s, _t, roles) in MATRIX.items() for r in ROLES if r not in roles]
WRONG_STATE = [(t, s) for t in MATRIX for s in P.values if s not in SOURCES[t]]


def test_matrix_covers_every_transition_of_the_proof():
    transitions = {t.name for t in ProofOfUse._meta.get_field("state").get_all_transitions(ProofOfUse)}
    assert set(MATRIX) == set(SERVICES) == set(SOURCES) == transitions == set(ProofOfUse.PERMISSIONS)


@pytest.fixture
def proof_of(workflow):
    """``proof_of(state)``: the final proof of a freshly approved grant, brought to ``state``."""
    workflow.fund()

    def bring(state: str) -> ProofOfUse:
        grant = workflow.bring_to(ApplicationState.APPROVED).grant
        proof = grant.proofs.get(kind="final")
        carrier = workflow.carrier
        proof_update(proof=proof, by=carrier, narrative="Alle Veranstaltungen fanden statt.")
        lines = [line for line in proof.plan.lines.all() if line.cover_kind != "grant"]
        proof_statement_replace(
            proof=proof,
            by=carrier,
            lines=[StatementEntry(plan_line=line, actual=line.amount) for line in lines],
        )
        for i, line in enumerate(line for line in lines if line.side == "expenditure"):
            receipt_add(
                proof=proof,
                by=carrier,
                number=f"R-{i + 1}",
                paid_on=eligible_from(grant),  # the first day whose costs count (DOMAIN.md §9)
                counterparty="Lieferant GmbH",
                reason=line.text or "Ausgabe",
                amount=line.amount,
                plan_line=line,
            )
        for step in PATHS[state]:
            actor = carrier if step == "submit" else workflow.officer
            proof = SERVICES[step](proof=proof, by=actor, **ARGS.get(step, {}))
        proof.refresh_from_db()
        assert proof.state == state
        mail.outbox.clear()
        return proof

    return bring


def person(workflow, role: str):
    if role != "conflicted_officer":
        return workflow.person(role)
    user = UserFactory(username=role)
    membership(user, workflow.state_office, "case_officer")
    OrganisationMembership.objects.create(user=user, organisation=workflow.organisation)
    return user


def expected_refusal(transition: str, role: str) -> str:
    if transition == "submit":
        return NOT_A_MEMBER
    return OWN_ORGANISATION if role == "conflicted_officer" else NOT_A_CASE_OFFICER


def snapshot() -> tuple[int, ...]:
    """History, ledger, settlements and drawdowns: a refused step changes none of them."""
    return (
        StateLog.objects.count(),
        LedgerEntry.objects.count(),
        Settlement.objects.count(),
        Drawdown.objects.count(),
    )


@pytest.mark.parametrize(("transition", "role"), ALLOWED)
def test_a_step_is_taken_by_an_entitled_role(workflow, proof_of, transition, role):
    source, target, _roles = MATRIX[transition]
    proof = proof_of(source)
    actor = person(workflow, role)
    logs = StateLog.objects.for_(proof).count()

    result = SERVICES[transition](proof=proof, by=actor, **ARGS.get(transition, {}))

    proof.refresh_from_db()
    assert result.state == proof.state == target
    assert StateLog.objects.for_(proof).count() == logs + 1
    assert StateLog.objects.for_(proof).latest("timestamp").by == actor


@pytest.mark.parametrize(("transition", "role"), REFUSED)
def test_a_step_is_refused_to_every_other_role_and_changes_nothing(
    workflow, proof_of, transition, role, django_capture_on_commit_callbacks
):
    source, _target, _roles = MATRIX[transition]
    proof = proof_of(source)
    actor = person(workflow, role)
    before = snapshot()

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AccessDenied) as refused,
    ):
        SERVICES[transition](proof=proof, by=actor, **ARGS.get(transition, {}))

    assert refused.value.messages == [expected_refusal(transition, role)]
    proof.refresh_from_db()
    assert proof.state == source
    assert snapshot() == before
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(("transition", "state"), WRONG_STATE)
def test_a_step_from_a_state_it_does_not_start_from_is_refused_even_to_its_role(
    workflow, proof_of, transition, state
):
    proof = proof_of(state)
    actor = workflow.carrier if transition == "submit" else workflow.officer
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        SERVICES[transition](proof=proof, by=actor, **ARGS.get(transition, {}))

    assert not isinstance(refused.value, AccessDenied)
    proof.refresh_from_db()
    assert proof.state == state
    assert snapshot() == before


@pytest.mark.parametrize("state", [P.DRAFT, P.SUBMITTED, P.IN_REVIEW, P.CHANGES_REQUESTED, P.ACCEPTED])
def test_each_role_is_offered_exactly_its_steps(workflow, proof_of, client, state):
    proof = proof_of(state)
    url = reverse("proof_detail", args=[proof.grant_id, proof.pk])
    for role in ROLES:
        user = person(workflow, role)
        expected = [t for t, (_s, _t, roles) in MATRIX.items() if state in SOURCES[t] and role in roles]
        assert available_steps(user, proof) == expected, role
        client.force_login(user)
        response = client.get(url)
        if response.status_code == 404:  # the grant is not visible to this user at all
            assert expected == [] and role in {"other_carrier", "sibling_officer", "unrelated_officer"}
            continue
        assert [step["name"] for step in response.context["steps"]] == expected, role


@pytest.mark.parametrize(
    "role", ["carrier", "finance", "auditor", "approver", "superuser", "conflicted_officer"]
)
def test_a_refused_review_step_over_http_is_forbidden_and_changes_nothing(workflow, proof_of, client, role):
    proof = proof_of(P.IN_REVIEW)
    client.force_login(person(workflow, role))
    before = snapshot()
    for step in ("request_changes", "accept"):
        response = client.post(reverse("proof_step", args=[proof.grant_id, proof.pk, step]), {"comment": "x"})
        assert response.status_code == 403, step
    proof.refresh_from_db()
    assert proof.state == P.IN_REVIEW
    assert snapshot() == before
