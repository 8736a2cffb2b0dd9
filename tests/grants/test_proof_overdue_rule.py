"""One "overdue" rule for proofs of use, pinned at its boundary days.

``ProofOfUse.is_overdue(day)``: outstanding (a draft or sent back, while the grant still takes
proofs) and due before ``day``. On the due day itself a proof is not overdue; on the day after it
is. The model predicate, its queryset form, the deadlines selector (worklist and reminders), the
drawdown block and the proof pages all give the same answer on the same day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from grants.awards.deadlines import proofs_due_soon, proofs_overdue
from grants.awards.models import ProofOfUse
from grants.awards.services.proof import (
    StatementEntry,
    overdue_interim_proofs,
    proof_request_changes,
    proof_start_review,
    proof_statement_replace,
    proof_submit,
    proof_update,
)
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db

DUE = date(2027, 4, 30)  # the interim proof for 2026 (four months after the year's end)
DAY = timedelta(days=1)
BADGE = '<span class="badge badge--rejected">überfällig</span>'


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def interim(world) -> ProofOfUse:
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Projektleitung", 2026, "10000"), ("staff", "Projektleitung", 2027, "5000")],
        own="1500",
        instalments={2026: "9000", 2027: "4500"},
        end=date(2027, 6, 30),
    )
    world["carrier"] = carrier
    proof = grant.proofs.get(kind="interim")
    assert proof.due_on == DUE
    return proof


def answers(proof: ProofOfUse, day: date) -> dict[str, bool]:
    """Every reader of the rule, asked about ``proof`` on ``day``."""
    proof = ProofOfUse.objects.select_related("grant").get(pk=proof.pk)
    return {
        "model": proof.is_overdue(day),
        "queryset": ProofOfUse.objects.overdue(day).filter(pk=proof.pk).exists(),
        "deadlines": proof.pk in [item.object_id for item in proofs_overdue(today=day)],
        "drawdown block": proof in overdue_interim_proofs(proof.grant, today=day),
    }


@pytest.mark.parametrize(
    ("day", "overdue"),
    [(DUE - DAY, False), (DUE, False), (DUE + DAY, True), (DUE + 30 * DAY, True)],
    ids=["day before", "due day", "day after", "a month later"],
)
def test_a_proof_is_overdue_from_the_day_after_its_due_date(interim, day, overdue):
    assert answers(interim, day) == dict.fromkeys(
        ("model", "queryset", "deadlines", "drawdown block"), overdue
    )


@pytest.mark.parametrize(
    ("day", "due_soon"),
    [(DUE - 31 * DAY, False), (DUE - 30 * DAY, True), (DUE, True), (DUE + DAY, False)],
    ids=["31 days ahead", "30 days ahead", "due day", "day after"],
)
def test_a_proof_is_due_soon_from_30_days_ahead_up_to_its_due_day(interim, day, due_soon):
    proof = ProofOfUse.objects.select_related("grant").get(pk=interim.pk)
    assert proof.is_due_soon(day) is due_soon
    assert (proof.pk in [item.object_id for item in proofs_due_soon(today=day)]) is due_soon


def test_a_proof_handed_in_is_not_overdue_and_one_sent_back_is_again(world, interim):
    carrier = world["carrier"]
    proof_update(proof=interim, by=carrier, narrative="Zwischenbericht")
    lines = [
        StatementEntry(plan_line=line, actual=line.amount)
        for line in interim.plan.lines.filter(budget_year=2026)
    ]
    proof_statement_replace(proof=interim, by=carrier, lines=lines)
    proof_submit(proof=interim, by=carrier)
    assert set(answers(interim, DUE + DAY).values()) == {False}

    proof_start_review(proof=interim, by=world["officer"])
    assert set(answers(interim, DUE + DAY).values()) == {False}

    proof_request_changes(proof=interim, by=world["officer"], comment="Bitte Belege ergänzen.")
    assert set(answers(interim, DUE + DAY).values()) == {True}


@pytest.mark.parametrize(("day", "overdue"), [(DUE, False), (DUE + DAY, True)], ids=["due day", "day after"])
def test_the_proof_pages_mark_a_proof_overdue_by_the_same_rule(client, world, clock, interim, day, overdue):
    """The list and the proof's own page; before, the list had two rules (row: draft or sent back,
    badge: draft only)."""
    clock.set(day.year, day.month, day.day)
    client.force_login(world["carrier"])
    listing = client.get(reverse("grant_proofs", args=[interim.grant_id])).content.decode()
    page = client.get(reverse("proof_detail", args=[interim.grant_id, interim.pk])).content.decode()
    assert (BADGE in listing) is overdue
    assert ('<tr class="is-bad">' in listing) is overdue
    assert (BADGE in page) is overdue


def test_a_proof_sent_back_is_marked_overdue_in_the_list_with_its_badge(client, world, clock, interim):
    carrier = world["carrier"]
    proof_update(proof=interim, by=carrier, narrative="Zwischenbericht")
    lines = [
        StatementEntry(plan_line=line, actual=line.amount)
        for line in interim.plan.lines.filter(budget_year=2026)
    ]
    proof_statement_replace(proof=interim, by=carrier, lines=lines)
    proof_submit(proof=interim, by=carrier)
    proof_start_review(proof=interim, by=world["officer"])
    proof_request_changes(proof=interim, by=world["officer"], comment="Bitte Belege ergänzen.")
    clock.set(2027, 5, 1)
    client.force_login(carrier)
    listing = client.get(reverse("grant_proofs", args=[interim.grant_id])).content.decode()
    assert BADGE in listing and '<tr class="is-bad">' in listing
