"""Passing money on in the demo (DOMAIN.md §7): the Demokratie-Zentrum Sachsen grants the
districts and cities behind eight partnerships for democracy (PfD) their year's money; each
PfD office opens an action fund and a youth fund from it, its Begleitausschuss and Jugendforum
vote on micro-projects, and the office decides, pays and checks their proofs first.

- PfD Görlitz 2026: micro-projects from the committee's vote (one member recused, because her
  parish applies) to the checked proof: a simple proof, a full proof with receipts, a reclaim
  that goes back into the fund, a proof in review, a proof due; one project not recommended.
- PfD Görlitz 2027: the next year's funds are open; applications wait in every state before
  the committee, the Jugendforum has voted on two, the Begleitausschuss meets in February.
- PfD Sächsische Schweiz-Osterzgebirge 2025 (its first half-year): every micro-project is
  settled, so the district's own final proof lists them in its annex and counts only what their
  proofs recognised.
- The other PfDs (Leipzig, Dresden, Landkreis Bautzen, Chemnitz, Landkreis Zwickau,
  Erzgebirgskreis): their 2026 grant, funds with rules and cut-off dates, and committees.

Every step goes through the services, by the person whose role allows it, back-dated with
``dated``. Keyed on the first grant's application (legal body, title): a PfD year that exists
is left alone, so running the seed again creates nothing twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from budgets.choices import ShareGroup
from budgets.models import (
    BudgetEnvelope,
    CoordinatingOffice,
    Fund,
    FundingProgramme,
    FundKind,
    FundShareLimit,
)
from budgets.services.envelopes import envelope_create
from demo.chain_people import (
    FIRST_NAMES,
    FUND_OPENERS,
    GOERLITZ_STEERING,
    GOERLITZ_YOUTH,
    LAST_NAMES,
    LEGAL_BODIES,
    PFD_STAFF,
    STEERING_AFFILIATIONS,
    YOUTH_AFFILIATIONS,
    Seat,
)
from demo.chain_projects import (
    ACTION,
    FIRST_GRANTS,
    FUND_RULES,
    LATE_START_CUTOFFS,
    MICROS,
    PRE_COMMITTEE,
    SESSIONS,
    YOUTH,
    FirstGrant,
    Micro,
    Session,
)
from demo.clock import dated
from demo.postaward import Cast, pay, period_over
from demo.seed import World, carrier_user
from grants.applications.models import Application
from grants.applications.services.application import (
    application_complete_formal_check,
    application_create,
    application_propose_approval,
    application_propose_rejection,
    application_reject,
    application_request_revision,
    application_start_formal_check,
    application_submit,
    application_withdraw,
    financing_plan_replace,
)
from grants.awards.models import Grant, PlanVersionLine, ProofOfUse
from grants.awards.payments.models import Drawdown
from grants.awards.services import proof as proofs
from grants.awards.services.award import application_approve
from grants.awards.services.grant import grant_notice_post, grant_objection_waive
from grants.awards.services.reclaim import reclaim_interest, repayment_book
from grants.awards.services.reminders import grants_mark_proof_due
from grants.carriers.models import Organisation
from grants.chain.models import (
    AgendaItem,
    Choice,
    Committee,
    CommitteeKind,
    CommitteeMember,
    MemberRole,
    Procedure,
)
from grants.chain.services.committee import (
    agenda_item_add,
    committee_session_create,
    session_close,
    session_open_voting,
    vote_cast,
)
from grants.chain.services.funds import fund_open, fund_rules_update
from grants.chain.services.microprojects import microproject_create

D = Decimal
PROGRAMME = "DL-PFD"
# The Demokratie-Zentrum's staff decide the first grants; its finance pays them.
GRANTOR = ("sachbearbeitung", "bewilligung", "finanzen")
BUDGET_TITLE = "1702 684 04"
STATE_ENVELOPES = {2025: 150_000, 2026: 1_000_000, 2027: 1_000_000}

FUND_KINDS = [
    (ACTION, "Aktions- und Initiativfonds", ShareGroup.PROJECTS),
    (YOUTH, "Jugendfonds", ShareGroup.PROJECTS),
]
# PfD: projects (both funds) at least half of the annual grant, the coordination office at most half.
SHARE_LIMITS = [(ShareGroup.PROJECTS, 50, 100), (ShareGroup.KEPT, 0, 50)]
PLACES = {
    "SN-GR": "Görlitz",
    "SN-L": "Leipzig",
    "SN-DD": "Dresden",
    "SN-BZ": "Bautzen",
    "SN-C": "Chemnitz",
    "SN-Z": "Zwickau",
    "SN-ERZ": "Erzgebirge",
    "SN-SOE": "Sächsische Schweiz-Osterzgebirge",
}


def seed_chain(world: World) -> int:
    """Seed every PfD year that does not exist yet; returns how many were seeded."""
    programme = world.programmes[PROGRAMME]
    kinds = _fund_kinds(programme)
    _state_envelopes(world, programme)
    committees = {code: _committees(world, code) for code in LEGAL_BODIES}
    created = 0
    for spec in FIRST_GRANTS:
        body = world.carriers[LEGAL_BODIES[spec.office]]
        title = first_grant_title(world.offices[spec.office], spec)
        if Application.objects.filter(organisation=body, title=title).exists():
            continue
        year = PfdYear(world, spec, body, committees[spec.office])
        year.grant = _first_grant(year, title)
        year.funds = _open_funds(year, kinds)
        _pay_first_grant(year)
        _micro_projects(year)
        if spec.final_proof:
            _combined_final_proof(year)
        created += 1
    grants_mark_proof_due(today=timezone.localdate())
    return created


def first_grant_title(office: CoordinatingOffice, spec: FirstGrant) -> str:
    return f"{office.name} {spec.year}"


@dataclass
class PfdYear:
    world: World
    spec: FirstGrant
    body: Organisation
    committees: dict[str, Committee]
    grant: Grant | None = None
    funds: dict[str, Fund] | None = None

    def user(self, username: str) -> User:
        return self.world.users[username]

    @property
    def first_grant(self) -> Grant:
        assert self.grant is not None
        return self.grant

    def fund(self, kind: str) -> Fund:
        assert self.funds is not None
        return self.funds[kind]


# --- programme and budget ---------------------------------------------------------------------


def _fund_kinds(programme: FundingProgramme) -> dict[str, FundKind]:
    kinds = {}
    for code, name, group in FUND_KINDS:
        kinds[code], _created = FundKind.objects.update_or_create(
            programme=programme, code=code, defaults={"name": name, "share_group": group}
        )
    for group, minimum, maximum in SHARE_LIMITS:
        FundShareLimit.objects.update_or_create(
            programme=programme,
            share_group=group,
            defaults={"min_share": D(minimum), "max_share": D(maximum)},
        )
    return kinds


def _state_envelopes(world: World, programme: FundingProgramme) -> None:
    """The Demokratie-Zentrum's budget for the partnerships' first grants, one per year."""
    office = world.offices["SN"]
    for year, allocated in STATE_ENVELOPES.items():
        if BudgetEnvelope.objects.filter(office=office, programme=programme, budget_year=year).exists():
            continue
        envelope_create(
            office=office,
            programme=programme,
            budget_year=year,
            funding_source=programme.funding_level,
            budget_title=BUDGET_TITLE,
            allocated=D(allocated),
            is_default=True,
            by=world.users["admin"],
            comment="Haushaltsplan (Demo): Partnerschaften für Demokratie in Sachsen",
        )


# --- committees --------------------------------------------------------------------------------


def _committees(world: World, code: str) -> dict[str, Committee]:
    """The Begleitausschuss and the Jugendforum of one PfD, with members and deputies."""
    office = world.offices[code]
    steering, youth = (GOERLITZ_STEERING, GOERLITZ_YOUTH) if code == "SN-GR" else _drawn_seats(code)
    return {
        "steering": _committee(
            world, office, f"Begleitausschuss der {office.name}", CommitteeKind.STEERING, steering
        ),
        "youth": _committee(world, office, f"Jugendforum der {office.name}", CommitteeKind.YOUTH, youth),
    }


def _committee(
    world: World, office: CoordinatingOffice, name: str, kind: str, seats: list[Seat]
) -> Committee:
    committee, _created = Committee.objects.get_or_create(office=office, name=name, defaults={"kind": kind})
    for seat in seats:
        member, _created = CommitteeMember.objects.update_or_create(
            committee=committee,
            name=seat.label,
            defaults={
                "role": MemberRole.VOTING,
                "organisation": world.carriers.get(seat.organisation) if seat.organisation else None,
                "user": world.users.get(seat.user) if seat.user else None,
            },
        )
        if seat.deputy:
            CommitteeMember.objects.update_or_create(
                committee=committee,
                name=seat.deputy_label,
                defaults={"role": MemberRole.DEPUTY, "deputy_for": member},
            )
    return committee


def _drawn_seats(code: str) -> tuple[list[Seat], list[Seat]]:
    """Nine seats (three with a deputy) and a Jugendforum of six, the same on every run."""
    rng = random.Random(f"pfd:{code}")
    place = PLACES[code]
    body = LEGAL_BODIES[code]
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    affiliations = [a.format(place=place, town=body) for a in STEERING_AFFILIATIONS[:9]]
    with_deputy = set(rng.sample(range(9), 3))
    steering = [
        Seat(names[i], affiliation, deputy=names[20 + i] if i in with_deputy else "")
        for i, affiliation in enumerate(affiliations)
    ]
    youth = [
        Seat(names[40 + i], f"{affiliation} {place}") for i, affiliation in enumerate(YOUTH_AFFILIATIONS)
    ]
    return steering, youth


# --- the first grant ------------------------------------------------------------------------------


def first_grant_plan(spec: FirstGrant, body: Organisation) -> tuple[list[dict], list[dict]]:
    """The partnership's plan: the coordination office, public relations and the two lines of
    money passed on (the funds), 10 % own share of the district or city."""
    total = math.ceil(spec.grant * 100 / 90 / 10) * 10
    own = total - spec.grant
    kept = total - spec.action - spec.youth
    public = round(kept * 0.12 / 100) * 100
    staff = (
        "Koordinierungs- und Fachstelle (0,75 VZÄ ab Juli, EG 10 TVöD)"
        if spec.start
        else ("Koordinierungs- und Fachstelle (1,0 VZÄ, EG 10 TVöD)")
    )
    year = spec.year
    expenditure = [
        {"category": "staff", "description": staff, "budget_year": year, "amount": D(kept - public)},
        {
            "category": "public_relations",
            "description": "Öffentlichkeitsarbeit und Demokratiekonferenz",
            "budget_year": year,
            "amount": D(public),
        },
        {
            "category": "forwarded",
            "description": "Aktions- und Initiativfonds",
            "budget_year": year,
            "amount": D(spec.action),
        },
        {"category": "forwarded", "description": "Jugendfonds", "budget_year": year, "amount": D(spec.youth)},
    ]
    cover = [
        {"kind": "own", "source": f"Haushaltsmittel {body.name}", "budget_year": year, "amount": D(own)},
        {
            "kind": "grant",
            "source": "Demokratie leben! – Partnerschaften für Demokratie (Demokratie-Zentrum Sachsen)",
            "budget_year": year,
            "amount": D(spec.grant),
        },
    ]
    return expenditure, cover


def _first_grant(year: PfdYear, title: str) -> Grant:
    """The district's or city's application to the Demokratie-Zentrum, decided with four eyes."""
    spec, world, body = year.spec, year.world, year.body
    applicant = carrier_user(world, body)
    officer, approver, _finance = (world.users[name] for name in GRANTOR)
    day = spec.approved_on
    place = PLACES[spec.office]
    start, end = spec.period
    with dated(day - timedelta(days=60)):
        app = application_create(
            organisation=body,
            programme=world.programmes[PROGRAMME],
            office=world.offices["SN"],
            by=applicant,
            title=title,
            summary=f"Koordinierungs- und Fachstelle, Aktions- und Initiativfonds und Jugendfonds der Partnerschaft für Demokratie {place}; Begleitausschuss und Jugendforum entscheiden über die Einzelmaßnahmen.",
            goals="Die Partnerschaft fördert lokale Einzelmaßnahmen von Vereinen, Initiativen und Jugendlichen; eine Demokratiekonferenz und ein Jugendforum finden statt.",
            target_groups=f"Zivilgesellschaft, Verwaltung und Jugendliche in {place}",
            region=place,
            start_date=start,
            end_date=end,
            financing_type="deficit",
        )
        expenditure, cover = first_grant_plan(spec, body)
        financing_plan_replace(application=app, by=applicant, expenditure=expenditure, cover=cover)
    steps: list[tuple[int, Callable[[Application], Application]]] = [
        (55, lambda a: application_submit(application=a, by=applicant, today=day - timedelta(days=55))),
        (
            40,
            lambda a: application_start_formal_check(
                application=a, by=officer, comment="Eingang bestätigt; formale Prüfung begonnen."
            ),
        ),
        (
            35,
            lambda a: application_complete_formal_check(
                application=a,
                by=officer,
                comment="Unterlagen vollständig; Fördergebiet und Träger der Koordinierungsstelle bestätigt.",
            ),
        ),
        (
            14,
            lambda a: application_propose_approval(
                application=a,
                by=officer,
                instalments={spec.year: D(spec.grant)},
                comment="Förderung in beantragter Höhe vorgeschlagen; Anteile der Fonds (mindestens 50 %) eingehalten.",
            ),
        ),
        (
            0,
            lambda a: application_approve(
                application=a,
                by=approver,
                comment="Bewilligt. Der Zuwendungsbescheid wird erstellt; Weiterleitung an Letztempfänger nach Nr. 12 VV zu § 44 BHO zugelassen.",
            ),
        ),
    ]
    for days_before, step in steps:
        with dated(day - timedelta(days=days_before)):
            app = step(app)
    grant = Grant.objects.get(application=app)
    grant = grant_notice_post(grant=grant, posted_on=day + timedelta(days=1), by=officer)
    if spec.waived:
        with dated(day + timedelta(days=4)):
            grant = grant_objection_waive(grant=grant, waived_on=day + timedelta(days=4), by=applicant)
    return grant


# --- funds -------------------------------------------------------------------------------------------


def _open_funds(year: PfdYear, kinds: dict[str, FundKind]) -> dict[str, Fund]:
    spec = year.spec
    opener = year.user(FUND_OPENERS[spec.office])
    amounts = {ACTION: spec.action, YOUTH: spec.youth}
    funds = {}
    with dated(spec.funds_on):
        for code, amount in amounts.items():
            rules = FUND_RULES[code]
            day, month = rules["ends"]
            fund = fund_open(
                grant=year.first_grant,
                kind=kinds[code],
                budget_year=spec.year,
                amount=D(amount),
                max_per_measure=D(rules["max_per_measure"]),
                latest_end_date=date(spec.year, month, day),
                cofinancing_guide_rate=D(rules["guide"]),
                simple_proof_threshold=D(rules["simple_up_to"]),
                by=opener,
            )
            cutoffs = rules["cutoffs"] if not spec.start else (LATE_START_CUTOFFS if code == ACTION else [])
            if cutoffs:
                fund = fund_rules_update(
                    fund=fund,
                    by=opener,
                    cutoffs=[(date(spec.year, m, d), D(percent)) for (d, m), percent in cutoffs],
                )
            committee = year.committees["steering" if code == ACTION else "youth"]
            committee.funds.add(fund)
            funds[code] = fund
    return funds


# --- micro-projects ---------------------------------------------------------------------------------

SESSION_BY_KEY = {session.key: session for session in SESSIONS}
# The office's steps after the submission, up to the state the micro-project stays in (every
# other micro-project goes on to its committee).
INTAKE_PATHS: dict[str, list[str]] = {
    "submitted": [],
    "withdrawn": ["withdraw"],
    "formal_check": ["start"],
    "revision_requested": ["start", "revise"],
}
PAYEES = {
    "fees": ["Katrin Pohl, Moderation", "Dialogwerk Lausitz GbR", "Tomasz Nowak, Dolmetscher"],
    "material": ["Veranstaltungsservice Neißeufer", "Getränke- und Partyservice Schulz"],
    "public_relations": ["Lausitzdruck GmbH", "Druckerei am Elbufer"],
    "travel": ["Oberlausitzer Busreisen"],
}
OWN_SOURCE = {
    "youth_group": "Eigenmittel (Spenden)",
    "initiative": "Eigenmittel (Spenden)",
    "church": "Haushaltsmittel und Kollekten der Gemeinde",
}


@dataclass
class MicroCast:
    carrier: User
    officer: User
    approver: User
    finance: User

    @property
    def payments(self) -> Cast:
        return Cast(self.carrier, self.officer, self.approver, self.finance)


def _micro_projects(year: PfdYear) -> None:
    spec = year.spec
    micros = [m for m in MICROS if (m.office, m.year) == (spec.office, spec.year)]
    apps = {m.key: _intake(year, m) for m in micros}
    for session in SESSIONS:
        items = [m for m in micros if m.session == session.key]
        if items:
            apps.update(_hold_session(year, session, items, apps))
    for m in micros:
        if m.fate not in PRE_COMMITTEE:
            _decide(year, m, apps[m.key])


def _cast(year: PfdYear, m: Micro) -> MicroCast:
    officer, approver, finance = PFD_STAFF[m.office]
    organisation = year.world.carriers[m.carrier]
    return MicroCast(
        carrier_user(year.world, organisation), year.user(officer), year.user(approver), year.user(finance)
    )


def _intake(year: PfdYear, m: Micro) -> Application:
    """The carrier's short form and plan, then the office's formal check, as far as ``m.fate``."""
    cast = _cast(year, m)
    organisation = year.world.carriers[m.carrier]
    fund = year.fund(m.fund)
    created_on = m.submitted_on - timedelta(days=5)
    with dated(created_on):
        app = microproject_create(
            fund=fund,
            organisation=organisation,
            by=cast.carrier,
            title=m.title,
            summary=m.summary,
            goals=m.goals,
            target_groups=m.target_groups,
            region=m.region,
            start_date=m.period[0],
            end_date=m.period[1],
            today=created_on,
        )
        expenditure = [
            {"category": c, "description": text, "budget_year": m.year, "amount": D(amount)}
            for c, text, amount in m.lines
        ]
        cover = [{"kind": "grant", "source": fund.name, "budget_year": m.year, "amount": D(m.grant)}]
        if m.own:
            source = OWN_SOURCE.get(organisation.legal_form, "Eigenmittel (Mitgliedsbeiträge, Spenden)")
            cover.insert(0, {"kind": "own", "source": source, "budget_year": m.year, "amount": D(m.own)})
        financing_plan_replace(application=app, by=cast.carrier, expenditure=expenditure, cover=cover)
    if m.fate == "draft":
        return app
    with dated(m.submitted_on):
        app = application_submit(application=app, by=cast.carrier, today=m.submitted_on)
    committee = "dem Begleitausschuss" if m.fund == ACTION else "dem Jugendforum"
    actions: dict[str, tuple[int, Callable[[Application], Application]]] = {
        "withdraw": (9, lambda a: application_withdraw(application=a, by=cast.carrier, comment=m.note)),
        "start": (
            3,
            lambda a: application_start_formal_check(
                application=a, by=cast.officer, comment="Eingang bestätigt; formale Prüfung begonnen."
            ),
        ),
        "revise": (6, lambda a: application_request_revision(application=a, by=cast.officer, comment=m.note)),
        "complete": (
            7,
            lambda a: application_complete_formal_check(
                application=a,
                by=cast.officer,
                comment=f"Antrag vollständig, Träger antragsberechtigt; wird {committee} zur Entscheidung vorgelegt.",
            ),
        ),
    }
    for name in INTAKE_PATHS.get(m.fate, ["start", "complete"]):
        days, step = actions[name]
        with dated(m.submitted_on + timedelta(days=days)):
            app = step(app)
    return app


def _hold_session(
    year: PfdYear, spec: Session, items: list[Micro], apps: dict[tuple[str, str], Application]
) -> dict[tuple[str, str], Application]:
    """The office sets the agenda (members whose organisation applies are recused), the
    committee votes, and closing the session records each item's recommendation."""
    officer = year.user(PFD_STAFF[spec.office][0])
    committee = year.committees[spec.committee]
    with dated(spec.agenda_day):
        session = committee_session_create(
            committee=committee,
            procedure=Procedure.CIRCULATION if spec.circulation else Procedure.SESSION,
            held_on=spec.held_on,
            deadline=spec.deadline,
            by=officer,
        )
        agenda = [agenda_item_add(session=session, application=apps[m.key], by=officer) for m in items]
    if spec.state == "planned":
        return {}
    with dated(spec.held_on):
        session = session_open_voting(session=session, by=officer)
    for m, item in zip(items, agenda, strict=True):
        _votes(committee, spec, item, m.vote, officer)
    if spec.state == "voting":
        return {}
    closed_on = spec.deadline or spec.held_on
    with dated(closed_on, hour=18):
        session_close(session=session, by=officer, today=closed_on)
    return {m.key: Application.objects.get(pk=apps[m.key].pk) for m in items}


def _votes(
    committee: Committee, spec: Session, item: AgendaItem, counts: tuple[int, int, int], officer: User
) -> None:
    """The office records each present seat's vote (a deputy's for an absent member); recused
    members vote on nothing of the item, seats in ``pending`` have not voted yet, the last seats
    stay empty when fewer votes are given than members are present."""
    recused = set(item.recusals.values_list("member_id", flat=True))
    deputies = {d.deputy_for_id: d for d in committee.members.filter(role=MemberRole.DEPUTY)}
    voters: list[tuple[CommitteeMember, CommitteeMember | None]] = []
    for seat in committee.members.filter(role=MemberRole.VOTING).order_by("pk"):
        person = seat.name.split(" (")[0]
        if seat.pk in recused or person in spec.pending:
            continue
        if person in spec.absent:
            if seat.pk in deputies:
                voters.append((seat, deputies[seat.pk]))
            continue
        voters.append((seat, None))
    yes, no, abstain = counts
    choices = [Choice.YES] * yes + [Choice.NO] * no + [Choice.ABSTAIN] * abstain
    if len(choices) > len(voters):
        raise AssertionError(f"{item}: {len(choices)} votes, but only {len(voters)} members may vote")
    day = spec.deadline - timedelta(days=8) if spec.deadline else spec.held_on
    with dated(day, hour=19):
        for (seat, deputy), choice in zip(voters, choices, strict=False):
            vote_cast(item=item, member=seat, deputy=deputy, choice=choice, by=officer, today=day)


def _decide(year: PfdYear, m: Micro, app: Application) -> None:
    """Four eyes on the committee's recommendation: the case officer proposes, the approver decides."""
    cast = _cast(year, m)
    session = SESSION_BY_KEY[m.session]
    held = session.held_on
    committee = "Begleitausschuss" if m.fund == ACTION else "Jugendforum"
    yes, no, abstain = m.vote
    votes = f"{yes} Ja, {no} Nein, {abstain} Enthaltungen"
    if yes > no:
        with dated(held + timedelta(days=1)):
            app = application_propose_approval(
                application=app,
                by=cast.officer,
                instalments={m.year: D(m.grant)},
                comment=f"{committee} hat am {held:%d.%m.%Y} die Förderung empfohlen ({votes}). Bewilligung in beantragter Höhe vorgeschlagen.",
            )
        if m.fate == "approval_proposed":
            return
        with dated(held + timedelta(days=3)):
            app = application_approve(
                application=app,
                by=cast.approver,
                comment="Bewilligt. Der Weiterleitungsbescheid wird erstellt; er gibt die Bedingungen des Erstbescheids weiter.",
            )
        _after_award(year, m, cast, Grant.objects.get(application=app), held + timedelta(days=3))
        return
    with dated(held + timedelta(days=1)):
        app = application_propose_rejection(
            application=app,
            by=cast.officer,
            reasons=m.note,
            comment=f"{committee} hat am {held:%d.%m.%Y} die Förderung nicht empfohlen ({votes}). Ablehnung vorgeschlagen.",
        )
    if m.fate == "rejection_proposed":
        return
    with dated(held + timedelta(days=3)):
        application_reject(
            application=app,
            by=cast.approver,
            comment="Ablehnung bestätigt; der Ablehnungsbescheid wird erstellt.",
        )


def final_grant(m: Micro) -> int:
    """What a deficit-financed micro-project is granted in the end: the actual expenditure less
    its own funds, at most what was granted."""
    spent = sum(m.actual.get(category, amount) for category, _text, amount in m.lines)
    return min(m.grant, spent - m.actual.get("own", m.own))


def _after_award(year: PfdYear, m: Micro, cast: MicroCast, grant: Grant, approved_on: date) -> None:
    """Notice, payment and proof of an approved micro-project, as far as ``m.fate``."""
    posted_on, waived_on = approved_on + timedelta(days=1), approved_on + timedelta(days=4)
    grant = grant_notice_post(grant=grant, posted_on=posted_on, by=cast.officer)
    with dated(waived_on):
        grant = grant_objection_waive(grant=grant, waived_on=waived_on, by=cast.carrier)
    start, end = m.period
    first_on = max(start - timedelta(days=7), waived_on + timedelta(days=1))
    if m.grant <= 1_500 or (end - start).days <= 60:
        # A small or short measure is paid in one go, before it starts.
        tranches = [(first_on, m.grant)]
    else:
        first = m.grant // 2
        tranches = [(first_on, first), (start + (end - start) / 2, final_grant(m) - first)]
    for requested_on, amount in tranches:
        pay(
            grant,
            cast.payments,
            str(amount),
            requested_on,
            purpose=f"{m.title}: Ausgaben ab {requested_on + timedelta(days=7):%d.%m.%Y}",
            used_on=requested_on + timedelta(days=12),
        )
    if m.fate == "paid":
        return
    period_over(end + timedelta(days=1))
    if m.fate == "proof_due":
        return
    proof = ProofOfUse.objects.get(grant=grant, kind="final")
    actual = {
        line.pk: D(m.actual.get(line.category or line.cover_kind, int(line.amount)))
        for line in proof.plan.lines.all()
        if line.cover_kind != "grant"
    }
    with dated(end + timedelta(days=20)):
        _hand_in(proof, cast.carrier, m.narrative, actual, _receipts_for(m, proof, actual))
    if m.fate == "proof_submitted":
        return
    _check(
        proof, cast.officer, end + timedelta(days=27), end + timedelta(days=41), m.fate == "proof_in_review"
    )
    if m.fate == "reclaimed":
        reclaim = grant.reclaims.get()
        received_on = end + timedelta(days=55)
        owed = reclaim_interest(reclaim=reclaim, until=received_on).outstanding
        with dated(received_on):
            repayment_book(reclaim=reclaim, amount=owed, received_on=received_on, by=cast.finance)


Receipt = tuple[PlanVersionLine, date, str, str, Decimal]


def _receipts_for(m: Micro, proof: ProofOfUse, actual: dict[int, Decimal]) -> list[Receipt]:
    """One receipt per expenditure line, paid shortly before the measure ended."""
    if not proof.needs_receipt_list:
        return []
    receipts = []
    for i, line in enumerate(proof.plan.lines.filter(side="expenditure").order_by("position")):
        payees = PAYEES.get(line.category, ["Einzelhandel"])
        paid_on = m.period[1] - timedelta(days=3 + i)
        receipts.append((line, paid_on, payees[i % len(payees)], line.text, actual[line.pk]))
    return receipts


def _hand_in(
    proof: ProofOfUse, carrier: User, narrative: str, actual: dict[int, Decimal], receipts: Iterable[Receipt]
) -> None:
    lines = {line.pk: line for line in proof.plan.lines.all()}
    proofs.proof_update(proof=proof, by=carrier, narrative=narrative)
    proofs.proof_statement_replace(
        proof=proof,
        by=carrier,
        lines=[proofs.StatementEntry(actual=amount, plan_line=lines[pk]) for pk, amount in actual.items()],
    )
    for number, (line, paid_on, payee, reason, amount) in enumerate(receipts, start=1):
        proofs.receipt_add(
            proof=proof,
            by=carrier,
            number=f"B-{number:02d}",
            paid_on=paid_on,
            counterparty=payee,
            reason=reason,
            amount=amount,
            plan_line=line,
        )
    proofs.proof_submit(proof=proof, by=carrier, comment="Verwendungsnachweis eingereicht.")


def _check(proof: ProofOfUse, officer: User, started_on: date, accepted_on: date, stop: bool) -> None:
    """The first check (Erstprüfung) by the office that passed the money on."""
    with dated(started_on):
        proofs.proof_start_review(proof=proof, by=officer, comment="Erstprüfung begonnen.")
    if stop:
        return
    kind = "einfacher Verwendungsnachweis" if proof.is_simple else "Verwendungsnachweis mit Belegliste"
    with dated(accepted_on):
        proofs.proof_accept(
            proof=proof,
            by=officer,
            comment=f"Erstprüfung abgeschlossen ({kind}): Zweck erreicht, Ausgaben sachlich und rechnerisch richtig.",
            decided_on=accepted_on,
        )


# --- the first recipient's money and its combined final proof ----------------------------------------

FIRST_GRANT_DRAWDOWNS: dict[tuple[str, int], list[tuple[date, int]]] = {
    ("SN-SOE", 2025): [(date(2025, 6, 30), 13_000), (date(2025, 9, 29), 13_000)],
    ("SN-GR", 2026): [(date(2026, month, day), 31_250) for month, day in ((1, 12), (4, 7), (7, 6), (10, 5))],
    ("SN-GR", 2027): [],
}


def _pay_first_grant(year: PfdYear) -> None:
    """The Demokratie-Zentrum pays the district or city its grant (by default in two halves)."""
    spec = year.spec
    half = spec.grant // 2
    schedule = FIRST_GRANT_DRAWDOWNS.get(
        (spec.office, spec.year),
        [(date(spec.year, 1, 26), half), (date(spec.year, 7, 6), spec.grant - half)],
    )
    officer, approver, finance = (year.user(name) for name in GRANTOR)
    cast = Cast(carrier_user(year.world, year.body), officer, approver, finance)
    for requested_on, amount in schedule:
        pay(
            year.first_grant,
            cast,
            str(amount),
            requested_on,
            purpose="Koordinierungs- und Fachstelle und Mittel der Fonds",
            used_on=requested_on + timedelta(days=16),
        )


COMBINED_NARRATIVE = (
    "Die Partnerschaft für Demokratie hat im Juli 2025 ihre Arbeit aufgenommen. Begleitausschuss "
    "und Jugendforum haben sich im Juli konstituiert und im August über die ersten Einzelmaßnahmen "
    "entschieden; gefördert wurden vier Vorhaben aus dem Aktions- und Initiativfonds und zwei aus "
    "dem Jugendfonds. Die Koordinierungs- und Fachstelle hat alle Verwendungsnachweise der "
    "Letztempfänger geprüft (Anlage „Weitergeleitete Mittel“). Die erste Demokratiekonferenz fand "
    "am 15.11.2025 in Pirna statt."
)


def _combined_final_proof(year: PfdYear) -> None:
    """The district's final proof for its first half-year: its own spending with receipts, and
    the money passed on, receipted by what its funds paid each micro-project; the
    Demokratie-Zentrum checks it and counts the passed-on lines as the last recipients' proofs
    recognised them."""
    grant, spec = year.first_grant, year.spec
    applicant = carrier_user(year.world, year.body)
    officer, _approver, finance = (year.user(name) for name in GRANTOR)
    period_over(spec.period[1] + timedelta(days=1))
    proof = ProofOfUse.objects.get(grant=grant, kind="final")
    lines = list(proof.plan.lines.exclude(cover_kind="grant").order_by("side", "position"))
    actual: dict[int, Decimal] = {}
    receipts: list[Receipt] = []
    months = [date(spec.year, month, 28) for month in range(spec.period[0].month, 13)]
    for line in lines:
        if line.category == "forwarded":
            kind = ACTION if line.text.startswith("Aktions") else YOUTH
            payments = _micro_payments(year.fund(kind))
            actual[line.pk] = sum((amount for _day, _payee, _reason, amount in payments), D(0))
            receipts += [(line, day, payee, reason, amount) for day, payee, reason, amount in payments]
        elif line.category == "staff":
            actual[line.pk] = line.amount
            monthly = (line.amount / len(months)).quantize(D("0.01"))
            for i, day in enumerate(months):
                amount = monthly if i < len(months) - 1 else line.amount - monthly * (len(months) - 1)
                receipts.append(
                    (line, day, f"{year.body.name}, Bezügestelle", f"Personalkosten {day:%m/%Y}", amount)
                )
        elif line.category == "public_relations":
            actual[line.pk] = line.amount - 150
            receipts.append(
                (line, date(spec.year, 9, 5), "Druckerei am Elbufer", "Flyer und Plakate", D(600))
            )
            receipts.append(
                (
                    line,
                    date(spec.year, 11, 15),
                    "Stadthalle Pirna",
                    "Demokratiekonferenz: Saalmiete, Technik",
                    line.amount - 750,
                )
            )
        else:
            actual[line.pk] = line.amount
    with dated(date(spec.year + 1, 2, 27)):
        _hand_in(proof, applicant, COMBINED_NARRATIVE, actual, receipts)
    _check_first(proof, officer, date(spec.year + 1, 3, 9), date(spec.year + 1, 3, 23))
    reclaim = grant.reclaims.first()
    if reclaim is not None:
        received_on = date(spec.year + 1, 4, 20)
        owed = reclaim_interest(reclaim=reclaim, until=received_on).outstanding
        with dated(received_on):
            repayment_book(reclaim=reclaim, amount=owed, received_on=received_on, by=finance)


def _micro_payments(fund: Fund) -> list[tuple[date, str, str, Decimal]]:
    """(paid on, last recipient, reason, amount) of every payment the fund made."""
    rows = Drawdown.objects.filter(grant__fund=fund, state="paid").select_related("grant__organisation")
    return [
        (d.paid_on, d.grant.organisation.name, f"Weiterleitung {d.grant.file_number}", d.amount)
        for d in rows.order_by("paid_on", "pk")
        if d.paid_on is not None
    ]


def _check_first(proof: ProofOfUse, officer: User, started_on: date, accepted_on: date) -> None:
    with dated(started_on):
        proofs.proof_start_review(proof=proof, by=officer, comment="Prüfung begonnen.")
    with dated(accepted_on):
        proofs.proof_accept(
            proof=proof,
            by=officer,
            comment="Nachweis geprüft; weitergeleitete Mittel in Höhe der von den Letztempfängern nachgewiesenen Beträge anerkannt.",
            decided_on=accepted_on,
        )
