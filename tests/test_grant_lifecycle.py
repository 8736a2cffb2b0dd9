"""The whole life of a grant through the real services, as one story.

Approve → notice posted → final → drawdowns certified, ordered and paid → interim proof →
final proof with an imported receipt list → settlement → reclaim with interest → repayment →
closed. CI runs it on PostgreSQL; it also runs on SQLite.
"""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from budgets.selectors import rollup_total
from core.errors import DomainError
from grants.awards.models import BaseRate, Grant, ProofOfUse
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.awards.payments.services.run import payment_run_execute
from grants.awards.services.grant import grant_notice_post, grants_make_final
from grants.awards.services.proof import (
    StatementEntry,
    proof_accept,
    proof_start_review,
    proof_statement_replace,
    proof_submit,
    proof_update,
    receipts_import,
)
from grants.awards.services.reclaim import reclaim_interest, repayment_book
from reporting.payments.services import payment_run_create
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db


def _statement(proof: ProofOfUse, actual: dict[tuple[str, int], str], *, own: str) -> list[StatementEntry]:
    entries = []
    for line in proof.plan.lines.all():
        if proof.budget_year and line.budget_year != proof.budget_year:
            continue
        if line.side == "expenditure":
            entries.append(
                StatementEntry(plan_line=line, actual=D(actual[(line.category, line.budget_year)]))
            )
        elif line.cover_kind == "own":
            entries.append(StatementEntry(plan_line=line, actual=D(own)))
    return entries


def _pay(world, grant, carrier, amount: str, *, requested: date, paid: date):
    drawdown = drawdown_request(
        grant=grant,
        by=carrier,
        amount=D(amount),
        needed_on=requested,
        purpose="Personal und Honorare",
        today=requested,
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    drawdown = drawdown_order(drawdown=drawdown, by=world["finance"])
    # Finance pays by SEPA payment run; executing the run books the payment and the ledger.
    # A run may not be dated in the past: in this story "today" is the day of the payment.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.localdate", lambda *args: paid)
        run = payment_run_create(drawdowns=[drawdown], execution_date=paid, by=world["finance"])
        payment_run_execute(run=run, executed_on=paid, by=world["finance2"])
    return drawdown


def test_the_whole_life_of_a_grant():
    world = make_world()
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("staff", "Projektleitung", 2025, "15000"),
            ("fees", "Honorare Workshops", 2025, "7000"),
            ("staff", "Projektleitung", 2026, "15000"),
            ("fees", "Honorare Workshops", 2026, "7000"),
        ],
        own="4000",
        instalments={2025: "20000", 2026: "20000"},
        start=date(2025, 7, 1),
        end=date(2026, 6, 30),
    )
    assert grant.granted_amount == D("40000.00")
    # The story is told in 2025/26: the approval is dated to its day in the past.
    Grant.objects.filter(pk=grant.pk).update(
        approved_at=datetime(2025, 6, 13, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    )

    # Notice posted on Monday 16.06.2025, received on 20.06., objection period until 21.07.
    grant = grant_notice_post(
        grant=Grant.objects.get(pk=grant.pk), posted_on=date(2025, 6, 16), by=world["officer"]
    )
    assert (grant.deemed_received_on, grant.objection_deadline) == (date(2025, 6, 20), date(2025, 7, 21))
    assert grants_make_final(today=date(2025, 7, 22)) == [grant.file_number]

    # First year's money, paid on 25.07.2025.
    _pay(world, grant, carrier, "20000", requested=date(2025, 7, 23), paid=date(2025, 7, 25))
    assert Grant.objects.get(pk=grant.pk).state == "running"

    # The interim proof for 2025 (due 30.04.2026) is handed in and accepted.
    interim = ProofOfUse.objects.get(grant=grant, kind="interim")
    assert (interim.budget_year, interim.due_on) == (2025, date(2026, 4, 30))
    proof_update(proof=interim, by=carrier, narrative="Zwölf Workshops in sechs Schulen.")
    proof_statement_replace(
        proof=interim,
        by=carrier,
        lines=_statement(interim, {("staff", 2025): "15000", ("fees", 2025): "7000"}, own="4000"),
    )
    interim = proof_submit(proof=interim, by=carrier)
    interim = proof_start_review(proof=interim, by=world["officer"])
    interim = proof_accept(proof=interim, by=world["officer"])
    assert interim.state == "accepted"

    # Second year's money, paid on 05.02.2026.
    _pay(world, grant, carrier, "20000", requested=date(2026, 2, 2), paid=date(2026, 2, 5))

    # The final proof: less was spent in 2026 than planned; the receipt list comes as a CSV file.
    final = ProofOfUse.objects.get(grant=grant, kind="final")
    assert final.due_on == date(2026, 12, 31)
    actual = {
        ("staff", 2025): "15000",
        ("fees", 2025): "7000",
        ("staff", 2026): "12000",
        ("fees", 2026): "6000",
    }
    proof_update(proof=final, by=carrier, narrative="Das Projekt erreichte 480 Jugendliche.")
    proof_statement_replace(proof=final, by=carrier, lines=_statement(final, actual, own="4000"))
    csv = (
        "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition\n"
        "B-001;31.12.2025;Gehaltsabrechnung;Projektleitung 2025;15.000,00;1\n"
        "B-002;15.11.2025;Bildungswerk Görlitz e.V.;Honorare Workshops 2025;7.000,00;2\n"
        "B-003;30.06.2026;Gehaltsabrechnung;Projektleitung 2026;12.000,00;3\n"
        "B-004;20.05.2026;Jugendförderverein Zittau e.V.;Honorare Workshops 2026;6.000,00;4\n"
    ).encode()
    dry = receipts_import(proof=final, by=carrier, content=csv, file_name="belege.csv", dry_run=True)
    assert dry.ok and [row.line for row in dry.rows] == [2, 3, 4, 5] and final.receipts.count() == 0
    receipts_import(proof=final, by=carrier, content=csv, file_name="belege.csv", dry_run=False)
    assert final.receipts.count() == 4
    final = proof_submit(proof=final, by=carrier)
    assert Grant.objects.get(pk=grant.pk).state == "proof_under_review"
    final = proof_start_review(proof=final, by=world["officer"])
    final = proof_accept(proof=final, by=world["officer"], decided_on=date(2026, 9, 1))

    # Settlement (deficit financing): A = 40,000; Z = 40,000 − 4,000 own funds = 36,000; paid 40,000.
    settlement = final.settlement
    assert (settlement.recognised_expenditure, settlement.final_grant, settlement.paid) == (
        D("40000.00"),
        D("36000.00"),
        D("40000.00"),
    )
    assert (settlement.reclaim_amount, settlement.last_payment) == (D("4000.00"), D("0.00"))
    reclaim = grant.reclaims.get()
    assert (reclaim.principal, reclaim.interest_from) == (D("4000.00"), date(2026, 2, 5))
    assert Grant.objects.get(pk=grant.pk).state == "reclaim"

    # The repayment arrives on 01.10.2026; interest needs the base rate from 01.07.2026, which
    # finance has not entered yet: nothing is computed, the message says what is missing.
    with translation.override("en"), pytest.raises(DomainError) as missing:
        repayment_book(
            reclaim=reclaim, amount=D("4163.54"), received_on=date(2026, 10, 1), by=world["finance"]
        )
    with translation.override("en"):
        assert "01.07.2026" in missing.value.messages[0] or "07/01/2026" in missing.value.messages[0]
    assert not reclaim.repayments.exists()
    BaseRate.objects.create(valid_from=date(2026, 7, 1), rate=D("1.27"))

    # 4,000.00 × 6.27 % × (146 + 92) / 365 = 163.54 (05.02.–30.06. and 01.07.–30.09.2026).
    interest = reclaim_interest(reclaim=reclaim, until=date(2026, 10, 1))
    assert interest.interest_outstanding == D("163.54")
    repayment = repayment_book(
        reclaim=reclaim, amount=D("4163.54"), received_on=date(2026, 10, 1), by=world["finance"]
    )
    assert (repayment.principal_part, repayment.interest_part) == (D("4000.00"), D("163.54"))
    reclaim.refresh_from_db()
    assert reclaim.state == "settled"
    assert Grant.objects.get(pk=grant.pk).state == "closed"

    # The budget ledger tells the same story for the granting office.
    row = rollup_total(reference=grant.file_number)
    assert (row.committed, row.disbursed, row.proven, row.reclaimed, row.repaid) == (
        D("36000.00"),
        D("40000.00"),
        D("36000.00"),
        D("4000.00"),
        D("4000.00"),
    )
