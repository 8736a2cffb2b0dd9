from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.choices import CostCategory
from grants.applications.models.application import Application

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class CoverKind(models.TextChoices):
    OWN = "own", _("Own funds")  # Eigenmittel (E)
    THIRD_PARTY = "third_party", _("Third-party funds")  # Drittmittel (D)
    INCOME = "income", _("Income")  # Einnahmen (counted with D)
    GRANT = "grant", _("Requested grant")  # Zuwendung (Z)


class YearlyAmount(models.Model):
    """An amount of euros for one budget year: the core every plan line and instalment shares."""

    budget_year = models.PositiveSmallIntegerField(_("budget year"), validators=YEAR)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.budget_year}: {self.amount}"


def amount_nonneg() -> models.CheckConstraint:
    """No plan line and no instalment is negative (the name follows the model: ``<class>_amount_nonneg``)."""
    return models.CheckConstraint(condition=Q(amount__gte=0), name="%(class)s_amount_nonneg")


class BaseInstalment(YearlyAmount):
    """An annual instalment (Jahresrate): one amount per budget year of its parent.

    The application's requested instalments, the grant's approved ones and an amendment's proposed
    ones are the same thing at three moments; each concrete model names its parent and takes
    :func:`instalment_constraints` for it.
    """

    class Meta:
        abstract = True
        ordering = ["budget_year"]


def instalment_constraints(parent: str) -> list[models.BaseConstraint]:
    """Never negative, and at most one instalment per budget year of ``parent``."""
    return [
        models.UniqueConstraint(fields=[parent, "budget_year"], name="%(class)s_one_per_year"),
        amount_nonneg(),
    ]


class BasePlanLine(YearlyAmount):
    """A line of a financing plan (Finanzierungsplan): an amount for a budget year at a position."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["budget_year", "position", "pk"]


class ExpenditureLine(BasePlanLine):
    """One line of planned expenditure in the application's financing plan."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="expenditure_lines")
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200)

    class Meta(BasePlanLine.Meta):
        verbose_name = _("expenditure line")
        verbose_name_plural = _("expenditure lines")
        constraints = [amount_nonneg()]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description} ({self.budget_year})"


class CoverLine(BasePlanLine):
    """One line of cover: own funds, third-party funds, income, or the requested grant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cover_lines")
    kind = models.CharField(_("kind"), max_length=12, choices=CoverKind.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta(BasePlanLine.Meta):
        verbose_name = _("cover line")
        verbose_name_plural = _("cover lines")
        constraints = [amount_nonneg()]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} ({self.budget_year})".strip()


class PlanLineSide(models.TextChoices):
    EXPENDITURE = "expenditure", _("Expenditure")
    COVER = "cover", _("Cover")


def plan_line_constraints() -> list[models.BaseConstraint]:
    """A line is never negative; expenditure names its category, cover its kind."""
    return [
        amount_nonneg(),
        models.CheckConstraint(
            condition=(Q(side="expenditure") & ~Q(category="")) | (Q(side="cover") & ~Q(cover_kind="")),
            name="%(class)s_side_fields",
        ),
    ]


class PlanLine(BasePlanLine):
    """A line of a complete financing plan after the award: expenditure (with category) or cover
    (with kind) in one table.

    Frozen plan versions and proposed amendments share it, so the two always read alike; each
    concrete model takes :func:`plan_line_constraints`.
    """

    Side = PlanLineSide

    side = models.CharField(_("side"), max_length=12, choices=PlanLineSide.choices)
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices, blank=True)
    cover_kind = models.CharField(_("kind"), max_length=12, choices=CoverKind.choices, blank=True)
    text = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["side", "budget_year", "position", "pk"]

    # Read like the application's lines, so the same plan rules apply to every plan unchanged.
    @property
    def description(self) -> str:
        return self.text

    @property
    def kind(self) -> str:
        return self.cover_kind

    def plan_fields(self) -> dict[str, Any]:
        """The fields that carry this line into another plan (a new plan version)."""
        return {name: getattr(self, name) for name in PLAN_LINE_FIELDS}


PLAN_LINE_FIELDS = ("side", "position", "category", "cover_kind", "text", "budget_year", "amount")


class Instalment(BaseInstalment):
    """An annual instalment (Jahresrate) of the proposed grant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="instalments")

    class Meta(BaseInstalment.Meta):
        verbose_name = _("annual instalment")
        verbose_name_plural = _("annual instalments")
        constraints = instalment_constraints("application")


class AttachmentKind(models.TextChoices):
    CONCEPT = "concept", _("Project concept")
    STATUTES = "statutes", _("Statutes / register extract")
    NONPROFIT = "nonprofit", _("Non-profit status certificate")
    COST_ESTIMATE = "cost_estimate", _("Cost estimate / quotes")
    CO_FINANCING = "co_financing", _("Co-financing confirmation")
    OTHER = "other", _("Other")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Random-ish, non-guessable names; the original name is kept in the row.
    return f"attachments/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class Attachment(models.Model):
    """A document uploaded with an application; served only through a permission check."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("document type"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
