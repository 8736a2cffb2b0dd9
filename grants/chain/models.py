"""Committees that decide on micro-projects (DOMAIN.md §7).

Funds themselves are budget envelopes with rules (``budgets.models.Fund``); a micro-project
is an application addressed to a fund and, once approved, a grant financed by it. What lives
here is the deciding: committees, their members and deputies, sessions and circulation votes,
agenda items, recusals and votes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.models import CoordinatingOffice, Fund
from budgets.rules import fsm_permission
from core.models import SavesChangedFields
from grants.applications.models import Application
from grants.carriers.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


class CommitteeKind(models.TextChoices):
    STEERING = "steering", _("Steering committee (Begleitausschuss)")
    YOUTH = "youth", _("Youth forum (Jugendforum)")
    ADVISORY = "advisory", _("Advisory board (Beirat)")


class Committee(models.Model):
    """A local body that decides which micro-projects its funds finance."""

    office = models.ForeignKey(
        CoordinatingOffice, on_delete=models.PROTECT, related_name="committees", verbose_name=_("office")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CommitteeKind.choices)
    quorum = models.DecimalField(
        _("quorum"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("A session is quorate when more than this share of the eligible members votes."),
    )
    funds = models.ManyToManyField(Fund, blank=True, related_name="committees", verbose_name=_("decides on"))

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["office__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum__gte=0) & Q(quorum__lt=1), name="committee_quorum_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quorum_percent(self) -> Decimal:
        return self.quorum * 100


class MemberRole(models.TextChoices):
    VOTING = "voting", _("Member with voting rights")
    DEPUTY = "deputy", _("Deputy")


class CommitteeMember(models.Model):
    """A seat holder with a vote, or a deputy who votes in place of one absent member."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.VOTING)
    deputy_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
        verbose_name=_("deputy for"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name=_("organisation"),
        help_text=_("A member is recused from every item on which this organisation applies."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_seats",
        verbose_name=_("user account"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="voting") & Q(deputy_for__isnull=True))
                | (Q(role="deputy") & Q(deputy_for__isnull=False)),
                name="committee_deputy_has_principal",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_voting(self) -> bool:
        return self.role == MemberRole.VOTING


class Procedure(models.TextChoices):
    SESSION = "session", _("Session")
    CIRCULATION = "circulation", _("Circulation procedure (Umlaufverfahren)")


class SessionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    VOTING = "voting", _("Voting")
    CLOSED = "closed", _("Closed")


MANAGE = "grants.manage_committee"
manages = fsm_permission(MANAGE)


class CommitteeSession(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A meeting, or a circulation vote with a deadline, that decides on an agenda of applications."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="sessions")
    procedure = models.CharField(_("procedure"), max_length=12, choices=Procedure.choices)
    held_on = models.DateField(
        _("date"), help_text=_("Day of the meeting, or the day the circulation starts.")
    )
    deadline = models.DateField(_("votes due by"), null=True, blank=True)
    state = FSMField(_("state"), default=SessionState.PLANNED, choices=SessionState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee session")
        verbose_name_plural = _("committee sessions")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(procedure="circulation") | Q(deadline__isnull=False),
                name="circulation_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("held_on")),
                name="session_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.held_on}"

    @property
    def is_circulation(self) -> bool:
        return self.procedure == Procedure.CIRCULATION

    @property
    def is_planned(self) -> bool:
        return self.state == SessionState.PLANNED

    @property
    def accepts_votes(self) -> bool:
        return self.state == SessionState.VOTING

    @property
    def is_closed(self) -> bool:
        return self.state == SessionState.CLOSED

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=SessionState.PLANNED, target=SessionState.VOTING, permission=manages)
    def open_voting(self, *, by: User, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=SessionState.VOTING, target=SessionState.CLOSED, permission=manages)
    def close(self, *, by: User, description: str = "") -> None:
        self.closed_by = by
        self.closed_at = timezone.now()


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NOT_QUORATE = "not_quorate", _("Not quorate")


class AgendaItem(models.Model):
    """One application on a session's agenda; its outcome is written when the session closes."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("item"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    yes = models.PositiveSmallIntegerField(_("yes"), default=0)
    no = models.PositiveSmallIntegerField(_("no"), default=0)
    abstain = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    eligible = models.PositiveSmallIntegerField(_("eligible members"), default=0)
    recused_count = models.PositiveSmallIntegerField(_("recused"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="unique_agenda_application"),
            models.UniqueConstraint(fields=["session", "position"], name="unique_agenda_position"),
        ]

    def __str__(self) -> str:
        return f"TOP {self.position}: {self.application.reference}"


class RecusalReason(models.TextChoices):
    ORGANISATION_APPLIES = "applies", _("The member's organisation applies")
    DECLARED = "declared", _("Conflict of interest declared")


class Recusal(models.Model):
    """A member who may not vote on an item (Befangenheit); the minutes name it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField(_("reason"), max_length=10, choices=RecusalReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="unique_recusal")]

    def __str__(self) -> str:
        return f"{self.member} · {self.item}"


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstention")


class Vote(models.Model):
    """A seat's vote on an item, cast by the member or, in their absence, by their deputy."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        CommitteeMember, on_delete=models.PROTECT, related_name="votes", verbose_name=_("seat")
    )
    cast_by_deputy = models.ForeignKey(
        CommitteeMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputy_votes",
        verbose_name=_("cast by deputy"),
    )
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="one_vote_per_seat")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"
