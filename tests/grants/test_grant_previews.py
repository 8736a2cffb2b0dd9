"""What a page shows before an action is what the service then does (issue 8 §3).

The revocation page, the late-use page and the reclaim page read the same functions the
services read before they write: ``revocation_consequences``, ``late_use_interest`` and
``reclaim_interest_overview``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import DomainError
from grants.awards.models import Grant, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_request
from grants.awards.services.reclaim import (
    drawdown_record_use,
    grant_revoke,
    late_use_interest_claim,
    reclaim_decide,
    reclaim_interest,
    repayment_book,
)
from grants.awards.services.reclaim.interest import reclaim_interest_overview
from grants.awards.services.reclaim.late_use import late_use_interest
from grants.awards.services.reclaim.revocation import revocation_consequences
from tests.grants.test_services_reclaim import build_grant, ledger, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def running(world):
    """Instalments 9,000.00 for 2024 and 2025; 5,000.00 paid on 01.10.2024."""
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(grant, world, "5000.00", date(2024, 10, 1))
    return Grant.objects.get(pk=grant.pk)


def _request(grant, world, amount="1000"):
    return drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D(amount),
        needed_on=date(2025, 2, 3),
        purpose="Honorare",
        today=date(2025, 2, 1),
    )


def test_a_whole_revocation_does_exactly_what_its_consequences_said(running, world):
    requested = _request(running, world, "400")
    certified = drawdown_certify(drawdown=_request(running, world, "600"), by=world["officer"])
    preview = revocation_consequences(running, amount=None, reasons="Zweck entfallen")
    assert (preview.whole, preview.reclaim, preview.reclaimable, preview.interest_from) == (
        True,
        D("5000.00"),
        D("5000.00"),
        date(2024, 10, 1),
    )
    assert [d.pk for d in preview.falling] == [requested.pk, certified.pk]
    assert (preview.blocking, preview.problems) == ([], [])
    assert preview.released == {2024: D("4000.00"), 2025: D("9000.00")}

    reclaim = grant_revoke(
        grant=running, by=world["approver"], revoked_on=date(2025, 3, 1), reasons="Zweck entfallen"
    )

    assert (reclaim.principal, reclaim.interest_from) == (preview.reclaim, preview.interest_from)
    assert ledger("decommitment") == [(year, -amount) for year, amount in preview.released.items()]
    assert ledger("reclaim") == [(2024, D("5000.00"))]
    assert set(
        Drawdown.objects.filter(pk__in=[requested.pk, certified.pk]).values_list("state", flat=True)
    ) == {"rejected"}


def test_a_partial_revocation_previews_the_service_refusal(running, world):
    with translation.override("en"):
        preview = revocation_consequences(running, amount=D("6000.00"), reasons="Teilweise entfallen")
        assert preview.problems == [
            "€6,000.00 cannot be reclaimed: only €5,000.00 were paid on this grant and not yet reclaimed."
        ]
        with pytest.raises(DomainError) as exc:
            grant_revoke(
                grant=running,
                by=world["approver"],
                revoked_on=date(2025, 3, 1),
                reasons="Teilweise entfallen",
                amount=D("6000.00"),
            )
    assert exc.value.messages == preview.problems
    assert not Reclaim.objects.exists()


def test_a_revocation_without_reasons_is_refused_alike_in_preview_and_service(running, world):
    with translation.override("de"):
        preview = revocation_consequences(running, amount=None, reasons="  ")
        with pytest.raises(DomainError) as exc:
            grant_revoke(grant=running, by=world["approver"], revoked_on=date(2025, 3, 1), reasons="  ")
    assert preview.problems == exc.value.messages == ["Bitte geben Sie die Gründe für den Widerruf an."]
    assert Grant.objects.get(pk=running.pk).state == "running"


def test_the_late_use_figure_is_the_claims_own_interest_piece_by_piece(world):
    grant = build_grant(world, instalments={2025: "15000.00"})
    drawdown = pay(grant, world, "12000.00", date(2025, 3, 3))
    drawdown = drawdown_record_use(drawdown=drawdown, used_on=date(2025, 6, 2), by=world["carrier"])
    due = late_use_interest(drawdown)
    assert (due.window_end, due.days_late, due.interest_from, due.interest) == (
        date(2025, 4, 14),
        49,
        date(2025, 3, 3),
        D("217.50"),
    )
    claim = late_use_interest_claim(drawdown=drawdown, by=world["officer"], decided_on=date(2025, 7, 1))
    written = reclaim_interest(reclaim=claim, until=date(2025, 12, 31))
    assert written.interest_accrued == due.interest
    assert written.rows == due.rows
    assert [(r.start, r.last_day, r.days, r.rate) for r in due.rows] == [
        (date(2025, 3, 3), date(2025, 6, 1), 91, D("7.27"))
    ]


def test_a_late_use_claim_is_refused_with_the_problems_the_page_shows(world):
    grant = build_grant(world, instalments={2025: "15000.00"})
    drawdown = pay(grant, world, "12000.00", date(2025, 3, 3))
    with translation.override("de"):
        shown = late_use_interest(drawdown).problems
        with pytest.raises(DomainError) as exc:
            late_use_interest_claim(drawdown=drawdown, by=world["officer"], decided_on=date(2025, 7, 1))
    assert (
        exc.value.messages
        == shown
        == [
            "Der Tag der Verwendung der Mittel wurde noch nicht erfasst (durch den Zuwendungsempfänger oder die Sachbearbeitung)."
        ]
    )


def test_a_repayment_of_the_outstanding_amount_shown_settles_the_reclaim(running, world):
    reclaim = reclaim_decide(
        grant=running,
        kind="settlement",
        principal=D("2500.00"),
        reasons="Weniger Ausgaben als geplant",
        by=world["officer"],
        decided_on=date(2024, 11, 15),
    )
    shown = reclaim_interest_overview(reclaim=reclaim, until=date(2025, 2, 15)).statement
    assert shown is not None
    repayment = repayment_book(
        reclaim=reclaim, amount=shown.outstanding, received_on=date(2025, 2, 15), by=world["finance"]
    )
    assert (repayment.principal_part, repayment.interest_part) == (
        shown.principal_outstanding,
        shown.interest_outstanding,
    )
    assert Reclaim.objects.get(pk=reclaim.pk).state == "settled"
