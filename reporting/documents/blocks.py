"""Text blocks that several notices share: terms, legal-remedies instruction, closing.

Notices are written in German without going through the UI catalogue: German is the official
language of the administrative procedure (§ 23 VwVfG), and the wording of a legal instruction
must not change because a translation was edited.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from .layout import Styles, esc, office_address

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
