"""The SEPA side of payment runs: payees' accounts and the validated pain.001 file.

The runs themselves (create, execute, cancel; their locks, rules and history) live in
``grants.awards.payments.services.run``; reporting hands them :class:`SepaPaymentFile`, which
checks the accounts and renders the file inside the run's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from grants.awards.payments.models import Drawdown, PaymentRun
from grants.awards.payments.services import run as runs
from grants.awards.payments.services.run import Payee, Transfer, end_to_end_id, payment_label
from reporting.payments import sepa

logger = logging.getLogger(__name__)


def _payee(account: sepa.Account) -> Payee:
    return Payee(name=account.name, iban=account.iban, bic=account.bic)


def debtor_account() -> Payee:
    """The paying account from the settings (SEPA_DEBTOR_*), checked like any other."""
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


class SepaPaymentFile:
    """:class:`grants.awards.payments.services.run.PaymentFile` for a pain.001.001.09 file."""

    name_length = sepa.NAME_LENGTH

    def debtor(self) -> Payee:
        return debtor_account()

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

    def render(
        self, *, reference: str, debtor: Payee, execution_date: date, transfers: list[Transfer]
    ) -> bytes:
        try:
            return sepa.build_credit_transfer(
                message_id=reference,
                debtor=sepa.Account(name=debtor.name, iban=debtor.iban, bic=debtor.bic),
                execution_date=execution_date,
                transfers=[
                    sepa.Transfer(
                        end_to_end_id=t.end_to_end_id,
                        creditor=sepa.Account(name=t.creditor.name, iban=t.creditor.iban, bic=t.creditor.bic),
                        amount=t.amount,
                        remittance=t.remittance,
                    )
                    for t in transfers
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


def payment_run_create(*, drawdowns: Iterable[Drawdown], execution_date: date, by: User) -> PaymentRun:
    """Create a run with its SEPA file (the grants service, handed the SEPA renderer)."""
    return runs.payment_run_create(
        drawdowns=drawdowns, execution_date=execution_date, by=by, payment_file=SepaPaymentFile()
    )
