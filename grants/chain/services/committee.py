"""Committees decide on micro-projects (DOMAIN.md §7): sessions and circulation votes, agendas,
recusals, votes, and the close that turns each item's vote into a recommendation.

Lock order: the session row, then its items in primary-key order, then each application (its
own service locks it; putting an application on an agenda locks it after the session). The tally a session page shows and the close writes come from one
function, :func:`item_tallies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.rules import allowed, require
from core.errors import AccessDenied, DomainError
from core.formatting import format_date
from core.money import ui_locale
from grants.applications.models import Application, CoverKind
from grants.applications.services.application import application_record_recommendation
from grants.calculations import vote_outcome
from grants.chain.models import (
    AgendaItem,
    Choice,
    Committee,
    CommitteeMember,
    CommitteeSession,
    Outcome,
    Procedure,
    Recusal,
    RecusalReason,
    Vote,
)

if TYPE_CHECKING:
    from accounts.models import User

MANAGE = "grants.manage_committee"
CAST = "grants.cast_vote"


def _lock_session(session: CommitteeSession) -> CommitteeSession:
    return (
        CommitteeSession.objects.select_for_update(of=("self",))
        .select_related("committee__office")
        .get(pk=session.pk)
    )


def _not_closed(session: CommitteeSession) -> None:
    if session.is_closed:
        raise DomainError(_("The session of %(date)s is closed.") % {"date": format_date(session.held_on)})


# --- sessions and agendas -----------------------------------------------------------------------


@transaction.atomic
def committee_session_create(
    *, committee: Committee, procedure: str, held_on: date, by: User, deadline: date | None = None
) -> CommitteeSession:
    require(by, MANAGE, committee)
    errors = []
    if procedure == Procedure.CIRCULATION and deadline is None:
        errors.append(_("A circulation procedure needs a deadline for the votes."))
    if deadline is not None and deadline < held_on:
        errors.append(
            _("The deadline (%(deadline)s) is before the start (%(start)s).")
            % {"deadline": format_date(deadline), "start": format_date(held_on)}
        )
    if procedure not in Procedure.values:
        errors.append(_("Unknown procedure."))
    if errors:
        raise DomainError(errors)
    return CommitteeSession.objects.create(
        committee=committee,
        procedure=procedure,
        held_on=held_on,
        deadline=deadline if procedure == Procedure.CIRCULATION else None,
        created_by=by,
    )


def ready_applications(committee: Committee) -> list[Application]:
    """Micro-projects of the committee's funds that wait for its vote and are on no open agenda."""
    on_agenda = AgendaItem.objects.filter(session__committee__funds__in=committee.funds.all()).exclude(
        session__state="closed"
    )
    return list(
        Application.objects.filter(fund__in=committee.funds.all(), recommendation="", state="content_review")
        .exclude(pk__in=on_agenda.values("application_id"))
        .select_related("organisation", "fund")
        .prefetch_related("cover_lines")
        .order_by("reference")
    )


@transaction.atomic
def agenda_item_add(*, session: CommitteeSession, application: Application, by: User) -> AgendaItem:
    """Put a micro-project on the agenda; members whose organisation applies are recused."""
    locked = _lock_session(session)
    require(by, MANAGE, locked)
    if not locked.is_planned:
        raise DomainError(_("Items are added while the session is being prepared, before voting starts."))
    committee = locked.committee
    # Locked after the session (the close's order): two sessions adding it wait for each other.
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if application.fund_id is None or not committee.funds.filter(pk=application.fund_id).exists():
        raise DomainError(
            _("%(reference)s is not a micro-project of a fund on which %(committee)s decides.")
            % {"reference": application.reference, "committee": committee.name}
        )
    if not application.is_ready_for_committee:
        raise DomainError(
            _(
                "%(reference)s is not ready for the committee: it must have passed the formal check and have no recommendation yet (state: “%(state)s”)."
            )
            % {"reference": application.reference, "state": application.get_state_display()}
        )
    elsewhere = AgendaItem.objects.filter(application=application).exclude(session__state="closed")
    if elsewhere.exists():
        raise DomainError(
            _("%(reference)s is already on the agenda of another open session.")
            % {"reference": application.reference}
        )
    position = (locked.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem.objects.create(session=locked, application=application, position=position)
    for member in committee.members.filter(active=True, organisation_id=application.organisation_id):
        Recusal.objects.create(
            item=item, member=member, reason=RecusalReason.ORGANISATION_APPLIES, recorded_by=by
        )
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> None:
    """Take an item off the agenda (postponed): its votes and recusals go with it."""
    locked = _lock_session(item.session)
    require(by, MANAGE, locked)
    _not_closed(locked)
    AgendaItem.objects.filter(pk=item.pk).delete()


@transaction.atomic
def recusal_declare(*, item: AgendaItem, member: CommitteeMember, note: str, by: User) -> Recusal:
    locked = _lock_session(item.session)
    require(by, MANAGE, locked)
    _not_closed(locked)
    if member.committee_id != locked.committee_id:
        raise DomainError(_("%(member)s is not a member of this committee.") % {"member": member.name})
    if (
        Vote.objects.filter(item=item).filter(member=member).exists()
        or Vote.objects.filter(item=item, cast_by_deputy=member).exists()
    ):
        raise DomainError(
            _("%(member)s has already voted on this item; withdraw the vote before recording the conflict.")
            % {"member": member.name}
        )
    recusal, created = Recusal.objects.get_or_create(
        item=item,
        member=member,
        defaults={"reason": RecusalReason.DECLARED, "note": note.strip(), "recorded_by": by},
    )
    if not created:
        raise DomainError(_("%(member)s is already recused for this item.") % {"member": member.name})
    return recusal


@transaction.atomic
def session_open_voting(*, session: CommitteeSession, by: User) -> CommitteeSession:
    locked = _lock_session(session)
    require(by, MANAGE, locked)
    if not locked.is_planned:
        raise DomainError(_("Voting has already started."))
    if not locked.items.exists():
        raise DomainError(_("The agenda is empty: add at least one application before voting starts."))
    locked.open_voting(by=by)
    locked.save_changes()
    return locked


# --- votes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    """Who casts which seat's vote in which session: what the rule ``grants.cast_vote`` reads."""

    session: CommitteeSession
    member: CommitteeMember
    deputy: CommitteeMember | None = None

    @property
    def voter(self) -> CommitteeMember:
        return self.deputy or self.member


def _recusal_of(item: AgendaItem, member: CommitteeMember) -> Recusal | None:
    return Recusal.objects.filter(item=item, member=member).first()


@transaction.atomic
def vote_cast(
    *,
    item: AgendaItem,
    member: CommitteeMember,
    choice: str,
    by: User,
    deputy: CommitteeMember | None = None,
    today: date | None = None,
) -> Vote:
    """Record a seat's vote: staff record a session's votes; in a circulation a member (or the
    deputy standing in) may cast their own. A recused member votes on nothing of that item."""
    locked = _lock_session(item.session)
    item = AgendaItem.objects.select_related("application").get(pk=item.pk, session=locked)
    if not allowed(by, CAST, Ballot(locked, member, deputy)):
        raise AccessDenied(
            _("Only the committee's office records votes; in a circulation members cast their own.")
        )
    if not locked.accepts_votes:
        raise DomainError(_("Votes are recorded only while voting is open."))
    day = today or timezone.localdate()
    if locked.is_circulation and locked.deadline is not None and day > locked.deadline:
        raise DomainError(
            _("The circulation ended on %(date)s; no more votes are accepted.")
            % {"date": format_date(locked.deadline)}
        )
    if choice not in Choice.values:
        raise DomainError(_("A vote is yes, no or abstention."))
    if member.committee_id != locked.committee_id or not member.active or not member.is_voting:
        raise DomainError(_("%(member)s holds no voting seat in this committee.") % {"member": member.name})
    for person in (member, deputy):
        if person is None:
            continue
        recusal = _recusal_of(item, person)
        if recusal is not None:
            raise DomainError(
                _("%(member)s is recused for this item (%(reason)s) and cannot vote on it.")
                % {"member": person.name, "reason": recusal.get_reason_display()}
            )
    if deputy is not None and (deputy.deputy_for_id != member.pk or not deputy.active):
        raise DomainError(
            _("%(deputy)s is not the deputy of %(member)s.") % {"deputy": deputy.name, "member": member.name}
        )
    if Vote.objects.filter(item=item, member=member).exists():
        raise DomainError(
            _("The seat of %(member)s has already voted on this item.") % {"member": member.name}
        )
    return Vote.objects.create(item=item, member=member, cast_by_deputy=deputy, choice=choice, recorded_by=by)


# --- the tally and the close ------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    item: AgendaItem
    yes: int
    no: int
    abstain: int
    members: int
    recused: int
    outcome: str
    recusals: list[Recusal]
    requested: Decimal = Decimal("0.00")

    @property
    def eligible(self) -> int:
        return self.members - self.recused

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)


def item_tallies(session: CommitteeSession) -> list[Tally]:
    """Each item's votes and the outcome ``vote_outcome`` gives them now (the session page and
    :func:`session_close` read this same function)."""
    committee = session.committee
    seats = committee.members.filter(active=True, role="voting").count()
    tallies = []
    items = session.items.select_related("application__organisation", "application__fund").prefetch_related(
        "votes__member", "votes__cast_by_deputy", "recusals__member", "application__cover_lines"
    )
    for item in items.order_by("position"):
        votes = list(item.votes.all())
        recusals = list(item.recusals.all())
        recused_seats = sum(1 for r in recusals if r.member.is_voting and r.member.active)
        counts = {c: sum(1 for v in votes if v.choice == c) for c in Choice.values}
        outcome = vote_outcome(
            yes=counts[Choice.YES],
            no=counts[Choice.NO],
            abstain=counts[Choice.ABSTAIN],
            members=seats,
            recused=recused_seats,
            procedure=session.procedure,
            quorum=committee.quorum,
        )
        tallies.append(
            Tally(
                item,
                counts[Choice.YES],
                counts[Choice.NO],
                counts[Choice.ABSTAIN],
                seats,
                recused_seats,
                outcome,
                recusals,
                requested_grant(item.application),
            )
        )
    return tallies


def requested_grant(application: Application) -> Decimal:
    """The grant the plan asks for: the sum of its grant lines (prefetch ``cover_lines``)."""
    return sum(
        (c.amount for c in application.cover_lines.all() if c.kind == CoverKind.GRANT), Decimal("0.00")
    )


def close_problems(session: CommitteeSession, tallies: list[Tally], day: date) -> list[str]:
    """Why the session cannot close now; empty when it can."""
    problems = []
    if not session.accepts_votes:
        problems.append(_("Only a session whose voting is open can be closed."))
    if session.is_circulation and session.deadline is not None and day <= session.deadline:
        missing = [t for t in tallies if t.cast < t.eligible]
        if missing:
            problems.append(
                _("The circulation runs until %(date)s and not every eligible member has voted yet.")
                % {"date": format_date(session.deadline)}
            )
    if not session.is_circulation:
        for t in tallies:
            if t.outcome == Outcome.NOT_QUORATE:
                problems.append(
                    _(
                        "Item %(position)s (%(reference)s): %(cast)s of %(eligible)s eligible members voted; the session has a quorum only when more than %(needed)s vote. Record the missing votes or take the item off the agenda."
                    )
                    % {
                        "position": t.item.position,
                        "reference": t.item.application.reference,
                        "cast": t.cast,
                        "eligible": t.eligible,
                        "needed": _number(session.committee.quorum * t.eligible),
                    }
                )
    return problems


def _number(value: Any) -> str:
    """4.5 as „4,5“, 4 as „4“: the figure a quorum sentence names."""
    return format_decimal(value, format="#,##0.##", locale=ui_locale())


@transaction.atomic
def session_close(*, session: CommitteeSession, by: User, today: date | None = None) -> CommitteeSession:
    """Close the session: each item's result is written and becomes the application's
    recommendation. All or nothing: a session item without quorum stops the whole close."""
    locked = _lock_session(session)
    require(by, MANAGE, locked)
    day = today or timezone.localdate()
    list(locked.items.select_for_update().order_by("pk"))
    tallies = item_tallies(locked)
    problems = close_problems(locked, tallies, day)
    if problems:
        raise DomainError(problems)
    decided_on = locked.held_on if not locked.is_circulation else min(day, locked.deadline or day)
    for t in tallies:
        AgendaItem.objects.filter(pk=t.item.pk).update(
            yes=t.yes,
            no=t.no,
            abstain=t.abstain,
            eligible=t.eligible,
            recused_count=t.recused,
            outcome=t.outcome,
        )
        if t.outcome in (Outcome.ADOPTED, Outcome.REJECTED):
            application_record_recommendation(
                application=t.item.application, recommendation=t.outcome, on=decided_on, by=by
            )
    locked.close(by=by)
    locked.save_changes()
    return locked
