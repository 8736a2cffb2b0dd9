"""Two cases in two offices and organisations, each with one deadline of every kind in one
month (two months ahead, inside the feed's window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from grants.applications.models import Message
from grants.awards.models import Amendment, AmendmentState, Grant, GrantState, ProofOfUse
from tests.budgets.factories import UserFactory, membership, office
from tests.grants.test_services_reclaim import build_grant, pay


@dataclass
class Case:
    grant: Grant
    carrier: Any
    proof: ProofOfUse
    drawdown: Any
    amendment: Amendment
    message: Message


def month_ahead() -> date:
    return (timezone.localdate() + relativedelta(months=2)).replace(day=1)


def make_case(world: dict[str, Any], *, place: Any, offset: int) -> Case:
    """A grant filed at ``place`` whose deadlines fall on days ``offset`` + 1..6 of the month."""
    first = month_ahead()
    grant = build_grant(world, instalments={timezone.localdate().year: "9000.00"})
    carrier = world["carrier"]
    # Paid six weeks (the programme's window) before its last day, money not used yet.
    drawdown = pay(grant, world, "1000.00", timezone.localdate())
    drawdown.__class__.objects.filter(pk=drawdown.pk).update(
        paid_on=first + timedelta(days=offset + 4) - timedelta(weeks=6)
    )
    Grant.objects.filter(pk=grant.pk).update(
        office=place, state=GrantState.NOTIFIED, objection_deadline=first + timedelta(days=offset + 1)
    )
    grant.application.__class__.objects.filter(pk=grant.application_id).update(office=place)
    proof = grant.proofs.order_by("pk").first()
    ProofOfUse.objects.filter(pk=proof.pk).update(
        due_on=first + timedelta(days=offset + 2), first_check_due_on=first + timedelta(days=offset + 3)
    )
    decided = datetime.combine(
        first + timedelta(days=offset + 5), time(10), tzinfo=timezone.get_current_timezone()
    )
    amendment = Amendment.objects.create(
        grant=grant,
        number=1,
        state=AmendmentState.APPROVED,
        reason="Mehr Honorare",
        created_by=carrier,
        decided_at=decided,
    )
    message = Message.objects.create(
        application=grant.application,
        side="office",
        kind="revision_request",
        body="Bitte den Kostenplan erläutern.",
        due_on=first + timedelta(days=offset + 6),
    )
    grant.refresh_from_db()
    proof.refresh_from_db()
    return Case(grant, carrier, proof, drawdown, amendment, message)


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state", state="SN")
    mv = office(parent=root, name="Landeskoordinierung M-V", code="MV", kind="state", state="MV")
    for node in (root, sn, mv):
        node.refresh_from_db()
    users = {
        role: UserFactory()
        for role in ("officer", "approver", "finance", "finance2", "mv_officer", "federal")
    }
    membership(users["officer"], sn, "case_officer")
    membership(users["approver"], sn, "approver")
    membership(users["finance"], sn, "finance")
    membership(users["finance2"], sn, "finance")
    membership(users["mv_officer"], mv, "case_officer")
    membership(users["federal"], root, "case_officer")
    return {"root": root, "sn": sn, "mv": mv, **users}


@pytest.fixture
def cases(world):
    """``sn``: a case of the Saxon office (days 2–7); ``mv``: one of the M-V office (days 12–17)."""
    sn = make_case(world, place=world["sn"], offset=1)
    mv = make_case(world, place=world["mv"], offset=11)
    return {"sn": sn, "mv": mv}
