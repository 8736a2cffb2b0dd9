"""Amendments: the carrier's new plan, four eyes in the office, plan versions and budget moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import Amendment, Grant, PlanVersion, ProofOfUse
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services.amendment import (
    amendment_approve,
    amendment_assessment,
    amendment_budget_effect,
    amendment_create,
    amendment_lines_from_plan,
    amendment_propose,
    amendment_reject,
    amendment_start_refusal,
    amendment_submit,
    amendment_update,
    amendment_withdraw,
    plan_versions,
)
from grants.awards.services.award import application_approve
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db

D = Decimal
SUBMITTED_ON = date(2026, 6, 1)
FOUR_EYES = (
    "Four-eyes principle: the decision must be taken by someone other than the person who proposed it."
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def plan(*, y2026=(20000, 5000, 2500), y2027=(20000, 5000, 2500), extra=()):
    """Staff and fees per year, own funds, and the grant that balances the year."""
    lines = []
    for year, (staff, fees, own) in ((2026, y2026), (2027, y2027)):
        lines += [
            {"category": "staff", "text": "Projektleitung", "budget_year": year, "amount": D(staff)},
            {"category": "fees", "text": "Workshops", "budget_year": year, "amount": D(fees)},
            {"cover_kind": "own", "text": "Eigenmittel", "budget_year": year, "amount": D(own)},
            {"cover_kind": "grant", "budget_year": year, "amount": D(staff) + D(fees) - D(own)},
        ]
    return lines + list(extra)


@pytest.fixture
def world():
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", short_name="DZ SN", code="SN", kind="state")
    other = office(name="Landeskoordinierung MV", code="MV", kind="state", state="MV")
    people = {name: UserFactory(username=name) for name in ("officer", "approver", "finance", "finance2")}
    membership(people["officer"], sn, "case_officer")
    membership(people["approver"], sn, "approver")
    membership(people["finance"], sn, "finance")
    membership(people["finance2"], sn, "finance")
    people["stranger_approver"] = UserFactory(username="stranger_approver")
    membership(people["stranger_approver"], other, "approver")

    programme = FundingProgrammeFactory(name="Weltoffenes Sachsen", code="WOS")
    envelope(office=sn, programme=programme, budget_year=2026, allocated=D("100000"))
    envelope(office=sn, programme=programme, budget_year=2027, allocated=D("30000"))
    organisation = OrganisationFactory(name="Netzwerk für Demokratie e.V.")
    carrier = carrier_user(organisation, username="carrier")
    app = ApplicationFactory(
        office=sn,
        programme=programme,
        organisation=organisation,
        created_by=carrier,
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
    )
    for line in plan():
        if "category" in line:
            ExpenditureLine.objects.create(
                application=app,
                category=line["category"],
                description=line["text"],
                budget_year=line["budget_year"],
                amount=line["amount"],
            )
        else:
            CoverLine.objects.create(
                application=app,
                kind=line["cover_kind"],
                source=line.get("text", ""),
                budget_year=line["budget_year"],
                amount=line["amount"],
            )
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=people["officer"])
    app = application_complete_formal_check(application=app, by=people["officer"])
    app = application_propose_approval(
        application=app, by=people["officer"], instalments={2026: D("22500"), 2027: D("22500")}
    )
    app = application_approve(application=app, by=people["approver"])
    return {
        "grant": app.grant,
        "carrier": carrier,
        "other_carrier": carrier_user(OrganisationFactory(), username="other_carrier"),
        "programme": programme,
        "sn": sn,
        **people,
    }


def pay(world, amount="5000.00", *, state="paid"):
    d = drawdown_request(
        grant=world["grant"],
        by=world["carrier"],
        amount=D(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 2),
    )
    if state == "requested":
        return d
    d = drawdown_certify(drawdown=d, by=world["officer"])
    d = drawdown_order(drawdown=d, by=world["finance"])
    return drawdown_book_payment(drawdown=d, by=world["finance2"], paid_on=date(2026, 3, 5))


def create(world, lines, instalments, **kwargs):
    return amendment_create(
        grant=world["grant"],
        by=kwargs.pop("by", world["carrier"]),
        reason=kwargs.pop("reason", "Mehr Workshops im zweiten Jahr"),
        lines=lines,
        instalments=instalments,
        **kwargs,
    )


def submit(world, amendment, **kwargs):
    return amendment_submit(amendment=amendment, by=world["carrier"], today=SUBMITTED_ON, **kwargs)


def submit_errors(world, lines, instalments, **kwargs):
    amendment = create(world, lines, instalments, new_period_end=kwargs.pop("new_period_end", None))
    with pytest.raises(DomainError) as exc:
        submit(world, amendment, **kwargs)
    assert Amendment.objects.get(pk=amendment.pk).state == "draft"
    return exc.value.messages


def through_office(world, amendment):
    amendment = submit(world, amendment)
    amendment = amendment_propose(amendment=amendment, by=world["officer"], comment="Plausibel")
    return amendment_approve(amendment=amendment, by=world["approver"], comment="Genehmigt")


SHIFT_4000 = {"lines": plan(y2026=(16000, 5000, 2500), y2027=(24000, 5000, 2500))}
SHIFT_4000["instalments"] = {2026: D("18500"), 2027: D("26500")}


def ledger(grant):
    return [
        (e.kind, e.budget_year, e.amount)
        for e in LedgerEntry.objects.filter(reference=grant.file_number).order_by("pk")
    ]


# --- approval ------------------------------------------------------------------------------


def test_approved_amendment_becomes_a_new_plan_version_and_moves_commitments_per_year(world):
    pay(world)
    grant = world["grant"]
    amendment = create(world, **SHIFT_4000, new_period_end=date(2028, 3, 31))
    assert amendment.number == 1

    amendment = through_office(world, amendment)

    assert amendment.state == "approved"
    assert (amendment.proposed_by, amendment.decided_by) == (world["officer"], world["approver"])
    version = amendment.resulting_plan
    assert (version.version, version.reason, version.created_by) == (
        2,
        "Mehr Workshops im zweiten Jahr",
        world["approver"],
    )
    assert [(x.side, x.category or x.cover_kind, x.budget_year, x.amount) for x in version.lines.all()] == [
        ("cover", "own", 2026, D("2500.00")),
        ("cover", "grant", 2026, D("18500.00")),
        ("cover", "own", 2027, D("2500.00")),
        ("cover", "grant", 2027, D("26500.00")),
        ("expenditure", "staff", 2026, D("16000.00")),
        ("expenditure", "fees", 2026, D("5000.00")),
        ("expenditure", "staff", 2027, D("24000.00")),
        ("expenditure", "fees", 2027, D("5000.00")),
    ]
    grant = Grant.objects.get(pk=grant.pk)
    assert [(i.budget_year, i.amount) for i in grant.instalments.all()] == [
        (2026, D("18500.00")),
        (2027, D("26500.00")),
    ]
    assert (grant.period_end, grant.granted_amount, grant.planned_expenditure, grant.funding_share) == (
        date(2028, 3, 31),
        D("45000.00"),
        D("50000.00"),
        D("90.0000"),
    )
    assert ledger(grant) == [
        ("commitment", 2026, D("22500.00")),
        ("commitment", 2027, D("22500.00")),
        ("disbursement", 2026, D("5000.00")),
        ("commitment", 2027, D("4000.00")),
        ("decommitment", 2026, D("-4000.00")),
    ]
    # The proofs follow the longer period and the new plan: 2027 now owes an interim proof.
    assert [
        (p.kind, p.budget_year, p.due_on, p.plan.version)
        for p in ProofOfUse.objects.filter(grant=grant).select_related("plan").order_by("due_on")
    ] == [
        ("interim", 2026, date(2027, 4, 30), 2),
        ("interim", 2027, date(2028, 4, 30), 2),
        ("final", None, date(2028, 9, 30), 2),
    ]
    assert [
        (s.state, s.by, s.description or "") for s in StateLog.objects.for_(amendment).order_by("pk")
    ] == [
        ("submitted", world["carrier"], ""),
        ("proposed", world["officer"], "Plausibel"),
        ("approved", world["approver"], "Genehmigt"),
    ]


def test_amendment_that_does_not_fit_the_budget_writes_nothing_and_names_year_envelope_and_amounts(world):
    grant = world["grant"]
    amendment = create(
        world,
        plan(y2026=(12000, 5000, 2500), y2027=(28000, 5000, 2500)),
        {2026: D("14500"), 2027: D("30500")},
    )
    amendment = submit(world, amendment)
    amendment = amendment_propose(amendment=amendment, by=world["officer"])
    entries_before = ledger(grant)

    with pytest.raises(DomainError) as exc:
        amendment_approve(amendment=amendment, by=world["approver"])

    assert exc.value.messages == [
        "Budget year 2027: envelope 0601 684 21 (DZ SN, WOS) has €7,500.00 available, but €8,000.00 are "
        "requested (shortfall €500.00)."
    ]
    assert Amendment.objects.get(pk=amendment.pk).state == "proposed"
    assert ledger(grant) == entries_before
    assert PlanVersion.objects.filter(grant=grant).count() == 1
    grant = Grant.objects.get(pk=grant.pk)
    assert [(i.budget_year, i.amount) for i in grant.instalments.all()] == [
        (2026, D("22500.00")),
        (2027, D("22500.00")),
    ]
    assert grant.granted_amount == D("45000.00")
    assert not StateLog.objects.for_(amendment).filter(state="approved").exists()


def test_approval_needs_a_second_person_even_with_both_roles(world):
    membership(world["officer"], world["sn"], "approver")
    officer = type(world["officer"]).objects.get(pk=world["officer"].pk)  # roles are cached per object
    amendment = submit(world, create(world, **SHIFT_4000))
    amendment = amendment_propose(amendment=amendment, by=officer)

    with pytest.raises(DomainError) as exc:
        amendment_approve(amendment=amendment, by=officer)
    assert exc.value.messages == [FOUR_EYES]
    assert Amendment.objects.get(pk=amendment.pk).state == "proposed"
    assert PlanVersion.objects.filter(grant=world["grant"]).count() == 1

    # The model transition itself refuses the proposer, whoever calls it.
    fresh = Amendment.objects.get(pk=amendment.pk)
    with pytest.raises(DomainError):
        fresh.approve(by=officer)

    assert amendment_approve(amendment=amendment, by=world["approver"]).state == "approved"


def test_an_increase_must_be_asked_for_and_commits_only_the_difference(world):
    grant = world["grant"]
    lines = plan(y2027=(20000, 7000, 2500))  # fees 2027 +2,000 → grant 2027 24,500
    instalments = {2026: D("22500"), 2027: D("24500")}
    assert submit_errors(world, lines, instalments) == [
        "The annual instalments add up to €47,000.00, more than the granted maximum of €45,000.00. If you "
        "are applying for an increase, say so explicitly; an increase needs budget and may be refused."
    ]
    Amendment.objects.filter(grant=grant).delete()

    amendment = create(world, lines, instalments)
    amendment = submit(world, amendment, asks_for_increase=True)
    amendment = amendment_propose(amendment=amendment, by=world["officer"])
    amendment_approve(amendment=amendment, by=world["approver"])

    grant = Grant.objects.get(pk=grant.pk)
    assert (grant.granted_amount, grant.planned_expenditure, grant.funding_share) == (
        D("47000.00"),
        D("52000.00"),
        D("90.3846"),
    )
    assert ledger(grant)[-1:] == [("commitment", 2027, D("2000.00"))]


# --- the carrier's rules --------------------------------------------------------------------


def test_the_plan_must_balance_and_its_grant_must_equal_the_instalments(world):
    lines = plan()
    lines[3] = {**lines[3], "amount": D("21500")}  # grant 2026 one thousand short
    assert submit_errors(world, lines, {2026: D("22500"), 2027: D("22500")}) == [
        "The financing plan does not balance: expenditure €50,000.00, cover €49,000.00 (difference €1,000.00).",
        "The grant in the cover lines (€44,000.00) must equal the sum of the annual instalments (€45,000.00).",
    ]


def test_an_instalment_cannot_fall_below_what_was_paid_in_its_year(world):
    pay(world)
    assert submit_errors(world, plan(), {2026: D("4000"), 2027: D("41000")}) == [
        "The instalment for 2026 (€4,000.00) is less than the €5,000.00 already paid out for that year."
    ]


def test_an_instalment_cannot_fall_below_what_is_paid_or_requested_in_its_year(world):
    pay(world)
    pay(world, "3000.00", state="requested")
    assert submit_errors(world, plan(), {2026: D("7000"), 2027: D("38000")}) == [
        "The instalment for 2026 (€7,000.00) is less than the €8,000.00 paid out or requested for that "
        "year; the open requests must be decided or withdrawn first."
    ]


def test_the_new_period_end_must_be_later_and_meet_the_programme_limits(world):
    world["programme"].max_months = 24
    world["programme"].must_end_by_year_end = True
    world["programme"].save()
    args = (SHIFT_4000["lines"], SHIFT_4000["instalments"])
    assert submit_errors(world, *args, new_period_end=date(2027, 6, 30)) == [
        "The new end of the approval period (06/30/2027) must be after the current end (12/31/2027)."
    ]
    Amendment.objects.all().delete()
    assert submit_errors(world, *args, new_period_end=date(2028, 3, 31)) == [
        "The project period covers 27 months; the programme allows at most 24 months.",
        "The project ends on 03/31/2028; the programme requires it to end by 12/31/2026.",
    ]


def test_an_ended_period_can_no_longer_be_extended(world):
    amendment = create(world, **SHIFT_4000, new_period_end=date(2028, 3, 31))
    with pytest.raises(DomainError) as exc:
        amendment_submit(amendment=amendment, by=world["carrier"], today=date(2028, 1, 1))
    assert exc.value.messages == ["The approval period ended on 12/31/2027; it can no longer be extended."]


def test_lines_and_instalments_must_lie_in_the_period(world):
    extra = [
        {"category": "material", "text": "Evaluation", "budget_year": 2028, "amount": D("1000")},
        {"cover_kind": "own", "budget_year": 2028, "amount": D("1000")},
    ]
    assert submit_errors(world, plan(extra=extra), {2026: D("22500"), 2027: D("22000"), 2028: D("500")}) == [
        "The expenditure line “Evaluation” is assigned to budget year 2028, outside the project period.",
        "A cover line (Own funds) is assigned to budget year 2028, outside the project period.",
        "The budget year 2028 lies outside the project period.",
    ]


def test_a_shift_within_the_tolerance_needs_no_amendment(world):
    within = plan(y2026=(19000, 6000, 2500))  # fees +20 % exactly, paid for by staff costs
    assert submit_errors(world, within, {2026: D("22500"), 2027: D("22500")}) == [
        "No amendment is needed: every expenditure line stays within the overrun tolerance of 20% and "
        "nothing else changes. You may deviate from the plan in this way without approval, as long as "
        "savings on other lines pay for it."
    ]
    Amendment.objects.all().delete()
    assert submit_errors(world, plan(), {2026: D("22500"), 2027: D("22500")}) == [
        "The proposed plan is the same as the approved plan; there is nothing to amend."
    ]


def test_assessment_names_every_change_that_needs_approval(world):
    beyond = plan(y2026=(18999, 6001, 2500))  # fees +20.02 %: one cent beyond the tolerance
    amendment = create(world, beyond, {2026: D("22500"), 2027: D("22500")})
    assessment = amendment_assessment(amendment)
    assert assessment.required
    assert assessment.changes == [
        "The line “Workshops” (2026) rises from €5,000.00 to €6,001.00, beyond the tolerance of 20%."
    ]
    amendment = amendment_update(
        amendment=amendment, by=world["carrier"], new_period_end=date(2028, 3, 31), **SHIFT_4000
    )
    assert amendment_assessment(amendment).changes == [
        "The approval period is to end on 03/31/2028 instead of 12/31/2027.",
        "Annual instalment 2026: €22,500.00 → €18,500.00.",
        "Annual instalment 2027: €22,500.00 → €26,500.00.",
        "Requested grant 2026: €22,500.00 → €18,500.00.",
        "Requested grant 2027: €22,500.00 → €26,500.00.",
        "Planned expenditure 2026: €25,000.00 → €21,000.00.",
        "Planned expenditure 2027: €25,000.00 → €29,000.00.",
    ]


def test_bad_lines_are_refused_when_the_draft_is_written(world):
    lines = [
        {"category": "catering", "text": "Buffet", "budget_year": 2026, "amount": "100"},
        {"cover_kind": "lottery", "budget_year": 2026, "amount": "1.005"},
        {"text": "?", "budget_year": 2026, "amount": "-5"},
    ]
    with pytest.raises(DomainError) as exc:
        create(world, lines, {2026: D("-1")})
    assert exc.value.messages == [
        "Unknown cost category: catering",
        "Unknown kind of cover: lottery",
        "“1.005” is not an amount in euros and cents.",
        "Every line needs a cost category (expenditure) or a kind of cover.",
        "Amounts in the financing plan must not be negative.",
    ]
    assert not Amendment.objects.exists()


# --- numbering, editing, withdrawal, rejection ------------------------------------------------------


def test_amendments_are_numbered_per_grant_and_only_one_is_open_at_a_time(world):
    first = create(world, **SHIFT_4000)
    with pytest.raises(DomainError) as exc:
        create(world, **SHIFT_4000)
    assert exc.value.messages == [
        "Amendment 1 of this grant is still open; withdraw it or wait for its decision before starting another."
    ]
    amendment_withdraw(amendment=first, by=world["carrier"], comment="Doch nicht")
    assert create(world, **SHIFT_4000).number == 2


def test_only_a_draft_can_be_changed(world):
    amendment = submit(world, create(world, **SHIFT_4000))
    with pytest.raises(DomainError) as exc:
        amendment_update(amendment=amendment, by=world["carrier"], reason="Neu")
    assert exc.value.messages == ["An amendment can only be changed as a draft."]


def test_rejection_needs_reasons_and_leaves_the_plan_alone(world):
    amendment = submit(world, create(world, **SHIFT_4000))
    with pytest.raises(DomainError) as exc:
        amendment_reject(amendment=amendment, by=world["approver"], reasons=" ")
    assert exc.value.messages == ["A rejection needs reasons."]
    amendment = amendment_reject(amendment=amendment, by=world["approver"], reasons="Nicht begründet")
    assert amendment.state == "rejected"
    assert StateLog.objects.for_(amendment).get(state="rejected").description == "Nicht begründet"
    assert PlanVersion.objects.filter(grant=world["grant"]).count() == 1
    with pytest.raises(DomainError) as exc:
        amendment_propose(amendment=amendment, by=world["officer"])
    assert exc.value.messages == ["This step is not possible while the amendment is in state “Rejected”."]


# --- roles -----------------------------------------------------------------------------------


def test_only_the_recipient_applies_and_withdraws(world):
    for person in ("officer", "other_carrier"):
        with pytest.raises(AccessDenied):
            create(world, **SHIFT_4000, by=world[person])
    amendment = create(world, **SHIFT_4000)
    for person in ("officer", "other_carrier"):
        with pytest.raises(AccessDenied):
            amendment_submit(amendment=amendment, by=world[person], today=SUBMITTED_ON)
        with pytest.raises(AccessDenied):
            amendment_withdraw(amendment=amendment, by=world[person])


def test_only_a_case_officer_proposes_and_only_an_approver_of_the_office_decides(world):
    amendment = submit(world, create(world, **SHIFT_4000))
    for person in ("carrier", "approver", "finance"):
        with pytest.raises(AccessDenied):
            amendment_propose(amendment=amendment, by=world[person])
    amendment = amendment_propose(amendment=amendment, by=world["officer"])
    for person in ("carrier", "officer", "finance", "stranger_approver"):
        with pytest.raises(AccessDenied):
            amendment_approve(amendment=amendment, by=world[person])
        with pytest.raises(AccessDenied):
            amendment_reject(amendment=amendment, by=world[person], reasons="Nein")
    assert Amendment.objects.get(pk=amendment.pk).state == "proposed"


def test_staff_who_belong_to_the_carrier_cannot_decide_its_amendment(world):
    insider = carrier_user(world["grant"].organisation, username="insider")
    membership(insider, world["sn"], "approver")
    amendment = amendment_propose(amendment=submit(world, create(world, **SHIFT_4000)), by=world["officer"])
    with pytest.raises(AccessDenied) as exc:
        amendment_approve(amendment=amendment, by=insider)
    assert exc.value.messages == ["Nobody may decide on an amendment for their own organisation."]


# --- every version stays visible -----------------------------------------------------------------


def test_every_plan_version_stays_visible_with_its_lines(world, django_assert_num_queries):
    grant = world["grant"]
    first = through_office(world, create(world, **SHIFT_4000, reason="Verschiebung nach 2027"))
    lines, instalments = amendment_lines_from_plan(grant)
    assert (len(lines), instalments) == (8, {2026: D("18500.00"), 2027: D("26500.00")})
    second = through_office(
        world,
        create(
            world,
            plan(y2026=(17000, 5000, 2500), y2027=(23000, 5000, 2500)),
            {2026: D("19500"), 2027: D("25500")},
            reason="Mehr Personal im ersten Jahr",
        ),
    )
    assert second.number == 2

    with django_assert_num_queries(2):
        versions = [
            (
                v.version,
                v.reason,
                getattr(getattr(v, "amendment", None), "number", None),
                [x.amount for x in v.lines.all() if x.side == "expenditure" and x.category == "staff"],
            )
            for v in plan_versions(grant)
        ]
    assert versions == [
        (1, "Approved financing plan", None, [D("20000.00"), D("20000.00")]),
        (2, "Verschiebung nach 2027", first.number, [D("16000.00"), D("24000.00")]),
        (3, "Mehr Personal im ersten Jahr", 2, [D("17000.00"), D("23000.00")]),
    ]
    assert [(i.budget_year, i.amount) for i in Grant.objects.get(pk=grant.pk).instalments.all()] == [
        (2026, D("19500.00")),
        (2027, D("25500.00")),
    ]


# --- the budget effect: one read for the page and the approval -----------------------------------


def test_the_budget_effect_the_page_shows_is_what_approval_refuses(world):
    amendment = create(
        world,
        plan(y2026=(12000, 5000, 2500), y2027=(28000, 5000, 2500)),
        {2026: D("14500"), 2027: D("30500")},
    )
    amendment = amendment_propose(amendment=submit(world, amendment), by=world["officer"])

    effect = amendment_budget_effect(amendment)

    assert [(y.year, y.before, y.after, y.change, y.available, y.fits) for y in effect.years] == [
        (2026, D("22500.00"), D("14500.00"), D("-8000.00"), D("77500.00"), True),
        (2027, D("22500.00"), D("30500.00"), D("8000.00"), D("7500.00"), False),
    ]
    assert effect.years[1].envelope == "0601 684 21 (DZ SN, WOS)"
    assert (effect.increases, effect.decreases) == ({2027: D("8000.00")}, {2026: D("8000.00")})
    with pytest.raises(DomainError) as exc:
        amendment_approve(amendment=amendment, by=world["approver"])
    assert (
        exc.value.messages
        == effect.problems
        == [
            "Budget year 2027: envelope 0601 684 21 (DZ SN, WOS) has €7,500.00 available, but €8,000.00 are "
            "requested (shortfall €500.00)."
        ]
    )


def test_the_budget_effect_that_fits_is_what_approval_books(world):
    amendment = amendment_propose(amendment=submit(world, create(world, **SHIFT_4000)), by=world["officer"])
    effect = amendment_budget_effect(amendment)
    assert effect.fits and effect.problems == []
    assert (effect.increases, effect.decreases) == ({2027: D("4000.00")}, {2026: D("4000.00")})

    amendment_approve(amendment=amendment, by=world["approver"])

    assert ledger(world["grant"])[-2:] == [
        ("commitment", 2027, D("4000.00")),
        ("decommitment", 2026, D("-4000.00")),
    ]


def test_a_year_without_an_envelope_does_not_fit_and_says_why(world):
    extra = [
        {"category": "material", "text": "Evaluation", "budget_year": 2028, "amount": D("1000")},
        {"cover_kind": "grant", "budget_year": 2028, "amount": D("1000")},
    ]
    amendment = create(
        world,
        plan(extra=extra),
        {2026: D("22500"), 2027: D("22500"), 2028: D("1000")},
        new_period_end=date(2028, 3, 31),
    )
    effect = amendment_budget_effect(amendment)
    assert [(y.year, y.change, y.available, y.envelope) for y in effect.years] == [
        (2026, D("0.00"), D("77500.00"), "0601 684 21 (DZ SN, WOS)"),
        (2027, D("0.00"), D("7500.00"), "0601 684 21 (DZ SN, WOS)"),
        (2028, D("1000.00"), None, ""),
    ]
    assert effect.problems == [
        "Budget year 2028: there is no budget envelope for Weltoffenes Sachsen (State) at "
        "Demokratie-Zentrum Sachsen or any office above it."
    ]


def test_only_one_amendment_starts_at_a_time_and_only_while_the_grant_is_amendable(world):
    grant = world["grant"]
    assert amendment_start_refusal(grant) == ""
    create(world, **SHIFT_4000)
    assert amendment_start_refusal(grant) == (
        "Amendment 1 of this grant is still open; withdraw it or wait for its decision before starting another."
    )
