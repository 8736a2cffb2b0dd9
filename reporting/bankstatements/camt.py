"""Reading ISO 20022 camt.053 bank statements: bounded, defused, validated, then parsed.

The file is refused as a whole (``StatementFileError`` with a sentence naming the reason)
before anything is written when it is too large, not XML, declares entities or a DTD (XML
bombs, external entities: xmlschema's defused parser, no network, no file access), is not a
camt.053 document of a supported version, or does not validate against the official schema
(vendored in ``schemas/``, see its README).

Parsing is pure: bytes in, :class:`ParsedStatement` values out; no ORM.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import islice
from pathlib import Path

import xmlschema
from django.utils.translation import gettext as _
from xmlschema.exceptions import XMLResourceError, XMLResourceForbidden, XMLSchemaException

from core.errors import DomainError
from core.formatting import format_number

MB = 1024 * 1024
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
# Namespace → schema version; .001.02 is what German banks deliver under the DFÜ-Abkommen.
VERSIONS = {
    f"{NAMESPACE_PREFIX}camt.053.001.02": "camt.053.001.02",
    f"{NAMESPACE_PREFIX}camt.053.001.08": "camt.053.001.08",
}


@dataclass(frozen=True)
class StatementLimits:
    """How much of an upload is read at most (like ``core.tabular.Limits`` for tables)."""

    # A day's statement of an office account has tens of entries; validating the largest file
    # this allows takes about three seconds, inside the request.
    max_bytes: int = 2 * MB
    max_entries: int = 2_000  # entries (Ntry) in the whole file
    max_elements: int = 100_000  # XML elements in the whole file (a real entry has about 20 to 40)
    max_errors_shown: int = 3
    max_errors_counted: int = 50


LIMITS = StatementLimits()


class StatementFileError(DomainError):
    """The upload is not a camt.053 statement this service can read; nothing was written."""


@dataclass(frozen=True)
class ParsedLine:
    """One booking line: an entry, or one transaction of a batch entry."""

    position: int
    entry_reference: str  # the account servicer's reference (AcctSvcrRef), else NtryRef; may be ""
    amount: Decimal
    currency: str
    credit: bool
    status: str  # BOOK, PDNG, INFO
    reversal: bool
    booked_on: date | None
    value_date: date | None
    end_to_end_id: str = ""
    remittance: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    return_code: str = ""
    return_info: str = ""
    additional_info: str = ""


@dataclass(frozen=True)
class ParsedStatement:
    statement_id: str
    electronic_sequence: str
    legal_sequence: str
    account_iban: str
    currency: str
    created_at: datetime | None
    from_date: date | None
    to_date: date | None
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[ParsedLine, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ParsedFile:
    version: str
    message_id: str
    statements: tuple[ParsedStatement, ...]


@cache
def schema(version: str) -> xmlschema.XMLSchema:
    """The official schema of ``version``, loaded once per process from the vendored file."""
    return xmlschema.XMLSchema(str(SCHEMA_DIR / f"{version}.xsd"), allow="sandbox", defuse="always")


def read_statement_file(data: bytes, *, limits: StatementLimits = LIMITS) -> ParsedFile:
    """Check and parse an uploaded camt.053 file; raise StatementFileError naming the reason."""
    if len(data) > limits.max_bytes:
        raise StatementFileError(
            _("The file is larger than %(limit)s MB; a bank statement file can have at most %(limit)s MB.")
            % {"limit": format_number(Decimal(limits.max_bytes) / MB, 0)}
        )
    if not data.strip():
        raise StatementFileError(_("The file is empty."))
    try:
        # A stream, never bytes: xmlschema would take bytes without "<" for a file name.
        resource = xmlschema.XMLResource(io.BytesIO(data), defuse="always", allow="none")
    except XMLResourceForbidden as exc:
        raise StatementFileError(
            _(
                "The file declares a document type or entities (%(detail)s); bank statements never do, so it is refused."
            )
            % {"detail": str(exc)}
        ) from exc
    except (ET.ParseError, XMLResourceError, XMLSchemaException, ValueError) as exc:
        raise StatementFileError(
            _("The file is not readable XML (%(detail)s); please upload the camt.053 file from your bank.")
            % {"detail": str(exc)}
        ) from exc
    namespace = resource.namespace
    version = VERSIONS.get(namespace)
    if version is None:
        raise StatementFileError(
            _(
                "The file is not a camt.053 bank statement in version 001.02 or 001.08: its namespace is “%(namespace)s”."
            )
            % {"namespace": namespace or _("none")}
        )
    # Counted before validating: validation costs seconds per hundred thousand elements.
    elements = entries = 0
    for element in resource.root.iter():
        elements += 1
        entries += element.tag == f"{{{namespace}}}Ntry"
    if entries > limits.max_entries:
        raise StatementFileError(
            _("The file has more than %(limit)s entries; at most %(limit)s entries can be imported at once.")
            % {"limit": format_number(limits.max_entries, 0)}
        )
    if elements > limits.max_elements:
        raise StatementFileError(
            _(
                "The file has more than %(limit)s XML elements; a bank statement file can have at most %(limit)s."
            )
            % {"limit": format_number(limits.max_elements, 0)}
        )
    # Counting every error of a large broken file would take seconds: stop at max_errors_counted.
    errors = list(islice(schema(version).iter_errors(resource), limits.max_errors_counted))
    if errors:
        shown = "; ".join(
            f"{error.path or '/'}: {error.reason or error.message}"
            for error in errors[: limits.max_errors_shown]
        )
        raise StatementFileError(
            _("The file does not validate against the schema %(schema)s (%(count)s errors): %(errors)s")
            % {
                "schema": version,
                "count": f"{len(errors)}+" if len(errors) == limits.max_errors_counted else len(errors),
                "errors": shown,
            }
        )
    return _parse(resource.root, namespace, version)


# --- parsing a valid document ------------------------------------------------------------------


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"c:{part}" for part in path.split("/"))

    def find(self, element: ET.Element | None, path: str) -> ET.Element | None:
        return None if element is None else element.find(self._path(path), self.ns)

    def findall(self, element: ET.Element, path: str) -> list[ET.Element]:
        return element.findall(self._path(path), self.ns)

    def text(self, element: ET.Element | None, *paths: str) -> str:
        """The text of the first of ``paths`` present (versions name some things differently)."""
        for path in paths:
            found = self.find(element, path)
            if found is not None and found.text:
                return found.text.strip()
        return ""


def _date(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _amount(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _balance(r: _Reader, statement: ET.Element, *codes: str) -> Decimal | None:
    """The first balance of ``codes`` (opening: OPBD, else the previous closing PRCD)."""
    for code in codes:
        for balance in r.findall(statement, "Bal"):
            if r.text(balance, "Tp/CdOrPrtry/Cd") == code:
                amount = _amount(r.text(balance, "Amt")) or Decimal(0)
                return -amount if r.text(balance, "CdtDbtInd") == "DBIT" else amount
    return None


def _parse(root: ET.Element, namespace: str, version: str) -> ParsedFile:
    r = _Reader(namespace)
    message = r.find(root, "BkToCstmrStmt")
    assert message is not None  # guaranteed by the schema
    statements = tuple(_statement(r, s) for s in r.findall(message, "Stmt"))
    return ParsedFile(version=version, message_id=r.text(message, "GrpHdr/MsgId"), statements=statements)


def _statement(r: _Reader, statement: ET.Element) -> ParsedStatement:
    lines: list[ParsedLine] = []
    for entry in r.findall(statement, "Ntry"):
        lines.extend(_lines(r, entry, start=len(lines) + 1))
    return ParsedStatement(
        statement_id=r.text(statement, "Id"),
        electronic_sequence=r.text(statement, "ElctrncSeqNb"),
        legal_sequence=r.text(statement, "LglSeqNb"),
        account_iban=r.text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id").replace(" ", "").upper(),
        currency=r.text(statement, "Acct/Ccy"),
        created_at=_datetime(r.text(statement, "CreDtTm")),
        from_date=_date(r.text(statement, "FrToDt/FrDtTm")),
        to_date=_date(r.text(statement, "FrToDt/ToDtTm")),
        opening_balance=_balance(r, statement, "OPBD", "PRCD"),
        closing_balance=_balance(r, statement, "CLBD"),
        lines=tuple(lines),
    )


def _lines(r: _Reader, entry: ET.Element, *, start: int) -> list[ParsedLine]:
    """One line per entry; a batch entry whose transactions carry their own amounts, one per transaction."""
    amount_element = r.find(entry, "Amt")
    assert amount_element is not None and amount_element.text  # guaranteed by the schema
    credit = r.text(entry, "CdtDbtInd") == "CRDT"
    reference = r.text(entry, "AcctSvcrRef") or r.text(entry, "NtryRef")
    base = ParsedLine(
        position=start,
        entry_reference=reference,
        amount=Decimal(amount_element.text),
        currency=amount_element.get("Ccy", ""),
        credit=credit,
        status=r.text(entry, "Sts/Cd", "Sts"),
        reversal=r.text(entry, "RvslInd").lower() == "true",
        booked_on=_date(r.text(entry, "BookgDt/Dt", "BookgDt/DtTm")),
        value_date=_date(r.text(entry, "ValDt/Dt", "ValDt/DtTm")),
        additional_info=r.text(entry, "AddtlNtryInf"),
    )
    transactions = [tx for details in r.findall(entry, "NtryDtls") for tx in r.findall(details, "TxDtls")]
    amounts = [_amount(r.text(tx, "Amt", "AmtDtls/TxAmt/Amt")) for tx in transactions]
    if len(transactions) > 1 and all(a is not None for a in amounts):
        return [
            replace(
                _with_transaction(r, base, tx),
                position=start + index,
                amount=amount,
                currency=_currency(r, tx, "Amt", "AmtDtls/TxAmt/Amt") or base.currency,
                entry_reference=r.text(tx, "Refs/AcctSvcrRef")
                or (f"{reference}/{index + 1}" if reference else ""),
            )
            for index, (tx, amount) in enumerate(zip(transactions, amounts, strict=True))
            if amount is not None
        ]
    return [_with_transaction(r, base, transactions[0]) if transactions else base]


def _currency(r: _Reader, tx: ET.Element, *paths: str) -> str:
    for path in paths:
        found = r.find(tx, path)
        if found is not None:
            return found.get("Ccy", "")
    return ""


def _with_transaction(r: _Reader, line: ParsedLine, tx: ET.Element) -> ParsedLine:
    """What identifies a transaction: references, remittance, the other party, a return reason."""
    # The other party: who paid us on a credit, whom we paid on a debit; a returned transfer
    # names the payee of our original transfer (V08 wraps the name in Pty).
    returned = r.find(tx, "RtrInf") is not None
    party = "Cdtr" if returned or not line.credit else "Dbtr"
    remittance = [e.text.strip() for e in r.findall(tx, "RmtInf/Ustrd") if e.text] + [
        e.text.strip() for e in r.findall(tx, "RmtInf/Strd/CdtrRefInf/Ref") if e.text
    ]
    return replace(
        line,
        end_to_end_id=r.text(tx, "Refs/EndToEndId"),
        remittance=" ".join(remittance),
        counterparty_name=r.text(tx, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm"),
        counterparty_iban=r.text(tx, f"RltdPties/{party}Acct/Id/IBAN").replace(" ", "").upper(),
        return_code=r.text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
        return_info=" ".join(e.text.strip() for e in r.findall(tx, "RtrInf/AddtlInf") if e.text),
    )
