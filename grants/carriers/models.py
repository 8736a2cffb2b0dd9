from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from budgets.choices import GermanState
from budgets.models import CoordinatingOffice
from budgets.rules import fsm_permission
from core.models import SavesChangedFields

if TYPE_CHECKING:
    from accounts.models import User


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(_("“%(value)s” is not a valid IBAN."), params={"value": value}) from exc


def iban_formatted(value: str) -> str:
    """An IBAN in groups of four, as printed on statements (unchanged when it does not parse)."""
    try:
        return IBAN(value).formatted if value else ""
    except SchwiftyException:
        return value


def bic_and_bank(value: str) -> tuple[str, str]:
    """BIC and bank name derived from the bank code of an IBAN, or empty strings."""
    if not value:
        return "", ""
    try:
        iban = IBAN(value)
        # The bank of this bank code (a BIC is shared by many branches with other names).
        return (str(iban.bic) if iban.bic else "", iban.bank_name or "")
    except SchwiftyException:
        return "", ""


class LegalForm(models.TextChoices):
    ASSOCIATION = "ev", _("Registered association (e.V.)")
    NONPROFIT_LTD = "ggmbh", _("Non-profit limited company (gGmbH)")
    MUNICIPALITY = "municipality", _("Municipality or district")
    CHURCH = "church", _("Church body")
    FOUNDATION = "foundation", _("Foundation")
    INITIATIVE = "initiative", _("Citizens' initiative (not registered)")
    YOUTH_GROUP = "youth_group", _("Youth group (with a responsible adult)")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A project carrier (Träger, Zuwendungsempfänger)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    street = models.CharField(_("street"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("federal state"), max_length=2, choices=GermanState.choices)
    contact_person = models.CharField(
        _("contact person"),
        max_length=200,
        help_text=_("For a youth group or an initiative: the responsible adult who signs for it."),
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    confidential = models.BooleanField(
        _("confidential carrier"),
        default=False,
        help_text=_("Exit programmes: left out of open data; receipts carry case pseudonyms."),
    )
    runs_office = models.ForeignKey(
        CoordinatingOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_bodies",
        verbose_name=_("legal body of the office"),
        help_text=_(
            "The office this organisation runs as first recipient (a municipality's partnership for democracy, a democracy centre's carrier): its grants can finance funds there."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationMembership",
        related_name="organisations",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("project carrier")
        verbose_name_plural = _("project carriers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public_body(self) -> bool:
        """A public-law body passes money on by forwarding notice, anyone else by contract (DOMAIN §7)."""
        return self.legal_form == LegalForm.MUNICIPALITY

    @property
    def iban_formatted(self) -> str:
        """The IBAN in groups of four, as printed on statements."""
        return iban_formatted(self.iban)

    @property
    def bic_and_bank(self) -> tuple[str, str]:
        """BIC and bank name derived from the German bank code, or empty strings."""
        return bic_and_bank(self.iban)

    @property
    def payee_name(self) -> str:
        """Whom a transfer names: the account holder, else the organisation itself."""
        return self.account_holder or self.name

    @property
    def pending_bank_details_change(self) -> BankDetailsChange | None:
        """The change of bank details waiting for confirmation (at most one), if any."""
        return next(
            (change for change in self.bank_details_changes.all() if change.is_requested),  # type: ignore[attr-defined]
            None,
        )

    @property
    def responsible_offices(self) -> list[CoordinatingOffice]:
        """The offices responsible for the organisation: those of its grants and handed-in applications.

        Their finance staff confirm a change of its bank details. A draft the carrier never
        handed in makes no office responsible. Read once per object (a list may fill it).
        """
        cached: list[CoordinatingOffice] | None = getattr(self, "_responsible_offices", None)
        if cached is None:
            offices = CoordinatingOffice.objects.filter(
                Q(pk__in=self.grants.values("office_id"))  # type: ignore[attr-defined]
                | Q(
                    pk__in=self.applications.filter(  # type: ignore[attr-defined]
                        submitted_at__isnull=False
                    ).values("office_id")
                )
            )
            cached = list(offices.order_by("path"))
            self._responsible_offices = cached
        return cached

    @property
    def responsible_office_paths(self) -> set[str]:
        return {office.path for office in self.responsible_offices}


class OrganisationMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("carrier membership")
        verbose_name_plural = _("carrier memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_org_member")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class BankDetailsChangeState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


B = BankDetailsChangeState

# The named rules (grants.rules) of a change's steps; views and services ask the same names.
REQUEST_BANK_DETAILS_CHANGE = "grants.change_bank_details"
CONFIRM_BANK_DETAILS = "grants.confirm_bank_details"
REJECT_BANK_DETAILS = "grants.reject_bank_details"
WITHDRAW_BANK_DETAILS_CHANGE = "grants.withdraw_bank_details_change"


class BankDetailsChange(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A requested change of where an organisation's grants are paid to.

    Nobody switches the payout account alone: a member of the organisation (or an administrator)
    requests the change, finance staff of an office responsible for the organisation confirm it
    (never the requester, never for their own organisation), and only the confirmation writes the
    organisation's IBAN. The rows and their state history are the audit trail of every change.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bank_details_changes",
        verbose_name=_("project carrier"),
    )
    iban = models.CharField(_("new IBAN"), max_length=34, validators=[validate_iban])
    account_holder = models.CharField(_("new account holder"), max_length=200)
    state = FSMField(_("state"), max_length=10, choices=B.choices, default=B.REQUESTED, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now)
    previous_iban = models.CharField(_("previous IBAN"), max_length=34, blank=True)
    previous_account_holder = models.CharField(_("previous account holder"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason for the rejection"), blank=True)

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per organisation: a second one would leave finance guessing which
            # account the carrier means.
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(state="requested"), name="one_open_bank_change_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.iban_formatted} ({self.get_state_display()})"

    @property
    def is_requested(self) -> bool:
        """Waiting for confirmation by finance."""
        return self.state == B.REQUESTED

    @property
    def is_confirmed(self) -> bool:
        return self.state == B.CONFIRMED

    @property
    def is_rejected(self) -> bool:
        return self.state == B.REJECTED

    @property
    def is_withdrawn(self) -> bool:
        return self.state == B.WITHDRAWN

    @property
    def iban_formatted(self) -> str:
        return iban_formatted(self.iban)

    @property
    def previous_iban_formatted(self) -> str:
        return iban_formatted(self.previous_iban)

    @property
    def bic_and_bank(self) -> tuple[str, str]:
        return bic_and_bank(self.iban)

    @property
    def responsible_offices(self) -> list[CoordinatingOffice]:
        """Whose finance staff may confirm (see :attr:`Organisation.responsible_offices`)."""
        return self.organisation.responsible_offices

    @property
    def responsible_office_paths(self) -> set[str]:
        return self.organisation.responsible_office_paths

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=B.REQUESTED, target=B.CONFIRMED, permission=fsm_permission(CONFIRM_BANK_DETAILS)
    )
    def confirm(
        self, *, by: User, previous_iban: str, previous_account_holder: str, description: str = ""
    ) -> None:
        self.decided_by = by
        self.decided_at = timezone.now()
        self.previous_iban = previous_iban
        self.previous_account_holder = previous_account_holder

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=B.REQUESTED, target=B.REJECTED, permission=fsm_permission(REJECT_BANK_DETAILS)
    )
    def reject(self, *, by: User, reason: str, description: str = "") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()
        self.reason = reason

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=B.REQUESTED,
        target=B.WITHDRAWN,
        permission=fsm_permission(WITHDRAW_BANK_DETAILS_CHANGE),
    )
    def withdraw(self, *, by: User, description: str = "") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()
