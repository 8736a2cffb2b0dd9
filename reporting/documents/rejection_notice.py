"""The rejection notice (Ablehnungsbescheid) of a rejected application."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from reportlab.platypus import Paragraph

from grants.applications.validation import plan_totals
from reporting.documents.blocks import closing, legal_remedies, recipient_lines
from reporting.documents.layout import Letter, Styles, ddate, esc, eur, paragraphs, period, render_letter

TITLE = "Ablehnungsbescheid"


def render_rejection_notice(*, application: Any) -> bytes:
    """The notice as PDF bytes, with the reasons recorded for the decision; writes nothing."""
    office = application.office
    dated = timezone.localdate(application.decided_at) if application.decided_at else timezone.localdate()
    applied_on = timezone.localdate(application.submitted_at) if application.submitted_at else None
    requested = plan_totals(application.expenditure_lines.all(), application.cover_lines.all()).grant
    project = esc(application.title)
    programme = esc(application.programme.name)

    letter = Letter(
        office=office,
        recipient=recipient_lines(application.organisation),
        info=[
            ("Antragsnummer", application.reference),
            ("Ihr Antrag vom", ddate(applied_on)),
            ("E-Mail", office.email or "–"),
            ("Datum", ddate(dated)),
        ],
        reference=application.reference,
        reference_label="Antragsnummer",
        dated=dated,
        title=TITLE,
        subject=f"Ablehnung des Antrags {application.reference}",
        keywords=[application.reference],
    )
    amount = f" in Höhe von {eur(requested)}" if requested else ""
    when = (
        f" im Zeitraum {period(application.start_date, application.end_date)}"
        if application.start_date and application.end_date
        else ""
    )

    def reasons() -> list[Any]:
        # Built inside the story: a paragraph needs the fonts render_letter registers first.
        return paragraphs(application.decision_reasons, Styles.body) or [
            Paragraph("Die Gründe wurden Ihnen gesondert mitgeteilt.", Styles.body)
        ]

    return render_letter(
        letter,
        lambda: [
            Paragraph(TITLE, Styles.title),
            Paragraph(
                f"Ihr Antrag auf Gewährung einer Zuwendung aus dem Programm „{programme}“ für das Projekt „{project}“",
                Styles.subject,
            ),
            Paragraph(
                f"Ihr Antrag vom {ddate(applied_on)}, Antragsnummer {esc(application.reference)}", Styles.body
            ),
            Paragraph("Sehr geehrte Damen und Herren,", Styles.body),
            Paragraph(
                f"Ihren Antrag vom {ddate(applied_on)} auf Gewährung einer Zuwendung{amount} für die Durchführung "
                f"des Projekts „{project}“{when} lehne ich ab.",
                Styles.body,
            ),
            Paragraph("Begründung", Styles.heading),
            *reasons(),
            Paragraph(
                "Auf die Gewährung einer Zuwendung besteht kein Rechtsanspruch. Die Bewilligungsbehörde "
                "entscheidet nach pflichtgemäßem Ermessen im Rahmen der verfügbaren Haushaltsmittel.",
                Styles.body,
            ),
            *legal_remedies(office),
            closing(application.decided_by, office),
        ],
    )
