"""Printable copies of what the carrier handed in: the application as submitted (one submitted
version, fields and financing plan as frozen at that submission) and a submitted proof of use
(narrative report and receipt list). Copies for the case file (Akte), made on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from reporting.documents.blocks import local_date
from reporting.documents.layout import (
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    paragraphs,
    period,
    render_letter,
)
from reporting.documents.tables import Row, amounts_table, facts_table


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _amount(value: str | None) -> Decimal:
    return Decimal(value or "0")


def _text(label: str, value: str) -> list[Flowable]:
    return [
        Paragraph(esc(label), Styles.heading),
        *(paragraphs(value, Styles.body) if value else [Paragraph("–", Styles.body)]),
    ]


def _lines_table(
    header: Sequence[str], lines: Sequence[tuple[str, str, Decimal]], total_label: str
) -> Flowable:
    rows = [Row([esc(year), esc(text), eur(amount)]) for year, text, amount in lines]
    rows.append(Row(["", total_label, eur(sum((a for _y, _t, a in lines), Decimal("0")))], kind="total"))
    return amounts_table(list(header), rows, [18 * mm, TEXT_WIDTH - 58 * mm, 40 * mm])


def render_submitted_application(*, version: Any) -> bytes:
    """One submitted version of an application as PDF bytes (what the carrier handed in then)."""
    application = version.application
    data: dict[str, Any] = version.content
    submitted = local_date(version.submitted_at) or timezone.localdate()
    letter = Letter(
        office=application.office,
        recipient=["Antrag zur Akte", f"Antragsnummer {application.reference}", data.get("organisation", "")],
        info=[
            ("Antragsnummer", application.reference),
            ("Eingereicht am", ddate(submitted)),
            ("Einreichung", str(version.number)),
        ],
        reference=application.reference,
        reference_label="Antragsnummer",
        dated=submitted,
        title="Antrag auf Zuwendung (eingereichte Fassung)",
        subject=f"Antrag {application.reference}: {data.get('title', '')}",
        keywords=[application.reference, "Antrag", "eingereichte Fassung"],
    )
    return render_letter(letter, lambda: _application_story(version, data, submitted))


def _application_story(version: Any, data: dict[str, Any], submitted: date) -> list[Flowable]:
    expenditure = [
        (str(line["year"]), f"{line['category']}: {line['description']}", _amount(line["amount"]))
        for line in data.get("expenditure", [])
    ]
    cover = [
        (str(line["year"]), f"{line['kind']} {line['source']}".strip(), _amount(line["amount"]))
        for line in data.get("cover", [])
    ]
    story: list[Flowable] = [
        Paragraph("Antrag auf Zuwendung", Styles.title),
        Paragraph(f"„{esc(data.get('title', ''))}“", Styles.subject),
        Paragraph(
            f"Eingereichte Fassung Nr. {version.number} vom {ddate(submitted)} · Antragsnummer {esc(version.application.reference)}",
            Styles.reference,
        ),
        Paragraph("1. Angaben zum Vorhaben", Styles.heading),
        facts_table(
            [
                ("Projektträger", esc(data.get("organisation", ""))),
                ("Förderprogramm", esc(data.get("programme", ""))),
                ("Koordinierungsstelle", esc(data.get("office", ""))),
                *([("Fonds", esc(data["fund"]))] if data.get("fund") else []),
                ("Durchführungszeitraum", period(_day(data.get("start_date")), _day(data.get("end_date")))),
                ("Region", esc(data.get("region", "")) or "–"),
                ("Finanzierungsart", esc(data.get("financing_type", ""))),
            ]
        ),
        *_text("Kurzbeschreibung", data.get("summary", "")),
        *_text("Ziele", data.get("goals", "")),
        *_text("Zielgruppen", data.get("target_groups", "")),
        Paragraph("2. Finanzierungsplan", Styles.heading),
        Paragraph("Ausgaben", Styles.subheading),
        _lines_table(["Jahr", "Ausgabe", "Betrag"], expenditure, "Ausgaben insgesamt"),
        Paragraph("Finanzierung", Styles.subheading),
        _lines_table(["Jahr", "Finanzierung", "Betrag"], cover, "Finanzierung insgesamt"),
    ]
    return story


def render_submitted_proof(*, proof: Any, receipts: Sequence[Any]) -> bytes:
    """A submitted proof of use as PDF bytes: facts, narrative report and the receipt list."""
    grant = proof.grant
    submitted = local_date(proof.submitted_at) or timezone.localdate()
    kind = f"Zwischennachweis {proof.budget_year}" if proof.budget_year else "Verwendungsnachweis"
    letter = Letter(
        office=grant.office,
        recipient=["Nachweis zur Akte", f"Aktenzeichen {grant.file_number}", grant.organisation.name],
        info=[("Aktenzeichen", grant.file_number), ("Nachweis", kind), ("Eingegangen am", ddate(submitted))],
        reference=grant.file_number,
        dated=submitted,
        title=f"{kind} (eingereichte Fassung)",
        subject=f"{kind} zu {grant.file_number}",
        keywords=[grant.file_number, kind, "eingereichte Fassung"],
    )
    return render_letter(letter, lambda: _proof_story(proof, grant, kind, submitted, receipts))


def _proof_story(
    proof: Any, grant: Any, kind: str, submitted: date, receipts: Sequence[Any]
) -> list[Flowable]:
    rows = [
        Row([esc(r.number), ddate(r.paid_on), f"{esc(r.counterparty)}: {esc(r.reason)}", eur(r.amount)])
        for r in receipts
    ]
    rows.append(
        Row(["", "", "Summe der Belege", eur(sum((r.amount for r in receipts), Decimal("0")))], kind="total")
    )
    return [
        Paragraph(esc(kind), Styles.title),
        Paragraph(f"Projekt „{esc(grant.title)}“", Styles.subject),
        Paragraph(
            f"Aktenzeichen {esc(grant.file_number)} · eingegangen am {ddate(submitted)}", Styles.reference
        ),
        Paragraph("1. Angaben", Styles.heading),
        facts_table(
            [
                ("Zuwendungsempfänger", esc(grant.organisation.name)),
                ("Projekt", esc(grant.title)),
                ("Bewilligungszeitraum", period(grant.period_start, grant.period_end)),
                ("Höchstbetrag der Zuwendung", eur(grant.granted_amount)),
                ("Nachweis", esc(kind)),
                ("Fällig am", ddate(proof.due_on)),
            ]
        ),
        Paragraph("2. Sachbericht", Styles.heading),
        *(
            paragraphs(proof.narrative, Styles.body)
            if proof.narrative
            else [Paragraph("Als Datei eingereicht." if proof.narrative_file else "–", Styles.body)]
        ),
        Paragraph("3. Belegliste", Styles.heading),
        amounts_table(
            ["Beleg", "Datum", "Empfänger / Grund", "Betrag"],
            rows,
            [22 * mm, 22 * mm, TEXT_WIDTH - 84 * mm, 40 * mm],
        ),
    ]
