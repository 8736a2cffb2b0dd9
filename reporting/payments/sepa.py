"""The SEPA credit-transfer file (pain.001.001.09) of a payment run, built with ``sepaxml``.

sepaxml 2.7 writes pain.001.001.03, .09, .10 and .11 and ships the ISO 20022 XSDs. Its own
``export(validate=True)`` checks the file against the bundled XSD with ``xmlschema``; we check
once more, explicitly, against the same XSD, and re-read the totals, because a file the bank
rejects — or, worse, accepts with a wrong amount — is the costliest failure in this module.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Any

from django.utils import timezone
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaxmlValidationError

from core.bank_accounts import NAME_LENGTH, Account, AccountError, checked_account, sepa_text

__all__ = ["NAME_LENGTH", "Account", "AccountError", "checked_account", "sepa_text"]

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
CENT = Decimal("0.01")
REMITTANCE_LENGTH = 140  # Max140Text (unstructured remittance information)
ID_LENGTH = 35  # Max35Text (message and end-to-end ids)


class SepaFileError(Exception):
    """The file could not be built or does not validate; ``str(exc)`` says why (for the log)."""


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    creditor: Account
    amount: Decimal
    remittance: str


def cents(amount: Decimal) -> int:
    """The amount in whole cents; anything finer than a cent or not positive is refused."""
    if amount <= 0 or amount != amount.quantize(CENT):
        raise SepaFileError(f"amount {amount} is not a positive amount in whole cents")
    return int(amount * 100)


class _CreditTransfer(SepaTransfer):
    """sepaxml's transfer with our message id instead of a random one.

    The MsgId is what the bank's status report (pain.002) refers to, so it should be the run's
    reference; sepaxml draws it at random just before it writes the group header.
    """

    def __init__(self, config: dict[str, Any], *, message_id: str) -> None:
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()


def build_credit_transfer(
    *, message_id: str, debtor: Account, execution_date: date, transfers: Sequence[Transfer]
) -> bytes:
    """The pain.001.001.09 document: one batch-booked payment block for the execution date."""
    if not transfers:
        raise SepaFileError("a payment file needs at least one transfer")
    if len(message_id) > ID_LENGTH:
        raise SepaFileError(f"message id {message_id!r} is longer than {ID_LENGTH} characters")
    ids = [t.end_to_end_id for t in transfers]
    if len(set(ids)) != len(ids) or any(not i or len(i) > ID_LENGTH for i in ids):
        raise SepaFileError("end-to-end ids must be unique, non-empty and at most 35 characters")
    config: dict[str, Any] = {
        "name": debtor.name,
        "IBAN": debtor.iban,
        "batch": True,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = debtor.bic
    document = _CreditTransfer(config, message_id=message_id)
    for transfer in transfers:
        payment: dict[str, Any] = {
            "name": transfer.creditor.name,
            "IBAN": transfer.creditor.iban,
            "amount": cents(transfer.amount),
            "execution_date": execution_date,
            "description": transfer.remittance,
            "endtoend_id": transfer.end_to_end_id,
        }
        if transfer.creditor.bic:
            payment["BIC"] = transfer.creditor.bic
        document.add_payment(payment)
    try:
        xml = document.export(validate=True, pretty_print=True)
    except SepaxmlValidationError as exc:
        raise SepaFileError(f"sepaxml: {exc.__cause__ or exc}") from exc
    validate_pain001(xml)
    check_totals(xml, transfers)
    return xml


@functools.cache
def _schema() -> Any:
    # Imported late, as sepaxml does: xmlschema patches ElementTree when imported.
    import xmlschema

    return xmlschema.XMLSchema(str(files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"))


def validate_pain001(xml: bytes) -> None:
    """Raise ``SepaFileError`` unless ``xml`` is valid against the pain.001.001.09 XSD."""
    errors = list(_schema().iter_errors(xml.decode("utf-8")))
    if errors:
        raise SepaFileError(f"{SCHEMA}: {errors[0].reason} at {errors[0].path}")


def _text(node: ET.Element, path: str) -> str:
    found = node.find(path, {"p": NAMESPACE})
    if found is None or found.text is None:
        raise SepaFileError(f"{path} is missing")
    return found.text


def check_totals(xml: bytes, transfers: Sequence[Transfer]) -> None:
    """The file says exactly what we meant: count, control sum, and each amount and IBAN."""
    root = ET.fromstring(xml)  # noqa: S314 - our own output, not untrusted input
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", {"p": NAMESPACE})
    if header is None:
        raise SepaFileError("group header is missing")
    total = sum((t.amount for t in transfers), Decimal(0))
    if int(_text(header, "p:NbOfTxs")) != len(transfers) or Decimal(_text(header, "p:CtrlSum")) != total:
        raise SepaFileError("group header count or control sum differs from the payments")
    expected = {t.end_to_end_id: (t.amount, t.creditor.iban) for t in transfers}
    written = {}
    for tx in root.iterfind(".//p:CdtTrfTxInf", {"p": NAMESPACE}):
        written[_text(tx, "p:PmtId/p:EndToEndId")] = (
            Decimal(_text(tx, "p:Amt/p:InstdAmt")),
            _text(tx, "p:CdtrAcct/p:Id/p:IBAN"),
        )
    if written != expected:
        raise SepaFileError("the transactions in the file differ from the payments")


def remittance(drawdown: Any) -> str:
    """What the carrier reads on its bank statement: "<file number> Mittelabruf <date>".

    The payment order (reporting.documents.payment_order) prints the same text.
    """
    requested = timezone.localdate(drawdown.requested_at)
    return sepa_text(f"{drawdown.grant.file_number} Mittelabruf {requested:%d.%m.%Y}", REMITTANCE_LENGTH)
