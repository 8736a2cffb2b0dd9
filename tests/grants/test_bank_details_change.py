"""Bank details that cannot be switched quietly (issue 12, part 3).

A member of a carrier requests new bank details; finance of an office responsible for the carrier
confirms them (never the requester, never for their own organisation); every member learns of
the request and the decision by e-mail; each payment keeps the account frozen when it was
ordered, and a payment run pays exactly that account.
"""

from __future__ import annotations

import importlib
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from accounts.models import SecurityEvent, SecurityEventKind
from core.errors import AccessDenied, DomainError
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.carriers.models import BankDetailsChange, Organisation, OrganisationMembership
from grants.carriers.services import (
    bank_details_change_confirm,
    bank_details_change_reject,
    bank_details_change_request,
    bank_details_change_withdraw,
)
from reporting.payments.services import payment_run_create
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user
from tests.reporting.helpers import approved, make_world

pytestmark = pytest.mark.django_db

OLD = "DE89370400440532013000"  # Commerzbank, the factory's IBAN
NEW = "DE37850503003120057788"  # Ostsächsische Sparkasse Dresden
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    return _world()


def _world():
    """A Saxon office with a granted carrier, finance there and in another state, an admin."""
    world = make_world()
    world["grant"] = approved(world).grant
    for name, office, role in [
        ("finance", world["sn"], "finance"),
        ("finance2", world["sn"], "finance"),
        ("other_finance", world["other"], "finance"),
    ]:
        world[name] = UserFactory(username=name, email=f"{name}@amt.example")
        membership(world[name], office, role)
    organisation = world["organisation"]
    Organisation.objects.filter(pk=organisation.pk).update(account_holder="Jugendförderverein Görlitz")
    organisation.account_holder = "Jugendförderverein Görlitz"
    world["carrier"].email = "carrier@verein.example"
    world["carrier"].save(update_fields=["email"])
    world["treasurer"] = carrier_user(organisation, username="treasurer", email="kasse@verein.example")
    world["admin"] = UserFactory(
        username="admin", is_superuser=True, is_staff=True, email="admin@amt.example"
    )
    return world


def request_new(w, by=None, iban=NEW, holder="Jugendförderverein Görlitz e.V."):
    return bank_details_change_request(
        organisation=w["organisation"], by=by or w["carrier"], iban=iban, account_holder=holder
    )


def ordered_payment(w, amount="100.00"):
    drawdown = drawdown_request(
        grant=w["grant"],
        by=w["carrier"],
        amount=Decimal(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=w["officer"])
    return drawdown_order(drawdown=drawdown, by=w["finance"])


def paid_ibans(run):
    with run.file.open("rb") as f:
        root = ET.fromstring(f.read())
    return {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): tx.findtext(
            "p:CdtrAcct/p:Id/p:IBAN", namespaces=NS
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", NS)
    }


# --- services: request and confirmation ---------------------------------------------------------


def test_a_requested_change_leaves_the_account_until_finance_confirms_it(w):
    change = request_new(w)

    organisation = Organisation.objects.get(pk=w["organisation"].pk)
    assert organisation.iban == OLD
    assert (change.state, change.iban, change.previous_iban, change.requested_by) == (
        "requested",
        NEW,
        OLD,
        w["carrier"],
    )

    change = bank_details_change_confirm(change=change, by=w["finance"], comment="Bankbestätigung liegt vor")

    organisation.refresh_from_db()
    assert (organisation.iban, organisation.account_holder) == (NEW, "Jugendförderverein Görlitz e.V.")
    assert (change.state, change.decided_by, change.previous_iban) == ("confirmed", w["finance"], OLD)
    log = StateLog.objects.for_(change).get()
    assert (log.transition, log.by, log.description) == ("confirm", w["finance"], "Bankbestätigung liegt vor")


def test_the_iban_is_validated_as_before_and_nothing_is_written(w):
    with pytest.raises(DomainError) as exc:
        request_new(w, iban="DE89370400440532013001", holder=" ")
    assert exc.value.messages == [
        "„DE89370400440532013001“ ist keine gültige IBAN. Bitte prüfen Sie sie Ziffer für Ziffer.",
        "Bitte geben Sie den Kontoinhaber an.",
    ]
    assert not BankDetailsChange.objects.exists()


def test_one_request_at_a_time_and_the_same_account_is_no_change(w):
    first = request_new(w)
    with pytest.raises(DomainError) as exc:
        request_new(w, iban="DE02120300000000202051")
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert exc.value.messages == [
        f"Eine Änderung der Bankverbindung auf DE37 8505 0300 3120 0577 88, beantragt am {today}, "
        "wartet noch auf Bestätigung. Bitte ziehen Sie sie zurück, bevor Sie eine weitere beantragen."
    ]
    bank_details_change_withdraw(change=first, by=w["treasurer"])
    with pytest.raises(DomainError) as exc:
        request_new(w, iban=OLD, holder=w["organisation"].account_holder)
    assert exc.value.messages == [
        "Diese Bankverbindung ist bereits hinterlegt; es gibt nichts zu ändern.",
    ]
    assert BankDetailsChange.objects.get().state == "withdrawn"


def test_a_carrier_cannot_confirm_its_own_change(w):
    change = request_new(w)
    for person in (w["carrier"], w["treasurer"]):
        with pytest.raises(AccessDenied) as exc:
            bank_details_change_confirm(change=change, by=person)
        assert exc.value.messages == [
            "Nur Beschäftigte von Haushalt/Kasse einer für den Träger zuständigen Stelle können seine neue "
            "Bankverbindung bestätigen."
        ]
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD
    assert BankDetailsChange.objects.get().state == "requested"


def test_finance_of_another_office_cannot_confirm(w):
    change = request_new(w)
    with pytest.raises(AccessDenied) as exc:
        bank_details_change_confirm(change=change, by=w["other_finance"])
    assert exc.value.messages == [
        "Nur Beschäftigte von Haushalt/Kasse einer für den Träger zuständigen Stelle können seine neue "
        "Bankverbindung bestätigen."
    ]
    with pytest.raises(AccessDenied):
        bank_details_change_reject(change=change, by=w["other_finance"], reason="Nicht zuständig")
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD


def test_whoever_requested_the_change_cannot_confirm_it(w):
    # An administrator who also works in finance of the responsible office asks for the change.
    membership(w["admin"], w["sn"], "finance")
    change = request_new(w, by=w["admin"])
    with pytest.raises(AccessDenied) as exc:
        bank_details_change_confirm(change=change, by=w["admin"])
    assert exc.value.messages == [
        "Vier-Augen-Prinzip: Wer die Änderung der Bankverbindung beantragt hat, kann sie nicht bestätigen."
    ]
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD
    bank_details_change_confirm(change=change, by=w["finance2"])
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == NEW


def test_finance_never_confirms_for_their_own_organisation(w):
    OrganisationMembership.objects.create(user=w["finance"], organisation=w["organisation"])
    change = request_new(w)
    with pytest.raises(AccessDenied) as exc:
        bank_details_change_confirm(change=change, by=w["finance"])
    assert exc.value.messages == ["Niemand darf die Bankverbindung der eigenen Organisation bestätigen."]


def test_finance_above_the_granting_office_confirms_and_a_draft_makes_no_office_responsible(w):
    federal = UserFactory()
    membership(federal, w["root"], "finance")
    draft_office_finance = w["other_finance"]
    ApplicationFactory(organisation=w["organisation"], office=w["other"], programme=w["programme"])  # a draft
    change = request_new(w)
    assert [office.name for office in change.responsible_offices] == ["Demokratie-Zentrum Sachsen"]
    with pytest.raises(AccessDenied):
        bank_details_change_confirm(change=change, by=draft_office_finance)
    bank_details_change_confirm(change=change, by=federal)


def test_a_rejection_needs_a_reason_and_keeps_the_account(w):
    change = request_new(w)
    with pytest.raises(DomainError) as exc:
        bank_details_change_reject(change=change, by=w["finance"], reason="  ")
    assert exc.value.messages == ["Bitte begründen Sie die Ablehnung der neuen Bankverbindung."]
    change = bank_details_change_reject(
        change=change, by=w["finance"], reason="Kontoinhaber stimmt nicht mit dem Träger überein."
    )
    assert (change.state, change.decided_by, change.reason) == (
        "rejected",
        w["finance"],
        "Kontoinhaber stimmt nicht mit dem Träger überein.",
    )
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD
    with pytest.raises(DomainError) as exc:
        bank_details_change_confirm(change=change, by=w["finance2"])
    assert exc.value.messages == [
        "Über diese Änderung der Bankverbindung wurde bereits entschieden („Abgelehnt“)."
    ]


def test_another_carrier_and_staff_cannot_request_a_change(w):
    stranger = carrier_user(OrganisationFactory())
    for person in (stranger, w["finance"], w["officer"]):
        with pytest.raises(AccessDenied) as exc:
            request_new(w, by=person)
        assert exc.value.messages == [
            "Nur Mitglieder des Trägers können eine neue Bankverbindung beantragen."
        ]
    assert not BankDetailsChange.objects.exists()


def test_every_step_is_in_the_security_log_with_the_organisation(w, client):
    client.force_login(w["carrier"])
    client.post(
        reverse("organisation_bank", args=[w["organisation"].pk]),
        {"iban": NEW, "account_holder": "Jugendförderverein Görlitz e.V."},
        REMOTE_ADDR="192.0.2.77",
    )
    bank_details_change_confirm(change=BankDetailsChange.objects.get(), by=w["finance"])

    events = SecurityEvent.objects.filter(kind=SecurityEventKind.BANK_DETAILS_CHANGED).order_by("pk")
    assert [(e.user, e.object_type, e.object_id, e.detail) for e in events] == [
        (
            w["carrier"],
            "grants.Organisation",
            str(w["organisation"].pk),
            "Neue Bankverbindung DE37 8505 0300 3120 0577 88 (Jugendförderverein Görlitz e.V.) beantragt; "
            "hinterlegt: DE89 3704 0044 0532 0130 00",
        ),
        (
            w["finance"],
            "grants.Organisation",
            str(w["organisation"].pk),
            "Neue Bankverbindung DE37 8505 0300 3120 0577 88 (Jugendförderverein Görlitz e.V.) bestätigt; "
            "bisher: DE89 3704 0044 0532 0130 00",
        ),
    ]
    assert events[0].ip_address == "192.0.2.77"


# --- e-mails ----------------------------------------------------------------------------------


def test_every_member_is_told_of_the_request_and_of_the_decision(w, django_capture_on_commit_callbacks):
    members = sorted(["carrier@verein.example", "kasse@verein.example", w["organisation"].email])
    with django_capture_on_commit_callbacks(execute=True):
        change = request_new(w)
    assert len(mail.outbox) == 1
    requested = mail.outbox[0]
    assert sorted(requested.to) == members
    assert requested.subject == "Änderung der Bankverbindung von Jugendförderverein Görlitz e.V. beantragt"
    assert "DE37 8505 0300 3120 0577 88" in requested.body
    assert "Haushalt/Kasse von Demokratie-Zentrum Sachsen" in requested.body
    assert "Wenn niemand in Ihrer Organisation diese Änderung veranlasst hat" in requested.body

    with django_capture_on_commit_callbacks(execute=True):
        bank_details_change_confirm(change=change, by=w["finance"])
    assert len(mail.outbox) == 2
    confirmed = mail.outbox[1]
    assert sorted(confirmed.to) == members
    assert confirmed.subject == "Änderung der Bankverbindung von Jugendförderverein Görlitz e.V.: Bestätigt"
    assert (
        "bereits angeordnete Zahlungen gehen an das mit ihrer Anordnung festgehaltene Konto" in confirmed.body
    )


def test_a_refused_confirmation_sends_no_mail(w, django_capture_on_commit_callbacks):
    change = request_new(w)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccessDenied):
        bank_details_change_confirm(change=change, by=w["carrier"])
    assert mail.outbox == []


# --- the frozen payee account -------------------------------------------------------------------


def test_the_account_is_frozen_when_the_payment_is_ordered(w):
    drawdown = ordered_payment(w)
    assert (drawdown.payee_iban, drawdown.payee_name) == (OLD, "Jugendförderverein Görlitz")


def test_a_run_after_an_unconfirmed_change_pays_the_old_frozen_account(w):
    drawdown = ordered_payment(w)
    request_new(w)  # not confirmed

    run = payment_run_create(
        drawdowns=[drawdown], execution_date=timezone.localdate() + timedelta(days=3), by=w["finance"]
    )

    assert paid_ibans(run) == {f"MA-{drawdown.pk}": OLD}
    assert run.items.get().creditor_iban == OLD


def test_a_run_pays_the_account_frozen_on_each_order_even_after_a_confirmed_change(w):
    before = ordered_payment(w, "100.00")
    bank_details_change_confirm(change=request_new(w), by=w["finance2"])
    after = ordered_payment(w, "200.00")

    run = payment_run_create(
        drawdowns=[before, after], execution_date=timezone.localdate() + timedelta(days=3), by=w["finance"]
    )

    assert paid_ibans(run) == {f"MA-{before.pk}": OLD, f"MA-{after.pk}": NEW}


def test_a_payment_cannot_be_ordered_without_bank_details(w):
    Organisation.objects.filter(pk=w["organisation"].pk).update(iban="", account_holder="")
    drawdown = drawdown_request(
        grant=w["grant"],
        by=w["carrier"],
        amount=Decimal("100.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=w["officer"])
    with pytest.raises(DomainError) as exc:
        drawdown_order(drawdown=drawdown, by=w["finance"])
    assert exc.value.messages == [
        "Für Jugendförderverein Görlitz e.V. ist keine Bankverbindung hinterlegt; die Zahlung kann nicht "
        "angeordnet werden."
    ]
    assert Drawdown.objects.get(pk=drawdown.pk).state == "certified"


def test_payments_ordered_before_the_freeze_are_backfilled(w):
    in_run, by_hand = ordered_payment(w, "100.00"), ordered_payment(w, "50.00")
    payment_run_create(
        drawdowns=[in_run], execution_date=timezone.localdate() + timedelta(days=3), by=w["finance"]
    )
    Drawdown.objects.update(payee_iban="", payee_name="")
    Organisation.objects.filter(pk=w["organisation"].pk).update(iban=NEW, account_holder="Neuer Inhaber")
    migration = importlib.import_module("grants.migrations.0014_bank_details_change_payee_frozen")

    migration.freeze_payees(django_apps, None)

    assert Drawdown.objects.get(pk=in_run.pk).payee_iban == OLD  # what the run's file pays
    assert (
        Drawdown.objects.get(pk=by_hand.pk).payee_iban,
        Drawdown.objects.get(pk=by_hand.pk).payee_name,
    ) == (
        NEW,
        "Neuer Inhaber",
    )


# --- pages --------------------------------------------------------------------------------------


def test_the_carrier_page_shows_the_pending_request_and_who_confirms_it(w, client):
    client.force_login(w["carrier"])
    response = client.post(
        reverse("organisation_bank", args=[w["organisation"].pk]),
        {"iban": "DE37 8505 0300 3120 0577 88", "account_holder": "Jugendförderverein Görlitz e.V."},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "Die neue Bankverbindung von Jugendförderverein Görlitz e.V. wurde beantragt. Sie gilt, sobald "
        "Haushalt/Kasse von Demokratie-Zentrum Sachsen sie bestätigt"
    ) in page
    assert "Wartet auf Bestätigung durch Haushalt/Kasse von Demokratie-Zentrum Sachsen." in page
    assert "DE37 8505 0300 3120 0577 88" in page
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD
    # While a request waits, the form to request another is replaced by the withdrawal.
    change = BankDetailsChange.objects.get()
    assert reverse("bank_details_change_withdraw", args=[change.pk]) in page
    assert reverse("organisation_bank", args=[w["organisation"].pk]) not in page

    client.post(reverse("bank_details_change_withdraw", args=[change.pk]))
    assert BankDetailsChange.objects.get().state == "withdrawn"


def test_finance_confirms_on_their_page(w, client):
    change = request_new(w)
    client.force_login(w["finance"])
    page = client.get(reverse("bank_details_changes")).content.decode()
    assert "Jugendförderverein Görlitz e.V." in page and "DE37 8505 0300 3120 0577 88" in page
    assert reverse("bank_details_change_confirm", args=[change.pk]) in page

    response = client.post(reverse("bank_details_change_confirm", args=[change.pk]), follow=True)

    assert "wurde bestätigt" in response.content.decode()
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == NEW


def test_the_finance_page_is_reached_from_the_payment_runs(w, client):
    client.force_login(w["finance"])
    assert reverse("bank_details_changes") in client.get(reverse("payment_run_list")).content.decode()


def test_the_pages_refuse_carriers_and_finance_elsewhere(w, client):
    change = request_new(w)
    client.force_login(w["carrier"])
    assert client.get(reverse("bank_details_changes")).status_code == 403
    assert client.post(reverse("bank_details_change_confirm", args=[change.pk])).status_code == 403
    client.force_login(w["other_finance"])
    assert "Jugendförderverein" not in client.get(reverse("bank_details_changes")).content.decode()
    assert client.post(reverse("bank_details_change_confirm", args=[change.pk])).status_code == 404
    assert BankDetailsChange.objects.get().state == "requested"


def test_the_requester_sees_why_they_cannot_confirm(w, client):
    membership(w["admin"], w["sn"], "finance")
    change = request_new(w, by=w["admin"])
    client.force_login(w["admin"])
    page = client.get(reverse("bank_details_changes")).content.decode()
    assert reverse("bank_details_change_confirm", args=[change.pk]) not in page
    assert "Vier-Augen-Prinzip: Wer die Änderung der Bankverbindung beantragt hat" in page
    response = client.post(reverse("bank_details_change_confirm", args=[change.pk]))
    assert response.status_code == 403
    assert Organisation.objects.get(pk=w["organisation"].pk).iban == OLD


def test_a_rejection_without_reason_is_refused_on_the_page(w, client):
    change = request_new(w)
    client.force_login(w["finance"])
    response = client.post(
        reverse("bank_details_change_reject", args=[change.pk]), {"reason": ""}, follow=True
    )
    assert "Bitte begründen Sie die Ablehnung der neuen Bankverbindung." in response.content.decode()
    assert BankDetailsChange.objects.get().state == "requested"
    client.post(reverse("bank_details_change_reject", args=[change.pk]), {"reason": "Falscher Kontoinhaber"})
    assert BankDetailsChange.objects.get().state == "rejected"


def test_the_payment_run_page_shows_the_frozen_account(w, client):
    ordered_payment(w)
    bank_details_change_confirm(change=request_new(w), by=w["finance2"])
    client.force_login(w["finance"])
    page = client.get(reverse("payment_run_list")).content.decode()
    assert "DE89 3704 0044 0532 0130 00" in page
    assert "Konto mit der Zahlungsanordnung festgehalten" in page


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_cannot_edit_the_iban_directly(w, client):
    organisation = w["organisation"]
    client.force_login(w["admin"])
    url = reverse("admin:grants_organisation_change", args=[organisation.pk])
    page = client.get(url).content.decode()
    assert 'name="iban"' not in page and 'name="account_holder"' not in page
    assert reverse("admin:grants_organisation_bank_details", args=[organisation.pk]) in page


def test_the_admin_requests_new_bank_details_through_the_service(
    w, client, django_capture_on_commit_callbacks
):
    organisation = w["organisation"]
    client.force_login(w["admin"])
    url = reverse("admin:grants_organisation_bank_details", args=[organisation.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"iban": NEW, "account_holder": "Jugendförderverein Görlitz e.V."})
    assert response.status_code == 302
    change = BankDetailsChange.objects.get()
    assert (change.state, change.requested_by) == ("requested", w["admin"])
    assert Organisation.objects.get(pk=organisation.pk).iban == OLD
    assert len(mail.outbox) == 1  # the members learn of it like of any other request
    # A wrong IBAN is refused with the service's message.
    bank_details_change_withdraw(change=change, by=w["admin"])
    response = client.post(url, {"iban": "DE00123", "account_holder": "X"}, follow=True)
    assert "„DE00123“ ist keine gültige IBAN." in response.content.decode()
    assert BankDetailsChange.objects.count() == 1


# --- races (PostgreSQL) -------------------------------------------------------------------------


def race(*jobs: Callable[[], object]) -> tuple[list[object], list[str], list[BaseException]]:
    """Start the jobs at the same moment in threads: (results, German refusals, anything else)."""
    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()
    results: list[object] = []
    refusals: list[str] = []
    unexpected: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("de"):
                result = job()
            with lock:
                results.append(result)
        except DomainError as error:
            with lock:
                refusals.extend(str(m) for m in error.messages)
        except BaseException as error:
            unexpected.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, refusals, unexpected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_requesting_at_once_leave_one_request():
    w = _world()
    for _round in range(4):
        results, refusals, unexpected = race(
            lambda: request_new(w, by=w["carrier"], iban=NEW),
            lambda: request_new(w, by=w["treasurer"], iban="DE02120300000000202051"),
        )
        assert unexpected == []
        assert len(results) == 1 and len(refusals) == 1
        assert "wartet noch auf Bestätigung" in refusals[0]
        [pending] = BankDetailsChange.objects.filter(state="requested")
        bank_details_change_withdraw(change=pending, by=w["carrier"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_and_a_rejection_at_once_decide_once():
    w = _world()
    for _round in range(4):
        Organisation.objects.filter(pk=w["organisation"].pk).update(iban=OLD)
        change = request_new(w)
        results, refusals, unexpected = race(
            lambda change=change: bank_details_change_confirm(change=change, by=w["finance"]),
            lambda change=change: bank_details_change_reject(
                change=change, by=w["finance2"], reason="Falsch"
            ),
        )
        assert unexpected == []
        assert len(results) == 1 and len(refusals) == 1
        assert refusals[0].startswith("Über diese Änderung der Bankverbindung wurde bereits entschieden")
        change.refresh_from_db()
        iban = Organisation.objects.get(pk=w["organisation"].pk).iban
        assert (change.state, iban) in {("confirmed", NEW), ("rejected", OLD)}
