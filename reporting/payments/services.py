"""The SEPA side of payment runs: payees' accounts and the validated pain.001 file.

The runs themselves (create, execute, cancel; their locks, rules and history) live in
``grants.awards.payments.services.run``; reporting hands them :class:`SepaPaymentFile`, which
checks the accounts and renders the file inside the run's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import PayingAccount
from core.errors import DomainError
from grants.awards.payments.models import Drawdown, PaymentRun
from grants.awards.payments.services import run as runs
from grants.awards.payments.services.run import (
    Payee,
    PaymentBlock,
    RunPlan,
    Transfer,
    end_to_end_id,
    payment_label,
)
from reporting.payments import sepa

logger = logging.getLogger(__name__)


def _payee(account: sepa.Account) -> Payee:
    return Payee(name=account.name, iban=account.iban, bic=account.bic)


def debtor_account() -> Payee:
    """The paying account from the settings (SEPA_DEBTOR_*), checked like any other.

    Used only while no paying account is set up at all (``budgets.paying_accounts``).
    """
    try:
        return _payee(
            sepa.checked_account(
                name=settings.SEPA_DEBTOR_NAME, iban=settings.SEPA_DEBTOR_IBAN, bic=settings.SEPA_DEBTOR_BIC
            )
        )
    except sepa.AccountError as exc:
        logger.error("SEPA_DEBTOR_IBAN/BIC is not usable: %s", exc)
        raise DomainError(
            _("The paying account (SEPA_DEBTOR_IBAN) is not a valid IBAN; please ask the administrators.")
        ) from exc


def paying_account(account: PayingAccount) -> Payee:
    """An office's paying account, checked as when it was saved (the bank register may change)."""
    try:
        return _payee(sepa.checked_account(name=account.name, iban=account.iban, bic=account.bic))
    except sepa.AccountError as exc:
        logger.error("Paying account %s is not usable: %s", account.pk, exc)
        raise DomainError(
            _("The paying account %(iban)s of %(office)s is not a valid IBAN; please ask the administrators.")
            % {"iban": account.iban, "office": account.office.name}
        ) from exc


class SepaPaymentFile:
    """:class:`grants.awards.payments.services.run.PaymentFile` for a pain.001.001.09 file."""

    name_length = sepa.NAME_LENGTH

    def debtor(self, account: PayingAccount | None) -> Payee:
        return debtor_account() if account is None else paying_account(account)

    def transfer(self, drawdown: Drawdown) -> Transfer | str:
        """The checked account frozen on the payment order, or the message why it cannot be paid to.

        Never the carrier's current bank details: a change requested (or even confirmed) after
        the payment was ordered does not redirect it.
        """
        organisation = drawdown.grant.organisation
        values = {
            "carrier": organisation.name,
            "iban": drawdown.payee_iban,
            "payment": payment_label(drawdown),
        }
        if not drawdown.payee_iban:
            return (
                _(
                    "No payee account was recorded when the %(payment)s to %(carrier)s was ordered, so it cannot be paid."
                )
                % values
            )
        try:
            account = sepa.checked_account(
                name=drawdown.payee_name or organisation.name, iban=drawdown.payee_iban
            )
        except sepa.AccountError as exc:
            logger.warning("Payee IBAN of drawdown %s refused: %s", drawdown.pk, exc)
            return (
                _(
                    "The IBAN %(iban)s of %(carrier)s is not valid for a SEPA transfer, so the %(payment)s cannot be paid."
                )
                % values
            )
        return Transfer(
            end_to_end_id=end_to_end_id(drawdown),
            creditor=_payee(account),
            amount=drawdown.amount,
            remittance=sepa.remittance(drawdown),
        )

    def render(self, *, reference: str, execution_date: date, blocks: Sequence[PaymentBlock]) -> bytes:
        try:
            return sepa.build_credit_transfer(
                message_id=reference,
                execution_date=execution_date,
                blocks=[
                    sepa.PaymentBlock(
                        debtor=_account(block.debtor),
                        transfers=[
                            sepa.Transfer(
                                end_to_end_id=t.transfer.end_to_end_id,
                                creditor=_account(t.transfer.creditor),
                                amount=t.transfer.amount,
                                remittance=t.transfer.remittance,
                            )
                            for t in block.transfers
                        ],
                    )
                    for block in blocks
                ],
            )
        except sepa.SepaFileError as exc:
            logger.error("Payment file %s not created: %s", reference, exc)
            raise DomainError(
                _(
                    "The payment file could not be created: it does not validate against the %(schema)s schema."
                )
                % {"schema": sepa.SCHEMA}
            ) from exc


def _account(payee: Payee) -> sepa.Account:
    return sepa.Account(name=payee.name, iban=payee.iban, bic=payee.bic)


def payment_run_preview(*, drawdowns: Iterable[Drawdown], by: User) -> RunPlan:
    """The blocks per paying account a run of ``drawdowns`` would have (the create's own plan)."""
    return runs.payment_run_preview(drawdowns=drawdowns, by=by, payment_file=SepaPaymentFile())


def payment_run_create(*, drawdowns: Iterable[Drawdown], execution_date: date, by: User) -> PaymentRun:
    """Create a run with its SEPA file (the grants service, handed the SEPA renderer)."""
    return runs.payment_run_create(
        drawdowns=drawdowns, execution_date=execution_date, by=by, payment_file=SepaPaymentFile()
    )
