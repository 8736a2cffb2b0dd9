"""Paying accounts of the demo offices (DOMAIN.md §8), created after the demo's payment runs.

Every office that holds an envelope gets its budget account (at the Bundesbank, as public
bodies' accounts are); the Demokratie-Zentrum Sachsen, which runs on federal and state money
at once, has a second account for its federal money. The IBANs are computed from the
Bundesbank's bank code and invented account numbers. Idempotent.
"""

from __future__ import annotations

from schwifty import IBAN

from budgets.models import CoordinatingOffice, PayingAccount

BUNDESBANK = "10000000"


def _iban(office: CoordinatingOffice, source: str) -> str:
    account = f"{8600000000 + office.pk * 10 + (1 if source else 0):010d}"
    return str(IBAN.generate("DE", bank_code=BUNDESBANK, account_code=account).compact)


def seed_paying_accounts() -> int:
    """One account per office holding envelopes, one more for Saxony's federal money."""
    created = 0
    wanted = [
        (office, "") for office in CoordinatingOffice.objects.filter(envelopes__isnull=False).distinct()
    ]
    saxony = CoordinatingOffice.objects.filter(code="SN").first()
    if saxony is not None:
        wanted.append((saxony, "federal"))
    for office, source in wanted:
        name = f"{'Bundesmittel ' if source else ''}{office.short_name or office.name}"[:70]
        _account, made = PayingAccount.objects.get_or_create(
            office=office,
            funding_source=source,
            envelope=None,
            defaults={"name": name, "iban": _iban(office, source), "bic": "MARKDEF1100"},
        )
        created += made
    return created
