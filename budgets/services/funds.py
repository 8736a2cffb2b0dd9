"""A fund's money: its own envelope at the first recipient's office, allocated from a grant.

The permission and the grant's rules (the year's instalment, the programme's share limits)
are checked by the caller, ``grants.chain.services.funds.fund_open``; this module only writes
the envelope, the fund and the allocation posting, all or nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import BudgetEnvelope, CoordinatingOffice, Fund, FundingProgramme, FundKind
from budgets.services._posting import LedgerKind, Posting, post_entries
from core.errors import DomainError


@transaction.atomic
def fund_envelope_create(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    budget_year: int,
    kind: FundKind,
    name: str,
    source_reference: str,
    amount: Decimal,
    max_per_measure: Decimal,
    latest_end_date: date,
    cofinancing_guide_rate: Decimal = Decimal(0),
    simple_proof_threshold: Decimal = Decimal(0),
    by: Any,
) -> Fund:
    """Create the fund's envelope and the fund, and post its allocation from ``source_reference``."""
    if amount <= 0:
        raise DomainError(_("A fund needs an amount greater than zero."))
    envelope = BudgetEnvelope(
        office=office,
        programme=programme,
        budget_year=budget_year,
        funding_source=programme.funding_level,
        budget_title=f"{source_reference} {kind.code}"[:40],
    )
    fund = Fund(
        kind=kind,
        name=name.strip(),
        source_reference=source_reference,
        max_per_measure=max_per_measure,
        latest_end_date=latest_end_date,
        cofinancing_guide_rate=cofinancing_guide_rate,
        simple_proof_threshold=simple_proof_threshold,
    )
    try:
        envelope.full_clean()
        fund.full_clean(exclude=["envelope"])
    except ValidationError as exc:
        raise DomainError(exc.messages) from exc
    envelope.save()
    fund.envelope = envelope
    fund.save()
    post_entries(
        [Posting(envelope.pk, budget_year, LedgerKind.ALLOCATION, amount)],
        reference=source_reference,
        by=by,
        comment=_("Allocated to the fund %(fund)s") % {"fund": fund.name},
    )
    return fund
