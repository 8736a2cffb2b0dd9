"""The settlement memo (Abrechnungsvermerk) of a final proof of use.

It prints the stored settlement with every intermediate figure (DOMAIN.md §4.1, §4.2) so that
a person can check the computation by hand: recognised expenditure line by line with the
tolerance cap, A, the financing type's formula with the actual figures, the final grant and
the reclaim or last payment.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from reporting.documents.blocks import (
    COST_CATEGORY_DE,
    FINANCING_TYPE_DE,
    electronic_note,
    label,
    local_date,
    signature_boxes,
)
from reporting.documents.funders import funders_block
from reporting.documents.layout import (
    ACCENT,
    FONT,
    SUBTOTAL_SHADE,
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    number,
    percent,
    period,
    render_letter,
)
from reporting.documents.tables import Row, amounts_table, facts_table, figures_table

TITLE = "Abrechnungsvermerk"
CENT = Decimal("0.01")
ZERO = Decimal("0")
CAPPED = "*"


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def render_settlement_memo(*, settlement: Any) -> bytes:
    """The memo as PDF bytes; reads the settlement, its proof and grant, writes nothing."""
    grant = settlement.grant
    proof = settlement.proof
    office = grant.office
    dated = local_date(settlement.computed_at) or timezone.localdate()

    letter = Letter(
        office=office,
        recipient=["Vermerk zur Akte", f"Aktenzeichen {grant.file_number}", grant.organisation.name],
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Antragsnummer", grant.application.reference),
            ("Verwendungsnachweis vom", ddate(local_date(proof.submitted_at))),
            ("Anerkannt am", ddate(local_date(proof.accepted_at))),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=TITLE,
        subject=f"Abrechnung der Zuwendung {grant.file_number}",
        keywords=[grant.file_number, grant.application.reference, "Verwendungsnachweis"],
    )
    financing = label(FINANCING_TYPE_DE, grant, "financing_type")
    return render_letter(
        letter,
        lambda: [
            Paragraph(TITLE, Styles.title),
            Paragraph(
                f"Prüfung des Verwendungsnachweises und Abrechnung der Zuwendung für das Projekt „{esc(grant.title)}“",
                Styles.subject,
            ),
            Paragraph(
                f"Zuwendungsempfänger: {esc(grant.organisation.name)} · Aktenzeichen {esc(grant.file_number)}",
                Styles.reference,
            ),
            Paragraph(
                f"Der Verwendungsnachweis vom {ddate(local_date(proof.submitted_at))} wurde geprüft und am "
                f"{ddate(local_date(proof.accepted_at))} anerkannt. Die Zuwendung wird nach Nr. 1.2 ANBest-P "
                f"(Überschreitung einzelner Ansätze) und den Regeln der {financing} wie folgt abgerechnet.",
                Styles.body,
            ),
            Paragraph("1. Grundlagen", Styles.heading),
            _basis(grant, settlement, proof, financing),
            *_lines(settlement, grant),
            Paragraph("3. Finanzierung", Styles.heading),
            _cover(settlement),
            Paragraph(f"4. Endgültige Zuwendung ({financing})", Styles.heading),
            _formula(grant, settlement),
            Paragraph("5. Ergebnis", Styles.heading),
            *_result(settlement),
            *funders_block(
                grant.file_number,
                [
                    ("Endgültige Zuwendung", settlement.final_grant),
                    ("Ausgezahlt", settlement.paid),
                    ("Rückforderung", settlement.reclaim_amount),
                ],
                intro="Die Zuwendung wird von mehreren Mittelgebern in festen Anteilen finanziert. Die "
                "Beträge verteilen sich auf die Mittelgeber wie folgt (jeweils anteilig, auf den Cent genau):",
            ),
            signature_boxes(
                [
                    ("Verwendungsnachweis geprüft", proof.reviewed_by, proof.accepted_at),
                    ("Abgerechnet", settlement.computed_by, settlement.computed_at),
                ]
            ),
            electronic_note(),
        ],
    )


def _basis(grant: Any, settlement: Any, proof: Any, financing: str) -> Flowable:
    rows = [
        ("Zuwendungsempfänger", esc(grant.organisation.name)),
        ("Projekt", esc(grant.title)),
        ("Bewilligungszeitraum", period(grant.period_start, grant.period_end)),
        ("Finanzierungsart", financing),
        ("Höchstbetrag der Zuwendung (H)", eur(settlement.granted)),
        ("Geplante Ausgaben (Aₚ)", eur(settlement.planned_expenditure)),
    ]
    if grant.funding_share is not None:
        rows.append(("Anteil bei Bewilligung", percent(grant.funding_share)))
    rows += [
        ("Toleranz je Ausgabenansatz", percent(grant.overrun_tolerance * 100)),
        ("Maßgeblicher Finanzierungsplan", f"Version {proof.plan.version}"),
    ]
    return facts_table(rows)


def _line_label(line: dict[str, Any]) -> str:
    category = line.get("category") or ""
    name = COST_CATEGORY_DE.get(category, esc(category))
    text = esc(line.get("text") or "")
    if line.get("plan_line") is None:
        text = f"{text} (nicht im Plan)" if text else "nicht im Plan"
    return f"<b>{name}</b><br/>{text}" if text else f"<b>{name}</b>"


def _lines(settlement: Any, grant: Any) -> list[Flowable]:
    lines = list(settlement.lines or [])
    rows: list[Row] = []
    planned_total = actual_total = recognised_total = ZERO
    for line in lines:
        planned, actual = _d(line.get("planned", 0)), _d(line.get("actual", 0))
        cap, recognised = _d(line.get("cap", 0)), _d(line.get("recognised", 0))
        planned_total += planned
        actual_total += actual
        recognised_total += recognised
        capped = bool(line.get("capped"))
        year = line.get("budget_year")
        rows.append(
            Row(
                [
                    esc(str(line.get("number") or "–")),
                    _line_label(line),
                    str(year) if year else "–",
                    eur(planned),
                    eur(actual),
                    eur(cap),
                    f"{eur(recognised)} {CAPPED}" if capped else eur(recognised),
                ],
                kind="marked" if capped else "line",
            )
        )
    rows.append(
        Row(["Summe", "", "", eur(planned_total), eur(actual_total), "", eur(recognised_total)], kind="total")
    )
    widths = [9 * mm, 50 * mm, 13 * mm]
    rest = (TEXT_WIDTH - sum(widths)) / 4
    table = figures_table(
        ["Nr.", "Ausgabeart / Bezeichnung", "Jahr", "Plan", "Ist", "Obergrenze", "Anerkannt"],
        rows,
        [*widths, rest, rest, rest, rest],
        numeric_from=3,
        compact=True,
    )
    heading = [
        Paragraph("2. Anerkannte Ausgaben", Styles.heading),
        Paragraph(
            "Je Ausgabenansatz wird das Ist höchstens bis zur Obergrenze Plan × (1 + "
            f"{number(grant.overrun_tolerance * 100)} %) anerkannt; insgesamt höchstens die Summe der "
            "geplanten Ausgaben.",
            Styles.body,
        ),
    ]
    # A plan of ordinary length stays on one page with its heading; a long one may break (the
    # table's header row repeats).
    flowables: list[Flowable] = [KeepTogether([*heading, table])] if len(rows) <= 25 else [*heading, table]
    passed_on = [line for line in lines if line.get("stated") is not None]
    if passed_on:
        stated = sum((_d(line["stated"]) for line in passed_on), ZERO)
        counted = sum((_d(line.get("actual", 0)) for line in passed_on), ZERO)
        flowables.append(
            Paragraph(
                "Weitergeleitete Mittel gelten nur als verwendet, soweit die Verwendungsnachweise der "
                "Letztempfänger sie anerkennen (Nr. 12 VV zu § 44 BHO): im zahlenmäßigen Nachweis "
                f"angegeben {eur(stated)}, als Ist angesetzt {eur(counted)}.",
                Styles.small,
            )
        )
    not_admitted = sum((_d(line["not_admitted"]) for line in lines if line.get("not_admitted")), ZERO)
    if not_admitted:
        flowables.append(
            Paragraph(
                "Vertiefte Prüfung (Nr. 11.2 VV zu § 44 BHO): nicht anerkannte Belege über "
                f"{eur(not_admitted)} sind vom Ist abgezogen (siehe Prüfvermerk).",
                Styles.small,
            )
        )
    if any(line.get("flat_rate") for line in lines):
        flowables.append(
            Paragraph(
                "Pauschalen brauchen keine Belege; die Obergrenze einer Pauschale ist ihr Anteil an den "
                "anerkannten direkten Kosten.",
                Styles.small,
            )
        )
    if any(line.get("capped") for line in lines):
        flowables.append(
            Paragraph(
                f"{CAPPED} Ansatz über die Toleranz hinaus überschritten (hinterlegt): anerkannt nur bis zur "
                "Obergrenze.",
                Styles.small,
            )
        )
    a = settlement.recognised_expenditure
    flowables.append(
        _box(
            [
                "Anerkannte Ausgaben A = min(Σ anerkannt; Σ Plan) = "
                f"min({eur(recognised_total)}; {eur(planned_total)}) = <b>{eur(a)}</b>"
            ]
        )
    )
    return flowables


def _cover(settlement: Any) -> Flowable:
    rows = [
        Row(["Eigenmittel (E)", eur(settlement.planned_own), eur(settlement.actual_own)]),
        Row(["Drittmittel und Einnahmen (D)", eur(settlement.planned_third), eur(settlement.actual_third)]),
        Row(["Gesamtausgaben", eur(settlement.planned_expenditure), eur(settlement.actual_expenditure)]),
    ]
    return figures_table(
        ["Position", "Plan", "Ist"], rows, [TEXT_WIDTH - 2 * 35 * mm, 35 * mm, 35 * mm], numeric_from=1
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _formula(grant: Any, s: Any) -> Flowable:
    """The financing type's formula, first in symbols, then with the settlement's figures."""
    h, ap, a = s.granted, s.planned_expenditure, s.recognised_expenditure
    ep, dp, ea, da = s.planned_own, s.planned_third, s.actual_own, s.actual_third
    kind = grant.financing_type
    lines: list[str] = []
    with decimal.localcontext(prec=50):
        if kind == "share":
            n = max(ZERO, (da + ea) - (dp + ep))
            z = h * (a - n) / ap if ap else ZERO
            lines += [
                "N = max(0; (Dₐ + Eₐ) − (Dₚ + Eₚ)) = "
                f"max(0; ({eur(da)} + {eur(ea)}) − ({eur(dp)} + {eur(ep)})) = {eur(n)}",
                f"Z = H × (A − N) / Aₚ = {eur(h)} × ({eur(a)} − {eur(n)}) / {eur(ap)} = {eur(_cents(z))}",
            ]
        elif kind == "deficit":
            z = a - max(ep, ea) - da
            lines.append(
                "Z = A − max(Eₚ; Eₐ) − Dₐ = "
                f"{eur(a)} − max({eur(ep)}; {eur(ea)}) − {eur(da)} = {eur(_cents(z))}"
            )
        elif kind == "fixed":
            z = a
            lines.append(f"Z = A = {eur(_cents(z))}")
        else:
            z = a - da
            lines.append(f"Z = A − Dₐ = {eur(a)} − {eur(da)} = {eur(_cents(z))}")
    lines.append(
        f"Endgültige Zuwendung = min(H; max(0; Z)) = min({eur(h)}; max(0; {eur(_cents(z))})) = "
        f"<b>{eur(s.final_grant)}</b>"
    )
    legend = (
        "A: anerkannte Ausgaben; Aₚ: geplante Ausgaben; E: Eigenmittel; D: Drittmittel und "
        "Einnahmen (Index ₚ: Plan, ₐ: Ist); H: Höchstbetrag"
        + ("; N: Mehrfinanzierung durch Eigen- und Drittmittel" if kind == "share" else "")
        + ". Gerechnet wird mit voller Genauigkeit; gerundet wird einmal, kaufmännisch auf volle Cent."
    )
    return KeepTogether([_box(lines), Paragraph(legend, Styles.small)])


def _box(lines: list[str]) -> Flowable:
    table = Table(
        [[Paragraph(line, Styles.cell)] for line in lines],
        colWidths=[TEXT_WIDTH],
        hAlign="LEFT",
        spaceBefore=2,
        spaceAfter=6,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, -1), SUBTOTAL_SHADE),
                ("LINEBEFORE", (0, 0), (0, -1), 2, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _result(s: Any) -> list[Flowable]:
    rows = [
        Row(["Endgültige Zuwendung", eur(s.final_grant)]),
        Row(["bereits ausgezahlt", eur(s.paid)]),
    ]
    if s.reclaim_amount > 0:
        rows.append(Row(["Rückforderung", eur(s.reclaim_amount)], kind="total"))
        sentence = (
            f"Es wurden {eur(s.reclaim_amount)} zu viel ausgezahlt. Über die Rückforderung ergeht ein "
            "gesonderter Rückforderungsbescheid; der Betrag ist nach § 49a Abs. 3 VwVfG zu verzinsen."
        )
    elif s.last_payment > 0:
        rows.append(Row(["Restzahlung", eur(s.last_payment)], kind="total"))
        sentence = (
            f"Dem Zuwendungsempfänger stehen noch {eur(s.last_payment)} zu. Die Restzahlung ist als "
            "Mittelabruf festgestellt und wird nach Anordnung ausgezahlt."
        )
    else:
        rows.append(Row(["Ausgleich", eur(ZERO)], kind="total"))
        sentence = "Ausgezahlte und endgültige Zuwendung stimmen überein; die Zuwendung ist ausgeglichen."
    return [
        amounts_table(["Abrechnung", "Betrag"], rows, [80 * mm, 40 * mm]),
        Paragraph(sentence, Styles.body),
    ]
