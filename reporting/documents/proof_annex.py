"""Annex to a first recipient's final proof of use: the money passed on (DOMAIN.md §7).

Nr. 12 VV zu § 44 BHO: the first recipient proves the money it passed on with a list of every
measure. One row per micro-project of its funds: last recipient (a pseudonym for a
confidential carrier), file number, granted, paid, the day its proof of use was checked, what
the check recognised and what was reclaimed; then the sums and the rule that money passed on
counts as spent only as far as the last recipients' proofs recognise it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from reporting.documents.layout import (
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    office_address,
    render_letter,
)
from reporting.documents.tables import Row, facts_table, figures_table, fitting_size

TITLE = "Anlage zum Verwendungsnachweis"
SUBJECT = "Weitergeleitete Mittel"
HEADER = ["Nr.", "Letztempfänger / Fonds", "Aktenzeichen", "Bewilligt", "Ausgezahlt", "Geprüft am"]
HEADER += ["Anerkannt", "Zurück-<br/>gefordert"]


def render_proof_annex(*, grant: Any, annex: Any, dated: Any = None) -> bytes:
    """The annex as PDF bytes. ``annex``: the first recipient's measures
    (``grants.awards.services.proof.passed_on_measures``, read in German); writes nothing."""
    dated = dated or timezone.localdate()
    organisation = grant.organisation
    sender = organisation.runs_office or grant.office
    letter = Letter(
        office=sender,
        recipient=[grant.office.name, *(line for line in (office_address(grant.office),) if line)],
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Erstempfänger", organisation.name),
            ("Stand", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=TITLE,
        subject=f"{TITLE} {grant.file_number}: {SUBJECT}",
        keywords=[grant.file_number, "Verwendungsnachweis", "Weiterleitung"],
    )
    return render_letter(letter, lambda: _story(grant, annex))


def _story(grant: Any, annex: Any) -> list[Any]:
    measures = list(annex.measures)
    story: list[Any] = [
        Paragraph(f"{TITLE}: {SUBJECT}", Styles.title),
        Paragraph(f"Zuwendung {esc(grant.file_number)} – „{esc(grant.title)}“", Styles.subject),
        facts_table(
            [
                ("Erstempfänger", esc(grant.organisation.name)),
                ("In Fonds bereitgestellt", eur(annex.allocated)),
                ("Maßnahmen (Kleinprojekte)", str(len(measures))),
                ("davon abschließend geprüft", str(len(measures) - len(annex.open_measures))),
            ]
        ),
        Paragraph(
            "Weitergeleitete Mittel gelten nur als verwendet, soweit die Verwendungsnachweise der "
            "Letztempfänger sie anerkennen (Nr. 12 VV zu § 44 BHO). Was von Letztempfängern "
            "zurückgefordert wird, fließt in den Fonds zurück.",
            Styles.body,
        ),
    ]
    rows = [
        Row(
            [
                str(i),
                f"{esc(m.last_recipient)}<br/><font size=6.5>{esc(m.fund)}</font>",
                esc(m.file_number),
                eur(m.granted),
                eur(m.paid),
                ddate(m.checked_on) if m.checked_on else f"offen<br/><font size=6.5>{esc(m.status)}</font>",
                eur(m.recognised) if m.recognised is not None else "–",
                eur(m.reclaimed),
            ],
            kind="line" if m.is_settled else "marked",
        )
        for i, m in enumerate(measures, start=1)
    ]
    rows.append(
        Row(
            [
                "Summe",
                "",
                "",
                eur(annex.granted),
                eur(annex.paid),
                "",
                eur(annex.recognised),
                eur(annex.reclaimed),
            ],
            kind="total",
        )
    )
    fixed = [8 * mm, 38 * mm, 33 * mm]
    rest = (TEXT_WIDTH - sum(fixed)) / 5
    amounts = [cell for row in rows for i, cell in enumerate(row.cells) if i in (3, 4, 6, 7)]
    story.append(
        figures_table(HEADER, rows, [*fixed, *[rest] * 5], numeric_from=3, size=fitting_size(amounts, rest))
    )
    if annex.open_measures:
        story.append(
            Paragraph(
                f"Hinterlegt: {len(annex.open_measures)} Maßnahme(n) ohne abschließend geprüften "
                "Verwendungsnachweis; ihre Mittel gelten noch nicht als verwendet.",
                Styles.small,
            )
        )
    return story
