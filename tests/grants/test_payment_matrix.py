"""Who may take which step of the drawdown and payment-run workflows (issue 8 §2).

Every step is tried by every role: the entitled roles reach the target state; everyone else gets
``AccessDenied`` with the sentence of the named rule that refuses them, and nothing changes
(state, StateLog history, ledger, payment runs, mail). The roles include staff who are also
members of the recipient organisation (they may act for it as carriers, but take no decision
on its payments), staff of a sibling office and a superuser without any membership (no implicit
role). The page offers a step exactly to whom the service allows it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied
from grants.awards.models import Grant
from grants.awards.payments.models import Drawdown, DrawdownState, PaymentRun, PaymentRunItem
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_cancel,
    drawdown_certify,
    drawdown_order,
    drawdown_reject,
    drawdown_request,
)
from grants.awards.payments.services.run import payment_run_cancel, payment_run_execute
from grants.carriers.models import OrganisationMembership
from reporting.payments.services import payment_run_create
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership
from tests.grants.test_services_grant import approve
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db

D = DrawdownState
ROLES = [
    "carrier",
    "other_carrier",
    "officer",
    "approver",
    "finance",
    "finance2",
    "auditor",
    "sibling_officer",
    "sibling_finance",
    "superuser",
    "member_officer",  # case officer who is also a member of the recipient
    "member_finance",  # finance staff who are also members of the recipient
]
MEMBERS = {"carrier", "member_officer", "member_finance"}

# step → (state the drawdown is in, state it leads to, roles that may take it)
DRAWDOWN_MATRIX = {
    "certify": (D.REQUESTED, D.CERTIFIED, {"officer"}),
    "reject": (D.REQUESTED, D.REJECTED, {"officer"}),
    "order": (D.CERTIFIED, D.ORDERED, {"finance", "finance2"}),
    "book": (D.ORDERED, D.PAID, {"finance", "finance2"}),
    "cancel": (D.REQUESTED, D.CANCELLED, MEMBERS),
}
SERVICES = {
    "certify": lambda d, by: drawdown_certify(drawdown=d, by=by),
    "reject": lambda d, by: drawdown_reject(drawdown=d, by=by, comment="Belege fehlen"),
    "order": lambda d, by: drawdown_order(drawdown=d, by=by),
    "book": lambda d, by: drawdown_book_payment(drawdown=d, by=by, paid_on=date(2026, 3, 25)),
    "cancel": lambda d, by: drawdown_cancel(drawdown=d, by=by),
}
# The named rule's sentence (German) that refuses a role, by step.
REFUSALS = {
    "certify": "Nur die Sachbearbeitung der bewilligenden Stelle kann einen Mittelabruf sachlich und rechnerisch richtig zeichnen.",
}


@pytest.fixture
def people(world):
    programme = FundingProgrammeFactory(drawdown_window_value=6, drawdown_window_unit="weeks")
    envelope(office=world["sn"], programme=programme, budget_year=2026, allocated=Decimal("50000"))
    grant, carrier = approve(world, programme=programme)
    sibling = world["mv"]
    users = {
        "carrier": carrier,
        "other_carrier": UserFactory(),
        "officer": world["officer"],
        "approver": world["approver"],
        "finance": world["finance"],
        "finance2": world["finance2"],
        "auditor": UserFactory(),
        "sibling_officer": world["mv_officer"],
        "sibling_finance": UserFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "member_officer": UserFactory(),
        "member_finance": UserFactory(),
    }
    other_grant, _other_carrier = approve(world, programme=programme)
    OrganisationMembership.objects.create(user=users["other_carrier"], organisation=other_grant.organisation)
    membership(users["auditor"], world["sn"], "auditor")
    membership(users["sibling_finance"], sibling, "finance")
    membership(users["member_officer"], world["sn"], "case_officer")
    membership(users["member_finance"], world["sn"], "finance")
    for name in ("member_officer", "member_finance"):
        OrganisationMembership.objects.create(user=users[name], organisation=grant.organisation)
    return {"grant": Grant.objects.get(pk=grant.pk), **users}


def drawdown_in(people, state: str) -> Drawdown:
    """A drawdown brought to ``state`` by the entitled people (requester ≠ certifier ≠ orderer)."""
    d = drawdown_request(
        grant=people["grant"],
        by=people["carrier"],
        amount=Decimal("1000.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 10),
    )
    if state in (D.CERTIFIED, D.ORDERED):
        d = drawdown_certify(drawdown=d, by=people["officer"])
    if state == D.ORDERED:
        d = drawdown_order(drawdown=d, by=people["finance"])
    return Drawdown.objects.get(pk=d.pk)


def snapshot(obj) -> tuple:
    return (
        type(obj).objects.get(pk=obj.pk).state,
        StateLog.objects.count(),
        LedgerEntry.objects.count(),
        PaymentRun.objects.count(),
        PaymentRunItem.objects.count(),
        len(mail.outbox),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(DRAWDOWN_MATRIX))
def test_each_role_takes_exactly_its_drawdown_steps(people, step, role):
    source, target, entitled = DRAWDOWN_MATRIX[step]
    drawdown = drawdown_in(people, source)
    user = people[role]
    if role in entitled:
        SERVICES[step](drawdown, user)
        assert Drawdown.objects.get(pk=drawdown.pk).state == target
        return
    before = snapshot(drawdown)
    with translation.override("de"), pytest.raises(AccessDenied) as refused:
        SERVICES[step](drawdown, user)
    assert refused.value.messages[0]  # a sentence of the named rule, never empty
    if step in REFUSALS and role in {"carrier", "other_carrier", "finance", "auditor", "superuser"}:
        assert refused.value.messages == [REFUSALS[step]]
    assert snapshot(drawdown) == before


@pytest.mark.parametrize("role", ROLES)
def test_each_role_requests_funds_only_for_its_own_organisation(people, role):
    before = Drawdown.objects.count()
    call = lambda: drawdown_request(  # noqa: E731
        grant=people["grant"],
        by=people[role],
        amount=Decimal("100.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 10),
    )
    if role in MEMBERS:
        assert call().state == D.REQUESTED
        return
    with translation.override("de"), pytest.raises(AccessDenied) as refused:
        call()
    assert refused.value.messages == ["Nur der Zuwendungsempfänger kann Mittel abrufen."]
    assert Drawdown.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_page_offers_exactly_the_steps_the_services_allow(people, client, role):
    drawdowns = {state: drawdown_in(people, state) for state in (D.REQUESTED, D.CERTIFIED, D.ORDERED)}
    client.force_login(people[role])
    response = client.get(reverse("grant_drawdowns", args=[people["grant"].pk]))
    if response.status_code == 404:  # the grant is not visible to this person at all
        assert not any(role in entitled for _s, _t, entitled in DRAWDOWN_MATRIX.values())
        return
    page = response.content.decode()
    for step, (source, _target, entitled) in DRAWDOWN_MATRIX.items():
        url = reverse("drawdown_step", args=[people["grant"].pk, drawdowns[source].pk, step])
        assert (url in page) == (role in entitled), (step, role)


# --- payment runs --------------------------------------------------------------------------

# step → roles that may take it (execution: another finance officer than the run's creator)
RUN_MATRIX = {
    "create": {"finance", "finance2"},
    "execute": {"finance2"},
    "cancel": {"finance", "finance2"},
}


def when() -> date:
    # Today: a run's execution is booked on the day the bank executed it, never a later one.
    return timezone.localdate()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_creates_a_payment_run_only_if_entitled(people, role):
    drawdown = drawdown_in(people, D.ORDERED)
    before = snapshot(drawdown)
    if role in RUN_MATRIX["create"]:
        run = payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people[role])
        assert (run.state, run.created_by) == ("created", people[role])
        return
    with pytest.raises(AccessDenied):
        payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people[role])
    assert snapshot(drawdown) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", ["execute", "cancel"])
def test_each_role_executes_or_cancels_a_run_only_if_entitled(people, step, role):
    drawdown = drawdown_in(people, D.ORDERED)
    run = payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people["finance"])
    user = people[role]
    call = (
        (lambda: payment_run_execute(run=run, executed_on=when(), by=user))
        if step == "execute"
        else (lambda: payment_run_cancel(run=run, by=user, comment="Datei falsch übermittelt"))
    )
    offered = {t.name for t in PaymentRun.objects.get(pk=run.pk).get_available_user_state_transitions(user)}
    assert (step in offered) == (role in RUN_MATRIX[step])
    if role in RUN_MATRIX[step]:
        result = call()
        assert result.state == ("executed" if step == "execute" else "cancelled")
        log = StateLog.objects.for_(result).get()
        assert (log.by, log.transition) == (user, step)
        return
    before = snapshot(run)
    with pytest.raises(AccessDenied):
        call()
    assert snapshot(run) == before
    assert Drawdown.objects.get(pk=drawdown.pk).state == D.ORDERED


def test_a_cancelled_run_releases_its_payments_and_shows_its_history(people, client):
    drawdown = drawdown_in(people, D.ORDERED)
    run = payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people["finance"])
    payment_run_cancel(run=run, by=people["finance2"], comment="Datei falsch übermittelt")
    again = payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people["finance"])
    assert list(again.items.values_list("drawdown_id", flat=True)) == [drawdown.pk]
    payment_run_execute(run=again, executed_on=when(), by=people["finance2"])
    client.force_login(people["finance"])
    client.cookies["django_language"] = "de"
    page = client.get(reverse("payment_run_detail", args=[again.pk])).content.decode()
    assert "Erstellt" in page and "Ausgeführt" in page
    assert str(people["finance2"]) in page and str(people["finance"]) in page


def test_a_cancelled_run_deletes_its_file_and_only_its_creator_still_lists_it(
    people, client, django_capture_on_commit_callbacks
):
    drawdown = drawdown_in(people, D.ORDERED)
    run = payment_run_create(drawdowns=[drawdown], execution_date=when(), by=people["finance"])
    storage, name = run.file.storage, run.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        payment_run_cancel(run=run, by=people["finance2"], comment="Datei falsch übermittelt")
    assert not storage.exists(name)
    client.force_login(people["finance"])
    assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 200
    assert client.get(reverse("payment_run_download", args=[run.pk])).status_code == 404
    client.force_login(people["sibling_finance"])
    assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 404
