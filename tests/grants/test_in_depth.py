"""Checking proofs of use in depth (DOMAIN.md §9, VV Nr. 11): the first-check deadline, the yearly
selection (risk and a seeded draw), the admission of receipts, the review note, the settlement
with admitted amounts, flat-rate lines and the programme's simple-proof threshold.

Services here; the pages in ``test_views_in_depth``.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.dates import add_months
from core.errors import AccessDenied, DomainError
from grants.awards.deadlines import DeadlineKind, deadlines_for_staff
from grants.awards.models import (
    Grant,
    InDepthSelection,
    OfficeReminder,
    ProofOfUse,
    Receipt,
    ReviewNote,
    Settlement,
)
from grants.awards.services.proof import (
    in_depth_select,
    in_depth_selection_plan,
    proof_accept,
    proof_request_changes,
    proof_start_review,
    proof_submit,
    receipt_add,
    receipt_admit,
    review_note_write,
    settlement_preview,
)
from grants.awards.services.reminders import reminders_for, send_first_check_reminders
from reporting.documents.settlement_memo import render_settlement_memo
from tests.budgets.factories import membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_proof import approve_plan, fill_final_proof, make_world, pay, plan_lines
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
# A programme that may finance a project in full (no own share), for plans without own funds.
FULL = {"max_funding_rate": D("100"), "min_own_share": D("0")}
AFTER_YEAR_END = date(timezone.localdate().year + 1, 1, 15)


def messages(exc_info) -> list[str]:
    return exc_info.value.messages


@pytest.fixture
def world():
    return make_world()


def submitted_example(world) -> tuple[Grant, ProofOfUse]:
    """DOMAIN.md §4.1's plan (40,000 / 10,000 / 8,000 / 2,000), deficit financing, 54,000 paid,
    its final proof with one receipt per line (R-1 … R-4), submitted."""
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("staff", "Personal", 2026, "40000"),
            ("fees", "Honorare", 2026, "10000"),
            ("material", "Sachkosten", 2026, "8000"),
            ("travel", "Reisen", 2026, "2000"),
        ],
        own="6000",
        instalments={2026: "54000"},
    )
    world["carrier"] = carrier
    pay(world, grant, carrier, "54000")
    proof = fill_final_proof(
        grant.proofs.get(kind="final"),
        carrier,
        actual={"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisen": "500"},
        own="6000",
    )
    return grant, proof_submit(proof=proof, by=carrier)


@pytest.fixture
def example(world):
    return submitted_example(world)


def chosen(world, proof) -> ProofOfUse:
    """The office's selection of this year (the only proof received) takes ``proof``; in review."""
    in_depth_select(
        office=world["sn"], year=proof.submitted_at.year, by=world["approver"], seed=7, today=AFTER_YEAR_END
    )
    return proof_start_review(proof=proof, by=world["officer"])


def receipts(proof) -> dict[str, Receipt]:
    return {r.reason: r for r in proof.receipts.all()}


# --- first check within three months of receipt --------------------------------------------


def test_every_proof_gets_a_first_check_deadline_three_months_after_receipt(world, example):
    _grant, proof = example
    received = timezone.localdate(proof.submitted_at)
    assert proof.first_check_due_on == add_months(received, 3)
    assert proof.awaits_first_check and proof.first_checked_on is None


def test_the_first_check_is_done_when_the_proof_is_first_sent_back_and_keeps_its_date(world, example):
    _grant, proof = example
    due = proof.first_check_due_on
    proof = proof_start_review(proof=proof, by=world["officer"])
    assert proof.awaits_first_check  # taking it up is not yet the check
    proof = proof_request_changes(proof=proof, by=world["officer"], comment="Belege fehlen")
    assert proof.first_checked_on == timezone.localdate() and proof.first_checked_by == world["officer"]
    proof = proof_submit(proof=proof, by=world["carrier"])
    assert proof.first_check_due_on == due and not proof.awaits_first_check


def test_first_checks_show_on_the_worklist_of_the_office_subtree_only(world, example):
    _grant, proof = example
    due = proof.first_check_due_on
    soon = deadlines_for_staff(world["officer"], today=due - timedelta(days=14)).first_checks
    assert [(i.kind, i.object_id, i.due_on) for i in soon] == [(DeadlineKind.FIRST_CHECK_DUE, proof.pk, due)]
    assert deadlines_for_staff(world["officer"], today=due - timedelta(days=15)).first_checks == []
    late = deadlines_for_staff(world["officer"], today=due + timedelta(days=1)).first_checks
    assert [(i.kind, i.overdue_days) for i in late] == [(DeadlineKind.FIRST_CHECK_OVERDUE, 1)]
    assert deadlines_for_staff(world["unrelated_officer"], today=due).first_checks == []
    # The carrier's reminder never mentions the office's own deadline.
    assert all(
        i.kind not in (DeadlineKind.FIRST_CHECK_DUE, DeadlineKind.FIRST_CHECK_OVERDUE)
        for items in reminders_for(due - timedelta(days=14)).values()
        for i in items
    )


def test_first_check_reminders_go_to_the_offices_case_officers_once_a_day(world, example, settings):
    settings.LANGUAGE_CODE = "de"
    grant, proof = example
    due = proof.first_check_due_on
    assert send_first_check_reminders(today=due - timedelta(days=13)) == 0  # not a reminder day
    assert send_first_check_reminders(today=due - timedelta(days=14)) == 1
    assert send_first_check_reminders(today=due - timedelta(days=14)) == 0  # a retry sends nothing
    message = mail.outbox[-1]
    assert message.to == [world["officer"].email]
    assert message.subject == "Erstprüfungen von Verwendungsnachweisen bei Demokratie-Zentrum Sachsen (1)"
    assert grant.file_number in message.body and "ist bis " in message.body
    assert OfficeReminder.objects.filter(office=world["sn"]).count() == 1
    assert send_first_check_reminders(today=due + timedelta(days=1)) == 1
    assert "ist überfällig" in mail.outbox[-1].body
    assert send_first_check_reminders(today=due + timedelta(days=2)) == 0  # weekly after that
    assert send_first_check_reminders(today=due + timedelta(days=8)) == 1
    proof = proof_start_review(proof=proof, by=world["officer"])
    proof_request_changes(proof=proof, by=world["officer"], comment="Belege fehlen")
    assert send_first_check_reminders(today=due + timedelta(days=15)) == 0  # checked


# --- the yearly selection ------------------------------------------------------------------


@pytest.fixture
def year_of_proofs(world):
    """Eleven proofs received by the office in 2025: G0–G8 of one carrier, G9–G10 of another.

    Risk: G0 is its carrier's first grant and high (two reasons), G5 high, G9 its carrier's first,
    G10 has earlier findings (a review note with findings on G9).
    """
    carriers = [OrganisationFactory(name="Verein A"), OrganisationFactory(name="Verein B")]
    grants = []
    base = timezone.make_aware(datetime(2024, 1, 10, 12))
    for i in range(11):
        amount = "20000" if i in (0, 5) else "9000"
        grant, _carrier = approve_plan(
            world, expenditure=[("staff", "Personal", 2026, amount)], instalments={2026: amount}, **FULL
        )
        Grant.objects.filter(pk=grant.pk).update(
            organisation=carriers[0 if i < 9 else 1], approved_at=base + timedelta(days=i)
        )
        grants.append(grant)
    received = timezone.make_aware(datetime(2025, 5, 2, 10))
    ProofOfUse.objects.filter(grant__in=grants).update(submitted_at=received)
    ReviewNote.objects.create(
        proof=grants[9].proofs.get(),
        purpose_achieved=False,
        findings="Zweck verfehlt",
        receipts_total=D("0"),
        admitted_total=D("0"),
        not_admitted_total=D("0"),
        checked_by=world["officer"],
    )
    return [g.proofs.get() for g in grants]


def test_the_selection_takes_a_share_rounded_up_first_by_risk_then_at_random(world, year_of_proofs):
    p = year_of_proofs
    selection = in_depth_select(
        office=world["sn"],
        year=2025,
        by=world["approver"],
        seed=12345,
        share_percent=D("30"),
        high_amount=D("15000"),
        today=date(2026, 1, 20),
    )
    assert selection.proofs_received == 11 and selection.seed == 12345
    entries = list(selection.entries.order_by("basis", "pk"))
    risk = [(e.proof_id, e.reasons) for e in entries if e.basis == "risk"]
    # ceil(30 % of 11) = 4: two by risk, most reasons first, then the higher amount.
    assert risk == [(p[0].pk, ["first_time", "high_amount"]), (p[5].pk, ["high_amount"])]
    randoms = sorted(e.proof_id for e in entries if e.basis == "random")
    assert len(randoms) == 2 and not {p[0].pk, p[5].pk} & set(randoms)
    # The stored seed draws the same proofs again: the selection can be checked.
    plan = in_depth_selection_plan(
        office=world["sn"], year=2025, seed=selection.seed, share_percent=D("30"), high_amount=D("15000")
    )
    assert sorted(x.pk for x in plan.at_random) == randoms
    assert [(c.proof.pk, list(c.reasons)) for c in plan.by_risk] == risk


def test_risk_reasons_name_first_time_recipients_high_amounts_and_earlier_findings(world, year_of_proofs):
    p = year_of_proofs
    plan = in_depth_selection_plan(
        office=world["sn"], year=2025, seed=1, share_percent=D("100"), high_amount=D("15000")
    )
    reasons = {c.proof.pk: c.reasons for c in plan.by_risk}
    assert reasons == {
        p[0].pk: ("first_time", "high_amount"),
        p[5].pk: ("high_amount",),
        p[9].pk: ("first_time",),
        p[10].pk: ("earlier_findings",),
    }


def test_at_least_ten_percent_rounded_up(world, year_of_proofs):
    selection = in_depth_select(
        office=world["sn"], year=2025, by=world["approver"], seed=3, today=date(2026, 1, 2)
    )
    assert selection.entries.count() == 2  # 10 % of 11 = 1.1 → 2: one by risk, one at random
    assert sorted(selection.entries.values_list("basis", flat=True)) == ["random", "risk"]


def test_a_second_selection_for_the_same_office_and_year_is_refused_by_name(world, year_of_proofs, settings):
    settings.LANGUAGE_CODE = "de"
    in_depth_select(office=world["sn"], year=2025, by=world["approver"], seed=3, today=date(2026, 1, 2))
    with pytest.raises(DomainError) as exc:
        in_depth_select(office=world["sn"], year=2025, by=world["approver"], seed=4, today=date(2026, 1, 3))
    today = timezone.localdate().strftime("%d.%m.%Y")
    name = world["approver"].get_full_name()
    assert messages(exc) == [
        f"Demokratie-Zentrum Sachsen hat die Nachweise des Jahres 2025 bereits am {today} (durch {name}) "
        "für vertiefte Prüfungen ausgewählt; eine zweite Auswahl für dasselbe Jahr ist nicht zulässig."
    ]
    assert InDepthSelection.objects.count() == 1


def test_a_selection_is_refused_before_the_year_ends_below_ten_percent_or_without_proofs(world, settings):
    settings.LANGUAGE_CODE = "de"
    with pytest.raises(DomainError) as exc:
        in_depth_select(
            office=world["sn"], year=2026, by=world["approver"], share_percent=D("5"), today=date(2026, 12, 4)
        )
    assert messages(exc) == [
        "Das Jahr 2026 ist noch nicht abgeschlossen: Seine Nachweise werden ausgewählt, wenn alle Nachweise "
        "des Jahres eingegangen sind, ab dem 1. Januar 2027.",
        "Der vertieft zu prüfende Anteil muss zwischen 10 % und 100 % liegen; 5 % liegt nicht darin.",
    ]
    with pytest.raises(DomainError) as exc:
        in_depth_select(office=world["sn"], year=2024, by=world["approver"], today=date(2026, 12, 4))
    assert messages(exc) == [
        "Bei Demokratie-Zentrum Sachsen sind 2024 keine Verwendungsnachweise eingegangen; es gibt nichts auszuwählen."
    ]
    assert not InDepthSelection.objects.exists()


def test_only_the_head_of_the_office_selects(world, year_of_proofs):
    for user in (world["officer"], world["finance"], world["unrelated_officer"]):
        with pytest.raises(AccessDenied):
            in_depth_select(office=world["sn"], year=2025, by=user, today=date(2026, 1, 2))
    assert not InDepthSelection.objects.exists()


# --- admission of receipts and the review note ---------------------------------------------


def test_receipts_are_admitted_fully_partly_or_not_and_the_settlement_counts_what_was_admitted(
    world, example
):
    grant, proof = example
    proof = chosen(world, proof)
    r = receipts(proof)
    receipt_admit(
        receipt=r["Personal"],
        by=world["officer"],
        admission="partial",
        admitted_amount=D("30000"),
        reason="Stundenzettel fehlen",
    )
    receipt_admit(receipt=r["Honorare"], by=world["officer"], admission="full")
    receipt_admit(receipt=r["Sachkosten"], by=world["officer"], admission="none", reason="Keine Rechnung")
    receipt_admit(receipt=r["Reisen"], by=world["officer"], admission="full")
    preview = settlement_preview(proof)
    # Actual: 30,000 / 11,500 / 0 / 500 → A 42,000; deficit 42,000 − 6,000 = 36,000; paid 54,000.
    assert (preview.recognised_expenditure, preview.final_grant, preview.reclaim_amount) == (
        D("42000.00"),
        D("36000.00"),
        D("18000.00"),
    )
    staff = next(line for line in preview.lines if line.text == "Personal")
    assert (staff.actual, staff.not_admitted) == (D("30000.00"), D("8000.00"))
    with pytest.raises(DomainError) as exc:
        proof_accept(proof=proof, by=world["officer"])
    assert "Prüfvermerk" in messages(exc)[0]
    review_note_write(
        proof=proof, by=world["officer"], purpose_achieved=True, findings="Sachkosten ohne Rechnung."
    )
    proof_accept(proof=proof, by=world["officer"])
    settlement = Settlement.objects.get(grant=grant)
    assert settlement.final_grant == preview.final_grant == D("36000.00")  # the preview is the write
    assert settlement.recognised_expenditure == D("42000.00")
    assert [line.get("not_admitted") for line in settlement.lines] == ["8000.00", None, "10000.00", None]
    memo = " ".join(pdf_text(render_settlement_memo(settlement=settlement)).split())
    assert "nicht anerkannte Belege über 18.000,00 € sind vom Ist abgezogen" in memo


@pytest.mark.parametrize(
    ("admission", "amount", "reason", "expected"),
    [
        (
            "partial",
            "0",
            "x",
            "Ein teilweise anerkannter Betrag muss über 0,00 € und unter dem Belegbetrag von 38.000,00 € liegen; 0,00 € tut das nicht.",
        ),
        (
            "partial",
            "38000",
            "x",
            "Ein teilweise anerkannter Betrag muss über 0,00 € und unter dem Belegbetrag von 38.000,00 € liegen; 38.000,00 € tut das nicht.",
        ),
        (
            "partial",
            "40000",
            "x",
            "Ein teilweise anerkannter Betrag muss über 0,00 € und unter dem Belegbetrag von 38.000,00 € liegen; 40.000,00 € tut das nicht.",
        ),
        ("partial", None, "x", "Bitte geben Sie den anerkannten Betrag von Beleg R-1 an."),
        ("partial", "100", " ", "Bitte begründen Sie, warum Beleg R-1 nicht voll anerkannt wird."),
        ("none", None, "", "Bitte begründen Sie, warum Beleg R-1 nicht voll anerkannt wird."),
        ("", None, "", "Bitte wählen Sie, ob Beleg R-1 voll, teilweise oder nicht anerkannt wird."),
    ],
)
def test_an_admission_outside_the_rules_is_refused_with_the_value_named(
    world, example, settings, admission, amount, reason, expected
):
    settings.LANGUAGE_CODE = "de"
    _grant, proof = example
    proof = chosen(world, proof)
    receipt = receipts(proof)["Personal"]
    with pytest.raises(DomainError) as exc:
        receipt_admit(
            receipt=receipt,
            by=world["officer"],
            admission=admission,
            admitted_amount=None if amount is None else D(amount),
            reason=reason,
        )
    assert messages(exc) == [expected]
    assert Receipt.objects.get(pk=receipt.pk).admission == ""


def test_a_full_admission_needs_no_reason_and_admits_the_whole_amount(world, example):
    _grant, proof = example
    proof = chosen(world, proof)
    receipt = receipt_admit(
        receipt=receipts(proof)["Personal"], by=world["officer"], admission="full", admitted_amount=D("1")
    )
    assert (receipt.admitted_amount, receipt.admission_reason, receipt.admitted_by) == (
        D("38000.00"),
        "",
        world["officer"],
    )


def test_receipts_of_a_proof_not_chosen_are_not_admitted_one_by_one(world, example, settings):
    settings.LANGUAGE_CODE = "de"
    _grant, proof = example
    proof = proof_start_review(proof=proof, by=world["officer"])
    with pytest.raises(DomainError) as exc:
        receipt_admit(receipt=receipts(proof)["Personal"], by=world["officer"], admission="full")
    assert messages(exc) == [
        "Belege werden nur in einer vertieften Prüfung einzeln anerkannt; dieser Nachweis wurde dafür nicht ausgewählt."
    ]
    proof_accept(proof=proof, by=world["officer"])  # no review note needed


def test_only_officials_of_the_office_and_never_for_their_own_organisation_admit(world, example):
    grant, proof = example
    proof = chosen(world, proof)
    insider = carrier_user(grant.organisation, username="insider")
    membership(insider, world["sn"], "case_officer")
    receipt = receipts(proof)["Personal"]
    for user in (world["carrier"], world["unrelated_officer"], world["finance"], insider):
        with pytest.raises(AccessDenied):
            receipt_admit(receipt=receipt, by=user, admission="full")
        with pytest.raises(AccessDenied):
            review_note_write(proof=proof, by=user, purpose_achieved=True)
    assert Receipt.objects.get(pk=receipt.pk).admission == ""


def test_the_review_note_needs_every_receipt_decided_and_findings_when_the_purpose_was_missed(
    world, example, settings
):
    settings.LANGUAGE_CODE = "de"
    _grant, proof = example
    proof = chosen(world, proof)
    r = receipts(proof)
    receipt_admit(receipt=r["Personal"], by=world["officer"], admission="full")
    with pytest.raises(DomainError) as exc:
        review_note_write(proof=proof, by=world["officer"], purpose_achieved=False, findings=" ")
    assert messages(exc) == [
        "Vor dem Prüfvermerk muss über jeden Beleg entschieden sein; noch offen: 3 (R-2, R-3, R-4).",
        "Bitte halten Sie die Feststellungen fest: Der Zweck wurde nicht erreicht.",
    ]
    for name in ("Honorare", "Sachkosten", "Reisen"):
        receipt_admit(
            receipt=r[name],
            by=world["officer"],
            admission="partial",
            admitted_amount=D("100"),
            reason="zu hoch",
        )
    with pytest.raises(DomainError) as exc:
        review_note_write(proof=proof, by=world["officer"], purpose_achieved=None)
    assert messages(exc) == ["Bitte geben Sie an, ob der Zuwendungszweck erreicht wurde."]
    note = review_note_write(
        proof=proof, by=world["officer"], purpose_achieved=False, findings="Nur zwei Workshops."
    )
    assert (note.receipts_total, note.admitted_total, note.not_admitted_total) == (
        D("60000.00"),
        D("38300.00"),
        D("21700.00"),
    )
    assert note.has_findings
    with pytest.raises(DomainError) as exc:
        receipt_admit(receipt=r["Personal"], by=world["officer"], admission="none", reason="doch nicht")
    assert messages(exc) == [
        "Der Prüfvermerk zu diesem Nachweis ist geschrieben; die vertiefte Prüfung ist abgeschlossen."
    ]
    with pytest.raises(DomainError):
        review_note_write(proof=proof, by=world["officer"], purpose_achieved=True)
    assert ReviewNote.objects.filter(proof=proof).count() == 1


# --- flat-rate lines and the simple proof --------------------------------------------------


@pytest.fixture
def flat(world):
    """Staff 40,000 and a flat rate of 3,000 planned; the programme caps flat rates at 5 %."""
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "40000"), ("admin_flat_rate", "Verwaltung", 2026, "3000")],
        instalments={2026: "43000"},
        financing_type="full",
        flat_rate_percent=D("5"),
        **FULL,
    )
    world["carrier"] = carrier
    pay(world, grant, carrier, "43000")
    return grant, grant.proofs.get(kind="final")


def test_receipts_on_a_flat_rate_line_are_refused_with_the_reason(world, flat, settings):
    settings.LANGUAGE_CODE = "de"
    grant, proof = flat
    assert grant.flat_rate_percent == D("5.00")
    line = next(v for k, v in plan_lines(proof).items() if "Verwaltung" in k)
    with pytest.raises(DomainError) as exc:
        receipt_add(
            proof=proof,
            by=world["carrier"],
            number="R-9",
            paid_on=date(2026, 6, 1),
            counterparty="Büro",
            reason="Miete",
            amount=D("100"),
            plan_line=line,
        )
    assert messages(exc) == [
        "Planposition „2 · Verwaltung (2026)“ ist eine Pauschale: Sie braucht keine Belege, nur ihre Obergrenze "
        "von 5 % der direkten Kosten. Buchen Sie den Beleg stattdessen auf die Position der direkten Kosten."
    ]


@pytest.mark.parametrize(("claimed", "recognised"), [("3000", "2000.00"), ("1500", "1500.00")])
def test_a_flat_rate_is_recognised_up_to_its_cap_of_the_direct_costs_without_receipts(
    world, flat, claimed, recognised
):
    grant, proof = flat
    proof = fill_final_proof(
        proof, world["carrier"], actual={"Personal": "40000", "Verwaltung": claimed}, receipts=False
    )
    line = next(v for k, v in plan_lines(proof).items() if "Personal" in k)
    receipt_add(
        proof=proof,
        by=world["carrier"],
        number="R-1",
        paid_on=date(2026, 6, 1),
        counterparty="Team",
        reason="Gehälter",
        amount=D("40000"),
        plan_line=line,
    )
    proof = proof_submit(proof=proof, by=world["carrier"])  # no receipts on the flat rate
    proof = proof_start_review(proof=proof, by=world["officer"])
    preview = settlement_preview(proof)
    flat_line = next(line for line in preview.lines if line.flat_rate)
    assert (flat_line.cap, flat_line.recognised) == (D("2000.00"), D(recognised))
    assert preview.recognised_expenditure == D("40000.00") + D(recognised)
    proof_accept(proof=proof, by=world["officer"])
    assert Settlement.objects.get(grant=grant).recognised_expenditure == preview.recognised_expenditure


def test_without_a_programme_flat_rate_the_category_is_an_ordinary_line_with_receipts(world):
    grant, _carrier = approve_plan(
        world,
        expenditure=[("admin_flat_rate", "Verwaltung", 2026, "3000")],
        instalments={2026: "3000"},
        **FULL,
    )
    proof = grant.proofs.get()
    assert grant.flat_rate_percent == 0 and proof.needs_receipt_list


def test_a_programme_threshold_allows_a_simple_proof_without_receipts(world):
    small, carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "9000")],
        instalments={2026: "9000"},
        simple_proof_threshold=D("10000"),
        **FULL,
    )
    proof = small.proofs.get()
    assert proof.is_simple and proof.simple_proof_threshold == D("10000.00") and not proof.needs_receipt_list
    proof = fill_final_proof(proof, carrier, actual={"Personal": "9000"}, receipts=False)
    assert proof_submit(proof=proof, by=carrier).is_submitted
    large, _carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "12000")],
        instalments={2026: "12000"},
        simple_proof_threshold=D("10000"),
        **FULL,
    )
    assert not large.proofs.get().is_simple and large.proofs.get().needs_receipt_list


def test_the_command_selects_like_the_page_and_its_dry_run_repeats_the_draw(world, year_of_proofs, settings):
    settings.LANGUAGE_CODE = "de"
    out = io.StringIO()
    call_command(
        "select_in_depth_checks",
        "--office",
        "SN",
        "--year",
        "2025",
        "--by",
        "approver",
        "--seed",
        "99",
        stdout=out,
    )
    selection = InDepthSelection.objects.get(office=world["sn"], year=2025)
    assert selection.seed == 99 and "2 of 11 proofs; seed 99" in out.getvalue()
    dry = io.StringIO()
    call_command(
        "select_in_depth_checks", "--office", "SN", "--year", "2025", "--seed", "99", "--dry-run", stdout=dry
    )
    drawn = sorted(int(x) for x in re.findall(r"\(proof (\d+)\)", dry.getvalue()))
    assert drawn == sorted(selection.entries.values_list("proof_id", flat=True))
    with pytest.raises(CommandError, match="eine zweite Auswahl für dasselbe Jahr ist nicht zulässig"):
        call_command("select_in_depth_checks", "--office", "SN", "--year", "2025", "--by", "approver")
    assert InDepthSelection.objects.count() == 1
