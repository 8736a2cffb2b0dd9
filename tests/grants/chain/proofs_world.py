"""Money down the chain and proofs back up, built through the real services on the chain world.

The federal office grants the municipality (first recipient) 100,000 EUR for 2026 with a plan
line of money passed on; the PfD office opens a fund from it; last recipients get
micro-projects, are paid from the fund, and prove their use to the PfD office.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from budgets.models import Fund
from grants.applications.models import Application, CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_record_recommendation,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import Grant, ProofOfUse
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services.award import application_approve
from grants.awards.services.proof import (
    StatementEntry,
    proof_accept,
    proof_start_review,
    proof_statement_replace,
    proof_submit,
    proof_update,
    receipt_add,
)
from grants.carriers.models import Organisation
from tests.grants.chain.world import ChainWorld, build_chain_world
from tests.grants.factories import ApplicationFactory

PAID_ON = date(2026, 5, 4)
DECIDED = date(2026, 11, 20)


def chain_world(
    *, coordination: str = "50000", passed_on: tuple[tuple[str, str], ...] = (("Fonds", "50000"),)
) -> ChainWorld:
    """The chain world with a first grant (full financing, 2026) whose plan has a coordination
    line and one line of money passed on per ``passed_on`` entry (text, amount)."""
    world = build_chain_world()
    programme = world.programme
    programme.allowed_cost_categories = [*programme.allowed_cost_categories, "forwarded"]
    programme.save(update_fields=["allowed_cost_categories"])
    total = D(coordination) + sum((D(amount) for _text, amount in passed_on), D(0))
    app = ApplicationFactory(
        office=world.federal,
        programme=programme,
        organisation=world.municipality,
        # Not the factory's sequence: micro-projects take A-2026-<pk> through the service.
        reference="PfD-GR-2026",
        financing_type="full",
        title="Partnerschaft für Demokratie Landkreis Görlitz 2026",
    )
    ExpenditureLine.objects.create(
        application=app,
        position=0,
        category="staff",
        description="Koordinierungs- und Fachstelle",
        budget_year=2026,
        amount=D(coordination),
    )
    for position, (text, amount) in enumerate(passed_on, start=1):
        ExpenditureLine.objects.create(
            application=app,
            position=position,
            category="forwarded",
            description=text,
            budget_year=2026,
            amount=D(amount),
        )
    CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=total)
    app = application_submit(application=app, by=world.municipal_carrier, today=date(2026, 1, 5))
    app = application_start_formal_check(application=app, by=world.federal_officer)
    app = application_complete_formal_check(application=app, by=world.federal_officer)
    app = application_propose_approval(application=app, by=world.federal_officer, instalments={2026: total})
    app = application_approve(application=app, by=world.federal_approver)
    # Allowed to start on the project's first day (early start, DOMAIN.md §9).
    Grant.objects.filter(pk=app.grant.pk).update(early_start_from=app.grant.period_start)
    world.grant = Grant.objects.get(pk=app.grant.pk)
    return world


def approve_micro(
    world: ChainWorld, fund: Fund, organisation: Organisation, *, grant: str, own: str = "0"
) -> Grant:
    """A micro-project recommended by the committee and approved by the PfD office."""
    app = world.micro_project(fund, organisation, grant=grant, own=own)
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D(grant)}
    )
    app = application_approve(application=app, by=world.pfd_approver)
    # Allowed to start on the project's first day (early start, DOMAIN.md §9): its receipts count
    # although the notice is dated today.
    Grant.objects.filter(pk=app.grant.pk).update(early_start_from=app.grant.period_start)
    return Grant.objects.get(pk=app.grant.pk)


def pay(grant: Grant, amount: str, *, carrier: Any, officer: Any, finance: Any, finance2: Any) -> None:
    d = drawdown_request(
        grant=grant, by=carrier, amount=D(amount), needed_on=PAID_ON, purpose="Ausgaben", today=PAID_ON
    )
    d = drawdown_certify(drawdown=d, by=officer)
    d = drawdown_order(drawdown=d, by=finance)
    drawdown_book_payment(drawdown=d, by=finance2, paid_on=PAID_ON)


def pay_micro(world: ChainWorld, grant: Grant, amount: str) -> None:
    """Paid from the fund: the PfD office certifies, its finance staff order and book."""
    pay(
        grant,
        amount,
        carrier=world.carrier_of(grant.organisation),
        officer=world.pfd_officer,
        finance=world.pfd_finance,
        finance2=world.pfd_finance2,
    )


def pay_first(world: ChainWorld, amount: str) -> None:
    assert world.grant is not None
    pay(
        world.grant,
        amount,
        carrier=world.municipal_carrier,
        officer=world.federal_officer,
        finance=world.federal_finance,
        finance2=world.federal_finance2,
    )


def fill(proof: ProofOfUse, carrier: Any, actual: dict[str, str], *, receipts: bool) -> ProofOfUse:
    """Narrative and statement (``actual`` per expenditure line text; own funds as planned);
    with ``receipts`` one receipt per expenditure line for its actual amount."""
    lines = list(proof.plan.lines.all())
    entries = []
    for line in lines:
        if line.side == "expenditure":
            entries.append(StatementEntry(plan_line=line, actual=D(actual[line.text])))
        elif line.cover_kind == "own":
            entries.append(StatementEntry(plan_line=line, actual=line.amount))
    proof_update(proof=proof, by=carrier, narrative="Kurzbericht: Das Fest fand mit 80 Gästen statt.")
    proof_statement_replace(proof=proof, by=carrier, lines=entries)
    if receipts:
        for i, line in enumerate(line for line in lines if line.side == "expenditure"):
            if D(actual[line.text]):
                receipt_add(
                    proof=proof,
                    by=carrier,
                    number=f"R-{i + 1}",
                    paid_on=date(2026, 6, 1),
                    counterparty="Empfänger",
                    reason=line.text,
                    amount=D(actual[line.text]),
                    plan_line=line,
                )
    return ProofOfUse.objects.get(pk=proof.pk)


def submit_micro(world: ChainWorld, grant: Grant, actual: str, *, receipts: bool = False) -> ProofOfUse:
    """The last recipient hands in its final proof: its one line (Honorare) at ``actual``."""
    carrier = world.carrier_of(grant.organisation)
    proof = fill(grant.proofs.get(kind="final"), carrier, {"Honorare": actual}, receipts=receipts)
    return proof_submit(proof=proof, by=carrier)


def settle_micro(world: ChainWorld, grant: Grant, actual: str) -> ProofOfUse:
    """Submitted by the last recipient, checked and accepted by the PfD office (first check)."""
    proof = submit_micro(world, grant, actual)
    proof = proof_start_review(proof=proof, by=world.pfd_officer)
    return proof_accept(proof=proof, by=world.pfd_officer, decided_on=DECIDED)


def submit_first(world: ChainWorld, actual: dict[str, str]) -> ProofOfUse:
    """The first recipient's final proof with its receipt list, submitted and taken into review
    by the federal office."""
    assert world.grant is not None
    proof = fill(world.grant.proofs.get(kind="final"), world.municipal_carrier, actual, receipts=True)
    proof = proof_submit(proof=proof, by=world.municipal_carrier)
    return proof_start_review(proof=proof, by=world.federal_officer)
