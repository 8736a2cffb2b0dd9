"""Server-rendered budget charts (reportlab.graphics), as SVG for pages and as drawings for PDFs.

A chart is a pure function of its figures, so the same drawing can be placed in a PDF later
(``reportlab.platypus`` accepts a ``Drawing`` as a flowable).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from budgets.models import CoordinatingOffice
from budgets.selectors import Figures, OfficeRow
from core.formatting import format_number

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SERIES = (
    ("budget", colors.HexColor("#9db4c0")),
    ("committed", colors.HexColor("#2f5d8a")),
    ("disbursed", colors.HexColor("#c8553d")),
)


@cache
def chart_fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans (fonts-dejavu-core) or reportlab's Helvetica."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _thousands(value: float) -> str:
    return f"{format_number(Decimal(round(value / 1000)), 0)} T€"


def utilisation_chart(rows: Sequence[tuple[str, Figures]], *, title: str = "", width: int = 720) -> Drawing:
    """Budget (allocated + carry-over + reinforcements − blocked) vs committed vs disbursed per row."""
    font, bold = chart_fonts()
    bar_group = 30
    plot_height = max(1, len(rows)) * bar_group
    height = plot_height + 90
    drawing = Drawing(width, height)
    drawing.add(String(10, height - 20, title or _("Utilisation"), fontName=bold, fontSize=12))
    if not rows:
        drawing.add(String(10, height - 50, _("No bookings for these filters."), fontName=font, fontSize=10))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 180, 40
    chart.width, chart.height = width - 200, plot_height
    # Drawing coordinates only: the amounts shown in tables stay Decimal.
    chart.data = [
        [float(getattr(figures, name)) for _label, figures in reversed(rows)] for name, _c in SERIES
    ]
    for i, (_name, colour) in enumerate(SERIES):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 6
    chart.categoryAxis.categoryNames = [label[:28] for label, _f in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _thousands
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 180, height - 38
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 130
    legend.fontName = font
    legend.fontSize = 9
    labels = {"budget": _("Budget"), "committed": _("Committed"), "disbursed": _("Disbursed")}
    legend.colorNamePairs = [(colour, labels[name]) for name, colour in SERIES]
    drawing.add(legend)
    return drawing


# Browsers know the font as "DejaVu Sans" (if installed at all), not by reportlab's
# registered name; give them the family and sans-serif fallbacks so the chart matches the page.
_BROWSER_FONTS = {
    "font-family: DejaVuSans-Bold": "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-weight: bold",
    "font-family: DejaVuSans": "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif",
}


def utilisation_svg(rows: Sequence[tuple[str, Figures]], *, title: str = "") -> str:
    svg = renderSVG.drawToString(utilisation_chart(rows, title=title))
    for reportlab_name, css in _BROWSER_FONTS.items():
        svg = svg.replace(reportlab_name, css)
    return svg


def office_table_svg(rows: Sequence[OfficeRow], *, office: CoordinatingOffice | None) -> str:
    """The dashboard's chart of its office table: the same rows, no second rollup."""
    labelled = [
        (
            _("%(office)s (own envelopes)") % {"office": row.office.short_name}
            if row.own
            else row.office.short_name,
            row.figures,
        )
        for row in rows
        if row.figures != Figures()
    ]
    title = _("Utilisation: %(office)s") % {"office": office.name} if office else _("Utilisation")
    return utilisation_svg(labelled, title=title)


def svg_data_uri(svg: str) -> str:
    """An ``<img src>`` for an SVG drawn on the server (an image: no script runs in it)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
