"""Which account pays which money (DOMAIN.md §8): every envelope pays from one paying account.

An envelope pays from its own account if it has one, else from its office's account for its
funding source, else from its office's account for all sources. Once any paying account is
set up, a payment whose envelope resolves to none is refused (money must never leave the wrong
budget account); while none is set up at all, the installation pays from the one account in
its settings (SEPA_DEBTOR_*), as it did before offices had accounts of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F

from budgets.models import BudgetEnvelope, CoordinatingOffice, PayingAccount
from budgets.selectors import reference_figures
from budgets.services.commitments import movement_parts


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


def paying_account_split(
    *, reference: str, budget_year: int, amount: Decimal
) -> list[tuple[PayingAccount | None, Decimal]]:
    """Which accounts pay ``amount`` of ``reference`` in ``budget_year``: the movement's parts
    (:func:`movement_parts`, as the payment file and the ledger split it) summed per account, in
    the parts' order; None stands for parts whose envelope has no account."""
    parts = movement_parts(reference=reference, budget_year=budget_year, amount=amount)
    accounts = paying_accounts_of(p.envelope_id for p in parts)
    split: dict[int | None, tuple[PayingAccount | None, Decimal]] = {}
    for part in parts:
        account = accounts.get(part.envelope_id)
        key = account.pk if account else None
        previous = split.get(key, (account, Decimal("0")))[1]
        split[key] = (account, previous + part.amount)
    return list(split.values())


def receiving_account(reference: str) -> PayingAccount | None:
    """Where a carrier pays money back (reclaims, interest): the account of the envelope holding
    the grant's largest commitment (the lowest envelope on a tie); None without one."""
    committed: dict[int, Decimal] = {}
    for (envelope_id, _year), figures in reference_figures(reference).items():
        committed[envelope_id] = committed.get(envelope_id, Decimal("0")) + figures.committed
    if not committed:
        return None
    lead = min(committed, key=lambda pk: (-committed[pk], pk))
    return paying_accounts_of([lead]).get(lead)
