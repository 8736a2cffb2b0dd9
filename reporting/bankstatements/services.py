"""Importing camt.053 statements: repayments and returned transfers booked, the rest listed.

One import is one transaction: the file is checked whole first (``camt.read_statement_file``),
a statement imported before refuses the whole file, and every booking goes through the
grants services that finance uses by hand — ``repayment_book`` for a repayment,
``payment_return_book`` for a transfer the payee's bank sent back. A line those services
refuse (the amount exceeds what is owed, the payment is not paid yet, …) is rolled back on
its own savepoint and listed with their sentence for finance to assign or dismiss.

Matching (written once, here): a credit is a repayment of an open reclaim of the statement's
office subtree when the grant's file number appears in the remittance information and the
amount is exactly what the reclaim owes on the value date (principal and interest) or exactly
its outstanding principal. A credit carrying a return reason (``RtrInf``) is the return of our
transfer with that end-to-end id. Everything else waits for a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import CoordinatingOffice
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.models import Reclaim
from grants.awards.payments.services.bank_return import ReturnTarget, payment_return_book, returnable
from grants.awards.payments.services.run import payment_label
from grants.awards.services.reclaim.interest import reclaim_interest
from grants.awards.services.reclaim.repayment import repayment_book
from reporting.bankstatements.camt import (
    LIMITS,
    ParsedLine,
    ParsedStatement,
    StatementLimits,
    read_statement_file,
)
from reporting.bankstatements.models import BankStatement, StatementLine, StatementLineState
from reporting.bankstatements.reasons import return_reason
from reporting.rules import HANDLE_BANK_STATEMENT, USE_BANK_STATEMENTS

L = StatementLineState


@dataclass
class ImportResult:
    """What an import did, for the message after the upload."""

    statements: list[BankStatement] = field(default_factory=list)
    repayments: int = 0
    returns: list[str] = field(default_factory=list)  # one sentence per booked return
    unassigned: int = 0
    skipped: list[str] = field(default_factory=list)  # lines imported before with another statement


def _under(office: CoordinatingOffice) -> dict[str, str]:
    return {"grant__office__path__startswith": office.path}


def _statement_label(statement: BankStatement | ParsedStatement) -> str:
    sequence = statement.sequence if isinstance(statement, BankStatement) else statement.electronic_sequence
    values = {"id": statement.statement_id, "iban": statement.account_iban, "sequence": sequence or "–"}
    return _("statement %(id)s of account %(iban)s (sequence number %(sequence)s)") % values


def _refuse_imported_before(parsed: ParsedStatement) -> None:
    earlier = (
        BankStatement.objects.filter(
            account_iban=parsed.account_iban,
            statement_id=parsed.statement_id,
            sequence=parsed.electronic_sequence,
        )
        .select_related("imported_by")
        .first()
    )
    if earlier is not None:
        raise DomainError(
            _("The %(statement)s was already imported on %(date)s by %(person)s; nothing was imported again.")
            % {
                "statement": _statement_label(parsed),
                "date": format_date(timezone.localdate(earlier.imported_at)),
                "person": earlier.imported_by.get_full_name() or earlier.imported_by.get_username(),
            }
        )


@transaction.atomic
def bank_statement_import(
    *,
    data: bytes,
    file_name: str,
    office: CoordinatingOffice,
    by: User,
    limits: StatementLimits = LIMITS,
) -> ImportResult:
    """Import a camt.053 file for ``office``: book what matches, list the rest; all or nothing."""
    require(by, USE_BANK_STATEMENTS)
    require(by, HANDLE_BANK_STATEMENT, office)
    parsed = read_statement_file(data, limits=limits)
    for statement in parsed.statements:
        _refuse_imported_before(statement)
    result = ImportResult()
    try:
        with transaction.atomic():
            for statement in parsed.statements:
                record = BankStatement.objects.create(
                    office=office,
                    schema=parsed.version,
                    message_id=parsed.message_id,
                    statement_id=statement.statement_id,
                    sequence=statement.electronic_sequence,
                    legal_sequence=statement.legal_sequence,
                    account_iban=statement.account_iban,
                    created_by_bank=statement.created_at,
                    from_date=statement.from_date,
                    to_date=statement.to_date,
                    opening_balance=statement.opening_balance,
                    closing_balance=statement.closing_balance,
                    file_name=file_name[:200],
                    imported_by=by,
                    imported_at=timezone.now(),
                )
                result.statements.append(record)
                context = _context_of(statement)
                for line in statement.lines:
                    _import_line(record, line, by=by, result=result, context=context)
    except IntegrityError as exc:
        # The same statement or entry committed by another import while this one ran.
        raise DomainError(
            _("This statement was imported by someone else at the same moment; nothing was imported again.")
        ) from exc
    return result


@dataclass
class _Context:
    """What the lines of one statement share, read once.

    The returned transfers are looked up before anything of the statement is booked: a payment
    split across funding sources went out as several transfers, and it is booked as returned
    (once) when all of them come back in the statement.
    """

    targets: dict[str, ReturnTarget] = field(default_factory=dict)  # end-to-end id → its payment
    came_back: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # payment → id → amount
    booked: dict[int, int] = field(default_factory=dict)  # payment → the line that booked its return
    open_reclaims: list[Reclaim] | None = None  # the office's open reclaims, read at the first credit


def _context_of(statement: ParsedStatement) -> _Context:
    context = _Context()
    for line in statement.lines:
        if line.return_code and line.credit:
            target = returnable(line.end_to_end_id)
            if target is not None:
                context.targets[line.end_to_end_id] = target
                context.came_back.setdefault(target.item.pk, {})[line.end_to_end_id] = line.amount
    return context


def _import_line(
    statement: BankStatement, line: ParsedLine, *, by: User, result: ImportResult, context: _Context
) -> None:
    if line.amount <= 0:
        # The schema allows 0.00 (a fee waived, an information entry): nothing to book or assign.
        result.skipped.append(
            _("Line %(position)s has the amount %(amount)s; there is nothing to book.")
            % {"position": line.position, "amount": format_eur(line.amount)}
        )
        return
    if line.entry_reference:
        earlier = (
            StatementLine.objects.filter(
                account_iban=statement.account_iban, entry_reference=line.entry_reference
            )
            .select_related("statement")
            .first()
        )
        if earlier is not None:
            result.skipped.append(
                _(
                    "Entry %(reference)s (%(amount)s) was already imported with %(statement)s on %(date)s; it was not booked again."
                )
                % {
                    "reference": line.entry_reference,
                    "amount": format_eur(line.amount),
                    "statement": _statement_label(earlier.statement),
                    "date": format_date(timezone.localdate(earlier.statement.imported_at)),
                }
            )
            return
    fields: dict[str, object] = {}
    try:
        with transaction.atomic():
            fields = _book(statement, line, by=by, context=context)
    except DomainError as error:
        # Refusals too (say, the booking person belongs to the paying carrier): a person decides.
        fields = {"state": L.UNASSIGNED, "note": " ".join(str(m) for m in error.messages)}
    if fields["state"] == L.REPAYMENT:
        result.repayments += 1
    elif fields["state"] == L.RETURN:
        result.returns.append(str(fields["note"]))
    else:
        result.unassigned += 1
    StatementLine.objects.create(
        statement=statement,
        position=line.position,
        account_iban=statement.account_iban,
        entry_reference=line.entry_reference[:40],
        amount=line.amount,
        currency=line.currency[:3],
        credit=line.credit,
        booked_on=line.booked_on,
        value_date=line.value_date,
        counterparty_name=line.counterparty_name[:140],
        counterparty_iban=line.counterparty_iban[:34],
        remittance=line.remittance,
        end_to_end_id=line.end_to_end_id[:35],
        return_code=line.return_code[:35],
        **fields,  # type: ignore[arg-type]
    )


def _day(line: ParsedLine) -> date:
    day = line.value_date or line.booked_on
    if day is None:
        raise DomainError(_("The entry has neither a value date nor a booking date."))
    return day


def _book(statement: BankStatement, line: ParsedLine, *, by: User, context: _Context) -> dict[str, object]:
    """Book ``line`` if it is a repayment or a return; raise DomainError with why it is not."""
    if line.currency != "EUR":
        raise DomainError(
            _("Only euro amounts are booked; this line is in %(currency)s.") % {"currency": line.currency}
        )
    if line.status != "BOOK":
        raise DomainError(
            _("The bank has not booked this entry (status %(status)s).") % {"status": line.status}
        )
    if line.reversal:
        raise DomainError(_("The bank reversed this entry (Storno); please check it by hand."))
    if not line.credit:
        raise DomainError(_("A debit: only money received is booked from a statement."))
    if line.return_code:
        return _book_return(statement, line, by=by, context=context)
    return _book_repayment(statement, line, by=by, context=context)


def _book_return(
    statement: BankStatement, line: ParsedLine, *, by: User, context: _Context
) -> dict[str, object]:
    reason = return_reason(line.return_code)
    target = context.targets.get(line.end_to_end_id)
    if target is None or not target.item.drawdown.grant.office.path.startswith(statement.office.path):
        raise DomainError(
            _(
                "Returned transfer (reason %(reason)s): no payment of this office's payment runs has the end-to-end ID “%(id)s”."
            )
            % {"reason": reason, "id": line.end_to_end_id or "–"}
        )
    item = target.item
    payment = payment_label(item.drawdown)
    values = {"reason": reason, "id": line.end_to_end_id, "payment": payment, "run": item.run.reference}
    if line.amount != target.parts[line.end_to_end_id]:
        raise DomainError(
            _(
                "Returned transfer (reason %(reason)s): the bank returned %(returned)s, but the transfer %(id)s was for %(amount)s."
            )
            % (
                values
                | {
                    "returned": format_eur(line.amount),
                    "amount": format_eur(target.parts[line.end_to_end_id]),
                }
            )
        )
    if item.pk in context.booked:
        note = _(
            "Part of the return of the %(payment)s (reason %(reason)s), booked with line %(position)s."
        ) % (values | {"position": context.booked[item.pk]})
        return {"state": L.RETURN, "note": note, "drawdown": item.drawdown, "payment_run": item.run}
    if context.came_back[item.pk] != target.parts:
        raise DomainError(
            _(
                "Returned transfer (reason %(reason)s): %(id)s is one of %(count)s transfers of the %(payment)s, "
                "and only %(back)s of them came back in this statement; the payment is booked as returned when all "
                "of them are. Please check it by hand."
            )
            % (values | {"count": len(target.parts), "back": len(context.came_back[item.pk])})
        )
    try:
        returned = payment_return_book(
            item=item,
            amount=sum(target.parts.values(), Decimal(0)),
            returned_on=_day(line),
            reason=reason,
            by=by,
        )
    except DomainError as error:
        raise DomainError(
            [_("Returned transfer (reason %(reason)s):") % {"reason": reason}, *error.messages]
        ) from error
    context.booked[item.pk] = line.position
    note = _(
        "The bank returned the %(payment)s of payment run %(run)s (reason %(reason)s); the payment is ordered again and can go into a new payment run."
    ) % {"payment": payment_label(returned.drawdown), "run": returned.run.reference, "reason": reason}
    return {"state": L.RETURN, "note": note, "drawdown": returned.drawdown, "payment_run": returned.run}


def _mentions(remittance: str) -> Callable[[str], bool]:
    """Whether a file number appears in the remittance (banks break lines and add spaces)."""
    text = remittance.upper()

    def test(file_number: str) -> bool:
        characters = re.sub(r"\s+", "", file_number).upper()
        pattern = r"(?<![A-Z0-9])" + r"\s*".join(re.escape(c) for c in characters) + r"(?![0-9])"
        return re.search(pattern, text) is not None

    return test


def open_reclaims(office: CoordinatingOffice) -> list[Reclaim]:
    """The open reclaims of ``office``'s subtree (read once per statement)."""
    return list(Reclaim.objects.open().filter(**_under(office)).select_related("grant").order_by("pk"))


def matching_reclaims(reclaims: list[Reclaim], remittance: str) -> list[Reclaim]:
    """The reclaims whose grant's file number the remittance names."""
    mentions = _mentions(remittance)
    return [reclaim for reclaim in reclaims if mentions(reclaim.grant.file_number)]


def _book_repayment(
    statement: BankStatement, line: ParsedLine, *, by: User, context: _Context
) -> dict[str, object]:
    if context.open_reclaims is None:
        context.open_reclaims = open_reclaims(statement.office)
    # One settled by an earlier line of this statement is refused by the repayment service.
    candidates = matching_reclaims(context.open_reclaims, line.remittance)
    if not candidates:
        raise DomainError(_("The remittance information names no open reclaim of this office."))
    day = _day(line)
    matches = []
    mismatches = []
    for reclaim in candidates:
        owed = reclaim_interest(reclaim=reclaim, until=day)
        if line.amount in (owed.outstanding, owed.principal_outstanding):
            matches.append(reclaim)
        else:
            mismatches.append(
                _(
                    "The amount %(amount)s is neither what the reclaim on %(file_number)s owes on %(date)s (%(owed)s) nor its outstanding principal (%(principal)s)."
                )
                % {
                    "amount": format_eur(line.amount),
                    "file_number": reclaim.grant.file_number,
                    "date": format_date(day),
                    "owed": format_eur(owed.outstanding),
                    "principal": format_eur(owed.principal_outstanding),
                }
            )
    if not matches:
        raise DomainError(mismatches)
    if len(matches) > 1:
        raise DomainError(
            _("Several open reclaims on %(file_numbers)s match this amount; please assign the line by hand.")
            % {"file_numbers": ", ".join(sorted({r.grant.file_number for r in matches}))}
        )
    (reclaim,) = matches
    repayment = repayment_book(reclaim=reclaim, amount=line.amount, received_on=day, by=by)
    note = _("Repayment of the reclaim on %(file_number)s booked (received on %(date)s).") % {
        "file_number": reclaim.grant.file_number,
        "date": format_date(day),
    }
    return {"state": L.REPAYMENT, "note": note, "repayment": repayment}


# --- what finance does with a line the import could not place --------------------------------


def _locked_line(line: StatementLine) -> StatementLine:
    return (
        StatementLine.objects.select_for_update(of=("self",))
        .select_related("statement__office")
        .get(pk=line.pk)
    )


def _require_open(line: StatementLine) -> None:
    if not line.is_unassigned:
        raise DomainError(
            _("Line %(position)s of %(statement)s has already been handled (%(state)s).")
            % {
                "position": line.position,
                "statement": _statement_label(line.statement),
                "state": line.get_state_display(),
            }
        )


@transaction.atomic
def statement_line_assign(*, line: StatementLine, reclaim: Reclaim, by: User) -> StatementLine:
    """Book an unassigned credit as a repayment of ``reclaim`` (the repayment service decides)."""
    locked = _locked_line(line)
    require(by, HANDLE_BANK_STATEMENT, locked)
    _require_open(locked)
    if not locked.credit:
        raise DomainError(_("Only money received can be booked as a repayment."))
    if not reclaim.grant.office.path.startswith(locked.statement.office.path):
        raise DomainError(
            _(
                "The reclaim on %(file_number)s is not one of the office %(office)s; it cannot be assigned here."
            )
            % {"file_number": reclaim.grant.file_number, "office": locked.statement.office.name}
        )
    day = locked.value_date or locked.booked_on
    if day is None:
        raise DomainError(_("The entry has neither a value date nor a booking date."))
    repayment = repayment_book(reclaim=reclaim, amount=locked.amount, received_on=day, by=by)
    description = _("Assigned to the reclaim on %(file_number)s") % {"file_number": reclaim.grant.file_number}
    locked.assign(by=by, repayment=repayment, description=description)
    locked.save_changes()
    return locked


@transaction.atomic
def statement_line_dismiss(*, line: StatementLine, reason: str, by: User) -> StatementLine:
    """Nothing to book for this line; the reason is kept with it."""
    locked = _locked_line(line)
    require(by, HANDLE_BANK_STATEMENT, locked)
    _require_open(locked)
    if not reason.strip():
        raise DomainError(_("Please give a reason for dismissing the line."))
    locked.dismiss(by=by, reason=reason.strip(), description=reason.strip())
    locked.save_changes()
    return locked


def principal_and_owed(reclaim: Reclaim, day: date) -> tuple[Decimal, Decimal]:
    """What the assignment page shows per reclaim: (outstanding principal, owed in total) on ``day``."""
    owed = reclaim_interest(reclaim=reclaim, until=day)
    return owed.principal_outstanding, owed.outstanding
