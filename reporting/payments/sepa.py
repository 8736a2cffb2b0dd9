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


@dataclass(frozen=True)
class PaymentBlock:
    """One payment information block (PmtInf): the transfers paid from one account."""

    debtor: Account
    transfers: Sequence[Transfer]


class _CreditTransfer(SepaTransfer):
    """sepaxml's transfer with our message id and one block per paying account.

    The MsgId is what the bank's status report (pain.002) refers to, so it should be the run's
    reference; sepaxml draws it at random just before it writes the group header. sepaxml knows
    one debtor per document, so each further paying account is a document of its own whose
    payment block is moved into this one before sepaxml sums the group header and validates.
    The blocks are named ``<reference>-<n>`` (PmtInfId) in file order.
    """

    def __init__(self, config: dict[str, Any], *, message_id: str, more: Sequence[SepaTransfer] = ()) -> None:
        self._message_id = message_id
        self._more = list(more)
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()

    def _finalize_batch(self) -> None:
        super()._finalize_batch()
        root = self._xml.find("CstmrCdtTrfInitn")
        for other in self._more:
            other._finalize_batch()
            for block in other._xml.find("CstmrCdtTrfInitn").findall("PmtInf"):
                root.append(block)
        for number, block in enumerate(root.findall("PmtInf"), start=1):
            block.find("PmtInfId").text = f"{self._message_id}-{number}"


def _document(debtor: Account, *, message_id: str, more: Sequence[SepaTransfer] = ()) -> _CreditTransfer:
    config: dict[str, Any] = {"name": debtor.name, "IBAN": debtor.iban, "batch": True, "currency": "EUR"}
    if debtor.bic:
        config["BIC"] = debtor.bic
    return _CreditTransfer(config, message_id=message_id, more=more)


def _add(document: SepaTransfer, transfers: Sequence[Transfer], execution_date: date) -> None:
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


def build_credit_transfer(*, message_id: str, execution_date: date, blocks: Sequence[PaymentBlock]) -> bytes:
    """The pain.001.001.09 document: one batch-booked payment block per paying account."""
    transfers = [t for block in blocks for t in block.transfers]
    if not transfers or any(not block.transfers for block in blocks):
        raise SepaFileError("a payment file needs at least one transfer in each block")
    if len(message_id) > ID_LENGTH - 4:
        raise SepaFileError(f"message id {message_id!r} is longer than {ID_LENGTH - 4} characters")
    if len({block.debtor.iban for block in blocks}) != len(blocks):
        raise SepaFileError("each paying account must have exactly one block")
    ids = [t.end_to_end_id for t in transfers]
    if len(set(ids)) != len(ids) or any(not i or len(i) > ID_LENGTH for i in ids):
        raise SepaFileError("end-to-end ids must be unique, non-empty and at most 35 characters")
    more = []
    for block in blocks[1:]:
        other = _document(block.debtor, message_id=message_id)
        _add(other, block.transfers, execution_date)
        more.append(other)
    document = _document(blocks[0].debtor, message_id=message_id, more=more)
    _add(document, blocks[0].transfers, execution_date)
    try:
        xml = document.export(validate=True, pretty_print=True)
    except SepaxmlValidationError as exc:
        raise SepaFileError(f"sepaxml: {exc.__cause__ or exc}") from exc
    validate_pain001(xml)
    check_totals(xml, blocks)
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


def _decimal(node: ET.Element, path: str) -> Decimal:
    return Decimal(_text(node, path))


def check_totals(xml: bytes, blocks: Sequence[PaymentBlock]) -> None:
    """The file says exactly what we meant: per block its paying account, count, control sum
    and each transfer's amount and IBAN; in the group header the count and sum of all blocks."""
    ns = {"p": NAMESPACE}
    root = ET.fromstring(xml)  # noqa: S314 - our own output, not untrusted input
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    if header is None:
        raise SepaFileError("group header is missing")
    transfers = [t for block in blocks for t in block.transfers]
    total = sum((t.amount for t in transfers), Decimal(0))
    if int(_text(header, "p:NbOfTxs")) != len(transfers) or _decimal(header, "p:CtrlSum") != total:
        raise SepaFileError("group header count or control sum differs from the payments")
    expected = {
        block.debtor.iban: (
            len(block.transfers),
            sum((t.amount for t in block.transfers), Decimal(0)),
            {t.end_to_end_id: (t.amount, t.creditor.iban) for t in block.transfers},
        )
        for block in blocks
    }
    written = {}
    for info in root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns):
        lines = {
            _text(tx, "p:PmtId/p:EndToEndId"): (
                _decimal(tx, "p:Amt/p:InstdAmt"),
                _text(tx, "p:CdtrAcct/p:Id/p:IBAN"),
            )
            for tx in info.iterfind("p:CdtTrfTxInf", ns)
        }
        count, control = int(_text(info, "p:NbOfTxs")), _decimal(info, "p:CtrlSum")
        if count != len(lines) or control != sum((amount for amount, _iban in lines.values()), Decimal(0)):
            raise SepaFileError("a payment block's count or control sum differs from its transfers")
        iban = _text(info, "p:DbtrAcct/p:Id/p:IBAN")
        if iban in written:
            raise SepaFileError(f"paying account {iban} has more than one payment block")
        written[iban] = (count, control, lines)
    if written != expected:
        raise SepaFileError("the payment blocks in the file differ from the payments")


def remittance(drawdown: Any) -> str:
    """What the carrier reads on its bank statement: "<file number> Mittelabruf <date>".

    The payment order (reporting.documents.payment_order) prints the same text.
    """
    requested = timezone.localdate(drawdown.requested_at)
    return sepa_text(f"{drawdown.grant.file_number} Mittelabruf {requested:%d.%m.%Y}", REMITTANCE_LENGTH)
