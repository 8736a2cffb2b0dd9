"""A grant financed by several funders (DOMAIN.md §8): 75 % federal, 25 % state, from the
approval to the closing of its file, with every ledger entry per source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import FundingShare, LedgerEntry
from core.errors import DomainError
from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import BaseRate, Grant, Reclaim
from grants.awards.services.award import application_approve
from grants.awards.services.reclaim import reclaim_interest, repayment_book
from tests.budgets.factories import FundingProgrammeFactory, envelope
from tests.grants.factories import ApplicationFactory, carrier_user
from tests.grants.test_services_proof import make_world, pay
from tests.grants.test_settlement import DECIDED, submit_and_accept

pytestmark = pytest.mark.django_db
D = Decimal
SHARES = {"federal": D("51000.00"), "state": D("17000.00")}  # 75 % / 25 % of 68,000.00


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def approved_in_january_2026(clock):
    """The grant is approved on 02.01.2026; ``settle`` moves the clock to after the settlement."""
    clock.set(2026, 1, 2)
    return clock


@pytest.fixture
def world():
    world = make_world()
    for valid_from in (date(2025, 7, 1), date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1)):
        BaseRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": D("2.27")})
    programme = FundingProgrammeFactory(code="KORA", funding_level="federal")
    world["programme"] = programme
    world["federal"] = envelope(
        office=world["sn"], programme=programme, funding_source="federal", allocated=D("1000000")
    )
    world["state"] = envelope(
        office=world["sn"],
        programme=programme,
        funding_source="state",
        budget_title="0602 684 01",
        allocated=D("1000000"),
    )
    return world


def proposed(world, *, shares=SHARES, state_envelope=True):
    """An application of 80,000.00 (own 8,000.00, third parties 4,000.00, grant 68,000.00 in
    2026), through the formal check to the proposal with ``shares``."""
    app = ApplicationFactory(
        office=world["sn"],
        programme=world["programme"],
        financing_type="deficit",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    ExpenditureLine.objects.create(
        application=app,
        position=0,
        category="staff",
        description="Personal",
        budget_year=2026,
        amount=D("80000"),
    )
    CoverLine.objects.create(application=app, kind="own", budget_year=2026, amount=D("8000"))
    CoverLine.objects.create(
        application=app, kind="third_party", source="Stadt", budget_year=2026, amount=D("4000")
    )
    CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=D("68000"))
    carrier = carrier_user(app.organisation)
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=world["officer"])
    app = application_complete_formal_check(application=app, by=world["officer"])
    app = application_propose_approval(
        application=app, by=world["officer"], instalments={2026: D("68000")}, shares=shares
    )
    return app, carrier


def approve(app, world) -> Grant:
    """Approve; the notice is dated by the test's clock (``approved_at`` defaults to the real time)."""
    grant = application_approve(application=app, by=world["approver"]).grant
    Grant.objects.filter(pk=grant.pk).update(approved_at=timezone.now())
    return Grant.objects.get(pk=grant.pk)


def entries(grant: Grant, since: int = 0) -> list[tuple[int, str, str, Decimal]]:
    return [
        (e.envelope_id, e.envelope.funding_source, e.kind, e.amount)
        for e in LedgerEntry.objects.filter(reference=grant.file_number, pk__gt=since)
        .select_related("envelope")
        .order_by("pk")
    ]


def last_pk() -> int:
    return LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_grant_75_federal_25_state_from_commitment_to_closing(world, approved_in_january_2026):
    fed, state = world["federal"].pk, world["state"].pk
    app, carrier = proposed(world)
    grant = approve(app, world)
    assert (
        dict(FundingShare.objects.filter(reference=grant.file_number).values_list("funding_source", "amount"))
        == SHARES
    )
    # Commitment: each source's share on its own envelope.
    assert entries(grant) == [
        (fed, "federal", "commitment", D("51000.00")),
        (state, "state", "commitment", D("17000.00")),
    ]

    # Two payments, each split 75 / 25 (the cent of 30,000.01 goes to the larger remainder).
    mark = last_pk()
    approved_in_january_2026.set(2026, 3, 2)
    pay(world, grant, carrier, "30000.01", today=date(2026, 3, 2))
    approved_in_january_2026.set(2026, 6, 1)
    pay(world, grant, carrier, "37999.99", today=date(2026, 6, 1))
    assert entries(grant, mark) == [
        (fed, "federal", "disbursement", D("22500.01")),
        (state, "state", "disbursement", D("7500.00")),
        (fed, "federal", "disbursement", D("28499.99")),
        (state, "state", "disbursement", D("9500.00")),
    ]

    # Settlement: 74,000.00 recognised, own 8,000.00, third parties 5,000.00 → final grant
    # 61,000.00; 7,000.00 are released and reclaimed, each split 75 / 25.
    mark = last_pk()
    approved_in_january_2026.set(2027, 3, 15)
    s = submit_and_accept(world, grant, carrier, actual={"Personal": "74000"}, own="8000", third="5000")
    assert (s.final_grant, s.reclaim_amount) == (D("61000.00"), D("7000.00"))
    assert entries(grant, mark) == [
        (fed, "federal", "proven", D("45750.00")),
        (state, "state", "proven", D("15250.00")),
        (fed, "federal", "decommitment", D("-5250.00")),
        (state, "state", "decommitment", D("-1750.00")),
        (fed, "federal", "reclaim", D("5250.00")),
        (state, "state", "reclaim", D("1750.00")),
    ]

    # Repayment of principal and interest: both split 75 / 25; the file closes.
    reclaim = Reclaim.objects.get(grant=grant)
    assert reclaim.decided_on == DECIDED
    owed = reclaim_interest(reclaim=reclaim, until=date(2027, 3, 15))
    mark = last_pk()
    repayment = repayment_book(
        reclaim=reclaim, amount=owed.outstanding, received_on=date(2027, 3, 15), by=world["finance"]
    )
    assert repayment.principal_part == D("7000.00")
    interest = repayment.interest_part
    assert interest == owed.interest > 0
    federal_interest = (interest * 3 / 4).quantize(D("0.01"), rounding="ROUND_DOWN")
    if interest * 100 * 3 % 4 >= 2:  # the larger remainder takes the left-over cent
        federal_interest += D("0.01")
    assert entries(grant, mark) == [
        (fed, "federal", "repayment", D("5250.00")),
        (state, "state", "repayment", D("1750.00")),
        (fed, "federal", "interest", federal_interest),
        (state, "state", "interest", interest - federal_interest),
    ]
    grant.refresh_from_db()
    assert grant.state == "closed"
    # Per source the books balance: committed 51,000 − 5,250 = proven 45,750 = paid 51,000 − reclaimed 5,250.
    for envelope_id, share in ((fed, D("0.75")), (state, D("0.25"))):
        rows = LedgerEntry.objects.filter(reference=grant.file_number, envelope_id=envelope_id)
        total = {
            kind: sum(r.amount for r in rows if r.kind == kind)
            for kind in ("commitment", "decommitment", "disbursement", "proven", "reclaim", "repayment")
        }
        assert total["commitment"] + total["decommitment"] == total["proven"] == D("61000") * share
        assert total["disbursement"] - total["reclaim"] == total["proven"]
        assert total["reclaim"] == total["repayment"]


def test_shares_that_do_not_add_up_to_the_plan_are_refused_and_nothing_is_written(world):
    with pytest.raises(DomainError) as exc:
        proposed(world, shares={"federal": D("51000"), "state": D("16999.99")})
    assert exc.value.messages == [
        "The shares of the funding sources add up to €67,999.99, but the financing plan totals €68,000.00 (difference €0.01)."
    ]
    assert not FundingShare.objects.exists()


def test_a_source_without_an_envelope_is_named_at_the_approval_and_nothing_is_committed(world):
    app, _carrier = proposed(world, shares={"federal": D("51000"), "municipal": D("17000")})
    with pytest.raises(DomainError) as exc:
        application_approve(application=app, by=world["approver"])
    assert exc.value.messages == [
        f"Budget year 2026: there is no budget envelope for {world['programme'].name} (Municipal) at "
        "Demokratie-Zentrum Sachsen "
        "or any office above it."
    ]
    assert not LedgerEntry.objects.exclude(kind="allocation").exists()
    app.refresh_from_db()
    assert app.state != "approved"


def test_a_source_without_enough_money_in_a_year_is_named_and_nothing_is_written(world):
    from budgets.services._posting import Posting, post_entries

    # The state envelope has 16,999.99 left after a block; the federal one has plenty.
    post_entries(
        [Posting(world["state"].pk, 2026, "block", D("983000.01"))], reference="", by=world["finance"]
    )
    with pytest.raises(DomainError) as exc:
        proposed(world)
    short = world["state"].office.short_name
    assert exc.value.messages == [
        f"Budget year 2026: envelope 0602 684 01 ({short}, KORA) has €16,999.99 available, but €17,000.00 "
        "are requested (shortfall €0.01)."
    ]
    assert not FundingShare.objects.exists()
    assert not LedgerEntry.objects.exclude(kind__in=["allocation", "block"]).exists()


# --- the proposal page: the official sets the shares -----------------------------------------


def _in_review(world):
    app = ApplicationFactory(
        office=world["sn"],
        programme=world["programme"],
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    ExpenditureLine.objects.create(
        application=app,
        position=0,
        category="staff",
        description="Personal",
        budget_year=2026,
        amount=D("10000"),
    )
    CoverLine.objects.create(application=app, kind="own", budget_year=2026, amount=D("1000"))
    CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=D("9000"))
    carrier = carrier_user(app.organisation)
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=world["officer"])
    return application_complete_formal_check(application=app, by=world["officer"])


def _propose(client, app, **data):
    return client.post(
        reverse("application_transition", args=[app.pk, "propose_approval"]), data, follow=True
    )


def test_the_official_splits_the_grant_on_the_proposal_page_and_the_approval_shows_each_source(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    client.cookies["django_language"] = "de"
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert 'name="share_federal"' in html and 'name="share_state"' in html
    response = _propose(client, app, year_2026="9.000,00", share_federal="6.750,00", share_state="2.250,00")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert dict(
        FundingShare.objects.filter(reference=app.reference).values_list("funding_source", "amount")
    ) == {
        "federal": D("6750.00"),
        "state": D("2250.00"),
    }
    # The approver's page shows the year per source, as the approval will commit it.
    client.force_login(world["approver"])
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "2026 · Bund" in html and "2026 · Land" in html
    assert "6.750,00" in html and "2.250,00" in html


def test_shares_that_do_not_add_up_are_refused_on_the_page_in_german(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    client.cookies["django_language"] = "de"
    response = _propose(client, app, year_2026="9.000,00", share_federal="6.750,00", share_state="2.000,00")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Die Anteile der Mittelgeber ergeben 8.750,00 €, der Finanzierungsplan sieht aber 9.000,00 € vor "
        "(Differenz 250,00 €)."
    ]
    app.refresh_from_db()
    assert app.state == "content_review"
    assert not FundingShare.objects.exists()


def test_a_carrier_cannot_propose_shares(client, world):
    app = _in_review(world)
    carrier = carrier_user(app.organisation)
    client.force_login(carrier)
    _propose(client, app, year_2026="9.000,00", share_federal="9.000,00")
    app.refresh_from_db()
    assert app.state == "content_review"
    assert not FundingShare.objects.exists()


# --- the documents show the split --------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_notice_settlement_memo_reclaim_decision_and_budget_report_show_each_funder(
    world, approved_in_january_2026
):
    from reporting.documents.budget_report import render_budget_report
    from reporting.documents.grant_notice import render_grant_notice
    from reporting.documents.reclaim_decision import render_reclaim_decision
    from reporting.documents.settlement_memo import render_settlement_memo
    from tests.reporting.helpers import pdf_text

    app, carrier = proposed(world)
    grant = approve(app, world)
    notice = _flat(pdf_text(render_grant_notice(grant=grant)))
    assert "mehreren Mittelgebern in festen Anteilen" in notice
    assert "Bundesmittel 75 % 51.000,00 €" in notice
    assert "Landesmittel 25 % 17.000,00 €" in notice

    approved_in_january_2026.set(2026, 3, 2)
    pay(world, grant, carrier, "30000.01", today=date(2026, 3, 2))
    approved_in_january_2026.set(2026, 6, 1)
    pay(world, grant, carrier, "37999.99", today=date(2026, 6, 1))
    approved_in_january_2026.set(2027, 3, 15)
    settlement = submit_and_accept(
        world, grant, carrier, actual={"Personal": "74000"}, own="8000", third="5000"
    )
    memo = _flat(pdf_text(render_settlement_memo(settlement=settlement)))
    # Final grant, paid, reclaim per source.
    assert "Bundesmittel 75 % 45.750,00 € 51.000,00 € 5.250,00 €" in memo
    assert "Landesmittel 25 % 15.250,00 € 17.000,00 € 1.750,00 €" in memo

    decision = _flat(pdf_text(render_reclaim_decision(reclaim=Reclaim.objects.get(grant=grant))))
    assert "Bundesmittel 75 % 5.250,00 €" in decision
    assert "Landesmittel 25 % 1.750,00 €" in decision

    report = _flat(pdf_text(render_budget_report(office=world["sn"], year=2026, by=world["finance"])))
    assert "5. Zuwendungen mit mehreren Mittelgebern" in report
    # Committed (51,000 − 5,250), paid, reclaimed, repaid, interest per source.
    assert f"{grant.file_number} Bundesmittel 75 % 45.750,00 € 51.000,00 € 5.250,00 € 0,00 € 0,00 €" in report
    assert "Landesmittel 25 % 15.250,00 € 17.000,00 € 1.750,00 € 0,00 € 0,00 €" in report


def test_a_grant_with_one_source_prints_no_split(world):
    from reporting.documents.grant_notice import render_grant_notice
    from tests.reporting.helpers import pdf_text

    app, _carrier = proposed(world, shares={})
    grant = application_approve(application=app, by=world["approver"]).grant
    assert "Mittelgebern" not in _flat(pdf_text(render_grant_notice(grant=grant)))
    assert list(
        LedgerEntry.objects.filter(reference=grant.file_number).values_list("envelope_id", "amount")
    ) == [(world["federal"].pk, D("68000.00"))]


# --- an amendment's increase splits like the grant ---------------------------------------------


def test_an_amendment_increase_is_checked_and_committed_per_source(world, approved_in_january_2026):
    from grants.awards.services.amendment import (
        amendment_approve,
        amendment_budget_effect,
        amendment_create,
        amendment_propose,
        amendment_submit,
    )

    app, carrier = proposed(world)
    grant = approve(app, world)
    lines = [
        {"category": "staff", "text": "Personal", "budget_year": 2026, "amount": D("84000")},
        {"cover_kind": "own", "text": "Eigenmittel", "budget_year": 2026, "amount": D("8000")},
        {"cover_kind": "third_party", "text": "Stadt", "budget_year": 2026, "amount": D("4000")},
        {"cover_kind": "grant", "budget_year": 2026, "amount": D("72000")},
    ]
    amendment = amendment_create(
        grant=grant, by=carrier, reason="Mehr Personal", lines=lines, instalments={2026: D("72000")}
    )
    approved_in_january_2026.set(2026, 6, 1)
    amendment = amendment_submit(
        amendment=amendment, by=carrier, today=date(2026, 6, 1), asks_for_increase=True
    )
    (row,) = amendment_budget_effect(amendment).years
    assert row.envelope == "0601 684 21 ({0}, KORA), 0602 684 01 ({0}, KORA)".format(world["sn"].short_name)
    assert (row.available, row.problem) == (D("1932000.00"), "")
    amendment = amendment_propose(amendment=amendment, by=world["officer"])
    mark = last_pk()
    amendment_approve(amendment=amendment, by=world["approver"])
    assert entries(grant, mark) == [
        (world["federal"].pk, "federal", "commitment", D("3000.00")),
        (world["state"].pk, "state", "commitment", D("1000.00")),
    ]
