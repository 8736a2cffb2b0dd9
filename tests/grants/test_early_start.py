"""Early start (vorzeitiger Maßnahmebeginn, issue 10 part 2, DOMAIN.md §9): the carrier asks on
the application page, an official of the responsible office permits it from a day or refuses it;
the history, the grant and the notice carry it; receipts before the eligible start are refused
when typed in or imported, and the settlement never recognises them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, ApplicationState, EarlyStartRequest, EarlyStartState
from grants.applications.services.early_start import (
    early_start_grant,
    early_start_refuse,
    early_start_request,
)
from grants.awards.models import Grant, Receipt
from grants.awards.services.proof import receipt_add, receipts_import
from grants.awards.services.proof.eligibility import eligible_from
from grants.awards.services.proof.settlement import settlement_preview
from grants.carriers.models import OrganisationMembership
from reporting.documents.grant_notice import render_grant_notice
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
CAVEAT = "Die Zustimmung zum vorzeitigen Maßnahmebeginn begründet keinen Anspruch auf eine Förderung."


@pytest.fixture
def submitted(workflow, clock):
    """An application (project 2026) handed in on 2 February 2026."""
    clock.set(2026, 2, 2)
    return workflow.bring_to(ApplicationState.SUBMITTED)


def approve(workflow, application):
    """The rest of the way from handed in to approved, through the real services; the notice is
    dated on the clock's day (``Grant.approved_at`` defaults to the real time)."""
    for step in ("start_formal_check", "complete_formal_check", "propose_approval", "approve"):
        application = workflow.step(application, step)
    Grant.objects.filter(application=application).update(approved_at=timezone.now())
    return Application.objects.get(pk=application.pk)


def ask(workflow, application, **changes):
    values = {
        "wished_from": date(2026, 2, 16),
        "reason": "Der Mietvertrag für den Jugendtreff muss bis Mitte Februar unterschrieben sein.",
    }
    return early_start_request(application=application, by=workflow.carrier, **(values | changes))


def messages_of(exc) -> list[str]:
    return exc.value.messages


def page(client, user, application) -> str:
    client.force_login(user)
    return client.get(reverse("application_detail", args=[application.pk])).content.decode()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- asking and deciding over the pages ---------------------------------------------------------


def test_the_carrier_asks_an_official_permits_and_page_history_grant_and_notice_show_it(
    workflow, submitted, client, clock
):
    client.force_login(workflow.carrier)
    response = client.post(
        reverse("early_start_ask", args=[submitted.pk]),
        {"wished_from": "2026-02-16", "reason": "Mietvertrag muss unterschrieben werden."},
        follow=True,
    )
    assert "Der vorzeitige Maßnahmebeginn ab 16.02.2026 ist beantragt." in response.content.decode()
    early = EarlyStartRequest.objects.get(application=submitted)
    assert (early.state, early.wished_from, early.requested_by) == (
        EarlyStartState.REQUESTED,
        date(2026, 2, 16),
        workflow.carrier,
    )
    # The carrier sees no decision form; the case officer of the office does.
    assert "Vorzeitigen Maßnahmebeginn zulassen" not in page(client, workflow.carrier, submitted)
    assert "Vorzeitigen Maßnahmebeginn zulassen" in page(client, workflow.officer, submitted)

    clock.set(2026, 2, 4)
    client.force_login(workflow.officer)  # a new day, a new session
    response = client.post(
        reverse("early_start_decide", args=[submitted.pk, early.pk]),
        {"decision": "grant", "permitted_from": "2026-02-10", "comment": "Auflage: Verträge vorlegen."},
        follow=True,
    )
    html = response.content.decode()
    assert "Der vorzeitige Maßnahmebeginn ist ab 10.02.2026 zugelassen." in html
    assert "Vorzeitiger Maßnahmebeginn zugelassen ab" in html and "10.02.2026" in html
    assert (
        "Die Zustimmung zum vorzeitigen Maßnahmebeginn begründet keinen Anspruch auf eine Förderung" in html
    )
    early.refresh_from_db()
    assert (early.state, early.permitted_from, early.decided_by) == (
        EarlyStartState.GRANTED,
        date(2026, 2, 10),
        workflow.officer,
    )
    # The history records both steps with who and the comment, on the application's timeline.
    log = list(
        StateLog.objects.for_(early).order_by("pk").values_list("source_state", "state", "by", "description")
    )
    assert log == [
        ("new", "requested", workflow.carrier.pk, "Ab 16.02.2026: Mietvertrag muss unterschrieben werden."),
        ("requested", "granted", workflow.officer.pk, "Auflage: Verträge vorlegen."),
    ]
    assert "Vorzeitiger Maßnahmebeginn: Vorzeitiger Maßnahmebeginn beantragt" in html

    clock.set(2026, 3, 2)
    application = approve(workflow, submitted)
    grant = application.grant
    assert grant.early_start_from == date(2026, 2, 10)
    assert eligible_from(grant) == date(2026, 2, 10)
    text = flat(pdf_text(render_grant_notice(grant=grant)))
    assert "Dem vorzeitigen Maßnahmebeginn ab dem 10.02.2026 wurde zugestimmt." in text
    assert CAVEAT in text
    assert "Ausgaben, die vor dem 10.02.2026 entstanden sind, sind nicht zuwendungsfähig" in text


def test_without_permission_the_notice_says_costs_before_it_are_not_eligible(workflow, submitted, clock):
    clock.set(2026, 3, 2)
    grant = approve(workflow, submitted).grant
    assert grant.early_start_from is None
    assert eligible_from(grant) == date(2026, 3, 2)
    text = flat(pdf_text(render_grant_notice(grant=grant)))
    assert "Ausgaben, die vor dem Datum dieses Bescheids entstanden sind, sind nicht zuwendungsfähig" in text
    assert CAVEAT not in text


def test_an_official_refuses_with_reasons_over_the_page(workflow, submitted, client):
    early = ask(workflow, submitted)
    client.force_login(workflow.officer)
    url = reverse("early_start_decide", args=[submitted.pk, early.pk])
    response = client.post(url, {"decision": "refuse", "comment": ""}, follow=True)
    assert (
        "Geben Sie die Gründe für die Ablehnung des vorzeitigen Maßnahmebeginns an."
        in response.content.decode()
    )
    early.refresh_from_db()
    assert early.state == EarlyStartState.REQUESTED
    response = client.post(
        url, {"decision": "refuse", "comment": "Kein Grund für Eile erkennbar."}, follow=True
    )
    assert "Der vorzeitige Maßnahmebeginn wurde abgelehnt." in response.content.decode()
    early.refresh_from_db()
    assert (early.state, early.decision_reason, early.permitted_from) == (
        EarlyStartState.REFUSED,
        "Kein Grund für Eile erkennbar.",
        None,
    )
    # After a refusal the carrier may ask again.
    assert ask(workflow, submitted).state == EarlyStartState.REQUESTED


def test_a_carrier_of_another_organisation_is_refused_on_page_and_service(workflow, submitted, client):
    client.force_login(workflow.other_carrier)
    response = client.post(
        reverse("early_start_ask", args=[submitted.pk]), {"wished_from": "2026-02-16", "reason": "x"}
    )
    assert response.status_code == 404
    with translation.override("en"), pytest.raises(AccessDenied) as exc:
        early_start_request(
            application=submitted, by=workflow.other_carrier, wished_from=date(2026, 2, 16), reason="x"
        )
    assert messages_of(exc) == ["Only members of the applying organisation may ask to start early."]
    assert not EarlyStartRequest.objects.exists()


def test_only_officials_of_the_responsible_office_decide_and_never_for_their_own_organisation(
    workflow, submitted, client
):
    early = ask(workflow, submitted)
    with translation.override("en"):
        for person in (
            workflow.sibling_officer,
            workflow.unrelated_officer,
            workflow.finance,
            workflow.carrier,
        ):
            with pytest.raises(AccessDenied) as exc:
                early_start_grant(request=early, by=person, permitted_from=date(2026, 2, 16))
            assert messages_of(exc) == [
                "Only a case officer or approver of the responsible office can decide on an early start."
            ]
        OrganisationMembership.objects.create(user=workflow.officer, organisation=workflow.organisation)
        with pytest.raises(AccessDenied) as exc:
            early_start_refuse(request=early, by=workflow.officer, reasons="Nein")
        assert messages_of(exc) == ["Nobody may decide on a case of their own organisation."]
    client.force_login(workflow.officer)
    response = client.post(
        reverse("early_start_decide", args=[submitted.pk, early.pk]),
        {"decision": "grant", "permitted_from": "2026-02-16"},
    )
    assert response.status_code == 403
    early.refresh_from_db()
    assert early.state == EarlyStartState.REQUESTED
    # An approver of the office above decides alone (the permission promises nothing).
    assert early_start_grant(request=early, by=workflow.approver, permitted_from=date(2026, 2, 16)).is_granted


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"wished_from": date(2026, 2, 1)},
            "Ein vorzeitiger Maßnahmebeginn kann nicht für einen vergangenen Tag beantragt werden (01.02.2026): Ein bereits begonnenes Vorhaben kann nicht gefördert werden.",
        ),
        ({"wished_from": date(2027, 1, 4)}, "Der 04.01.2027 liegt nach dem Projektende am 31.12.2026."),
        ({"wished_from": None}, "Der Tag, ab dem das Projekt beginnen soll, fehlt."),
        ({"reason": "  "}, "Begründen Sie, warum das Projekt vor dem Bescheid beginnen muss."),
    ],
)
def test_a_bad_request_is_refused_with_its_reason_and_writes_nothing(workflow, submitted, changes, message):
    with pytest.raises(DomainError) as exc:
        ask(workflow, submitted, **changes)
    assert messages_of(exc) == [message]
    assert not EarlyStartRequest.objects.exists()
    assert not StateLog.objects.filter(content_type__model="earlystartrequest").exists()


def test_a_second_request_waits_for_the_first_and_a_granted_one_cannot_be_decided_again(workflow, submitted):
    early = ask(workflow, submitted)
    with translation.override("de"):
        with pytest.raises(DomainError) as exc:
            ask(workflow, submitted)
        assert messages_of(exc) == [
            "Ein vorzeitiger Maßnahmebeginn wurde bereits am 02.02.2026 beantragt (Vorzeitiger Maßnahmebeginn beantragt)."
        ]
        early_start_grant(request=early, by=workflow.officer, permitted_from=date(2026, 2, 16))
        with pytest.raises(DomainError) as exc:
            early_start_refuse(request=early, by=workflow.officer, reasons="doch nicht")
        assert messages_of(exc) == [
            "Über diesen Antrag ist bereits entschieden (Vorzeitiger Maßnahmebeginn zugelassen)."
        ]


def test_the_permitted_day_is_never_before_the_request_nor_missing(workflow, submitted):
    early = ask(workflow, submitted)
    with translation.override("de"):
        with pytest.raises(DomainError) as exc:
            early_start_grant(request=early, by=workflow.officer, permitted_from=date(2026, 1, 15))
        assert messages_of(exc) == [
            "Der vorzeitige Maßnahmebeginn kann nicht ab dem 15.01.2026 zugelassen werden: Er wurde erst am 02.02.2026 beantragt, und ein vor dem Antrag begonnenes Vorhaben kann nicht gefördert werden."
        ]
        with pytest.raises(DomainError) as exc:
            early_start_grant(request=early, by=workflow.officer, permitted_from=None)
        assert messages_of(exc) == ["Der Tag, ab dem der vorzeitige Maßnahmebeginn zugelassen wird, fehlt."]
    early.refresh_from_db()
    assert early.state == EarlyStartState.REQUESTED


def test_no_early_start_on_a_draft_or_after_the_decision(workflow, submitted, clock):
    draft = workflow.draft()
    with translation.override("de"):
        with pytest.raises(DomainError) as exc:
            ask(workflow, draft)
        assert messages_of(exc) == [
            "Ein vorzeitiger Maßnahmebeginn kann erst beantragt werden, wenn der Antrag eingereicht ist."
        ]
        early = ask(workflow, submitted)
        clock.set(2026, 3, 2)
        approve(workflow, submitted)
        with pytest.raises(DomainError) as exc:
            early_start_grant(request=early, by=workflow.officer, permitted_from=date(2026, 3, 2))
        assert messages_of(exc) == [
            "Über den Antrag ist entschieden (Status „Bewilligt“): Ein vorzeitiger Maßnahmebeginn wird nur vor dem Bescheid beantragt und entschieden."
        ]


# --- receipts before the eligible start ---------------------------------------------------------


@pytest.fixture
def early_grant(workflow, submitted, clock):
    """Early start permitted from 10 February; the notice of 2 March 2026; today is 1 July 2026."""
    early = ask(workflow, submitted)
    early_start_grant(request=early, by=workflow.officer, permitted_from=date(2026, 2, 10))
    clock.set(2026, 3, 2)
    grant = approve(workflow, submitted).grant
    clock.set(2026, 7, 1)
    return grant


def _receipt(proof, **changes):
    line = proof.plan.lines.get(side="expenditure")
    return {
        "number": "R-1",
        "paid_on": "2026-02-09",
        "counterparty": "Vermieter GmbH",
        "reason": "Miete Februar",
        "amount": "500,00",
        "plan_line": line.pk,
    } | changes


def test_a_receipt_before_the_permitted_start_is_refused_when_typed_in(workflow, early_grant, client):
    proof = early_grant.proofs.get(kind="final")
    client.force_login(workflow.carrier)
    url = reverse("receipt_add", args=[early_grant.pk, proof.pk])
    response = client.post(url, _receipt(proof))
    assert (
        "Das Datum 09.02.2026 liegt vor dem zugelassenen vorzeitigen Maßnahmebeginn am 10.02.2026: Ausgaben davor sind nicht zuwendungsfähig."
        in response.content.decode()
    )
    assert not Receipt.objects.exists()
    client.post(url, _receipt(proof, paid_on="2026-02-10"))
    assert list(Receipt.objects.values_list("paid_on", flat=True)) == [date(2026, 2, 10)]


def test_without_permission_a_receipt_before_the_notice_is_refused_in_the_import(workflow, submitted, clock):
    clock.set(2026, 3, 2)
    grant = approve(workflow, submitted).grant
    clock.set(2026, 7, 1)
    proof = grant.proofs.get(kind="final")
    content = (
        "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition\n"
        "1;01.03.2026;Vermieter GmbH;Miete;500;1\n"
        "2;02.03.2026;Vermieter GmbH;Miete;500;1\n"
    ).encode()
    with translation.override("de"):
        report = receipts_import(
            proof=proof, by=workflow.carrier, content=content, file_name="belege.csv", dry_run=False
        )
    assert [(r.line, r.messages) for r in report.bad_rows] == [
        (
            2,
            [
                "Das Datum 01.03.2026 liegt vor dem Zuwendungsbescheid vom 02.03.2026, und ein vorzeitiger Maßnahmebeginn wurde nicht zugelassen: Ausgaben vor dem Bescheid sind nicht zuwendungsfähig."
            ],
        )
    ]
    assert not Receipt.objects.exists()


def test_the_settlement_never_recognises_receipts_before_the_eligible_start(workflow, early_grant):
    proof = early_grant.proofs.get(kind="final")
    line = proof.plan.lines.get(side="expenditure")
    receipt_add(
        proof=proof,
        by=workflow.carrier,
        number="R-2",
        paid_on=date(2026, 2, 10),
        counterparty="Vermieter GmbH",
        reason="Miete",
        amount=D("9000.00"),
        plan_line=line,
    )
    before = settlement_preview(proof=proof)
    # A receipt of an earlier day that reached the list before the rule (an old import).
    Receipt.objects.create(
        proof=proof,
        number="R-1",
        paid_on=date(2026, 2, 9),
        counterparty="Vermieter GmbH",
        reason="Miete",
        amount=D("1000.00"),
        plan_line=line,
    )
    from grants.awards.services.proof import StatementEntry, proof_statement_replace

    proof_statement_replace(
        proof=proof,
        by=workflow.carrier,
        lines=[
            StatementEntry(
                plan_line=plan_line,
                actual=D("10000") if plan_line.side == "expenditure" else plan_line.amount,
            )
            for plan_line in proof.plan.lines.exclude(cover_kind="grant")
        ],
    )
    with translation.override("en"):
        result = settlement_preview(proof=proof)
        assert [(x.actual, x.before_start) for x in result.lines] == [(D("9000.00"), D("1000.00"))]
        assert (
            "Receipts of €1,000.00 are dated before the eligible start (permitted early start or grant notice) and are not recognised; the actual amounts are reduced by them."
            in result.notes
        )
    assert result.recognised_expenditure == D("9000.00")
    assert before.lines[0].before_start is None
