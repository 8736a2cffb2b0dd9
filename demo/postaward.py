"""Demo data after the award: grants through finality, drawdowns, proofs, settlement, reclaims.

Every step goes through the real services, performed by the demo user whose role allows it
(the carrier requests, a case officer certifies, finance orders and books, a different approver
decides), so the four-eyes rules hold as in production. Each story is keyed on its
application (carrier, title): an existing one is left alone, so re-running creates nothing.
Steps are back-dated to the story's day with ``dated`` (see ``_demo_clock``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from budgets.models import BudgetEnvelope
from budgets.services.envelopes import envelope_create
from demo.awarded import Awarded, awarded_projects
from demo.budgets import ENVELOPES
from demo.clock import dated
from demo.people import OFFICE_STAFF
from demo.plan import concept_pdf
from demo.seed import STEPS, Actors, World, carrier_user
from grants.applications.models import Application
from grants.applications.services.application import application_create, financing_plan_replace
from grants.applications.services.attachment import attachment_add
from grants.applications.services.early_start import early_start_grant, early_start_request
from grants.awards.models import Grant, ProofOfUse
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services import proof as proofs
from grants.awards.services.grant import grant_notice_post, grant_objection_waive, grants_make_final
from grants.awards.services.reminders import grants_mark_proof_due

FINANCE = "finanzen"  # finance of Demokratie-Zentrum Sachsen; every story is filed below it
D = Decimal


@dataclass
class Cast:
    carrier: User
    officer: User
    approver: User
    finance: User


@dataclass
class Story:
    world: World
    spec: Awarded
    cast: Cast
    today: date
    grant: Grant | None = None

    @property
    def awarded(self) -> Grant:
        assert self.grant is not None, "award() comes first"
        return self.grant

    def proof(self, budget_year: int | None = None) -> ProofOfUse:
        kind = "final" if budget_year is None else "interim"
        return ProofOfUse.objects.get(grant=self.awarded, kind=kind, budget_year=budget_year)


def cast_for(world: World, spec: Awarded) -> Cast:
    officer, approver = OFFICE_STAFF[spec.project.office]
    organisation = world.carriers[spec.project.carrier_name]
    return Cast(
        carrier_user(world, organisation), world.users[officer], world.users[approver], world.users[FINANCE]
    )


# --- budget ----------------------------------------------------------------------------------

TITLES = {programme: title for _office, programme, _years, title, _allocated, _extra in ENVELOPES}
ALLOCATED = {programme: allocated for _office, programme, _years, _title, allocated, _extra in ENVELOPES}


def ensure_envelopes(world: World, spec: Awarded) -> None:
    """An envelope for each budget year of the grant at its office, unless one exists."""
    office = world.offices[spec.project.office]
    programme = world.programmes[spec.project.programme]
    for year in sorted({int(line[2]) for line in spec.cover if line[0] == "grant"}):
        if BudgetEnvelope.objects.filter(office=office, programme=programme, budget_year=year).exists():
            continue
        envelope_create(
            office=office,
            programme=programme,
            budget_year=year,
            funding_source=programme.funding_level,
            budget_title=TITLES[programme.code],
            allocated=D(ALLOCATED[programme.code]),
            is_default=True,
            by=world.users["admin"],
            comment="Haushaltsplan (Demo)",
        )


# --- steps -------------------------------------------------------------------------------------


def award(story: Story, approved_on: date, *, early_start: str = "") -> Grant:
    """The application through the real workflow, back-dated to the weeks before ``approved_on``.

    ``early_start``: the carrier's reason to start on the day it hands the application in; the
    case officer permits it two days later (DOMAIN.md §9)."""
    world, spec, cast = story.world, story.spec, story.cast
    p = spec.project
    ensure_envelopes(world, spec)
    actors = Actors(cast.carrier, cast.officer, cast.approver)
    with dated(approved_on - timedelta(days=21)):
        app = application_create(
            organisation=world.carriers[p.carrier_name],
            programme=world.programmes[p.programme],
            office=world.offices[p.office],
            by=cast.carrier,
            title=p.title,
            summary=p.summary,
            goals=p.goals,
            target_groups=p.target_groups,
            region=p.region,
            start_date=p.period[0],
            end_date=p.period[1],
            financing_type=p.financing_type,
        )
        financing_plan_replace(
            application=app,
            by=cast.carrier,
            expenditure=[
                {"category": c, "description": t, "budget_year": y, "amount": D(a)}
                for c, t, y, a in spec.expenditure
            ],
            cover=[{"kind": k, "source": s, "budget_year": y, "amount": D(a)} for k, s, y, a in spec.cover],
        )
        upload = SimpleUploadedFile("Projektkonzept.pdf", concept_pdf(p), content_type="application/pdf")
        attachment_add(application=app, by=cast.carrier, kind="concept", upload=upload)
        app = STEPS["submit"](app, p, actors, [])
        handed_in = approved_on - timedelta(days=21)
        if early_start:
            request = early_start_request(
                application=app, by=cast.carrier, wished_from=handed_in, reason=early_start, today=handed_in
            )
    if early_start:
        with dated(approved_on - timedelta(days=19)):
            early_start_grant(
                request=request,
                by=cast.officer,
                permitted_from=handed_in,
                comment="Zustimmung unter dem Vorbehalt der Bewilligung; Ausgaben vorher sind nicht zuwendungsfähig.",
            )
    history: list[str] = ["submit"]
    for step, days_before in (("start", 14), ("complete", 10), ("propose", 7), ("approve", 0)):
        with dated(approved_on - timedelta(days=days_before)):
            app = STEPS[step](app, p, actors, history)
        history.append(step)
    story.grant = Grant.objects.get(application=app)
    return story.grant


def post_notice(story: Story, posted_on: date) -> Grant:
    assert story.grant is not None
    story.grant = grant_notice_post(grant=story.grant, posted_on=posted_on, by=story.cast.officer)
    return story.grant


def final_by_waiver(story: Story, waived_on: date) -> None:
    assert story.grant is not None
    with dated(waived_on):
        story.grant = grant_objection_waive(grant=story.grant, waived_on=waived_on, by=story.cast.carrier)


def final_by_period(story: Story) -> None:
    """The daily task's run on the day after the objection period ended."""
    assert story.grant is not None and story.grant.objection_deadline is not None
    day = story.grant.objection_deadline + timedelta(days=1)
    with dated(day, hour=6):
        grants_make_final(today=day)
    story.grant.refresh_from_db()


def period_over(day: date) -> None:
    """The daily task's run on ``day``: grants whose period has ended owe their final proof."""
    with dated(day, hour=6):
        grants_mark_proof_due(today=day)


def drawdown(
    story: Story,
    amount: str,
    requested_on: date,
    *,
    purpose: str,
    paid_on: date | None = None,
    stop: str = "paid",
    needed_in: int = 7,
    used_on: date | None = None,
) -> Drawdown:
    """Request → certify (next day) → order → book, stopping after ``stop``."""
    assert story.grant is not None
    return pay(
        story.grant,
        story.cast,
        amount,
        requested_on,
        purpose=purpose,
        paid_on=paid_on,
        stop=stop,
        needed_in=needed_in,
        used_on=used_on,
    )


def pay(
    grant: Grant,
    cast: Cast,
    amount: str,
    requested_on: date,
    *,
    purpose: str,
    paid_on: date | None = None,
    stop: str = "paid",
    needed_in: int = 7,
    used_on: date | None = None,
) -> Drawdown:
    """A drawdown of ``grant``: the carrier requests, the case officer certifies (next day),
    finance orders and books; stopping after ``stop``."""
    with dated(requested_on, hour=9):
        d = drawdown_request(
            grant=grant,
            by=cast.carrier,
            amount=D(amount),
            needed_on=requested_on + timedelta(days=needed_in),
            purpose=purpose,
            today=requested_on,
        )
    if stop == "requested":
        return d
    paid_on = paid_on or requested_on + timedelta(days=2)
    with dated(requested_on + timedelta(days=1), hour=11):
        d = drawdown_certify(drawdown=d, by=cast.officer, comment="Sachlich und rechnerisch richtig.")
    if stop == "certified":
        return d
    with dated(max(requested_on + timedelta(days=1), paid_on - timedelta(days=1)), hour=14):
        d = drawdown_order(drawdown=d, by=cast.finance)
    if stop == "ordered":
        return d
    with dated(paid_on, hour=15):
        d = drawdown_book_payment(drawdown=d, by=cast.finance, paid_on=paid_on)
    if used_on is not None:
        from grants.awards.services.reclaim import drawdown_record_use

        d = drawdown_record_use(drawdown=d, used_on=used_on, by=cast.carrier)
    return d


def statement(proof: ProofOfUse, by: User, actual: dict[tuple[str, int], str], extra: list[Any]) -> None:
    """Actual amounts keyed on (category or cover kind, budget year), plus unplanned lines."""
    lines = []
    for line in proof.plan.lines.all():
        key = (line.category or line.cover_kind, line.budget_year)
        if key in actual:
            lines.append(proofs.StatementEntry(actual=D(actual[key]), plan_line=line))
    proofs.proof_statement_replace(proof=proof, by=by, lines=[*lines, *extra])


def review(story: Story, proof: ProofOfUse, started_on: date, accepted_on: date, comment: str) -> None:
    with dated(started_on):
        proofs.proof_start_review(proof=proof, by=story.cast.officer, comment="Prüfung begonnen.")
    with dated(accepted_on):
        proofs.proof_accept(proof=proof, by=story.cast.officer, comment=comment, decided_on=accepted_on)


# --- the post-award world --------------------------------------------------------------------

StoryFunction = Callable[[Story], None]


def seed_post_award(world: World, *, today: date) -> int:
    """Run every story whose application does not exist yet; returns how many ran."""
    from demo.stories import STORIES

    created = 0
    for spec in awarded_projects(today):
        organisation = world.carriers[spec.project.carrier_name]
        if Application.objects.filter(organisation=organisation, title=spec.title).exists():
            continue
        STORIES[spec.key](Story(world, spec, cast_for(world, spec), today))
        created += 1
    _post_pending_notice(world, today)
    grants_mark_proof_due(today=today)
    return created


# A notice of the regular demo whose posting is recorded: its objection period is running.
POSTED_TODAY = ("Jugendbildungswerk Dresden-Neustadt e.V.", "Jugendforum Dresden-Neustadt 2027")


def _post_pending_notice(world: World, today: date) -> None:
    carrier, title = POSTED_TODAY
    grant = Grant.objects.filter(
        application__organisation__name=carrier, application__title=title, state="notified", posted_on=None
    ).first()
    if grant is not None:
        officer, _approver = OFFICE_STAFF[grant.office.code]
        grant_notice_post(grant=grant, posted_on=today, by=world.users[officer])
