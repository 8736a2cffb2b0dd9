"""``manage.py seed_demo``: a complete, valid, idempotent demo world.

Seeding takes several seconds, so the module seeds once (twice, to prove idempotence) inside
a transaction that is rolled back at the end, and every test reads that data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.models import User
from demo.people import USERS
from demo.world import DEMO_PASSWORD
from grants.applications.models import Application, ApplicationState
from grants.applications.services.application import application_rule_check
from grants.awards.models import Amendment, Grant, ProofOfUse, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.services.reclaim import reclaim_interest
from grants.carriers.models import Organisation

pytestmark = pytest.mark.django_db

SEEDED_APPS = ("accounts", "budgets", "grants", "django_fsm_log")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }


@dataclass
class Seeded:
    first_counts: dict[str, int]
    second_counts: dict[str, int]
    output: str


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))},
        },
    }
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(STORAGES=storages, PASSWORD_HASHERS=fast_hashing),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        first = _row_counts()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield Seeded(first, _row_counts(), out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_running_the_seed_twice_creates_no_duplicates(seeded):
    assert seeded.first_counts["grants.Application"] > 0
    assert seeded.first_counts["grants.Drawdown"] > 0 and seeded.first_counts["grants.Repayment"] > 0
    assert seeded.second_counts == seeded.first_counts


def test_demo_has_at_least_forty_applications_in_every_workflow_state(seeded):
    assert Application.objects.count() >= 40
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)


def test_demo_has_at_least_ten_carriers_including_a_confidential_exit_programme(seeded):
    assert Organisation.objects.count() >= 10
    confidential = Organisation.objects.get(confidential=True)
    assert "Ausstieg" in confidential.name
    assert confidential.applications.exists()


def test_every_demo_user_can_log_in_with_the_demo_password(seeded, client, fast_password_hashing):
    usernames = [spec["username"] for spec in USERS]
    assert User.objects.filter(username__in=usernames).count() == len(usernames)
    refused = [name for name in usernames if not client.login(username=name, password=DEMO_PASSWORD)]
    assert refused == []
    assert User.objects.get(username="admin").is_superuser


def test_every_submitted_demo_application_passes_its_programme_rules(seeded):
    broken = {
        a.reference: errors
        for a in Application.objects.exclude(state="draft").select_related("programme")
        if (errors := application_rule_check(a))
    }
    assert broken == {}


def test_every_demo_state_was_reached_through_recorded_transitions(seeded):
    for application in Application.objects.exclude(state="draft"):
        logs = list(StateLog.objects.for_(application).order_by("timestamp", "pk"))
        assert logs, application.reference
        assert logs[-1].state == application.state, application.reference
        assert all(log.by_id for log in logs), application.reference
        # Only the carrier's first submission goes without a comment.
        assert all(log.description for log in logs[1:]), application.reference


def test_seed_prints_every_demo_login_with_the_password(seeded):
    for spec in USERS:
        assert spec["username"] in seeded.output
    assert DEMO_PASSWORD in seeded.output


# --- after the award ----------------------------------------------------------------------------

D = Decimal


def test_demo_notices_became_final_by_waiver_and_by_the_objection_period(seeded):
    final = Grant.objects.filter(final_on__isnull=False)
    assert final.filter(objection_waived_on__isnull=False).count() >= 2
    by_period = final.filter(objection_waived_on__isnull=True)
    assert by_period.count() >= 3
    for grant in final:
        # Back-dated approvals: the notice was posted on or after the approval, final after that.
        assert timezone.localdate(grant.approved_at) <= grant.posted_on < grant.final_on, grant.file_number
    for grant in by_period:
        assert grant.final_on == grant.objection_deadline + timedelta(days=1)
    # One regular demo notice is posted and its objection period is running.
    assert Grant.objects.filter(
        state="notified", posted_on__isnull=False, objection_deadline__gte=date.today()
    )


def test_demo_has_drawdowns_in_every_state_of_the_way_to_payment_with_four_eyes(seeded):
    assert {"requested", "certified", "ordered", "paid"} <= set(
        Drawdown.objects.values_list("state", flat=True)
    )
    for d in Drawdown.objects.exclude(certified_by=None):
        assert d.certified_by_id != d.requested_by_id
    for d in Drawdown.objects.exclude(ordered_by=None):
        assert d.ordered_by_id not in {d.certified_by_id, d.requested_by_id}
    ordered = Drawdown.objects.get(state="ordered")
    assert ordered.grant.organisation.iban  # something for the SEPA payment run
    today = timezone.localdate()
    assert today <= ordered.needed_on and ordered.grant.period_start <= today <= ordered.grant.period_end


def test_demo_settlement_caps_a_line_and_reclaims_with_interest_and_a_partial_repayment(seeded):
    grant = Grant.objects.get(title="Stadtteilforum Leipziger Osten 2025")
    settlement = grant.settlement
    assert (
        settlement.recognised_expenditure,
        settlement.final_grant,
        settlement.paid,
        settlement.reclaim_amount,
    ) == (D("59600.00"), D("51600.00"), D("54000.00"), D("2400.00"))
    assert [(line["category"], line["recognised"]) for line in settlement.lines if line["capped"]] == [
        ("material", "9600.00")
    ]
    proof = settlement.proof
    assert proof.receipts.count() == 17 and proof.narrative_file_name == "Sachbericht_2025.pdf"
    assert proof.lines.filter(plan_line__isnull=True, cover_kind="income", actual=D("2000.00")).exists()
    reclaim = grant.reclaims.get()
    assert (grant.state, reclaim.state, reclaim.principal, reclaim.interest_from) == (
        "reclaim",
        "open",
        D("2400.00"),
        date(2025, 9, 3),
    )
    repayment = reclaim.repayments.get()
    assert (repayment.received_on, repayment.amount, repayment.principal_part) == (
        date(2026, 3, 16),
        D("1500.00"),
        D("1500.00"),
    )
    # 2,400.00 at 1.27 + 5 %: 120 days in 2025 and 74 days in 2026 → 79.98; then 900.00 left.
    assert reclaim_interest(reclaim=reclaim, until=date(2026, 3, 16)).interest_accrued == D("79.98")
    statement = reclaim_interest(reclaim=reclaim, until=date(2026, 7, 1))
    assert (statement.principal_outstanding, statement.interest_accrued) == (D("900.00"), D("96.52"))


def test_demo_settlement_with_a_last_payment_that_finance_paid(seeded):
    grant = Grant.objects.get(title="Demokratiewerkstatt an Dresdner Oberschulen 2025")
    settlement = grant.settlement
    assert (settlement.final_grant, settlement.paid, settlement.last_payment) == (
        D("19000.00"),
        D("15000.00"),
        D("4000.00"),
    )
    last = grant.drawdowns.get(amount=D("4000.00"))
    assert (grant.state, last.state, last.paid_on) == ("closed", "paid", date(2026, 2, 26))
    assert grant.objection_waived_on is not None


def test_demo_has_an_interim_proof_submitted_and_amendments_approved_and_pending(seeded):
    interim = ProofOfUse.objects.get(kind="interim", state="submitted")
    assert interim.budget_year == 2025 and interim.plan.version == 2
    approved = Amendment.objects.get(state="approved")
    assert approved.resulting_plan.version == 2
    assert list(approved.grant.plan_versions.values_list("version", flat=True)) == [1, 2]
    pending = Amendment.objects.get(state__in=("submitted", "proposed"))
    assert pending.proposed_by_id is not None and pending.decided_by_id is None


def test_demo_late_use_interest_is_the_example_of_the_domain_guide(seeded):
    reclaim = Reclaim.objects.get(kind="late_use")
    assert (reclaim.drawdown.amount, reclaim.drawdown.paid_on, reclaim.drawdown.used_on) == (
        D("12000.00"),
        date(2025, 3, 3),
        date(2025, 6, 2),
    )
    assert reclaim_interest(reclaim=reclaim).interest_accrued == D("217.50")


def test_demo_post_award_steps_name_their_actor_and_lie_in_the_past(seeded):
    logs = StateLog.objects.filter(content_type__model__in=("drawdown", "proofofuse", "amendment", "reclaim"))
    assert logs.exists() and not logs.filter(by=None).exists()
    assert not StateLog.objects.filter(timestamp__gt=timezone.now()).exists()


def test_finance_maintains_the_base_rates_in_the_admin_and_nothing_else(seeded, client):
    from grants.models import BaseRate

    client.login(username="finanzen", password="demo2026")
    assert client.get("/admin/grants/baserate/").status_code == 200
    response = client.post("/admin/grants/baserate/add/", {"valid_from": "2026-07-01", "rate": "1.27"})
    assert response.status_code == 302
    assert BaseRate.objects.filter(valid_from="2026-07-01").exists()
    assert client.get("/admin/grants/application/").status_code == 403
    client.login(username="sachbearbeitung", password="demo2026")
    assert client.get("/admin/grants/baserate/").status_code == 302  # not staff: to the admin login


# --- passing money on (DOMAIN §7) ---------------------------------------------------------------


def _first_grants(organisation: Organisation):
    return Grant.objects.filter(organisation=organisation, programme__code="DL-PFD", office__code="SN")


def test_every_pfd_opens_an_action_and_a_youth_fund_from_its_first_grant(seeded):
    from budgets.models import LedgerEntry
    from demo.chain_people import LEGAL_BODIES
    from grants.chain.services.funds import funds_by_year

    assert len(LEGAL_BODIES) >= 6
    for code, name in LEGAL_BODIES.items():
        body = Organisation.objects.get(name=name)
        assert body.runs_office is not None and body.runs_office.code == code, name
        assert body.is_public_body, name
        assert _first_grants(body).exists(), name
        for grant in _first_grants(body):
            (year,) = funds_by_year(grant)
            assert sorted(f.kind.code for f in year.funds) == ["AIF", "JF"], grant.file_number
            assert {f.office.code for f in year.funds} == {code}
            # Projects ≥ 50 %, the coordination office ≤ 50 % of the year's grant: nothing to show.
            assert year.problems == [], (grant.file_number, year.problems)
            assert year.by_group["projects"] * 2 >= year.instalment
            for fund in year.funds:
                (allocation,) = LedgerEntry.objects.filter(envelope=fund.envelope, kind="allocation")
                assert allocation.reference == grant.file_number == fund.source_reference
                assert fund.latest_end_date == date(fund.budget_year, 11, 30)
                assert fund.max_per_measure == (D("3500") if fund.kind.code == "AIF" else D("1000"))


def test_action_funds_release_their_volume_on_cut_off_dates(seeded):
    from budgets.models import Fund

    for fund in Fund.objects.filter(kind__code="AIF").prefetch_related("cutoffs"):
        cutoffs = list(fund.cutoffs.all())
        assert cutoffs and sum(c.release_percent for c in cutoffs) == 100, fund
        assert all(c.cutoff_date.year == fund.budget_year for c in cutoffs)


def test_every_pfd_has_a_begleitausschuss_with_deputies_and_a_jugendforum(seeded):
    from demo.chain_people import LEGAL_BODIES
    from grants.chain.models import Committee

    for code in LEGAL_BODIES:
        steering = Committee.objects.get(office__code=code, kind="steering")
        assert steering.members.filter(role="voting").count() == 9
        deputies = steering.members.filter(role="deputy")
        assert deputies.count() >= 3
        assert set(deputies.values_list("deputy_for__committee", flat=True)) == {steering.pk}
        youth = Committee.objects.get(office__code=code, kind="youth")
        assert youth.members.filter(role="voting").count() >= 5
        assert {f.kind.code for f in steering.funds.all()} == {"AIF"}
        assert {f.kind.code for f in youth.funds.all()} == {"JF"}


def test_micro_projects_reach_every_state_from_application_to_checked_proof(seeded):
    micro = Application.objects.filter(fund__isnull=False)
    assert set(micro.values_list("state", flat=True)) == set(ApplicationState.values)
    for application in micro.exclude(state__in=("draft", "submitted", "formal_check", "revision_requested")):
        assert application.office_id == application.fund.envelope.office_id
    grants = Grant.objects.filter(fund__isnull=False)
    assert {"proof_due", "proof_under_review", "closed"} <= set(grants.values_list("state", flat=True))
    finals = ProofOfUse.objects.filter(grant__fund__isnull=False, kind="final").select_related("grant__fund")
    accepted = [p for p in finals if p.state == "accepted"]
    simple = [p for p in accepted if p.is_simple]
    full = [p for p in accepted if not p.is_simple]
    assert simple and all(not p.receipts.exists() for p in simple)
    assert all(p.grant.granted_amount <= p.grant.fund.simple_proof_threshold for p in simple)
    assert full and all(p.receipts.exists() for p in full)
    # The first check is done by the office that passed the money on.
    in_review = finals.get(state="in_review")
    assert in_review.reviewed_by.username == "pfd-goerlitz"
    assert {p.state for p in finals} >= {"draft", "submitted", "in_review", "accepted"}


def test_micro_projects_are_decided_on_the_committees_recommendation_with_four_eyes(seeded):
    decided = Application.objects.filter(fund__isnull=False, proposed_by__isnull=False)
    assert decided.filter(recommendation="adopted").exists()
    assert decided.filter(recommendation="rejected").exists()
    for application in decided:
        assert application.recommendation and application.recommended_on, application.reference
        if application.decided_by_id:
            assert application.decided_by_id != application.proposed_by_id
    goerlitz = decided.filter(office__code="SN-GR", decided_by__isnull=False)
    assert set(goerlitz.values_list("proposed_by__username", "decided_by__username")) == {
        ("pfd-goerlitz", "pfd-goerlitz-leitung")
    }


def test_a_micro_projects_reclaim_goes_back_into_its_fund(seeded):
    from budgets.selectors import envelope_figures

    grant = Grant.objects.get(title="Tafel der Vielfalt – Frühlingsfest Weinhübel")
    reclaim = grant.reclaims.get()
    assert (grant.settlement.final_grant, grant.settlement.paid, reclaim.principal) == (
        D("2180.00"),
        D("2400.00"),
        D("220.00"),
    )
    assert reclaim.state == "settled" and reclaim.repayments.get().principal_part == D("220.00")
    envelope = grant.fund.envelope
    entries = envelope.entries.filter(reference=grant.file_number)
    assert {(e.kind, e.amount) for e in entries if e.kind in ("decommitment", "reclaim", "repayment")} == {
        ("decommitment", D("-220.00")),
        ("reclaim", D("220.00")),
        ("repayment", D("220.00")),
    }
    figures = envelope_figures([envelope.pk])[envelope.pk]
    assert figures.reclaimed == figures.repaid == D("220.00")


def test_a_pfd_hands_in_its_combined_final_proof_with_the_money_passed_on(seeded):
    from grants.awards.services.proof import passed_on_measures

    grant = Grant.objects.get(title="Partnerschaft für Demokratie Sächsische Schweiz-Osterzgebirge 2025")
    annex = passed_on_measures(grant)
    assert annex is not None and len(annex.measures) == 6
    assert not annex.open_measures and annex.recognised == D("12650.00")
    settlement = grant.settlement
    passed_on = [line for line in settlement.lines if line.get("stated") is not None]
    assert [line["category"] for line in passed_on] == ["forwarded", "forwarded"]
    assert sum(D(line["actual"]) for line in passed_on) == annex.recognised
    assert (settlement.final_grant, settlement.paid) == (D("25500.00"), D("26000.00"))
    assert grant.reclaims.get().state == "settled"


def test_the_begleitausschuss_recuses_the_member_whose_parish_applies_and_records_its_votes(seeded):
    from grants.chain.models import CommitteeSession, Recusal, Vote

    session = CommitteeSession.objects.get(
        committee__office__code="SN-GR", committee__kind="steering", held_on=date(2026, 3, 4)
    )
    assert session.is_closed and session.closed_by is not None
    assert session.closed_by.username == "pfd-goerlitz"
    items = list(session.items.select_related("application").order_by("position"))
    assert len(items) == 6
    recusal = Recusal.objects.get(item__session=session)
    assert recusal.reason == "applies" and recusal.member.name.startswith("Anne Kretschmer")
    assert recusal.member.organisation == recusal.item.application.organisation
    assert (recusal.item.eligible, recusal.item.recused_count) == (8, 1)
    assert not recusal.item.votes.filter(member=recusal.member).exists()
    assert Vote.objects.filter(item__session=session, member=recusal.member).count() == 5
    # An absent member's deputy votes in her place.
    assert Vote.objects.filter(item__session=session, cast_by_deputy__isnull=False).count() == 6
    for item in items:
        assert item.outcome == item.application.recommendation, item
        assert item.application.recommended_on == date(2026, 3, 4)
    assert [item.outcome for item in items].count("rejected") == 1


def test_the_demo_committee_member_casts_his_own_vote_in_the_open_circulation(seeded):
    from grants.chain.models import CommitteeSession
    from grants.chain.services.committee import vote_cast

    session = CommitteeSession.objects.get(procedure="circulation", state="voting")
    (item,) = session.items.all()
    assert item.votes.count() == 5
    member = session.committee.members.get(user__username="pfd-goerlitz-ausschuss")
    assert not item.votes.filter(member=member).exists()
    vote = vote_cast(item=item, member=member, choice="yes", by=member.user, today=session.held_on)
    assert vote.recorded_by == member.user
    planned = CommitteeSession.objects.get(state="planned")
    assert planned.items.exists() and planned.held_on > session.held_on


def test_demo_exit_programme_starts_early_and_books_individual_help_under_pseudonyms(seeded):
    """Issue 10 parts 2 and 4: the exit programme's grant carries its permitted early start, its
    individual help names case pseudonyms within the cap, rent and salaries name their payees,
    and an auditor drew a sample of cases."""
    from grants.awards.models import CaseSample
    from grants.awards.services.proof.eligibility import PSEUDONYM

    grant = Grant.objects.get(title="Ausstiegshilfen Sachsen 2025")
    assert grant.organisation.confidential
    assert grant.early_start_from == date(2025, 2, 10)
    assert grant.early_start_from < timezone.localdate(grant.approved_at)
    assert grant.individual_help_cap == Decimal("2500.00")
    receipts = list(grant.proofs.get(kind="final").receipts.select_related("plan_line"))
    help_ = [r for r in receipts if r.plan_line.category == "individual_help"]
    others = [r for r in receipts if r.plan_line.category != "individual_help"]
    assert len(help_) == 8 and all(PSEUDONYM.fullmatch(r.counterparty) for r in help_)
    assert others and not any(r.counterparty.startswith("Fall-") for r in others)
    assert min(r.paid_on for r in receipts) >= grant.early_start_from
    sample = CaseSample.objects.get(proof__grant=grant)
    assert (sample.size, sample.population, sample.drawn_by.username) == (3, 6, "pruefung")
