from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from budgets.choices import GermanState
from budgets.models import CoordinatingOffice


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(_("“%(value)s” is not a valid IBAN."), params={"value": value}) from exc


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
        try:
            return IBAN(self.iban).formatted if self.iban else ""
        except SchwiftyException:
            return self.iban

    @property
    def bic_and_bank(self) -> tuple[str, str]:
        """BIC and bank name derived from the German bank code, or empty strings."""
        if not self.iban:
            return "", ""
        try:
            iban = IBAN(self.iban)
            # The bank of this bank code (a BIC is shared by many branches with other names).
            return (str(iban.bic) if iban.bic else "", iban.bank_name or "")
        except SchwiftyException:
            return "", ""


class OrganisationMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("carrier membership")
        verbose_name_plural = _("carrier memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_org_member")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"
