"""Which account pays which money (DOMAIN.md §8): every envelope pays from one paying account.

An envelope pays from its own account if it has one, else from its office's account for its
funding source, else from its office's account for all sources. Once any paying account is
set up, a payment whose envelope resolves to none is refused (money must never leave the wrong
budget account); while none is set up at all, the installation pays from the one account in
its settings (SEPA_DEBTOR_*), as it did before offices had accounts of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from budgets.models import BudgetEnvelope, CoordinatingOffice, PayingAccount


def paying_accounts_configured() -> bool:
    """Whether any paying account is set up (else the settings account pays everything)."""
    return PayingAccount.objects.exists()


def paying_accounts_of(envelope_ids: Iterable[int]) -> dict[int, PayingAccount | None]:
    """The account each envelope pays from, or None when none applies; two queries."""
    envelopes = list(BudgetEnvelope.objects.filter(pk__in=set(envelope_ids)).order_by("pk"))
    accounts = list(
        PayingAccount.objects.filter(office_id__in={e.office_id for e in envelopes}).order_by("pk")
    )
    own = {a.envelope_id: a for a in accounts if a.envelope_id is not None}
    general = {(a.office_id, a.funding_source): a for a in accounts if a.envelope_id is None}
    return {
        e.pk: own.get(e.pk) or general.get((e.office_id, e.funding_source)) or general.get((e.office_id, ""))
        for e in envelopes
    }


def paying_accounts_of_office(office: CoordinatingOffice) -> list[PayingAccount]:
    """The office's accounts as its page lists them: general ones first, then per envelope."""
    return list(
        office.paying_accounts.select_related("envelope", "envelope__programme").order_by(
            F("envelope_id").asc(nulls_first=True), "funding_source", "pk"
        )
    )
