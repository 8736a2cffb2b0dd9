"""The carrier's own master data: its bank details for payouts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from budgets.rules import require
from core.errors import DomainError
from grants.carriers.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


def iban_errors(value: str) -> list[str]:
    """Why ``value`` cannot receive a SEPA payment (empty when it can)."""
    try:
        iban = IBAN(value)
    except SchwiftyException:
        return [_("“%(value)s” is not a valid IBAN. Please check it digit by digit.") % {"value": value}]
    if iban.country_code == "DE" and iban.bic is None:
        # A German IBAN whose bank code no bank uses: a typo the checksum happened not to catch.
        return [_("No German bank uses the bank code %(code)s of this IBAN.") % {"code": iban.bank_code}]
    return []


@transaction.atomic
def organisation_bank_update(
    *, organisation: Organisation, by: User, iban: str, account_holder: str
) -> Organisation:
    """Change where the carrier's grants are paid to; only members of the carrier may."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    require(by, "grants.change_bank_details", locked)
    errors = iban_errors(iban)
    if not account_holder.strip():
        errors.append(_("Please enter the account holder."))
    if errors:
        raise DomainError(errors)
    locked.iban = IBAN(iban).compact
    locked.account_holder = account_holder.strip()
    locked.save(update_fields=["iban", "account_holder"])  # the two fields this use case owns
    return locked
