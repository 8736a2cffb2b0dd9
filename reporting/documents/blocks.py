"""Text blocks that several notices share: terms, legal-remedies instruction, closing.

Notices are written in German without going through the UI catalogue: German is the official
language of the administrative procedure (§ 23 VwVfG), and the wording of a legal instruction
must not change because a translation was edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from reporting.documents.layout import (
    ACCENT,
    FONT,
    RULE,
    SUBTOTAL_SHADE,
    TEXT_WIDTH,
    Styles,
    ddate,
    esc,
    office_address,
)

FINANCING_TYPE_DE = {
    "share": "Anteilfinanzierung",
    "deficit": "Fehlbedarfsfinanzierung",
    "fixed": "Festbetragsfinanzierung",
    "full": "Vollfinanzierung",
}

COST_CATEGORY_DE = {
    "staff": "Personalausgaben",
    "fees": "Honorare",
    "material": "Sachausgaben",
    "travel": "Reisekosten",
    "public_relations": "Öffentlichkeitsarbeit",
    "investment": "Investitionen",
    "admin_flat_rate": "Verwaltungskostenpauschale",
    "forwarded": "Weitergeleitete Mittel (Fonds)",
}

FUNDING_SOURCE_DE = {
    "federal": "Bundesmittel",
    "state": "Landesmittel",
    "municipal": "kommunale Mittel",
    "eu": "EU-Mittel",
    "other": "sonstige Mittel",
}

COVER_KIND_DE = {
    "own": "Eigenmittel",
    "third_party": "Drittmittel",
    "income": "Einnahmen",
    "grant": "Zuwendung",
}


def label(mapping: dict[str, str], obj: Any, field: str) -> str:
    """The German term for a choice value; unknown values fall back to the model's label."""
    value = getattr(obj, field)
    if value in mapping:
        return mapping[value]
    with translation.override("de"):
        return str(getattr(obj, f"get_{field}_display")())


def recipient_lines(organisation: Any) -> list[str]:
    return [
        line
        for line in (
            organisation.name,
            organisation.contact_person,
            organisation.street,
            f"{organisation.postcode} {organisation.city}".strip(),
        )
        if line
    ]


def legal_remedies(office: Any) -> list[Flowable]:
    """Rechtsbehelfsbelehrung (§ 58, § 70 VwGO): objection within one month, where and how."""
    address = office_address(office)
    where = f"{esc(office.name)}, {esc(address)}" if address else esc(office.name)
    return [
        Paragraph("Rechtsbehelfsbelehrung", Styles.heading),
        Paragraph(
            "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. "
            "Der Widerspruch ist schriftlich oder zur Niederschrift bei der Behörde einzulegen, die den "
            f"Bescheid erlassen hat: {where}.",
            Styles.body,
        ),
    ]


def closing(signer: Any, office: Any) -> Flowable:
    """Greeting and signature block, kept on one page."""
    name = str(signer) if signer else ""
    return KeepTogether(
        [
            Spacer(1, 4 * mm),
            Paragraph("Mit freundlichen Grüßen", Styles.body),
            Paragraph("Im Auftrag", Styles.body),
            Spacer(1, 6 * mm),
            Paragraph(esc(name), Styles.body),
            Paragraph(esc(office.name), Styles.small),
            Spacer(1, 2 * mm),
            Paragraph(
                "Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.", Styles.small
            ),
        ]
    )


def local_date(value: date | datetime | None) -> date | None:
    """The calendar day of a stored timestamp in the local time zone (dates pass through)."""
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def signature_boxes(boxes: Sequence[tuple[str, Any, date | datetime | None]]) -> Flowable:
    """Side-by-side boxes ``(function, person, when)``: who certified, ordered or computed what.

    Electronic records, not wet signatures: each box names the person and the day the system
    recorded the step.
    """
    cells = []
    for title, person, when in boxes:
        cells.append(
            [
                Paragraph(esc(title), Styles.cell_bold),
                Spacer(1, 2 * mm),
                Paragraph(esc(str(person)) if person else "–", Styles.cell),
                Paragraph(f"am {ddate(local_date(when))}" if when else "–", Styles.small),
            ]
        )
    width = TEXT_WIDTH / len(cells)
    table = Table([cells], colWidths=[width] * len(cells), hAlign="LEFT", spaceBefore=4, spaceAfter=8)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.6, ACCENT),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SUBTOTAL_SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return KeepTogether([table])


def electronic_note() -> Paragraph:
    return Paragraph(
        "Dieses Dokument wurde elektronisch erstellt; die genannten Personen haben die Schritte im "
        "Fachverfahren gezeichnet. Es ist ohne Unterschrift gültig.",
        Styles.small,
    )
