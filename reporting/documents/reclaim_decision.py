"""The reclaim decision (Rückforderungsbescheid) with its interest under § 49a VwVfG.

One module serves the three kinds of reclaim: after the settlement of the proof of use, after a
revocation (Widerruf) in whole or in part, and interest for late use of paid-out money
(§ 49a (4) VwVfG). The interest is shown piece by piece as at the date of the decision, from
the statement the reclaim service computes (``grants.awards.services.reclaim.reclaim_interest``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from budgets.paying_accounts import paying_accounts_configured, receiving_account
from core.errors import DomainError
from grants.awards.models import ReclaimKind
from grants.awards.services.reclaim import reclaim_interest
from reporting.documents.blocks import closing, legal_remedies, local_date, recipient_lines
from reporting.documents.funders import funders_block
from reporting.documents.layout import (
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    iban,
    number,
    numbered,
    paragraphs,
    percent,
    render_letter,
)
from reporting.documents.tables import Row, amounts_table, facts_table, figures_table

TITLES = {
    "settlement": "Rückforderungsbescheid",
    "revocation": "Widerrufs- und Rückforderungsbescheid",
    "late_use": "Zinsbescheid",
}
ZERO = Decimal("0.00")


def render_reclaim_decision(*, reclaim: Any) -> bytes:
    """The decision as PDF bytes; reads the reclaim, its grant and the base rates, writes nothing."""
    grant = reclaim.grant
    office = grant.office
    dated = reclaim.decided_on
    notified_on = local_date(grant.approved_at)
    title = TITLES.get(reclaim.kind, TITLES["settlement"])
    try:
        statement = reclaim_interest(reclaim=reclaim, until=dated)
        missing = ""
    except DomainError as exc:  # a base rate is missing: the decision states the rule only
        statement, missing = None, " ".join(exc.messages)

    letter = Letter(
        office=office,
        recipient=recipient_lines(grant.organisation),
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Antragsnummer", grant.application.reference),
            ("Zuwendungsbescheid vom", ddate(notified_on)),
            ("E-Mail", office.email or "–"),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=title,
        subject=f"{title} zur Zuwendung {grant.file_number}",
        keywords=[grant.file_number, grant.application.reference, title],
    )
    return render_letter(
        letter,
        lambda: [
            Paragraph(title, Styles.title),
            Paragraph(f"Zuwendung für das Projekt „{esc(grant.title)}“", Styles.subject),
            Paragraph(
                f"Zuwendungsbescheid vom {ddate(notified_on)}, Aktenzeichen {esc(grant.file_number)}",
                Styles.reference,
            ),
            Paragraph("Sehr geehrte Damen und Herren,", Styles.body),
            Paragraph("hiermit ergeht folgende Entscheidung:", Styles.body),
            *numbered(_operative(reclaim, statement, notified_on)),
            Paragraph("Begründung", Styles.heading),
            *(
                paragraphs(reclaim.reasons, Styles.body)
                or [Paragraph("Die Gründe wurden Ihnen gesondert mitgeteilt.", Styles.body)]
            ),
            Paragraph(_legal_basis(reclaim), Styles.body),
            Paragraph("Zinsen", Styles.heading),
            *_interest(reclaim, statement, missing),
            Paragraph("Forderung und Zahlung", Styles.heading),
            *_payment(reclaim, statement),
            *funders_block(
                grant.file_number,
                [("Erstattungsbetrag", reclaim.principal)],
                intro="Die Zuwendung wurde von mehreren Mittelgebern in festen Anteilen finanziert. Der "
                "Erstattungsbetrag steht ihnen in diesem Verhältnis zu; Zinsen und Zahlungen werden ebenso "
                "aufgeteilt:",
            ),
            *legal_remedies(office),
            closing(reclaim.decided_by, office),
        ],
    )


def _operative(reclaim: Any, statement: Any, notified_on: Any) -> list[str]:
    grant = reclaim.grant
    margin = number(grant.interest_margin_points)
    items: list[str] = []
    if reclaim.kind == "late_use":
        drawdown = reclaim.drawdown
        paid = f", ausgezahlt am {ddate(drawdown.paid_on)}" if drawdown and drawdown.paid_on else ""
        interest = eur(statement.interest) if statement else "den nach Nr. 3 zu berechnenden Betrag"
        items.append(
            f"Für die ausgezahlten Mittel von {eur(reclaim.interest_basis)}{paid}, die nicht innerhalb der "
            f"Frist verwendet wurden, werden für die Zeit vom {ddate(reclaim.interest_from)} bis zum "
            f"{ddate(reclaim.interest_until - timedelta(days=1)) if reclaim.interest_until else '–'} Zinsen "
            f"nach § 49a Abs. 4 VwVfG in Höhe von <b>{interest}</b> festgesetzt."
        )
    else:
        if reclaim.kind == ReclaimKind.REVOCATION and grant.is_revoked:
            items.append(
                f"Der Zuwendungsbescheid vom {ddate(notified_on)} wird mit Wirkung vom "
                f"{ddate(grant.revoked_on or reclaim.decided_on)} insgesamt widerrufen (§ 49 Abs. 3 VwVfG)."
            )
        elif reclaim.kind == "revocation":
            items.append(
                f"Der Zuwendungsbescheid vom {ddate(notified_on)} wird in Höhe von {eur(reclaim.principal)} "
                "teilweise widerrufen (§ 49 Abs. 3 VwVfG)."
            )
        else:
            final = _final_grant(grant)
            fixed = f" auf {eur(final)}" if final is not None else ""
            items.append(
                f"Nach Prüfung Ihres Verwendungsnachweises wird die Zuwendung{fixed} festgesetzt. Der "
                f"Zuwendungsbescheid vom {ddate(notified_on)} wird insoweit widerrufen, als die ausgezahlten "
                "Mittel diesen Betrag übersteigen (§ 49 Abs. 3 VwVfG)."
            )
        items.append(
            f"Der zu erstattende Betrag wird auf <b>{eur(reclaim.principal)}</b> festgesetzt "
            "(§ 49a Abs. 1 VwVfG)."
        )
        if reclaim.interest_waived:
            items.append("Von der Erhebung von Zinsen wird abgesehen (§ 49a Abs. 3 Satz 2 VwVfG).")
        else:
            items.append(
                f"Der Erstattungsbetrag ist vom {ddate(reclaim.interest_from)} an bis zum Tag vor seinem "
                f"Eingang mit {margin} Prozentpunkten über dem Basiszinssatz jährlich zu verzinsen "
                "(§ 49a Abs. 3 VwVfG)."
            )
    items.append(
        "Der festgesetzte Betrag ist mit der Bekanntgabe dieses Bescheids fällig und unter Angabe des "
        "Aktenzeichens auf das unten genannte Konto zu überweisen."
    )
    return items


def _final_grant(grant: Any) -> Decimal | None:
    # A missing settlement raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
    settlement = getattr(grant, "settlement", None)
    return settlement.final_grant if settlement is not None else None


def _legal_basis(reclaim: Any) -> str:
    if reclaim.kind == "late_use":
        return (
            "Werden ausgezahlte Mittel nicht innerhalb der im Zuwendungsbescheid bestimmten Frist nach der "
            "Auszahlung für den Zuwendungszweck verwendet, können nach § 49a Abs. 4 VwVfG für die Zeit bis "
            "zur zweckentsprechenden Verwendung Zinsen verlangt werden."
        )
    return (
        "Soweit ein Verwaltungsakt mit Wirkung für die Vergangenheit widerrufen worden ist, sind bereits "
        "erbrachte Leistungen zu erstatten; die zu erstattende Leistung ist durch schriftlichen "
        "Verwaltungsakt festzusetzen (§ 49a Abs. 1 VwVfG). Der Erstattungsbetrag ist nach § 49a Abs. 3 "
        "VwVfG zu verzinsen."
    )


def _interest(reclaim: Any, statement: Any, missing: str) -> list[Flowable]:
    grant = reclaim.grant
    if reclaim.interest_waived:
        return [
            Paragraph("Zinsen werden nicht erhoben.", Styles.body),
            *paragraphs(reclaim.interest_waiver_reason, Styles.body),
        ]
    rule = Paragraph(
        f"Der Zinssatz beträgt {number(grant.interest_margin_points)} Prozentpunkte über dem jeweiligen "
        "Basiszinssatz nach § 247 BGB, der sich zum 1. Januar und zum 1. Juli eines jeden Jahres ändert. Die "
        "Zinsen werden taggenau berechnet (Betrag × Zinssatz × Tage / 365); der erste Tag wird mitgezählt, "
        "der Tag des Zahlungseingangs nicht. Die Teilbeträge werden ungerundet addiert und einmal auf volle "
        "Cent gerundet.",
        Styles.body,
    )
    if statement is None:
        return [
            rule,
            Paragraph(
                "Eine Zinsaufstellung kann noch nicht erstellt werden, weil ein Basiszinssatz fehlt; die Zinsen "
                f"werden gesondert mitgeteilt. ({esc(missing)})",
                Styles.body,
            ),
        ]
    late = reclaim.kind == "late_use"
    heading = (
        "Zinsaufstellung"
        if late
        else f"Zinsaufstellung zum Datum dieses Bescheids ({ddate(statement.until)}, nicht mitgezählt)"
    )
    rows: list[Row] = []
    days = 0
    for segment in statement.segments:
        for piece in segment.pieces:
            days += piece.days
            rows.append(
                Row(
                    [
                        ddate(piece.start),
                        ddate(piece.end - timedelta(days=1)),
                        str(piece.days),
                        eur(segment.principal),
                        percent(piece.rate_percent),
                        eur(piece.amount.quantize(Decimal("0.01"))),
                    ]
                )
            )
    if not rows:
        return [
            rule,
            Paragraph("Bis zum Datum dieses Bescheids sind noch keine Zinsen angefallen.", Styles.body),
        ]
    rows.append(Row(["Summe", "", str(days), "", "", eur(statement.interest_accrued)], kind="total"))
    widths = [24 * mm, 24 * mm, 14 * mm]
    rest = (TEXT_WIDTH - sum(widths)) / 3
    table = figures_table(
        ["vom", "bis", "Tage", "verzinster Betrag", "Zinssatz p. a.", "Zinsen"],
        rows,
        [*widths, rest, rest, rest],
        numeric_from=2,
    )
    flowables: list[Flowable] = [
        rule,
        KeepTogether([Paragraph(heading, Styles.subheading), table]),
        Paragraph(
            "Zeiträume jeweils einschließlich des ersten und des letzten Tages. Die Zinsen der einzelnen "
            "Zeiträume sind auf Cent gerundet angezeigt; maßgeblich ist die Summe der ungerundeten Beträge.",
            Styles.small,
        ),
        Spacer(1, 3 * mm),
    ]
    if not late and statement.principal_outstanding > 0:
        flowables.append(
            Paragraph(
                "Die Zinsen laufen bis zum Tag vor dem Eingang der Zahlung weiter. Den endgültigen Zinsbetrag "
                "teilen wir Ihnen nach Eingang der Rückzahlung mit.",
                Styles.body,
            )
        )
    return flowables


def _payment(reclaim: Any, statement: Any) -> list[Flowable]:
    grant = reclaim.grant
    interest = statement.interest if statement else None
    until = ddate(reclaim.decided_on)
    rows: list[Row] = []
    if reclaim.kind != "late_use":
        rows.append(Row(["Erstattungsbetrag", eur(reclaim.principal)]))
    rows.append(Row([f"Zinsen bis zum {until}", eur(interest) if interest is not None else "–"]))
    total = (reclaim.principal if reclaim.kind != "late_use" else ZERO) + (interest or ZERO)
    rows.append(Row([f"Forderung zum {until}", eur(total)], kind="total"))
    account = receiving_account(grant.file_number) if paying_accounts_configured() else None
    if account is not None:
        name, account_iban, bic = account.name, account.iban, account.bic
    else:
        name, account_iban, bic = (
            settings.SEPA_DEBTOR_NAME,
            settings.SEPA_DEBTOR_IBAN,
            settings.SEPA_DEBTOR_BIC,
        )
    return [
        amounts_table(["Forderung", "Betrag"], rows, [90 * mm, 40 * mm]),
        Paragraph("Bitte überweisen Sie den Betrag auf folgendes Konto:", Styles.body),
        facts_table(
            [
                ("Empfänger", esc(name)),
                ("IBAN", iban(account_iban)),
                ("BIC", esc(bic) or "–"),
                ("Verwendungszweck", f"<b>{esc(grant.file_number)}</b>"),
            ]
        ),
        Paragraph(
            "Bitte geben Sie als Verwendungszweck ausschließlich das Aktenzeichen an, damit Ihre Zahlung "
            "zugeordnet werden kann.",
            Styles.body,
        ),
    ]
