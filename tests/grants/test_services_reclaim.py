"""Reclaims with interest, repayments, waivers and revocation (DOMAIN.md §3.8, §4.3)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import BaseRate, Grant, Reclaim, Repayment
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services.award import application_approve
from grants.awards.services.reclaim import (
    grant_revoke,
    reclaim_decide,
    reclaim_interest,
    reclaim_waive_interest,
    repayment_book,
)
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, add_plan, carrier_user
from tests.grants.test_services_grant import approve

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world():
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state", state="SN")
    mv = office(parent=root, name="Landeskoordinierung M-V", code="MV", kind="state", state="MV")
    users = {role: UserFactory() for role in ("officer", "approver", "finance", "finance2", "mv_officer")}
    membership(users["officer"], sn, "case_officer")
    membership(users["approver"], sn, "approver")
    membership(users["finance"], sn, "finance")
    membership(users["finance2"], sn, "finance")
    membership(users["mv_officer"], mv, "case_officer")
    return {"root": root, "sn": sn, "mv": mv, **users}


def build_grant(world, *, instalments: dict[int, str], **programme_kwargs) -> Grant:
    """An approved grant over the years of ``instalments`` (each year planned at 20,000.00)."""
    programme = FundingProgrammeFactory(
        period_start=date(2023, 1, 1),
        drawdown_window_value=6,
        drawdown_window_unit="weeks",
        **programme_kwargs,
    )
    years = sorted(instalments)
    for year in years:
        envelope(office=world["sn"], programme=programme, budget_year=year, allocated=D("100000"))
    app = ApplicationFactory(
        office=world["sn"],
        programme=programme,
        start_date=date(years[0], 1, 1),
        end_date=date(years[-1], 12, 31),
    )
    for year in years:
        add_plan(app, expenditure=D("20000"), own=D("2000"), year=year)
    carrier = carrier_user(app.organisation)
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=world["officer"])
    app = application_complete_formal_check(application=app, by=world["officer"])
    app = application_propose_approval(
        application=app, by=world["officer"], instalments={y: D(v) for y, v in instalments.items()}
    )
    app = application_approve(application=app, by=world["approver"])
    world["carrier"] = carrier
    return app.grant


def pay(grant: Grant, world, amount: str, paid_on: date):
    """A drawdown through the real services: request, certify, order, book as paid."""
    d = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D(amount),
        needed_on=paid_on,
        purpose="Honorare",
        today=paid_on,
    )
    d = drawdown_certify(drawdown=d, by=world["officer"])
    d = drawdown_order(drawdown=d, by=world["finance"])
    return drawdown_book_payment(drawdown=d, by=world["finance2"], paid_on=paid_on)


def ledger(kind: str) -> list[tuple[int, Decimal]]:
    return list(LedgerEntry.objects.filter(kind=kind).order_by("pk").values_list("budget_year", "amount"))


def state_of(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).state


@pytest.fixture
def paid_2024(world):
    """A running 2024/2025 grant with 5,000.00 paid on 01.10.2024 (value date)."""
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(grant, world, "5000.00", date(2024, 10, 1))
    return Grant.objects.get(pk=grant.pk)


def decide(grant, world, principal="2500.00", **kwargs):
    values = {
        "grant": grant,
        "kind": "settlement",
        "principal": D(principal),
        "reasons": "Verwendungsnachweis: weniger Ausgaben als geplant.",
        "by": world["officer"],
        "decided_on": date(2024, 11, 15),
    } | kwargs
    return reclaim_decide(**values)


# --- the decision ----------------------------------------------------------------------------


def test_a_settlement_reclaim_books_the_claim_and_interest_runs_from_the_last_payout(paid_2024, world):
    reclaim = decide(paid_2024, world)
    assert (reclaim.kind, reclaim.state, reclaim.principal, reclaim.interest_basis) == (
        "settlement",
        "open",
        D("2500.00"),
        D("2500.00"),
    )
    assert reclaim.interest_from == date(2024, 10, 1)
    assert ledger("reclaim") == [(2024, D("2500.00"))]
    assert LedgerEntry.objects.get(kind="reclaim").reference == paid_2024.file_number
    assert state_of(paid_2024) == "reclaim"
    log = StateLog.objects.for_(paid_2024).order_by("pk").last()
    assert (log.source_state, log.state, log.by_id) == ("running", "reclaim", world["officer"].pk)


def test_the_reclaimed_principal_is_booked_in_the_latest_years_of_payment_first(world):
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(grant, world, "4000.00", date(2024, 10, 1))
    pay(grant, world, "3000.00", date(2025, 3, 3))
    reclaim = decide(grant, world, principal="5000.00", decided_on=date(2025, 6, 1))
    assert ledger("reclaim") == [(2024, D("2000.00")), (2025, D("3000.00"))]
    assert reclaim.interest_from == date(2025, 3, 3)


def test_no_more_can_be_reclaimed_than_was_paid_and_not_yet_reclaimed(paid_2024, world):
    decide(paid_2024, world, principal="4000.00")
    with translation.override("en"), pytest.raises(DomainError) as exc:
        decide(paid_2024, world, principal="1000.01", kind="revocation")
    with translation.override("en"):
        assert exc.value.messages == [
            "€1,000.01 cannot be reclaimed: only €1,000.00 were paid on this grant and not yet reclaimed."
        ]
    assert Reclaim.objects.count() == 1


def test_a_decision_needs_reasons_and_a_positive_principal(paid_2024, world):
    with pytest.raises(DomainError) as exc:
        decide(paid_2024, world, principal="0", reasons="  ")
    assert len(exc.value.messages) == 2
    assert not Reclaim.objects.exists() and not ledger("reclaim")


def test_only_a_case_officer_or_approver_of_the_granting_office_decides_a_reclaim(paid_2024, world):
    for user in (world["carrier"], world["mv_officer"], world["finance"], UserFactory()):
        with pytest.raises(AccessDenied):
            decide(paid_2024, world, by=user)
    decide(paid_2024, world, by=world["approver"])
    assert Reclaim.objects.count() == 1


def test_the_decision_is_all_or_nothing(paid_2024, world, monkeypatch):
    import grants.awards.services.reclaim.decide as module

    def refuse(**kwargs):
        raise DomainError("ledger refused")

    monkeypatch.setattr(module, "post_reclaim", refuse)
    with pytest.raises(DomainError):
        decide(paid_2024, world)
    assert not Reclaim.objects.exists()
    assert state_of(paid_2024) == "running"


# --- interest --------------------------------------------------------------------------------


def test_interest_of_the_domain_example_is_75_15_in_two_pieces(paid_2024, world):
    reclaim = decide(paid_2024, world)
    statement = reclaim_interest(reclaim=reclaim, until=date(2025, 2, 15))
    # 2,500.00 × 8.37 % × 92/365 = 52.7425 and 2,500.00 × 7.27 % × 45/365 = 22.4075 → 75.15
    assert [(p.start, p.end, p.days, p.rate_percent) for p in statement.pieces] == [
        (date(2024, 10, 1), date(2025, 1, 1), 92, D("8.37")),
        (date(2025, 1, 1), date(2025, 2, 15), 45, D("7.27")),
    ]
    assert [round(p.amount, 4) for p in statement.pieces] == [D("52.7425"), D("22.4075")]
    assert (statement.interest, statement.interest_outstanding, statement.principal_outstanding) == (
        D("75.15"),
        D("75.15"),
        D("2500.00"),
    )
    assert statement.outstanding == D("2575.15")


def test_repaying_principal_and_interest_settles_the_reclaim_and_closes_the_grant(paid_2024, world):
    reclaim = decide(paid_2024, world)
    repayment = repayment_book(
        reclaim=reclaim, amount=D("2575.15"), received_on=date(2025, 2, 15), by=world["finance"]
    )
    assert (repayment.principal_part, repayment.interest_part) == (D("2500.00"), D("75.15"))
    assert state_of(reclaim) == "settled"
    assert state_of(paid_2024) == "closed"
    # The principal goes back to the budget; the interest is booked as interest received.
    assert ledger("repayment") == [(2024, D("2500.00"))]
    assert ledger("interest") == [(2024, D("75.15"))]
    statement = reclaim_interest(reclaim=reclaim, until=date(2025, 6, 30))
    assert (statement.interest, statement.interest_paid, statement.outstanding) == (
        D("75.15"),
        D("75.15"),
        D("0"),
    )


def test_a_partial_repayment_stops_interest_on_the_repaid_principal(paid_2024, world):
    reclaim = decide(paid_2024, world)
    first = repayment_book(
        reclaim=reclaim, amount=D("1000.00"), received_on=date(2024, 12, 1), by=world["finance"]
    )
    assert (first.principal_part, first.interest_part) == (D("1000.00"), D("0.00"))
    statement = reclaim_interest(reclaim=reclaim, until=date(2025, 2, 15))
    # By hand: 2,500.00 × 8.37 % × 61/365 (01.10.–30.11.2024) = 34.9705
    #        + 1,500.00 × 8.37 % × 31/365 (01.12.–31.12.2024) = 10.6632
    #        + 1,500.00 × 7.27 % × 45/365 (01.01.–14.02.2025) = 13.4445
    #        = 59.0782 → 59.08, rounded once.
    assert [(s.principal, s.start, s.end) for s in statement.segments] == [
        (D("2500.00"), date(2024, 10, 1), date(2024, 12, 1)),
        (D("1500.00"), date(2024, 12, 1), date(2025, 2, 15)),
    ]
    assert [(p.days, round(p.amount, 4)) for p in statement.pieces] == [
        (61, D("34.9705")),
        (31, D("10.6632")),
        (45, D("13.4445")),
    ]
    assert (statement.interest, statement.principal_outstanding, statement.outstanding) == (
        D("59.08"),
        D("1500.00"),
        D("1559.08"),
    )
    with translation.override("en"), pytest.raises(DomainError) as exc:
        repayment_book(
            reclaim=reclaim, amount=D("1559.09"), received_on=date(2025, 2, 15), by=world["finance"]
        )
    with translation.override("en"):
        assert exc.value.messages == [
            "€1,559.09 exceed what is owed: on 02/15/2025 the outstanding amount is €1,559.08 "
            "(principal €1,500.00, interest €59.08)."
        ]
    second = repayment_book(
        reclaim=reclaim, amount=D("1550.00"), received_on=date(2025, 2, 15), by=world["finance"]
    )
    assert (second.principal_part, second.interest_part) == (D("1500.00"), D("50.00"))
    assert state_of(reclaim) == "open"
    # The principal is back: interest no longer grows; 9.08 remain.
    later = reclaim_interest(reclaim=reclaim, until=date(2025, 12, 31))
    assert (later.interest, later.interest_outstanding, later.principal_outstanding) == (
        D("59.08"),
        D("9.08"),
        D("0.00"),
    )
    repayment_book(reclaim=reclaim, amount=D("9.08"), received_on=date(2025, 3, 1), by=world["finance"])
    assert state_of(reclaim) == "settled"
    assert ledger("repayment") == [(2024, D("1000.00")), (2024, D("1500.00"))]


def test_repayments_are_booked_in_order_and_not_before_interest_starts(paid_2024, world):
    reclaim = decide(paid_2024, world)
    with pytest.raises(DomainError):
        repayment_book(reclaim=reclaim, amount=D("10.00"), received_on=date(2024, 9, 30), by=world["finance"])
    repayment_book(reclaim=reclaim, amount=D("10.00"), received_on=date(2024, 12, 1), by=world["finance"])
    with pytest.raises(DomainError):
        repayment_book(
            reclaim=reclaim, amount=D("10.00"), received_on=date(2024, 11, 30), by=world["finance"]
        )
    assert Repayment.objects.count() == 1


def test_only_finance_books_a_repayment(paid_2024, world):
    reclaim = decide(paid_2024, world)
    for user in (world["officer"], world["approver"], world["carrier"], world["mv_officer"]):
        with pytest.raises(AccessDenied):
            repayment_book(reclaim=reclaim, amount=D("100.00"), received_on=date(2025, 1, 2), by=user)
    assert not Repayment.objects.exists() and not ledger("repayment")


def test_a_repayment_is_all_or_nothing(paid_2024, world, monkeypatch):
    import grants.awards.services.reclaim.repayment as module

    reclaim = decide(paid_2024, world)

    def refuse(**kwargs):
        raise DomainError("ledger refused")

    monkeypatch.setattr(module, "post_repayment", refuse)
    with pytest.raises(DomainError):
        repayment_book(
            reclaim=reclaim, amount=D("2575.15"), received_on=date(2025, 2, 15), by=world["finance"]
        )
    assert not Repayment.objects.exists()
    assert (state_of(reclaim), state_of(paid_2024)) == ("open", "reclaim")


def test_waived_interest_is_zero_and_settles_a_repaid_reclaim(paid_2024, world):
    reclaim = decide(paid_2024, world)
    repayment_book(reclaim=reclaim, amount=D("2500.00"), received_on=date(2025, 2, 15), by=world["finance"])
    assert reclaim_interest(reclaim=reclaim, until=date(2025, 3, 1)).interest_outstanding == D("75.15")
    with pytest.raises(AccessDenied):
        reclaim_waive_interest(reclaim=reclaim, reason="Härtefall", by=world["officer"])
    with pytest.raises(DomainError):
        reclaim_waive_interest(reclaim=reclaim, reason=" ", by=world["approver"])
    reclaim = reclaim_waive_interest(
        reclaim=reclaim, reason="Härtefall: Verein in Auflösung", by=world["approver"]
    )
    assert (reclaim.interest_waived, reclaim.interest_waived_by) == (True, world["approver"])
    statement = reclaim_interest(reclaim=reclaim, until=date(2025, 3, 1))
    assert (statement.interest, statement.outstanding, statement.pieces) == (D("0.00"), D("0.00"), [])
    assert state_of(reclaim) == "settled"
    assert state_of(paid_2024) == "closed"


def test_a_waiver_before_repayment_leaves_only_the_principal_owed(paid_2024, world):
    reclaim = decide(paid_2024, world)
    reclaim_waive_interest(reclaim=reclaim, reason="Härtefall", by=world["approver"])
    assert state_of(reclaim) == "open"
    with pytest.raises(DomainError):
        repayment_book(
            reclaim=reclaim, amount=D("2500.01"), received_on=date(2025, 2, 15), by=world["finance"]
        )
    repayment_book(reclaim=reclaim, amount=D("2500.00"), received_on=date(2025, 2, 15), by=world["finance"])
    assert state_of(reclaim) == "settled"


def test_a_missing_base_rate_computes_nothing_and_asks_finance_to_enter_it(paid_2024, world):
    # A base rate that a decided reclaim's interest runs through can no longer be deleted (on
    # PostgreSQL the database refuses it), so the half-year is missing before the decision.
    BaseRate.objects.filter(valid_from=date(2025, 1, 1)).delete()
    reclaim = decide(paid_2024, world)
    with pytest.raises(DomainError) as exc:
        reclaim_interest(reclaim=reclaim, until=date(2025, 2, 15))
    assert "01.01.2025" in exc.value.messages[0]
    with pytest.raises(DomainError):
        repayment_book(
            reclaim=reclaim, amount=D("100.00"), received_on=date(2025, 2, 15), by=world["finance"]
        )
    assert not Repayment.objects.exists() and not ledger("repayment")
    # Before the missing half-year everything computes.
    assert reclaim_interest(reclaim=reclaim, until=date(2025, 1, 1)).interest == D("52.74")
    # Finance enters it; the next missing half-year is named.
    BaseRate.objects.create(valid_from=date(2025, 1, 1), rate=D("2.27"))
    assert not BaseRate.objects.filter(valid_from=date(2026, 7, 1)).exists()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        reclaim_interest(reclaim=reclaim, until=date(2026, 8, 1))
    with translation.override("en"):
        assert exc.value.messages == [
            "The base rate for the half-year starting 07/01/2026 is missing. Finance must enter it under "
            "Base rates before interest can be computed."
        ]


# --- revocation ------------------------------------------------------------------------------


@pytest.fixture
def paid_2026(world):
    """The standard 2026 grant (8,500.00 committed) with 3,000.00 paid on 05.03.2026."""
    programme = FundingProgrammeFactory(drawdown_window_value=6, drawdown_window_unit="weeks")
    envelope(office=world["sn"], programme=programme, budget_year=2026, allocated=D("50000"))
    grant, carrier = approve(world, programme=programme)
    world["carrier"] = carrier
    pay(grant, world, "3000.00", date(2026, 3, 5))
    return Grant.objects.get(pk=grant.pk)


def test_a_whole_revocation_reclaims_all_paid_money_and_releases_the_open_commitment(paid_2026, world):
    reclaim = grant_revoke(
        grant=paid_2026, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt"
    )
    assert (reclaim.kind, reclaim.principal, reclaim.interest_from) == (
        "revocation",
        D("3000.00"),
        date(2026, 3, 5),
    )
    grant = Grant.objects.get(pk=paid_2026.pk)
    assert (grant.state, grant.revoked_on, grant.revocation_reasons) == (
        "reclaim",
        date(2026, 4, 1),
        "Zweck verfehlt",
    )
    assert [log.state for log in StateLog.objects.for_(grant).order_by("pk")][-2:] == ["revoked", "reclaim"]
    assert ledger("decommitment") == [(2026, D("-5500.00"))]
    assert ledger("reclaim") == [(2026, D("3000.00"))]


def test_a_whole_revocation_rejects_requests_that_are_not_yet_ordered(paid_2026, world):
    requested = drawdown_request(
        grant=paid_2026,
        by=world["carrier"],
        amount=D("500.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 10),
    )
    certified = drawdown_certify(
        drawdown=drawdown_request(
            grant=paid_2026,
            by=world["carrier"],
            amount=D("700.00"),
            needed_on=date(2026, 3, 20),
            purpose="Material",
            today=date(2026, 3, 10),
        ),
        by=world["officer"],
    )
    grant_revoke(grant=paid_2026, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt")
    assert Drawdown.objects.get(pk=requested.pk).state == "rejected"
    assert Drawdown.objects.get(pk=certified.pk).state == "rejected"


def test_an_ordered_payment_blocks_a_whole_revocation_until_finance_books_it(paid_2026, world):
    ordered = drawdown_order(
        drawdown=drawdown_certify(
            drawdown=drawdown_request(
                grant=paid_2026,
                by=world["carrier"],
                amount=D("500.00"),
                needed_on=date(2026, 3, 20),
                purpose="Honorare",
                today=date(2026, 3, 10),
            ),
            by=world["officer"],
        ),
        by=world["finance"],
    )
    with translation.override("en"), pytest.raises(DomainError) as refused:
        grant_revoke(
            grant=paid_2026, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt"
        )
    with translation.override("en"):
        assert refused.value.messages[0].startswith("The payment of €500.00 ordered on ")
    assert (state_of(paid_2026), Drawdown.objects.get(pk=ordered.pk).state) == ("running", "ordered")
    assert not Reclaim.objects.exists()


def test_a_whole_revocation_of_an_unpaid_grant_reclaims_nothing(world):
    grant, _carrier = approve(world)
    assert (
        grant_revoke(grant=grant, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Verzicht")
        is None
    )
    assert state_of(grant) == "revoked"
    assert ledger("decommitment") == [(2026, D("-8500.00"))]
    assert not Reclaim.objects.exists()


def test_a_partial_revocation_reclaims_the_amount_and_the_project_runs_on(paid_2026, world):
    reclaim = grant_revoke(
        grant=paid_2026,
        by=world["approver"],
        revoked_on=date(2026, 4, 1),
        reasons="Teilwiderruf: Maßnahme 2 entfallen",
        amount=D("1000.00"),
        interest_from=date(2026, 3, 20),
    )
    assert (reclaim.kind, reclaim.principal, reclaim.interest_from) == (
        "revocation",
        D("1000.00"),
        date(2026, 3, 20),
    )
    assert state_of(paid_2026) == "running"
    assert ledger("reclaim") == [(2026, D("1000.00"))]
    assert not ledger("decommitment")


def test_only_an_approver_revokes_a_grant(paid_2026, world):
    for user in (world["officer"], world["finance"], world["carrier"], world["mv_officer"]):
        with pytest.raises(AccessDenied):
            grant_revoke(grant=paid_2026, by=user, revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt")
    assert state_of(paid_2026) == "running"
    assert not ledger("decommitment")


def test_a_revocation_is_all_or_nothing(paid_2026, world, monkeypatch):
    import grants.awards.services.reclaim.revocation as module

    def refuse(**kwargs):
        raise DomainError("refused")

    monkeypatch.setattr(module, "decide_on_locked_grant", refuse)
    with pytest.raises(DomainError):
        grant_revoke(
            grant=paid_2026, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt"
        )
    grant = Grant.objects.get(pk=paid_2026.pk)
    assert (grant.state, grant.revoked_on) == ("running", None)
    assert not ledger("decommitment") and not Reclaim.objects.exists()
