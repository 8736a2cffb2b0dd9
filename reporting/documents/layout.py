"""Page layout shared by every official document: fonts, styles, letterhead and page furniture.

The first page follows DIN 5008 form B (address field 45 mm from the top, information block on
the right, fold and hole marks), so a notice fits a window envelope. Every text, table and chart
uses the embedded DejaVu fonts: a PDF/A-minded archive rejects unembedded base-14 fonts, and
Helvetica cannot render every character a carrier's name may contain.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from budgets.choices import GermanState
from core.formatting import format_date, format_eur, format_percent
from reporting.documents.archival import add_archival_properties

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm
RIGHT = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
INFO_X = 125 * mm  # DIN 5008: information block starts 125 mm from the left edge

ACCENT = colors.HexColor("#1f4e79")
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#e8edf2")
SUBTOTAL_SHADE = colors.HexColor("#f4f6f8")

NBSP = "\u00a0"


@functools.cache
def register_fonts() -> None:
    """Register the vendored DejaVu family once per process (safe to call any number of times)."""
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    # <b> and <i> in paragraphs resolve through the family; there is no bold-oblique cut.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


# --- values as a German reader expects them -----------------------------------------------


def eur(value: Decimal | int | None) -> str:
    """``12.345,67 €`` with a no-break space, so an amount never wraps before its currency sign."""
    with translation.override("de"):
        return format_eur(value).replace(" ", NBSP)


def ddate(value: date | None) -> str:
    with translation.override("de"):
        return format_date(value)


def period(start: date | None, end: date | None) -> str:
    return f"{ddate(start)} – {ddate(end)}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    with translation.override("de"):
        return format_percent(value).replace(" ", NBSP)


def number(value: Decimal) -> str:
    """A plain German number without trailing zeros: ``5``, ``2,5``."""
    with translation.override("de"):
        return format_percent(value).removesuffix(" %")


def iban(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def esc(text: str) -> str:
    """User-entered text as paragraph markup: escaped, line breaks kept."""
    return escape(text.strip(), quote=False).replace("\r\n", "\n").replace("\n", "<br/>")


def paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    """A text with blank-line separated paragraphs as flowables."""
    chunks = [c for c in text.replace("\r\n", "\n").split("\n\n") if c.strip()]
    return [Paragraph(esc(chunk), style) for chunk in chunks]


# --- styles ---------------------------------------------------------------------------------


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    base = {
        "fontName": FONT,
        "bulletFontName": FONT,  # ReportLab defaults bullets to Helvetica
        "fontSize": 10,
        "leading": 14,
        "textColor": colors.black,
        "alignment": TA_LEFT,
    }
    return ParagraphStyle(name, **(base | kwargs))


class Styles:
    body = _style("body", spaceAfter=6)
    title = _style("title", fontName=FONT_BOLD, fontSize=15, leading=19, textColor=ACCENT, spaceAfter=8)
    subject = _style("subject", fontName=FONT_BOLD, spaceAfter=0)
    reference = _style("reference", spaceAfter=12)
    heading = _style(
        "heading", fontName=FONT_BOLD, fontSize=11, leading=15, spaceBefore=10, spaceAfter=4, keepWithNext=1
    )
    subheading = _style(
        "subheading", fontName=FONT_BOLD, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3, keepWithNext=1
    )
    small = _style("small", fontSize=8, leading=10.5, textColor=GREY)
    item = _style("item", leftIndent=7 * mm, bulletIndent=0, spaceAfter=4)
    cell = _style("cell", fontSize=9, leading=12)
    cell_bold = _style("cell_bold", fontName=FONT_BOLD, fontSize=9, leading=12)
    cell_right = _style("cell_right", fontSize=9, leading=12, alignment=TA_RIGHT)
    cell_right_bold = _style(
        "cell_right_bold", fontName=FONT_BOLD, fontSize=9, leading=12, alignment=TA_RIGHT
    )
    head = _style("head", fontName=FONT_BOLD, fontSize=8.5, leading=11)
    head_right = _style("head_right", fontName=FONT_BOLD, fontSize=8.5, leading=11, alignment=TA_RIGHT)


def numbered(items: Sequence[str], style: ParagraphStyle = Styles.item) -> list[Flowable]:
    return [Paragraph(text, style, bulletText=f"{i}.") for i, text in enumerate(items, start=1)]


# --- the letter -----------------------------------------------------------------------------


@dataclass
class Letter:
    """What the page furniture of one official letter shows."""

    office: Any  # budgets.models.CoordinatingOffice
    recipient: Sequence[str]
    info: Sequence[tuple[str, str]]
    reference: str  # file number or application reference, repeated on every page
    dated: date
    title: str
    reference_label: str = "Aktenzeichen"
    subject: str = ""
    keywords: Sequence[str] = field(default_factory=list)


# German designations of the office kinds (budgets.choices.OfficeKind) for the letterhead.
OFFICE_KIND_DE = {
    "federal": "Bewilligungsbehörde des Bundes",
    "state": "Landeskoordinierungsstelle",
    "local": "Koordinierungs- und Fachstelle",
}


def office_address(office: Any) -> str:
    return ", ".join(p for p in (office.street, f"{office.postcode} {office.city}".strip()) if p)


def _letterhead(canv: Canvas, letter: Letter) -> None:
    office = letter.office
    top = PAGE_HEIGHT - 16 * mm
    canv.setFillColor(ACCENT)
    canv.setFont(FONT_BOLD, 14)
    canv.drawString(LEFT, top, office.name)
    canv.setFillColor(GREY)
    canv.setFont(FONT, 8.5)
    kind = OFFICE_KIND_DE.get(office.kind, "")
    state = GermanState(office.state).label if office.state in GermanState.values else ""
    canv.drawString(LEFT, top - 5 * mm, " · ".join(p for p in (kind, state) if p))
    right = PAGE_WIDTH - RIGHT
    lines = [office.street, f"{office.postcode} {office.city}".strip(), office.email]
    y = top + 1 * mm
    canv.setFont(FONT, 8)
    for line in (line for line in lines if line):
        canv.drawRightString(right, y, line)
        y -= 3.6 * mm
    canv.setStrokeColor(ACCENT)
    canv.setLineWidth(1.2)
    canv.line(LEFT, PAGE_HEIGHT - 27 * mm, right, PAGE_HEIGHT - 27 * mm)
    canv.setFillColor(colors.black)


def _fitting_size(text: str, font: str, size: float, width: float) -> float:
    """The font size (at most ``size``, at least 60 % of it) at which ``text`` fits ``width``."""
    smallest = size * 0.6
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _address_field(canv: Canvas, letter: Letter) -> None:
    # DIN 5008 form B: the window shows 20–105 mm from the left, 45–90 mm from the top.
    office = letter.office
    x = LEFT
    window = 80 * mm
    sender = " · ".join(
        p for p in (office.name, office.street, f"{office.postcode} {office.city}".strip()) if p
    )
    size = _fitting_size(sender, FONT, 7, window)
    canv.setFont(FONT, size)
    canv.setFillColor(GREY)
    y = PAGE_HEIGHT - 58 * mm
    canv.drawString(x, y, sender)
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.3)
    canv.line(x, y - 1.2 * mm, x + min(canv.stringWidth(sender, FONT, size), window), y - 1.2 * mm)
    canv.setFillColor(colors.black)
    # The address zone holds six lines: long names wrap, and only if that is not enough the
    # lines get smaller.
    for size, leading in ((10, 4.6 * mm), (9, 4.0 * mm), (8, 3.5 * mm)):
        lines = [
            (part, FONT_BOLD if i == 0 else FONT)
            for i, line in enumerate(letter.recipient)
            for part in simpleSplit(line, FONT_BOLD if i == 0 else FONT, size, window)
        ]
        if len(lines) * leading <= 27 * mm:
            break
    y = PAGE_HEIGHT - 66 * mm
    for part, font in lines:
        canv.setFont(font, _fitting_size(part, font, size, window))
        canv.drawString(x, y, part)
        y -= leading


def _info_block(canv: Canvas, letter: Letter) -> None:
    y = PAGE_HEIGHT - 52 * mm
    for label, value in letter.info:
        canv.setFont(FONT, 7)
        canv.setFillColor(GREY)
        canv.drawString(INFO_X, y, label)
        canv.setFont(FONT, _fitting_size(value, FONT, 9, PAGE_WIDTH - RIGHT - INFO_X))
        canv.setFillColor(colors.black)
        canv.drawString(INFO_X, y - 3.8 * mm, value)
        y -= 8.6 * mm


def _marks(canv: Canvas) -> None:
    # Fold marks at 105 and 210 mm (form B) and the hole mark at 148.5 mm.
    canv.setStrokeColor(GREY)
    canv.setLineWidth(0.3)
    for from_top, length in ((105, 5), (148.5, 8), (210, 5)):
        y = PAGE_HEIGHT - from_top * mm
        canv.line(4 * mm, y, (4 + length) * mm, y)


def _later_header(canv: Canvas, letter: Letter) -> None:
    y = PAGE_HEIGHT - 14 * mm
    canv.setFont(FONT_BOLD, 8.5)
    canv.setFillColor(ACCENT)
    canv.drawString(LEFT, y, letter.office.name)
    canv.setFont(FONT, 8)
    canv.setFillColor(GREY)
    canv.drawRightString(
        PAGE_WIDTH - RIGHT, y, f"{letter.title} · {letter.reference} · {ddate(letter.dated)}"
    )
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(LEFT, y - 2.5 * mm, PAGE_WIDTH - RIGHT, y - 2.5 * mm)
    canv.setFillColor(colors.black)


FOOTER_Y = 12 * mm


def _footer(canv: Canvas, letter: Letter) -> None:
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(LEFT, FOOTER_Y + 4 * mm, PAGE_WIDTH - RIGHT, FOOTER_Y + 4 * mm)
    canv.setFont(FONT, 7.5)
    canv.setFillColor(GREY)
    canv.drawString(
        LEFT,
        FOOTER_Y,
        f"{letter.reference_label} {letter.reference} · {letter.title} vom {ddate(letter.dated)}",
    )
    canv.setFillColor(colors.black)


class _NumberedCanvas(Canvas):
    """Defers each page until the end so the footer can say "Seite x von y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        add_archival_properties(self)  # XMP metadata and sRGB output intent (reporting.documents.archival)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(GREY)
            self.drawRightString(PAGE_WIDTH - RIGHT, FOOTER_Y, f"Seite {self._pageNumber} von {total}")
            super().showPage()
        super().save()


def render_letter(letter: Letter, story: Callable[[], list[Flowable]]) -> bytes:
    """Lay out the flowables ``story()`` returns as an official letter of ``letter.office``.

    ``story`` is called only after the fonts are registered: a paragraph resolves its font
    family (for ``<b>``) when it is constructed.
    """
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"{letter.title} {letter.reference}",
        author=letter.office.name,
        subject=letter.subject,
        creator="Förderverwaltung",
        keywords=list(letter.keywords),
        lang="de-DE",
        displayDocTitle=True,
        initialFontName=FONT,  # otherwise ReportLab's page preamble references Helvetica
        initialFontSize=10,
    )
    bottom = 22 * mm
    first_top = PAGE_HEIGHT - 98 * mm  # DIN 5008 form B: the subject line starts at 98.46 mm
    later_top = PAGE_HEIGHT - 22 * mm

    def on_page(draw: Callable[[Canvas, Letter], None]) -> Callable[[Canvas, Any], None]:
        def callback(canv: Canvas, _doc: Any) -> None:
            canv.saveState()
            draw(canv, letter)
            _footer(canv, letter)
            canv.restoreState()

        return callback

    def first(canv: Canvas, letter: Letter) -> None:
        _letterhead(canv, letter)
        _address_field(canv, letter)
        _info_block(canv, letter)
        _marks(canv)

    doc.addPageTemplates(
        [
            PageTemplate(
                id="first",
                frames=[
                    Frame(
                        LEFT,
                        bottom,
                        TEXT_WIDTH,
                        first_top - bottom,
                        id="first",
                        leftPadding=0,
                        rightPadding=0,
                    )
                ],
                onPage=on_page(first),
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                id="later",
                frames=[
                    Frame(
                        LEFT,
                        bottom,
                        TEXT_WIDTH,
                        later_top - bottom,
                        id="later",
                        leftPadding=0,
                        rightPadding=0,
                    )
                ],
                onPage=on_page(_later_header),
            ),
        ]
    )
    doc.build(story(), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
