"""Tables of the official documents, in the house style of ``layout``."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from reporting.documents.layout import (
    ACCENT,
    FONT,
    FONT_BOLD,
    RULE,
    SHADE,
    SUBTOTAL_SHADE,
    TEXT_WIDTH,
    Styles,
    register_fonts,
)


def facts_table(rows: Sequence[tuple[str, str | Flowable]]) -> Table:
    """Label/value pairs (the operative facts of a notice) as a two-column table."""
    data = [
        [
            Paragraph(label, Styles.cell_bold),
            value if isinstance(value, Flowable) else Paragraph(value, Styles.cell),
        ]
        for label, value in rows
    ]
    # splitInRow: a long purpose may continue on the next page instead of breaking the layout.
    table = Table(
        data,
        colWidths=[58 * mm, TEXT_WIDTH - 58 * mm],
        hAlign="LEFT",
        spaceBefore=2,
        spaceAfter=8,
        splitInRow=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
                ("BACKGROUND", (0, 0), (0, -1), SUBTOTAL_SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


@dataclass
class Row:
    """A row of an amounts table: ``kind`` is ``line``, ``subtotal`` or ``total``."""

    cells: Sequence[str]
    kind: str = "line"


def amounts_table(header: Sequence[str], rows: Sequence[Row], widths: Sequence[float]) -> Table:
    """A table whose last column holds amounts; subtotal and total rows are set off."""
    last = len(header) - 1
    data: list[list[Any]] = [
        [Paragraph(h, Styles.head_right if i == last else Styles.head) for i, h in enumerate(header)]
    ]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    for r, row in enumerate(rows, start=1):
        bold = row.kind in ("subtotal", "total")
        data.append(
            [
                Paragraph(
                    text,
                    (Styles.cell_right_bold if bold else Styles.cell_right)
                    if i == last
                    else (Styles.cell_bold if bold else Styles.cell),
                )
                for i, text in enumerate(row.cells)
            ]
        )
        if row.kind == "line":
            commands.append(("LINEBELOW", (0, r), (-1, r), 0.25, RULE))
        elif row.kind == "subtotal":
            commands += [
                ("BACKGROUND", (0, r), (-1, r), SUBTOTAL_SHADE),
                ("LINEBELOW", (0, r), (-1, r), 0.4, RULE),
            ]
        else:
            commands += [
                ("LINEABOVE", (0, r), (-1, r), 0.8, ACCENT),
                ("LINEBELOW", (0, r), (-1, r), 0.8, ACCENT),
            ]
            if last > 1:  # the total's label may use every column but the amount
                commands.append(("SPAN", (0, r), (last - 1, r)))
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT", spaceBefore=2, spaceAfter=8)
    table.setStyle(TableStyle(commands))
    return table


MARK_SHADE = colors.HexColor("#fbf0d9")  # a line the computation changed (e.g. capped)
COMPACT_SIZE = 7.6


@functools.cache
def _figure_styles(size: float) -> dict[tuple[bool, bool, bool], ParagraphStyle]:
    """(header, bold, right-aligned) → the paragraph style of a cell at ``size`` points."""

    def sized(base: ParagraphStyle, points: float, right: bool) -> ParagraphStyle:
        return ParagraphStyle(
            f"{base.name}-{points}{'-right' if right else ''}",
            parent=base,
            fontSize=points,
            leading=round(points * 1.26, 2),
            alignment=TA_RIGHT if right else base.alignment,
        )

    return {
        (head, bold, right): sized(
            Styles.head if head else (Styles.cell_bold if bold else Styles.cell),
            size - 0.5 if head else size,
            right,
        )
        for head in (False, True)
        for bold in (False, True)
        for right in (False, True)
    }


def figures_table(
    header: Sequence[str],
    rows: Sequence[Row],
    widths: Sequence[float],
    *,
    numeric_from: int,
    compact: bool = False,
    size: float | None = None,
) -> Table:
    """A table with several amount columns: every column from ``numeric_from`` on.

    Row kinds as in :func:`amounts_table`, plus ``marked`` for a line the computation changed
    (shaded). ``compact`` sets smaller text and padding for tables with many columns; ``size``
    sets the text size outright (a caller that fitted its widest amount to the column).
    """
    size = size or (COMPACT_SIZE if compact else 9)
    tight = compact or size < 9
    styles = _figure_styles(size)
    data: list[list[Any]] = [
        [Paragraph(h, styles[(True, True, i >= numeric_from)]) for i, h in enumerate(header)]
    ]
    padding = 2.5 if tight else 6
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 2 if tight else 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 if tight else 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
    ]
    for r, row in enumerate(rows, start=1):
        bold = row.kind in ("subtotal", "total")
        data.append(
            [Paragraph(text, styles[(False, bold, i >= numeric_from)]) for i, text in enumerate(row.cells)]
        )
        if row.kind in ("line", "marked"):
            commands.append(("LINEBELOW", (0, r), (-1, r), 0.25, RULE))
            if row.kind == "marked":
                commands.append(("BACKGROUND", (0, r), (-1, r), MARK_SHADE))
        elif row.kind == "subtotal":
            commands += [
                ("BACKGROUND", (0, r), (-1, r), SUBTOTAL_SHADE),
                ("LINEBELOW", (0, r), (-1, r), 0.4, RULE),
            ]
        else:
            commands += [
                ("LINEABOVE", (0, r), (-1, r), 0.8, ACCENT),
                ("LINEBELOW", (0, r), (-1, r), 0.8, ACCENT),
            ]
            if numeric_from > 1:
                commands.append(("SPAN", (0, r), (numeric_from - 1, r)))
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT", spaceBefore=2, spaceAfter=8)
    table.setStyle(TableStyle(commands))
    return table


def fitting_size(
    texts: Sequence[str], width: float, *, largest: float = COMPACT_SIZE, smallest: float = 6
) -> float:
    """The largest text size (≤ ``largest``) at which every text, set bold, fits ``width`` points
    once the cell padding of a tight :func:`figures_table` is taken off; never below ``smallest``."""
    register_fonts()
    widest = max((stringWidth(t, FONT_BOLD, 1) for t in texts), default=0)
    if not widest:
        return largest
    return max(smallest, min(largest, round((width - 5) / widest - 0.05, 1)))
