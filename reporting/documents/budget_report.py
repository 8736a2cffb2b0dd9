"""The budget report (Haushaltsbericht) of an office subtree for one budget year.

The figures are the dashboard's (``budgets.selectors``, DOMAIN.md §4.5): per programme and
funding source, per child office (each child's row covers its whole subtree, the office's own
envelopes on a row of their own), with the dashboard's utilisation charts
(``budgets.charts``) drawn into the PDF as vector graphics. Every chart text is set in the
embedded DejaVu fonts, whatever font the chart module found on the system.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone, translation
from reportlab.graphics.shapes import Drawing, Group, String, UserNode
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from budgets.charts import utilisation_chart
from budgets.models import FundingProgramme
from budgets.selectors import Figures, office_table, rollup
from reporting.documents.blocks import FUNDING_SOURCE_DE
from reporting.documents.funders import cofinanced_section
from reporting.documents.layout import (
    FONT,
    FONT_BOLD,
    OFFICE_KIND_DE,
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    percent,
    register_fonts,
    render_letter,
)
from reporting.documents.tables import Row, figures_table, fitting_size

TITLE = "Haushaltsbericht"
CHART_ROWS = 20  # more bars than this would not fit a page; the tables list every row

# (attribute, column heading) of the two tables every section prints.
# Long headings are hyphenated by hand: the columns are narrow.
BUDGET_COLUMNS = (
    ("allocated", "Ansatz"),
    ("carry_over", "Ausgabe-<br/>reste"),
    ("reinforcements", "Verstär-<br/>kungen"),
    ("blocked", "Gesperrt"),
    ("committed", "Gebunden"),
    ("available", "Verfügbar"),
)
OUTFLOW_COLUMNS = (
    ("disbursed", "Ausgezahlt"),
    ("open", "Offen"),
    ("proven", "Nach-<br/>gewiesen"),
    ("reclaimed", "Zurück-<br/>gefordert"),
    ("repaid", "Zurück-<br/>gezahlt"),
)
LABEL_WIDTH = 34 * mm
MIN_LABEL_WIDTH = 26 * mm
SHARE_WIDTH = 15 * mm
CHART_WIDTH = 560  # drawn at this width, then scaled to the text width (the legend needs it)


def render_budget_report(*, office: Any, year: int, by: Any) -> bytes:
    """The report as PDF bytes with the figures of this moment; writes nothing.

    Two rollups (by programme, by office), both over the maintained envelope totals
    (= Σ ledger), so the report costs the same however long the ledger has grown.
    """
    now = timezone.localtime()
    paths = [office.path]
    by_programme = rollup(paths=paths, year=year, group_by=["programme", "source"], count_once=True)
    programmes = FundingProgramme.objects.in_bulk([row["programme"] for row in by_programme])
    by_office = office_table(office=office, visible=None, year=year)
    total = sum((row.figures for row in by_office), Figures())

    programme_rows = [
        (
            f"{esc(programmes[row['programme']].name)}<br/>"
            f"<font size=6.5>{FUNDING_SOURCE_DE.get(row['source'], esc(row['source']))}</font>",
            f"{programmes[row['programme']].code} · {FUNDING_SOURCE_DE.get(row['source'], row['source'])}",
            row,
        )
        for row in sorted(by_programme, key=lambda r: (programmes[r["programme"]].name, r["source"]))
    ]
    office_rows = [
        (
            f"{esc(row.office.short_name or row.office.name)}: eigene Mittelansätze"
            if row.own
            else esc(row.office.name),
            f"{row.office.short_name} (eigene)" if row.own else row.office.short_name or row.office.name,
            row.figures,
        )
        for row in by_office
    ]

    letter = Letter(
        office=office,
        recipient=[
            str(by),
            office.name,
            *(line for line in (office.street, f"{office.postcode} {office.city}".strip()) if line),
        ],
        info=[
            ("Stelle", f"{office.code} · {OFFICE_KIND_DE.get(office.kind, office.kind)}"),
            ("Haushaltsjahr", str(year)),
            ("Stand", f"{ddate(now.date())}, {now:%H:%M} Uhr"),
            ("Erstellt für", str(by)),
            ("Datum", ddate(now.date())),
        ],
        reference=f"{office.code} {year}",
        reference_label="Bericht",
        dated=now.date(),
        title=TITLE,
        subject=f"{TITLE} {year} – {office.name}",
        keywords=[office.code, str(year), TITLE],
    )
    return render_letter(
        letter,
        lambda: [
            Paragraph(f"{TITLE} {year}", Styles.title),
            Paragraph(f"{esc(office.name)} einschließlich aller nachgeordneten Stellen", Styles.subject),
            Paragraph(
                f"Stand der Buchungen: {ddate(now.date())}, {now:%H:%M} Uhr",
                Styles.reference,
            ),
            Paragraph(
                "Alle Beträge umfassen die Stelle und alle ihr nachgeordneten Stellen. Es gilt: Verfügbar = "
                "Ansatz + Ausgabereste + Verstärkungen − Gesperrt − Gebunden; Offen = Gebunden − Ausgezahlt; "
                "Mittelauslastung = Gebunden im Verhältnis zu den bewirtschaftbaren Mitteln (Ansatz + "
                "Ausgabereste + Verstärkungen − Gesperrt).",
                Styles.body,
            ),
            Paragraph("1. Überblick", Styles.heading),
            _overview(total),
            Paragraph("2. Nach Programm und Mittelherkunft", Styles.heading),
            *_section([(label, figures) for label, _short, figures in programme_rows], total, "Programm"),
            Paragraph("3. Nach Stellen", Styles.heading),
            Paragraph(
                "Die Zeile einer nachgeordneten Stelle umfasst auch alle ihr nachgeordneten Stellen.",
                Styles.body,
            ),
            *_section([(label, figures) for label, _short, figures in office_rows], total, "Stelle"),
            Paragraph("4. Mittelauslastung", Styles.heading),
            *_charts(
                [(short, figures) for _label, short, figures in office_rows],
                [(short, figures) for _label, short, figures in programme_rows],
            ),
            Paragraph("5. Zuwendungen mit mehreren Mittelgebern", Styles.heading),
            *cofinanced_section(paths=paths, year=year),
        ],
    )


def _overview(total: Figures) -> Flowable:
    """The subtree's totals: what may be spent on the left, where the money went on the right."""
    left_rows = [
        Row(["Ansatz", eur(total.allocated)]),
        Row(["+ Ausgabereste", eur(total.carry_over)]),
        Row(["+ Verstärkungen", eur(total.reinforcements)]),
        Row(["− Gesperrt", eur(total.blocked)]),
        Row(["= Bewirtschaftbare Mittel", eur(total.budget)], kind="subtotal"),
        Row(["− Gebunden", eur(total.committed)]),
        Row(["Verfügbar", eur(total.available)], kind="total"),
    ]
    right_rows = [
        Row(["Gebunden", eur(total.committed)]),
        Row(["− Ausgezahlt", eur(total.disbursed)]),
        Row(["= Offen", eur(total.open)], kind="subtotal"),
        Row(["Nachgewiesen", eur(total.proven)]),
        Row(["Zurückgefordert", eur(total.reclaimed)]),
        Row(["Zurückgezahlt", eur(total.repaid)]),
        Row(["Mittelauslastung", percent(total.utilisation)], kind="total"),
    ]
    half, label = 80 * mm, 54 * mm
    size = fitting_size(
        [row.cells[1] for row in (*left_rows, *right_rows)], half - label, largest=9, smallest=6.5
    )
    left = figures_table(
        ["Haushaltsmittel", "Betrag"], left_rows, [label, half - label], numeric_from=1, size=size
    )
    right = figures_table(
        ["Mittelabfluss", "Betrag"], right_rows, [label, half - label], numeric_from=1, size=size
    )
    outer = Table([[left, "", right]], colWidths=[half, TEXT_WIDTH - 2 * half, half], hAlign="LEFT")
    outer.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _section(rows: Sequence[tuple[str, Figures]], total: Figures, what: str) -> list[Flowable]:
    """Two tables over the same rows: the budget side, then the outflow and utilisation.

    Both use one text size, the largest at which the widest amount fits its column.
    """
    if not rows:
        return [Paragraph(f"Für dieses Haushaltsjahr liegen keine Buchungen vor ({what}).", Styles.body)]
    budget_rows = [
        *(Row([label, *(eur(f[name]) for name, _h in BUDGET_COLUMNS)]) for label, f in rows),
        Row(["Summe", *(eur(total[name]) for name, _h in BUDGET_COLUMNS)], kind="total"),
    ]
    outflow_rows = [
        *(
            Row([label, *(eur(f[name]) for name, _h in OUTFLOW_COLUMNS), percent(f.utilisation)])
            for label, f in rows
        ),
        Row(
            ["Summe", *(eur(total[name]) for name, _h in OUTFLOW_COLUMNS), percent(total.utilisation)],
            kind="total",
        ),
    ]
    amounts = [c for row in budget_rows for c in row.cells[1:]]
    amounts += [c for row in outflow_rows for c in row.cells[1:-1]]
    label_width = _label_width(amounts)
    budget_width = (TEXT_WIDTH - label_width) / len(BUDGET_COLUMNS)
    outflow_width = (TEXT_WIDTH - label_width - SHARE_WIDTH) / len(OUTFLOW_COLUMNS)
    size = fitting_size(amounts, min(budget_width, outflow_width))
    budget = figures_table(
        [what, *(heading for _name, heading in BUDGET_COLUMNS)],
        budget_rows,
        [label_width, *[budget_width] * len(BUDGET_COLUMNS)],
        numeric_from=1,
        size=size,
    )
    outflow = figures_table(
        [what, *(heading for _name, heading in OUTFLOW_COLUMNS), "Aus-<br/>lastung"],
        outflow_rows,
        [label_width, *[outflow_width] * len(OUTFLOW_COLUMNS), SHARE_WIDTH],
        numeric_from=1,
        size=size,
    )
    return [
        Paragraph("Haushaltsmittel und Bindung", Styles.subheading),
        budget,
        Paragraph("Mittelabfluss und Rückflüsse", Styles.subheading),
        outflow,
    ]


def _label_width(amounts: Sequence[str]) -> float:
    """The label column's width: 34 mm, less where nine-digit amounts need the room.

    Amounts get what they need at 7 points (bold totals included); the labels, which may wrap,
    keep at least 26 mm.
    """
    register_fonts()
    widest = max((stringWidth(text, FONT_BOLD, 7) for text in amounts), default=0) + 5
    columns = max(len(BUDGET_COLUMNS) * widest, len(OUTFLOW_COLUMNS) * widest + SHARE_WIDTH)
    return max(MIN_LABEL_WIDTH, min(LABEL_WIDTH, TEXT_WIDTH - columns))


def _charts(
    by_office: Sequence[tuple[str, Figures]], by_programme: Sequence[tuple[str, Figures]]
) -> list[Flowable]:
    flowables: list[Flowable] = [
        Paragraph(
            "Je Zeile: bewirtschaftbare Mittel (Budget), gebundene und ausgezahlte Mittel, in Tausend Euro.",
            Styles.body,
        )
    ]
    for title, rows in (
        ("Mittelauslastung nach Stellen", by_office),
        ("Mittelauslastung nach Programm und Mittelherkunft", by_programme),
    ):
        shown = [(label, f) for label, f in rows if f != Figures()]
        shown = sorted(shown, key=lambda item: item[1].budget, reverse=True)[:CHART_ROWS]
        note = (
            [Paragraph(f"Die Grafik zeigt die {CHART_ROWS} Zeilen mit den größten Mitteln.", Styles.small)]
            if len([f for _label, f in rows if f != Figures()]) > CHART_ROWS
            else []
        )
        flowables.append(KeepTogether([Spacer(1, 2 * mm), chart(shown, title=title), *note]))
    return flowables


def chart(rows: Sequence[tuple[str, Figures]], *, title: str) -> Drawing:
    """The dashboard's utilisation chart, German, in the page width and in the embedded fonts."""
    with translation.override("de"):
        drawing = embedded_fonts(utilisation_chart(rows, title=title, width=CHART_WIDTH))
    scale = TEXT_WIDTH / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def embedded_fonts(drawing: Drawing) -> Drawing:
    """The drawing with every text set in DejaVu.

    ``budgets.charts`` falls back to Helvetica where the system lacks DejaVu, and a base-14 font
    is not embedded. So every widget (chart, axes, legend) is expanded to plain shapes, at any
    depth, and each string's font replaced.
    """

    def expanded(node: Any) -> Any:
        while isinstance(node, UserNode):
            node = node.provideNode()
        if isinstance(node, Group):
            node.contents = [expanded(child) for child in node.contents]
        elif isinstance(node, String) and not str(node.fontName).startswith("DejaVu"):
            node.fontName = FONT_BOLD if "Bold" in str(node.fontName) else FONT
        return node

    flat = Drawing(drawing.width, drawing.height)
    flat.contents = [expanded(child) for child in drawing.contents]
    # The renderer starts from the drawing's initial font (Helvetica by default) and sets it on
    # the canvas even when no string uses it, which would reference an unembedded font.
    flat.initialFontName, flat.initialFontSize = FONT, 8
    return flat
