"""A micro-project's application: the usual intake, addressed to a fund (DOMAIN.md §7)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import FinancingType
from budgets.models import Fund
from core.errors import DomainError
from core.formatting import format_date
from grants.applications.models import Application
from grants.applications.services.application import application_create
from grants.carriers.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


def microproject_financing_type(fund: Fund) -> str:
    """Micro-projects are deficit-financed where the programme allows it, else its first type."""
    allowed = list(fund.programme.allowed_financing_types or [])
    return FinancingType.DEFICIT if FinancingType.DEFICIT in allowed or not allowed else allowed[0]


@transaction.atomic
def microproject_create(
    *,
    fund: Fund,
    organisation: Organisation,
    by: User,
    title: str,
    summary: str,
    goals: str,
    target_groups: str,
    region: str,
    start_date: date,
    end_date: date,
    today: date | None = None,
) -> Application:
    """Create the draft application of a micro-project; the financing plan follows in the editor
    and the fund's rules are checked on submission like a programme's."""
    day = today or timezone.localdate()
    if fund.latest_end_date < day:
        raise DomainError(
            _("The fund “%(fund)s” accepts no more micro-projects: they had to end by %(date)s.")
            % {"fund": fund.name, "date": format_date(fund.latest_end_date)}
        )
    return application_create(
        organisation=organisation,
        programme=fund.programme,
        office=fund.office,
        fund=fund,
        by=by,
        title=title,
        summary=summary,
        goals=goals,
        target_groups=target_groups,
        region=region,
        start_date=start_date,
        end_date=end_date,
        financing_type=microproject_financing_type(fund),
    )
