"""The review note (Prüfvermerk) of an in-depth check of a proof of use (VV Nr. 11.2 zu § 44 BHO).

It records why the proof was checked in depth (risk reasons or the random draw), whether the
purpose of the grant was achieved, the findings, the receipts admitted and not admitted with
their sums, and who checked when. A paper of the office's own file, not sent to the carrier.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from reporting.documents.blocks import electronic_note, local_date, signature_boxes
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
from reporting.documents.tables import Row, amounts_table, facts_table, figures_table

TITLE = "Prüfvermerk"
ADMISSION_DE = {"full": "voll anerkannt", "partial": "teilweise anerkannt", "none": "nicht anerkannt"}
REASON_DE = {
    "first_time": "Erstempfänger",
    "high_amount": "hoher Zuwendungsbetrag",
    "earlier_findings": "frühere Beanstandungen",
}


def _why(entry: Any) -> str:
    if entry is None:
        return "–"
    if entry.basis == "random":
        return f"Zufallsauswahl {entry.selection.year} (Startwert {entry.selection.seed})"
    reasons = ", ".join(REASON_DE.get(r, r) for r in entry.reasons) or "–"
    return f"Risikoauswahl {entry.selection.year}: {esc(reasons)}"


def render_review_note(*, note: Any, receipts: list[Any], entry: Any = None) -> bytes:
    """The review note as PDF bytes; ``receipts`` are the proof's receipts in list order."""
    proof = note.proof
    grant = proof.grant
    dated = local_date(note.checked_at) or timezone.localdate()
    kind = "Zwischennachweis " + str(proof.budget_year) if proof.budget_year else "Verwendungsnachweis"
    letter = Letter(
        office=grant.office,
        recipient=["Vermerk zur Akte", f"Aktenzeichen {grant.file_number}", grant.organisation.name],
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Nachweis", kind),
            ("Eingegangen am", ddate(local_date(proof.submitted_at))),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=TITLE,
        subject=f"Vertiefte Prüfung: {kind} zu {grant.file_number}",
        keywords=[grant.file_number, "Prüfvermerk", "vertiefte Prüfung"],
    )
    return render_letter(letter, lambda: _story(note, proof, grant, kind, receipts, entry))


def _story(note: Any, proof: Any, grant: Any, kind: str, receipts: list[Any], entry: Any) -> list[Flowable]:
    achieved = "Ja" if note.purpose_achieved else "Nein"
    story: list[Flowable] = [
        Paragraph(TITLE, Styles.title),
        Paragraph(f"Vertiefte Prüfung des {esc(kind)} für das Projekt „{esc(grant.title)}“", Styles.subject),
        Paragraph(
            f"Zuwendungsempfänger: {esc(grant.organisation.name)} · Aktenzeichen {esc(grant.file_number)}",
            Styles.reference,
        ),
        Paragraph("1. Gegenstand", Styles.heading),
        facts_table(
            [
                ("Zuwendungsempfänger", esc(grant.organisation.name)),
                ("Projekt", esc(grant.title)),
                ("Bewilligungszeitraum", period(grant.period_start, grant.period_end)),
                ("Höchstbetrag der Zuwendung", eur(grant.granted_amount)),
                ("Nachweis", esc(kind)),
                ("Eingegangen am", ddate(local_date(proof.submitted_at))),
                ("Grund der vertieften Prüfung", _why(entry)),
            ]
        ),
        Paragraph("2. Ergebnis", Styles.heading),
        facts_table([("Zuwendungszweck erreicht", f"<b>{achieved}</b>")]),
        Paragraph("Feststellungen", Styles.heading),
        *(paragraphs(note.findings, Styles.body) if note.findings else [Paragraph("Keine.", Styles.body)]),
        Paragraph("3. Belege", Styles.heading),
        amounts_table(
            ["", "Betrag"],
            [
                Row(["Belege insgesamt", eur(note.receipts_total)]),
                Row(["anerkannt", eur(note.admitted_total)]),
                Row(["nicht anerkannt", eur(note.not_admitted_total)], kind="total"),
            ],
            [TEXT_WIDTH - 40 * mm, 40 * mm],
        ),
    ]
    changed = [r for r in receipts if r.admission and r.admission != "full"]
    if changed:
        story.append(Paragraph("Nicht oder nur teilweise anerkannte Belege", Styles.heading))
        rows = [
            Row(
                [
                    esc(r.number),
                    ddate(r.paid_on),
                    f"{ADMISSION_DE.get(r.admission, r.admission)}: {esc(r.admission_reason)}",
                    eur(r.amount),
                    eur(r.admitted_amount),
                ],
                kind="marked",
            )
            for r in changed
        ]
        widths = [22 * mm, 22 * mm]
        rest = TEXT_WIDTH - sum(widths) - 2 * 28 * mm
        story.append(
            figures_table(
                ["Beleg", "Datum", "Entscheidung und Begründung", "Betrag", "Anerkannt"],
                rows,
                [*widths, rest, 28 * mm, 28 * mm],
                numeric_from=3,
                compact=True,
            )
        )
    story += [
        signature_boxes([("Vertieft geprüft", note.checked_by, note.checked_at)]),
        electronic_note(),
    ]
    return story
