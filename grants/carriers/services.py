"""The carrier's own master data: its bank details for payouts.

Where a carrier's grants are paid to is never switched by one person. A member of the carrier
(or an administrator, through the admin) *requests* a change; finance staff of an office
responsible for the carrier *confirm* or *reject* it (``grants.confirm_bank_details``: not the
requester, not for their own organisation); only the confirmation writes the organisation's
IBAN. Every member of the carrier is told by e-mail when a change is requested and when it is
decided, so a change nobody in the carrier wanted does not go unnoticed. Payments already
ordered keep the account frozen on them when they were ordered.

Lock order: the organisation row, then its change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from accounts.models import SecurityEventKind
from accounts.security import security_log
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date
from grants.carriers.models import (
    CONFIRM_BANK_DETAILS,
    REJECT_BANK_DETAILS,
    REQUEST_BANK_DETAILS_CHANGE,
    WITHDRAW_BANK_DETAILS_CHANGE,
    BankDetailsChange,
    BankDetailsChangeState,
    Organisation,
)

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


def _pending_change(organisation: Organisation) -> BankDetailsChange | None:
    """The organisation's change waiting for confirmation, if any (at most one)."""
    return (
        organisation.bank_details_changes.filter(state=BankDetailsChangeState.REQUESTED)  # type: ignore[attr-defined]
        .select_related("requested_by")
        .first()
    )


def _notify_members_on_commit(change: BankDetailsChange) -> None:
    from grants.carriers.tasks import send_bank_details_change_email

    change_id, state = change.pk, change.state
    transaction.on_commit(lambda: send_bank_details_change_email.delay(change_id, state))


def _log(change: BankDetailsChange, *, by: User, request: HttpRequest | None, detail: str) -> None:
    """The security log's line (rolled back with the change if the transaction fails)."""
    security_log(
        kind=SecurityEventKind.BANK_DETAILS_CHANGED,
        user=by,
        request=request,
        obj=change.organisation,
        detail=detail,
    )


def _locked_organisation(organisation_id: int) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation_id)


def _locked_change(change: BankDetailsChange) -> tuple[Organisation, BankDetailsChange]:
    """The organisation, then the change: the one lock order of bank details."""
    organisation = _locked_organisation(change.organisation_id)
    locked = BankDetailsChange.objects.select_for_update().get(pk=change.pk)
    locked.organisation = organisation
    return organisation, locked


@transaction.atomic
def bank_details_change_request(
    *,
    organisation: Organisation,
    by: User,
    iban: str,
    account_holder: str,
    request: HttpRequest | None = None,
) -> BankDetailsChange:
    """Ask for the payout account to be changed; it changes only when finance confirms it."""
    locked = _locked_organisation(organisation.pk)
    require(by, REQUEST_BANK_DETAILS_CHANGE, locked)
    errors = iban_errors(iban)
    holder = " ".join(account_holder.split())
    if not holder:
        errors.append(_("Please enter the account holder."))
    if errors:
        raise DomainError(errors)
    compact = IBAN(iban).compact
    pending = _pending_change(locked)
    if pending is not None:
        raise DomainError(
            _(
                "A change of the bank details to %(iban)s, requested on %(date)s, is still waiting for confirmation. Please withdraw it before requesting another one."
            )
            % {"iban": pending.iban_formatted, "date": format_date(timezone.localdate(pending.requested_at))}
        )
    if compact == locked.iban and holder == locked.account_holder:
        raise DomainError(_("These are the bank details already on file; nothing needs to be changed."))
    change = BankDetailsChange.objects.create(
        organisation=locked,
        iban=compact,
        account_holder=holder,
        requested_by=by,
        previous_iban=locked.iban,
        previous_account_holder=locked.account_holder,
    )
    _log(
        change,
        by=by,
        request=request,
        detail=_("New bank details %(iban)s (%(holder)s) requested; on file: %(previous)s")
        % {"iban": change.iban_formatted, "holder": holder, "previous": locked.iban_formatted or "–"},
    )
    _notify_members_on_commit(change)
    return change


@transaction.atomic
def bank_details_change_confirm(
    *, change: BankDetailsChange, by: User, comment: str = "", request: HttpRequest | None = None
) -> BankDetailsChange:
    """Finance confirms the new account: from now on payments are ordered to it."""
    organisation, locked = _locked_change(change)
    require(by, CONFIRM_BANK_DETAILS, locked)
    if not locked.is_requested:
        raise DomainError(
            _("This change of bank details was already decided (“%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    errors = iban_errors(locked.iban)  # the bank-code register may have changed since the request
    if errors:
        raise DomainError(errors)
    locked.confirm(
        by=by,
        previous_iban=organisation.iban,
        previous_account_holder=organisation.account_holder,
        description=comment,
    )
    locked.save_changes()
    organisation.iban = locked.iban
    organisation.account_holder = locked.account_holder
    organisation.save(update_fields=["iban", "account_holder"])  # only this use case writes them
    _log(
        locked,
        by=by,
        request=request,
        detail=_("New bank details %(iban)s (%(holder)s) confirmed; previously: %(previous)s")
        % {
            "iban": locked.iban_formatted,
            "holder": locked.account_holder,
            "previous": locked.previous_iban_formatted or "–",
        },
    )
    _notify_members_on_commit(locked)
    return locked


@transaction.atomic
def bank_details_change_reject(
    *, change: BankDetailsChange, by: User, reason: str, request: HttpRequest | None = None
) -> BankDetailsChange:
    """Finance refuses the new account (with the reason the carrier reads); nothing changes."""
    _organisation, locked = _locked_change(change)
    require(by, REJECT_BANK_DETAILS, locked)
    if not reason.strip():
        raise DomainError(_("Please give a reason for rejecting the new bank details."))
    if not locked.is_requested:
        raise DomainError(
            _("This change of bank details was already decided (“%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    locked.reject(by=by, reason=reason.strip(), description=reason.strip())
    locked.save_changes()
    _log(
        locked,
        by=by,
        request=request,
        detail=_("New bank details %(iban)s rejected: %(reason)s")
        % {"iban": locked.iban_formatted, "reason": locked.reason},
    )
    _notify_members_on_commit(locked)
    return locked


@transaction.atomic
def bank_details_change_withdraw(
    *, change: BankDetailsChange, by: User, request: HttpRequest | None = None
) -> BankDetailsChange:
    """The carrier takes its request back (a typo, a second thought); nothing changes."""
    _organisation, locked = _locked_change(change)
    require(by, WITHDRAW_BANK_DETAILS_CHANGE, locked)
    if not locked.is_requested:
        raise DomainError(
            _("This change of bank details was already decided (“%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    locked.withdraw(by=by)
    locked.save_changes()
    _log(
        locked,
        by=by,
        request=request,
        detail=_("Request for new bank details %(iban)s withdrawn") % {"iban": locked.iban_formatted},
    )
    _notify_members_on_commit(locked)
    return locked
