"""The deadlines box on the officials' worklist: proofs overdue, money not used in time."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from grants.awards.models import Grant
from tests.grants.test_services_reclaim import build_grant, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def overdue(world):
    """A 2024 grant: final proof due 30.06.2025 and not handed in; 5,000.00 paid on 01.10.2024
    and never reported as used (the six-week window ended on 12.11.2024)."""
    grant = build_grant(world, instalments={2024: "9000.00"})
    drawdown = pay(grant, world, "5000.00", date(2024, 10, 1))
    return Grant.objects.get(pk=grant.pk), drawdown


def test_worklist_shows_the_deadlines_of_the_officials_offices(client, world, overdue):
    grant, drawdown = overdue
    proof = grant.proofs.get(kind="final")
    client.force_login(world["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.get(reverse("worklist")))
    box = page.split('id="deadlines-heading"')[1].split("</section>")[0]
    overdue_row = box.split("Proof of use overdue")[1].split("</tr>")[0]
    assert reverse("proof_detail", args=[grant.pk, proof.pk]) in overdue_row
    assert grant.file_number in overdue_row and "06/30/2025" in overdue_row
    unused_row = box.split("Drawdown not used in time")[1].split("</tr>")[0]
    assert "(€5,000.00)" in unused_row and "11/12/2024" in unused_row
    assert reverse("grant_drawdowns", args=[grant.pk]) + f"#drawdown-{drawdown.pk}" in unused_row


def test_worklist_of_an_unrelated_office_shows_no_foreign_deadlines(client, world, overdue):
    grant, _drawdown = overdue
    client.force_login(world["mv_officer"])
    page = html(client.get(reverse("worklist")))
    assert grant.file_number not in page
    assert 'id="deadlines-heading"' not in page
