"""The outbox: services write their events in their own transaction, for the endpoints that
subscribed, of the organisation concerned or of its office or an office above it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from grants.applications.services.application import (
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import ProofOfUse
from grants.awards.payments.services.drawdown import drawdown_book_payment
from grants.awards.services.reminders import send_deadline_reminders
from reporting.services import grant_notice_issue, rejection_notice_issue
from tests.grants.factories import ApplicationFactory
from tests.reporting.finance_builders import ordered_drawdown
from tests.reporting.helpers import _plan, approved, rejected
from webhooks.models import Delivery, OutboxEvent
from webhooks.outbox import emit

pytestmark = pytest.mark.django_db


def draft(world, *, office=None, organisation=None):
    application = ApplicationFactory(
        office=office or world["sn"],
        programme=world["programme"],
        organisation=organisation or world["organisation"],
    )
    _plan(application, (2026,))
    return application


def events(event_type: str | None = None) -> list[OutboxEvent]:
    qs = OutboxEvent.objects.order_by("created_at")
    return list(qs.filter(type=event_type) if event_type else qs)


def test_an_application_step_writes_its_event_and_a_pending_delivery_in_the_steps_transaction(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    application = draft(world)

    with django_capture_on_commit_callbacks() as callbacks:
        application_submit(application=application, by=world["carrier"])

    [event] = events()
    assert (event.type, event.subject) == ("application.state_changed", f"application:{application.pk}")
    assert event.payload == {
        "application_id": application.pk,
        "reference": application.reference,
        "previous_state": "draft",
        "state": "submitted",
        "organisation_id": world["organisation"].pk,
        "office_id": world["sn"].pk,
        "programme_id": world["programme"].pk,
        "fund_id": None,
    }
    assert (event.organisation_id, event.office_path) == (world["organisation"].pk, world["sn"].path)
    [delivery] = Delivery.objects.all()
    assert (delivery.endpoint, delivery.state, delivery.attempts) == (hook, "pending", 0)
    # The e-mail to the carrier and the first delivery attempt, both after the commit.
    assert len(callbacks) == 2
    assert receiver.requests == []


def test_a_change_that_rolls_back_announces_nothing(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    application = draft(world)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError, match="after the step"),
        transaction.atomic(),
    ):
        application_submit(application=application, by=world["carrier"])
        assert len(events()) == 1  # written inside the transaction …
        raise RuntimeError("a failure after the step")  # … that then rolls back

    assert events() == []
    assert Delivery.objects.count() == 0
    application.refresh_from_db()
    assert application.state == "draft"
    assert callbacks == []  # nothing is scheduled either


def test_an_event_nobody_subscribed_to_is_not_stored(world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"], events=["notice.issued"])
    application_submit(application=draft(world), by=world["carrier"])
    assert events() == []


def test_emit_refuses_an_unknown_event():
    with pytest.raises(ValueError, match="unknown webhook event"):
        emit("application.deleted", subject="application:1", payload={})


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_run_outside_the_transaction_of_a_change():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        emit("notice.issued", subject="document:1", payload={}, organisation_id=1)


def test_endpoints_match_by_organisation_and_office_subtree_and_event_type(world, endpoint, receiver):
    own = endpoint(world["carrier"], receiver.url + "/own", organisation=world["organisation"])
    foreign = endpoint(
        world["foreign_carrier"], receiver.url + "/foreign", organisation=world["foreign_organisation"]
    )
    state = endpoint(world["officer"], receiver.url + "/sn", office=world["sn"])
    federal = endpoint(world["federal_officer"], receiver.url + "/root", office=world["root"])
    local = endpoint(world["leipzig_officer"], receiver.url + "/leipzig", office=world["leipzig"])
    sibling = endpoint(world["other_officer"], receiver.url + "/mv", office=world["other"])
    payments_only = endpoint(
        world["carrier"],
        receiver.url + "/payments",
        organisation=world["organisation"],
        events=["payment.executed"],
    )
    switched_off = endpoint(world["carrier"], receiver.url + "/off", organisation=world["organisation"])
    switched_off.is_active = False
    switched_off.save()

    in_saxony = application_submit(application=draft(world), by=world["carrier"])
    in_leipzig = application_submit(application=draft(world, office=world["leipzig"]), by=world["carrier"])
    foreign_in_mv = application_submit(
        application=draft(world, office=world["other"], organisation=world["foreign_organisation"]),
        by=world["foreign_carrier"],
    )

    def receivers(application) -> set:
        event = OutboxEvent.objects.get(subject=f"application:{application.pk}")
        return {d.endpoint for d in event.deliveries.all()}

    assert receivers(in_saxony) == {own, state, federal}
    assert receivers(in_leipzig) == {own, state, federal, local}
    assert receivers(foreign_in_mv) == {foreign, federal, sibling}
    assert not payments_only.deliveries.exists()
    assert not switched_off.deliveries.exists()


def test_every_step_of_the_workflow_is_one_event_with_the_state_it_left(world, endpoint, receiver):
    endpoint(world["officer"], receiver.url, office=world["sn"], events=["application.state_changed"])
    application = application_submit(application=draft(world), by=world["carrier"])
    application_start_formal_check(application=application, by=world["officer"])

    assert [(e.payload["previous_state"], e.payload["state"]) for e in events()] == [
        ("draft", "submitted"),
        ("submitted", "formal_check"),
    ]


def test_issuing_a_grant_notice_announces_it_once(world, endpoint, receiver):
    grant = approved(world).grant
    hook = endpoint(
        world["carrier"], receiver.url, organisation=world["organisation"], events=["notice.issued"]
    )

    document = grant_notice_issue(grant=grant)
    again = grant_notice_issue(grant=grant)  # a retried job finds the document: no second event

    assert again.pk == document.pk
    [event] = events("notice.issued")
    assert event.subject == f"document:{document.pk}"
    assert event.payload == {
        "document_id": document.pk,
        "kind": "grant_notice",
        "file_name": document.file_name,
        "sha256": document.sha256,
        "subject": f"grant:{grant.pk}",
        "application_id": grant.application_id,
        "reference": grant.application.reference,
        "file_number": grant.file_number,
    }
    assert [d.endpoint for d in event.deliveries.all()] == [hook]


def test_a_rejection_notice_is_a_notice_too(world, endpoint, receiver):
    application = rejected(world)
    endpoint(world["officer"], receiver.url, office=world["sn"], events=["notice.issued"])

    rejection_notice_issue(application=application)

    [event] = events("notice.issued")
    assert (event.payload["kind"], event.payload["reference"], event.payload["file_number"]) == (
        "rejection_notice",
        application.reference,
        None,
    )


def test_booking_a_payment_announces_it_with_its_amount_and_value_date(world, endpoint, receiver):
    drawdown = ordered_drawdown(world, world["finance"])
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"], events=["payment.executed"])

    drawdown_book_payment(drawdown=drawdown, by=world["finance"], paid_on=date(2026, 3, 20))

    [event] = events("payment.executed")
    assert event.subject == f"drawdown:{drawdown.pk}"
    assert event.payload == {
        "drawdown_id": drawdown.pk,
        "grant_id": drawdown.grant_id,
        "file_number": drawdown.grant.file_number,
        "amount": "4321.09",
        "budget_year": 2026,
        "paid_on": "2026-03-20",
        "in_payment_run": False,
    }
    assert Decimal(event.payload["amount"]) == Decimal("4321.09")


def test_the_daily_reminder_announces_each_proof_due_once_a_day(world, endpoint, receiver):
    grant = approved(world).grant
    today = date(2026, 6, 1)
    proof = ProofOfUse.objects.create(
        grant=grant,
        kind="interim",
        budget_year=2026,
        plan=grant.plan_versions.get(),
        due_on=today + timedelta(days=30),
        state="draft",
    )
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"], events=["proof.due"])

    send_deadline_reminders(today=today)
    send_deadline_reminders(today=today)  # a second run on the same day (a retry)

    [event] = events("proof.due")
    assert event.subject == f"proofofuse:{proof.pk}"
    assert event.payload == {
        "proof_id": proof.pk,
        "proof_kind": "interim",
        "grant_id": grant.pk,
        "file_number": grant.file_number,
        "due_on": "2026-07-01",
        "days_left": 30,
        "overdue": False,
    }
    assert event.office_path == world["sn"].path
