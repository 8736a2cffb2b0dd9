"""Builders shared by the finance-document tests: grants, drawdowns, settlements, reclaims."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from grants.awards.models import Grant, ProofOfUse, Reclaim, Settlement
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.calculations import recognised_lines
from reporting.models import Document
from tests.budgets.factories import envelope
from tests.reporting.helpers import approved

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _read(document: Document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


# --- builders ----------------------------------------------------------------------------------


def ordered_drawdown(world, finance, grant=None) -> Drawdown:
    """4.321,09 € requested by the carrier, certified by Jürgen Weiß, ordered by Annegret Kühn."""
    grant = grant or approved(world).grant
    drawdown = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D("4321.09"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare für die Workshopleitungen im März und Moderationsmaterial",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    return drawdown_order(drawdown=drawdown, by=finance)


def dated_drawdown(drawdown: Drawdown) -> Drawdown:
    """The drawdown with the timestamps of a request on 02.03., certified 03.03., ordered 04.03.2026."""
    Drawdown.objects.filter(pk=drawdown.pk).update(
        requested_at=_at(date(2026, 3, 2)),
        certified_at=_at(date(2026, 3, 3), 9),
        ordered_at=_at(date(2026, 3, 4), 11, 30),
    )
    return Drawdown.objects.select_related("grant__office", "grant__organisation", "grant__application").get(
        pk=drawdown.pk
    )


def grant_2025(world) -> Grant:
    """A one-year grant for 2025 (12.345,67 €), notified on 20.01.2025."""
    envelope(office=world["sn"], programme=world["programme"], budget_year=2025, allocated=D("500000"))
    grant = approved(world, years=(2025,)).grant
    Grant.objects.filter(pk=grant.pk).update(approved_at=_at(date(2025, 1, 20)))
    return Grant.objects.get(pk=grant.pk)


# Actual expenditure per plan line: fees (2.000,00) and material (1.100,00) run over 20 %.
ACTUAL = [D("8200.00"), D("2500.00"), D("700.00"), D("1400.00"), D("450.00")]


def settlement_for(world, grant: Grant, **overrides) -> Settlement:
    """The stored settlement of the final proof, with the line-by-line figures the service stores."""
    plan = grant.plan_versions.get(version=1)
    lines = list(plan.lines.filter(side="expenditure").order_by("budget_year", "position", "pk"))
    planned = {str(line.pk): line.amount for line in lines}
    actual = {str(line.pk): amount for line, amount in zip(lines, ACTUAL, strict=True)}
    recognised = recognised_lines(planned, actual, tolerance=grant.overrun_tolerance)
    rows = []
    for number, line in enumerate(lines, start=1):
        cap = line.amount * (1 + grant.overrun_tolerance)
        rows.append(
            {
                "plan_line": line.pk,
                "number": str(number),
                "category": line.category,
                "text": line.text,
                "budget_year": line.budget_year,
                "planned": str(line.amount),
                "actual": str(actual[str(line.pk)]),
                "cap": str(cap.quantize(D("0.01"))),
                "recognised": str(recognised[str(line.pk)].quantize(D("0.01"))),
                "capped": actual[str(line.pk)] > cap,
            }
        )
    figures = {
        "planned_expenditure": D("13680.00"),
        "actual_expenditure": D("13250.00"),
        "recognised_expenditure": D("13070.00"),
        "planned_own": D("684.33"),
        "planned_third": D("650.00"),
        "actual_own": D("684.33"),
        "actual_third": D("820.00"),
        "granted": D("12345.67"),
        "final_grant": D("11565.67"),
        "paid": D("12345.67"),
        "reclaim_amount": D("780.00"),
        "last_payment": D("0.00"),
    } | overrides
    accepted = {
        "plan": plan,
        "state": "accepted",
        "submitted_at": _at(date(2026, 1, 28)),
        "submitted_by": world["carrier"],
        "reviewed_by": world["officer"],
        "accepted_at": _at(date(2026, 2, 12)),
    }
    # The approval schedules the final proof; it is shown here as accepted.
    proof = ProofOfUse.objects.filter(grant=grant, kind="final").first()
    if proof is None:
        proof = ProofOfUse.objects.create(grant=grant, kind="final", due_on=date(2026, 6, 30), **accepted)
    else:
        ProofOfUse.objects.filter(pk=proof.pk).update(**accepted)
        proof = ProofOfUse.objects.get(pk=proof.pk)
    return Settlement.objects.create(
        proof=proof,
        grant=grant,
        lines=rows,
        computed_by=world["officer"],
        computed_at=_at(date(2026, 2, 16)),
        **figures,
    )


def reclaim_for(world, grant: Grant, **overrides) -> Reclaim:
    """780,00 € reclaimed on 16.02.2026, interest from the payout on 02.06.2025."""
    fields = {
        "grant": grant,
        "kind": "settlement",
        "principal": D("780.00"),
        "interest_basis": D("780.00"),
        "decided_on": date(2026, 2, 16),
        "interest_from": date(2025, 6, 2),
        "reasons": (
            "Die Prüfung des Verwendungsnachweises hat ergeben, dass die zuwendungsfähigen Ausgaben "
            "geringer ausgefallen sind als geplant.\n\nDie Drittmittel der Stadt Görlitz sind höher ausgefallen."
        ),
        "decided_by": world["approver"],
    } | overrides
    return Reclaim.objects.create(**fields)
