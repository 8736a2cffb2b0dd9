"""The whole chain through the real services, as one story (issue "Passing money on").

The federal office grants the municipality behind PfD Görlitz 100,000 EUR for 2026 → the PfD
office opens an action fund (40,000) and a youth fund (10,000) → its Begleitausschuss meets; a
member whose association applies is recused → three micro-projects: two recommended and
approved with four eyes, one rejected → payments from the funds → a full proof (with receipts)
and a simple proof (without), both checked first by the PfD office → one reclaim, repaid into
the fund → the PfD's combined final proof with its annex → its settlement counts the money
passed on only as far as the last recipients' proofs recognised it.

Exact ledger figures at the federal office, the PfD office and each fund, and the rollup at
each level equals the sum of its parts. CI runs it on PostgreSQL; it also runs on SQLite.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from budgets.models import LedgerEntry
from budgets.selectors import chain_table, envelope_figures
from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_propose_rejection,
    application_reject,
)
from grants.awards.models import BaseRate, Grant, Reclaim, Settlement
from grants.awards.services.award import application_approve
from grants.awards.services.proof import (
    passed_on_measures,
    proof_accept,
    proof_start_review,
    proof_submit,
    settlement_preview,
)
from grants.awards.services.reclaim import reclaim_interest, repayment_book
from grants.chain.models import Recusal
from grants.chain.services.committee import session_close, session_open_voting, vote_cast
from reporting.documents.settlement_memo import render_settlement_memo
from tests.grants.chain.committee_world import add_committee, session_with
from tests.grants.chain.proofs_world import (
    DECIDED,
    chain_world,
    fill,
    pay_first,
    pay_micro,
    settle_micro,
    submit_first,
)
from tests.grants.factories import OrganisationFactory
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db

ACTION, YOUTH = "Aktions- und Initiativfonds", "Jugendfonds"


def _figures(envelope_id):
    f = envelope_figures([envelope_id])[envelope_id]
    return (f.allocated, f.committed, f.disbursed, f.proven, f.reclaimed, f.repaid)


def test_the_whole_chain_from_the_federal_grant_to_the_pfds_settlement(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = chain_world(coordination="50000", passed_on=((ACTION, "40000"), (YOUTH, "10000")))
    first = world.grant
    federal_envelope = LedgerEntry.objects.get(reference=first.file_number, kind="commitment").envelope_id
    pay_first(world, "100000")

    # --- two funds from the year's instalment ---------------------------------------------------
    action = world.open_fund(world.action_kind, "40000", max_per_measure="3500")
    youth = world.open_fund(world.youth_kind, "10000", max_per_measure="1000")
    committee = add_committee(world, action, youth)

    # --- three micro-projects; the committee meets; one member is recused -------------------
    a = world.micro_project(action, world.verein, grant="2000")  # Anna Berger's association
    b = world.micro_project(youth, OrganisationFactory(name="Jugendclub Rothenburg"), grant="800")
    c = world.micro_project(action, OrganisationFactory(name="Stadtteilinitiative Königshufen"), grant="3000")
    session, (item_a, item_b, item_c) = session_with(world, committee, a, b, c)
    assert list(
        Recusal.objects.filter(item=item_a).values_list("member__name", flat=True).order_by("member__name")
    ) == [
        "Anna Berger",
        "Gisela Horn",
    ]
    session_open_voting(session=session, by=world.pfd_officer)
    seats = world.seats
    for item, votes in [
        (item_a, {"Bernd Claus": "yes", "Carla Dietz": "yes", "Dirk Engel": "yes"}),
        (item_b, {"Anna Berger": "yes", "Bernd Claus": "yes", "Eva Fuchs": "abstain"}),
        (item_c, {"Anna Berger": "no", "Bernd Claus": "no", "Carla Dietz": "yes"}),
    ]:
        for name, choice in votes.items():
            vote_cast(item=item, member=seats[name], choice=choice, by=world.pfd_officer)
    session_close(session=session, by=world.pfd_officer)
    recommendations = dict(Application.objects.filter(fund__isnull=False).values_list("pk", "recommendation"))
    assert recommendations == {a.pk: "adopted", b.pk: "adopted", c.pk: "rejected"}

    # --- the PfD office decides with four eyes ---------------------------------------------------
    grants = {}
    for app, amount in ((a, "2000"), (b, "800")):
        proposed = application_propose_approval(
            application=Application.objects.get(pk=app.pk),
            by=world.pfd_officer,
            instalments={2026: D(amount)},
        )
        grant = application_approve(application=proposed, by=world.pfd_approver).grant
        # Allowed to start on the project's first day (early start, DOMAIN.md §9): the receipts
        # count although the notice is dated today.
        Grant.objects.filter(pk=grant.pk).update(early_start_from=grant.period_start)
        grants[app.pk] = Grant.objects.get(pk=grant.pk)
    rejected = application_propose_rejection(
        application=Application.objects.get(pk=c.pk),
        by=world.pfd_officer,
        reasons="Der Begleitausschuss hat das Vorhaben nicht empfohlen.",
    )
    assert application_reject(application=rejected, by=world.pfd_approver).state == "rejected"
    grant_a, grant_b = grants[a.pk], grants[b.pk]
    assert (grant_a.fund, grant_b.fund) == (action, youth)

    # --- payments from the funds --------------------------------------------------------------
    pay_micro(world, grant_a, "2000")
    pay_micro(world, grant_b, "800")

    # --- proofs: full with receipts (1,700 spent), simple without; first check by the PfD ------
    carrier_a = world.carrier_of(grant_a.organisation)
    proof_a = fill(grant_a.proofs.get(kind="final"), carrier_a, {"Honorare": "1700"}, receipts=True)
    assert not proof_a.is_simple
    proof_a = proof_start_review(proof=proof_submit(proof=proof_a, by=carrier_a), by=world.pfd_officer)
    proof_accept(proof=proof_a, by=world.pfd_officer, decided_on=DECIDED)
    assert grant_b.proofs.get(kind="final").is_simple
    settle_micro(world, grant_b, "800")

    # The 300 not recognised are reclaimed; repaid with interest into the fund.
    reclaim = Reclaim.objects.get(grant=grant_a)
    assert reclaim.principal == D("300.00")
    BaseRate.objects.get_or_create(valid_from=date(2026, 7, 1), defaults={"rate": D("1.27")})
    owed = reclaim_interest(reclaim=reclaim, until=date(2026, 11, 27))
    repayment_book(
        reclaim=reclaim,
        amount=D("300.00") + owed.interest_outstanding,
        received_on=date(2026, 11, 27),
        by=world.pfd_finance,
    )
    assert Reclaim.objects.get(pk=reclaim.pk).state == "settled"

    # --- the PfD's combined final proof with its annex ----------------------------------------
    annex = passed_on_measures(Grant.objects.get(pk=first.pk))
    assert annex is not None
    assert [(m.file_number, m.granted, m.paid, m.recognised, m.reclaimed) for m in annex.measures] == [
        (grant_a.file_number, D("2000.00"), D("2000.00"), D("1700.00"), D("300.00")),
        (grant_b.file_number, D("800.00"), D("800.00"), D("800.00"), D("0.00")),
    ]
    proof = submit_first(world, {"Koordinierungs- und Fachstelle": "50000", ACTION: "40000", YOUTH: "10000"})
    with translation.override("de"):
        preview = settlement_preview(proof)
    assert preview.problems == []
    # Full financing: 50,000 coordination + 2,500 recognised by the last recipients' proofs.
    assert (preview.recognised_expenditure, preview.final_grant, preview.paid, preview.reclaim_amount) == (
        D("52500.00"),
        D("52500.00"),
        D("100000.00"),
        D("47500.00"),
    )
    proof_accept(proof=proof, by=world.federal_officer, decided_on=date(2026, 12, 1))
    settlement = Settlement.objects.get(grant=first)
    assert (settlement.final_grant, settlement.reclaim_amount) == (D("52500.00"), D("47500.00"))
    memo = pdf_text(render_settlement_memo(settlement=settlement))
    assert (
        "Weitergeleitete Mittel gelten nur als verwendet" in memo
        and "50.000,00" in memo
        and "2.500,00" in memo
    )

    # --- exact ledger figures: (allocated, committed, paid, proven, reclaimed, repaid) --------------
    assert _figures(federal_envelope) == (
        D("1000000.00"),
        D("52500.00"),
        D("100000.00"),
        D("52500.00"),
        D("47500.00"),
        D("0.00"),
    )
    assert _figures(action.envelope_id) == (
        D("40000.00"),
        D("1700.00"),
        D("2000.00"),
        D("1700.00"),
        D("300.00"),
        D("300.00"),
    )
    assert _figures(youth.envelope_id) == (
        D("10000.00"),
        D("800.00"),
        D("800.00"),
        D("800.00"),
        D("0.00"),
        D("0.00"),
    )
    assert not LedgerEntry.objects.filter(reference=Application.objects.get(pk=c.pk).reference).exists()

    # --- the rollup: each level is the sum of its parts, a euro counted once ----------------
    table = chain_table(office=world.federal, visible=None, year=2026)
    rows = {row.office.pk: row for row in table.rows}
    own, pfd, other = (
        rows[world.federal.pk].figures,
        rows[world.pfd.pk].figures,
        rows[world.other_pfd.pk].figures,
    )
    assert (own.allocated_from_above, own.passed_on_committed, own.passed_on_paid, own.own_paid) == (
        D("1000000.00"),
        D("52500.00"),
        D("100000.00"),
        D("0.00"),
    )
    assert (pfd.allocated_from_above, pfd.last_committed, pfd.last_paid, pfd.last_recognised) == (
        D("50000.00"),
        D("2500.00"),
        D("2800.00"),
        D("2500.00"),
    )
    assert (pfd.reclaimed, pfd.returned) == (D("300.00"), D("300.00"))
    assert other == type(other)()
    total = table.total
    # The fund money is counted once: 1,000,000 came from above, not 1,050,000.
    assert total.allocated_from_above == D("1000000.00") and table.between == D("50000.00")
    for name in (
        "passed_on_committed",
        "passed_on_paid",
        "own_paid",
        "last_committed",
        "last_paid",
        "last_recognised",
        "repaid",
    ):
        assert getattr(total, name) == sum((getattr(row.figures, name) for row in table.rows), D(0)), name
    assert total.paid == D("102800.00")
    # One level down: the PfD office alone has its two funds as its money from above.
    pfd_table = chain_table(office=world.pfd, visible=None, year=2026)
    assert pfd_table.total.allocated_from_above == D("50000.00")
    assert pfd_table.total.last_paid == pfd_table.parts.last_paid == D("2800.00")
