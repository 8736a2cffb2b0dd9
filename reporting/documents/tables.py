"""Tables of the official documents, in the house style of ``layout``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .layout import ACCENT, FONT, RULE, SHADE, SUBTOTAL_SHADE, TEXT_WIDTH, Styles


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
