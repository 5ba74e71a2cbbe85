"""Printing to PDF with Chinese text: reports, and the customer sheet later.

The text is set in STSong-Light, one of the CID fonts every PDF reader provides for Simplified
Chinese (Adobe-GB1), which reportlab knows without a font file: nothing to install or ship, the
files stay small, and the text stays extractable (copy, search, tests) because reportlab writes
the Unicode mapping with it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

FONT = "STSong-Light"


@cache
def _register() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@cache
def styles() -> dict[str, ParagraphStyle]:
    _register()
    # wordWrap="CJK" lets a line break between any two Chinese characters.
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10,
                                textColor=colors.HexColor("#555555")),
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=20,
                                alignment=TA_CENTER, spaceAfter=4),
        "heading": ParagraphStyle("heading", parent=body, fontSize=11, leading=15,
                                  spaceBefore=6, spaceAfter=2),
    }


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"),
                     styles()[style])


def table(rows: Iterable[Iterable[object]], widths: list[float], *, header: bool = True) -> Table:
    """A ruled table of plain-text cells, wrapping inside each cell."""
    data = [[cell if isinstance(cell, Flowable) else para(cell) for cell in row] for row in rows]
    result = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")))
    result.setStyle(TableStyle(commands))
    return result


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


CONTENT_WIDTH = A4[0] - 30 * mm


def render(story: list[Flowable], *, title: str, footer: str = "") -> bytes:
    """Lay out a story on A4 with 15 mm margins; page numbers and `footer` at the foot."""
    _register()
    buffer = io.BytesIO()

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(15 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=15 * mm, title=title)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
