"""The payment order (Auszahlungsanordnung) of a drawdown, addressed to the paying office.

It carries what the cash office needs to pay and to book: payee and account, amount, due
date, remittance text, the budget title charged, and the two separate persons who certified
the request (sachlich und rechnerisch richtig) and ordered the payment (four eyes).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from budgets.paying_accounts import paying_account_split, paying_accounts_configured
from reporting.documents.blocks import FUNDING_SOURCE_DE, electronic_note, local_date, signature_boxes
from reporting.documents.layout import Letter, Styles, ddate, esc, eur, iban, render_letter
from reporting.documents.tables import Row, amounts_table, facts_table
from reporting.payments.sepa import remittance
from reporting.selectors import charged_envelope, drawdowns_of_year

TITLE = "Auszahlungsanordnung"


def render_payment_order(*, drawdown: Any) -> bytes:
    """The payment order as PDF bytes; reads the drawdown, its grant and the ledger, writes nothing."""
    grant = drawdown.grant
    office = grant.office
    dated = local_date(drawdown.ordered_at) or timezone.localdate()
    requested_on = local_date(drawdown.requested_at)
    envelope = charged_envelope(reference=grant.file_number, budget_year=drawdown.budget_year)

    letter = Letter(
        office=office,
        recipient=[
            "Haushalt und Kasse",
            office.name,
            *(line for line in (office.street, f"{office.postcode} {office.city}".strip()) if line),
        ],
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Antragsnummer", grant.application.reference),
            ("Mittelabruf vom", ddate(requested_on)),
            ("Haushaltsjahr", str(drawdown.budget_year)),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=TITLE,
        subject=f"Auszahlung von {eur(drawdown.amount)} an {grant.organisation.name}",
        keywords=[grant.file_number, grant.application.reference, "Auszahlungsanordnung"],
    )
    return render_letter(
        letter,
        lambda: [
            Paragraph(TITLE, Styles.title),
            Paragraph(
                f"Zuwendung {esc(grant.file_number)} – „{esc(grant.title)}“",
                Styles.subject,
            ),
            Paragraph(
                f"Mittelabruf vom {ddate(requested_on)} aus dem Programm „{esc(grant.programme.name)}“",
                Styles.reference,
            ),
            Paragraph(
                f"Es wird angeordnet, den Betrag von <b>{eur(drawdown.amount)}</b> zu Lasten des unten "
                f"genannten Haushaltstitels bis zum {ddate(drawdown.needed_on)} an den Zahlungsempfänger "
                "auszuzahlen.",
                Styles.body,
            ),
            Paragraph("1. Zahlungsempfänger", Styles.heading),
            _payee(grant.organisation, drawdown),
            Paragraph("2. Zahlung", Styles.heading),
            facts_table(
                [
                    ("Betrag", f"<b>{eur(drawdown.amount)}</b>"),
                    ("Fällig am", ddate(drawdown.needed_on)),
                    ("Verwendungszweck", esc(remittance(drawdown))),
                    ("Zweck des Mittelabrufs", esc(drawdown.purpose)),
                    ("Zahlendes Konto", _debtor(grant, drawdown)),
                ]
            ),
            Paragraph("3. Haushaltsmittel", Styles.heading),
            _budget(grant, drawdown, envelope),
            *_year(grant, drawdown),
            Paragraph("4. Feststellung und Anordnung", Styles.heading),
            Paragraph(
                "Die sachliche und rechnerische Richtigkeit wurde festgestellt; die Auszahlung wurde von einer "
                "anderen Person angeordnet (Vier-Augen-Prinzip).",
                Styles.body,
            ),
            signature_boxes(
                [
                    ("Sachlich und rechnerisch richtig", drawdown.certified_by, drawdown.certified_at),
                    ("Anordnungsbefugte:r", drawdown.ordered_by, drawdown.ordered_at),
                ]
            ),
            electronic_note(),
        ],
    )


def _payee(organisation: Any, drawdown: Any) -> Flowable:
    # Once ordered, the account frozen on the order (what a payment run pays); before that the
    # carrier's current bank details.
    if drawdown.payee_iban:
        holder, account, (bic, bank) = drawdown.payee_name, drawdown.payee_iban, drawdown.payee_bic_and_bank
    else:
        holder, account, (bic, bank) = organisation.payee_name, organisation.iban, organisation.bic_and_bank
    address = ", ".join(
        esc(p) for p in (organisation.street, f"{organisation.postcode} {organisation.city}".strip()) if p
    )
    return facts_table(
        [
            ("Name", f"<b>{esc(organisation.name)}</b>"),
            ("Anschrift", address or "–"),
            ("Kontoinhaber", esc(holder)),
            ("IBAN", iban(account) if account else "– (keine Bankverbindung hinterlegt)"),
            ("BIC", bic or "–"),
            ("Kreditinstitut", esc(bank) or "–"),
        ]
    )


def _debtor(grant: Any, drawdown: Any) -> str:
    """The account(s) the payment leaves from, split as the payment file splits it (DOMAIN §8);
    the settings account while no office has an account of its own."""
    if not paying_accounts_configured():
        return _account(settings.SEPA_DEBTOR_NAME, settings.SEPA_DEBTOR_IBAN, settings.SEPA_DEBTOR_BIC)
    split = paying_account_split(
        reference=grant.file_number, budget_year=drawdown.budget_year, amount=drawdown.amount
    )
    lines = []
    for account, amount in split:
        line = (
            _account(account.name, account.iban, account.bic) if account else "– (kein Zahlkonto hinterlegt)"
        )
        if len(split) > 1:
            source = FUNDING_SOURCE_DE.get(account.funding_source, "") if account else ""
            line += f"<br/>{eur(amount)}" + (f" ({esc(source)})" if source else "")
        lines.append(line)
    return "<br/><br/>".join(lines)


def _account(name: str, account: str, bic: str) -> str:
    return f"{esc(name)}<br/>IBAN {iban(account)}" + (f" · BIC {esc(bic)}" if bic else "")


def _budget(grant: Any, drawdown: Any, envelope: Any) -> Flowable:
    if envelope is None:
        title = "– (keine Mittelbindung im Haushaltsbuch gefunden)"
        source = "–"
    else:
        title = f"<b>{esc(envelope.budget_title)}</b>"
        source = (
            f"{esc(envelope.office.name)} · {esc(envelope.programme.name)} · "
            f"{FUNDING_SOURCE_DE.get(envelope.funding_source, esc(envelope.funding_source))} "
            f"{envelope.budget_year}"
        )
    return facts_table(
        [
            ("Haushaltstitel", title),
            ("Mittelansatz", source),
            ("Haushaltsjahr", str(drawdown.budget_year)),
            ("Buchungsreferenz", esc(grant.file_number)),
        ]
    )


def _year(grant: Any, drawdown: Any) -> list[Flowable]:
    """The year's instalment, what was paid or ordered before, this payment and what remains."""
    instalment = next(
        (i.amount for i in grant.instalments.all() if i.budget_year == drawdown.budget_year), None
    )
    if instalment is None:
        return []
    before = sum((d.amount for d in drawdowns_of_year(drawdown) if d.pk != drawdown.pk), Decimal(0))
    rows = [
        Row([f"Jahresrate {drawdown.budget_year}", eur(instalment)]),
        Row(["bereits angeordnet oder ausgezahlt", eur(before)]),
        Row(["diese Auszahlung", eur(drawdown.amount)]),
        Row(["verbleibende Jahresrate", eur(instalment - before - drawdown.amount)], kind="total"),
    ]
    return [amounts_table(["Mittelabfluss im Haushaltsjahr", "Betrag"], rows, [80 * mm, 40 * mm])]
