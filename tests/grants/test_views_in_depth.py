"""In-depth checks as people use them: the office head's selection page, the admission forms and
the review note on the proof page, the Prüfvermerk PDF, first checks on the worklist; and who is
refused (carriers, other offices, officials of the recipient's own organisation)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.awards.models import InDepthSelection, ProofOfUse, Receipt, ReviewNote
from grants.awards.services.proof import proof_start_review
from reporting.models import Document
from tests.budgets.factories import membership
from tests.grants.factories import carrier_user
from tests.grants.test_in_depth import submitted_example
from tests.grants.test_services_proof import make_world
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
LAST_YEAR = timezone.localdate().year - 1


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def submitted(world):
    """The example's final proof (receipts R-1 … R-4), received last year."""
    grant, proof = submitted_example(world)
    ProofOfUse.objects.filter(pk=proof.pk).update(
        submitted_at=timezone.make_aware(datetime(LAST_YEAR, 11, 3, 10))
    )
    return grant, ProofOfUse.objects.get(pk=proof.pk)


def _select(client, world, **data):
    client.force_login(world["approver"])
    form = {"office": world["sn"].pk, "year": LAST_YEAR, "share_percent": "10", "high_amount": "100.000,00"}
    return client.post(reverse("in_depth_selections"), form | data, follow=True)


@pytest.fixture
def in_check(client, world, submitted):
    """The proof chosen in the office head's selection (through the page) and taken into review."""
    grant, proof = submitted
    _select(client, world, seed="42")
    proof = proof_start_review(proof=proof, by=world["officer"])
    return grant, proof


def _proof_url(grant, proof):
    return reverse("proof_detail", args=[grant.pk, proof.pk])


def _admit_url(grant, proof, receipt):
    return reverse("receipt_admit", args=[grant.pk, proof.pk, receipt.pk])


def _receipt(proof, number) -> Receipt:
    return proof.receipts.get(number=number)


# --- the selection page --------------------------------------------------------------------


def test_the_office_head_selects_once_and_a_second_selection_is_refused_by_name(client, world, submitted):
    grant, proof = submitted
    response = _select(client, world, seed="42")
    selection = InDepthSelection.objects.get()
    assert response.redirect_chain[-1][0] == reverse("in_depth_selection", args=[selection.pk])
    page = html(response)
    assert f"1 von 1 Nachweisen des Jahres {LAST_YEAR} wurden für vertiefte Prüfungen ausgewählt." in page
    assert grant.file_number in page and "Erstempfänger" in page and 'id="seed">42<' in page
    assert selection.entries.get().proof_id == proof.pk
    again = html(_select(client, world, seed="43"))
    assert f"hat die Nachweise des Jahres {LAST_YEAR} bereits am" in again
    assert "eine zweite Auswahl für dasselbe Jahr ist nicht zulässig." in again
    assert InDepthSelection.objects.count() == 1


def test_a_selection_of_the_running_year_is_refused_on_the_page(client, world, submitted):
    this_year = LAST_YEAR + 1
    page = html(_select(client, world, year=this_year))
    assert f"Das Jahr {this_year} ist noch nicht abgeschlossen" in page
    assert not InDepthSelection.objects.exists()


def test_case_officers_read_the_selection_but_only_the_head_selects_and_carriers_see_nothing(
    client, world, submitted
):
    grant, _proof = submitted
    _select(client, world, seed="42")
    selection = InDepthSelection.objects.get()
    client.force_login(world["officer"])
    page = html(client.get(reverse("in_depth_selections")))
    assert "Demokratie-Zentrum Sachsen" in page and 'name="seed"' not in page
    assert client.get(reverse("in_depth_selection", args=[selection.pk])).status_code == 200
    assert client.post(reverse("in_depth_selections"), {"office": world["sn"].pk}).status_code == 403
    client.force_login(world["unrelated_officer"])
    assert "Demokratie-Zentrum Sachsen" not in html(client.get(reverse("in_depth_selections")))
    assert client.get(reverse("in_depth_selection", args=[selection.pk])).status_code == 404
    client.force_login(world["carrier"])
    assert client.get(reverse("in_depth_selections")).status_code == 403
    assert client.get(reverse("in_depth_selection", args=[selection.pk])).status_code == 404
    # The carrier's proof page does not tell that the proof was chosen.
    page = html(client.get(_proof_url(grant, _proof)))
    assert "Vertiefte Prüfung" not in page and "anerkennung" not in page


# --- admission on the proof page -----------------------------------------------------------


def test_each_receipt_has_its_own_admission_form(client, world, in_check):
    grant, proof = in_check
    client.force_login(world["officer"])
    page = html(client.get(_proof_url(grant, proof)))
    forms = re.findall(r'<form[^>]*action="([^"]*/anerkennung/)"[^>]*>(.*?)</form>', page, re.S)
    receipts = list(proof.receipts.order_by("pk"))
    assert [action for action, _body in forms] == [_admit_url(grant, proof, r) for r in receipts]
    for (_action, body), receipt in zip(forms, receipts, strict=True):
        # One submit button, and only this receipt's fields: Enter submits this receipt alone.
        assert body.count('type="submit"') == 1
        assert set(re.findall(r'name="(r\d+)-', body)) == {f"r{receipt.pk}"}


def test_a_partial_admission_outside_the_receipt_amount_is_refused_with_a_german_message(
    client, world, in_check
):
    grant, proof = in_check
    receipt = _receipt(proof, "R-1")
    client.force_login(world["officer"])
    prefix = f"r{receipt.pk}"
    response = client.post(
        _admit_url(grant, proof, receipt),
        {f"{prefix}-admission": "partial", f"{prefix}-admitted_amount": "38.000,00", f"{prefix}-reason": "x"},
        follow=True,
    )
    assert (
        "Ein teilweise anerkannter Betrag muss über 0,00 € und unter dem Belegbetrag von 38.000,00 € liegen; "
        "38.000,00 € tut das nicht." in html(response)
    )
    response = client.post(
        _admit_url(grant, proof, receipt),
        {f"{prefix}-admission": "none", f"{prefix}-reason": ""},
        follow=True,
    )
    assert "Bitte begründen Sie, warum Beleg R-1 nicht voll anerkannt wird." in html(response)
    assert Receipt.objects.get(pk=receipt.pk).admission == ""
    response = client.post(
        _admit_url(grant, proof, receipt),
        {
            f"{prefix}-admission": "partial",
            f"{prefix}-admitted_amount": "30.000",
            f"{prefix}-reason": "Stunden",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"#admit-{receipt.pk}")
    page = html(response)
    assert "Beleg R-1: teilweise anerkannt (30.000,00 €)." in page
    assert 'id="not-admitted-total">8.000,00 €<' in page
    assert Receipt.objects.get(pk=receipt.pk).admitted_amount == D("30000.00")


def test_admission_is_refused_to_the_carrier_other_offices_and_officials_of_the_recipient(
    client, world, in_check
):
    grant, proof = in_check
    receipt = _receipt(proof, "R-1")
    data = {f"r{receipt.pk}-admission": "full"}
    insider = carrier_user(grant.organisation, username="insider")
    membership(insider, world["sn"], "case_officer")
    for user, status in (
        (world["carrier"], 403),
        (insider, 403),
        (world["finance"], 403),
        (world["unrelated_officer"], 404),
    ):
        client.force_login(user)
        assert client.post(_admit_url(grant, proof, receipt), data).status_code == status, user
        assert (
            client.post(
                reverse("review_note", args=[grant.pk, proof.pk]), {"purpose_achieved": "yes"}
            ).status_code
            == status
        )
    assert Receipt.objects.get(pk=receipt.pk).admission == ""
    assert not ReviewNote.objects.exists()


def test_the_review_note_is_a_pdf_on_the_proof_page_and_the_settlement_uses_admitted_amounts(
    client, world, in_check, django_capture_on_commit_callbacks
):
    grant, proof = in_check
    client.force_login(world["officer"])
    accept = reverse("proof_step", args=[grant.pk, proof.pk, "accept"])
    assert "Dieser Nachweis wurde zur vertieften Prüfung ausgewählt" in html(
        client.post(accept, {}, follow=True)
    )
    decisions = {
        "R-1": {"admission": "partial", "admitted_amount": "30.000,00", "reason": "Stundenzettel fehlen"},
        "R-2": {"admission": "full"},
        "R-3": {"admission": "none", "reason": "Keine Rechnung"},
        "R-4": {"admission": "full"},
    }
    for number, fields in decisions.items():
        receipt = _receipt(proof, number)
        client.post(_admit_url(grant, proof, receipt), {f"r{receipt.pk}-{k}": v for k, v in fields.items()})
    page = html(client.get(_proof_url(grant, proof)))
    # The preview of the settlement counts what was admitted: A 42,000, final grant 36,000.
    assert "42.000,00 €" in page and "36.000,00 €" in page
    assert "Die vertiefte Prüfung hat 18.000,00 € der Belege nicht anerkannt" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review_note", args=[grant.pk, proof.pk]),
            {"purpose_achieved": "no", "findings": "Nur zwei von vier Workshops fanden statt."},
            follow=True,
        )
    page = html(response)
    assert "Der Prüfvermerk ist geschrieben; sein PDF wird erstellt." in page
    assert "Das PDF des Prüfvermerks wird erstellt." in page  # issued once the transaction is committed
    document = Document.objects.get(kind="review_note")
    page = html(client.get(_proof_url(grant, proof)))
    assert f'href="{reverse("document_download", args=[document.pk])}"' in page
    text = pdf_text(b"".join(client.get(reverse("document_download", args=[document.pk])).streaming_content))
    for part in (
        "Prüfvermerk",
        "Zuwendungszweck erreicht",
        "Nein",
        "Nur zwei von vier Workshops fanden statt.",
        "60.000,00 €",
        "42.000,00 €",
        "18.000,00 €",
        "Stundenzettel fehlen",
        "Keine Rechnung",
        world["officer"].get_full_name(),
        grant.file_number,
    ):
        assert part in text, part
    client.force_login(world["carrier"])  # an internal paper: never for the carrier
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 404
    client.force_login(world["officer"])
    response = client.post(accept, {}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("settlement_detail", args=[grant.pk])
    assert grant.settlement.final_grant == D("36000.00")


# --- first checks on the worklist and the proof page ---------------------------------------


def test_first_checks_due_show_on_the_worklist_and_the_proof_page(client, world, submitted):
    grant, proof = submitted
    due = timezone.localdate() + timedelta(days=5)
    ProofOfUse.objects.filter(pk=proof.pk).update(first_check_due_on=due)
    client.force_login(world["officer"])
    page = html(client.get(reverse("worklist")))
    row = page.split("Erstprüfung eines Nachweises fällig")[1].split("</tr>")[0]
    assert grant.file_number in row and due.strftime("%d.%m.%Y") in row
    assert reverse("in_depth_selections") in page
    ProofOfUse.objects.filter(pk=proof.pk).update(first_check_due_on=timezone.localdate() - timedelta(days=1))
    assert "Erstprüfung eines Nachweises überfällig" in html(client.get(reverse("worklist")))
    proof_page = html(client.get(_proof_url(grant, proof)))
    assert "Erstprüfung fällig bis" in proof_page and "überfällig" in proof_page.split('id="first-check"')[1]
    client.force_login(world["unrelated_officer"])
    assert grant.file_number not in html(client.get(reverse("worklist")))
