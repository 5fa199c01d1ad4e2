"""The year's report to take away: one table as CSV, the whole report as an XLSX workbook (a sheet
of headline figures, then a sheet per table) and as a PDF with the centre's name and the charts,
ready to attach to a funding application. Text typed by people never becomes a formula."""

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from centres.models import Centre
from config.periods import Period
from intake.year.charts import chart_png
from intake.year.tables import Section, Table

# Millimetres left on a page below which a table's title starts the next page.
KEEP_WITH_TITLE = 70


def table_rows(table: Table) -> Iterator[list[Any]]:
    """The table's header, rows and total as plain values."""
    yield [table.label, *table.columns]
    for label, cells in table.rows:
        yield [label, *(cell.value for cell in cells)]
    if table.total:
        yield [_("Total"), *(cell.value for cell in table.total)]


def _plain(value: Any) -> Any:
    """A cell's value for a spreadsheet: numbers stay numbers, the rest is text."""
    if isinstance(value, Decimal):
        return float(value)  # hours: a number the spreadsheet can add up
    return value if isinstance(value, int | float) else str(value)


def report_xlsx(centre: Centre, period: Period, sections: list[Section]) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    _write(summary, [[centre.name], [_period_text(period)], []], bold_rows={0})
    for section in sections:
        start = summary.max_row + 2
        _write(summary, [[section.title], *([label, cell.value] for label, cell in section.figures)], first=start)
        summary.cell(row=start, column=1).font = Font(bold=True)
    used = {summary.title}
    for section in sections:
        for table in section.tables:
            title = _sheet_title(table.title, section.title, used)
            sheet = workbook.create_sheet(title)
            _write(sheet, list(table_rows(table)), bold_rows={0})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet: Any, rows: list[list[Any]], *, first: int = 1, bold_rows: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=first + offset, column=column, value=_plain(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" typed by someone stays text, never a formula
            if offset in bold_rows:
                cell.font = Font(bold=True)


def _sheet_title(title: str, section: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join(char for char in f"{section} – {title}" if char not in "[]:*?/\\")[:31]
    candidate, number = name, 2
    while candidate in used:
        suffix = f" {number}"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate)
    return candidate


def _period_text(period: Period) -> str:
    return _("%(start)s to %(end)s") % {"start": period.start.isoformat(), "end": period.end.isoformat()}


def font_file(name: str) -> str:
    """DejaVu, shipped with matplotlib: it has every letter of the four languages and more."""
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def report_pdf(centre: Centre, period: Period, sections: list[Section]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", "", font_file("DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", font_file("DejaVuSans-Bold.ttf"))
    pdf.set_title(_("The year's figures of %(centre)s") % {"centre": centre.name})
    pdf.set_author(centre.name)
    pdf.set_lang(centre.default_language)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 16)
    pdf.multi_cell(0, 9, centre.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 11)
    pdf.multi_cell(0, 6, _("Figures for %(period)s") % {"period": _period_text(period)}, new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        _pdf_section(pdf, section)
    return bytes(pdf.output())


def _pdf_section(pdf: FPDF, section: Section) -> None:
    pdf.ln(4)
    pdf.set_font("dejavu", "B", 13)
    pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    for label, cell in section.figures:
        pdf.multi_cell(0, 5.5, f"{label}: {cell.value}", new_x="LMARGIN", new_y="NEXT")
    if section.note:
        pdf.multi_cell(0, 5.5, section.note, new_x="LMARGIN", new_y="NEXT")
    for table in section.tables:
        if not table.rows:
            continue
        pdf.ln(2)
        if pdf.get_y() > pdf.h - KEEP_WITH_TITLE:  # a title never ends a page without its table
            pdf.add_page()
        pdf.set_font("dejavu", "B", 10)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 9)
        if table.chart is not None:
            pdf.image(io.BytesIO(chart_png(table.chart)), w=170)
        widths = [70, *([100 / len(table.columns)] * len(table.columns))]
        with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD"), line_height=5) as drawn:
            for values in table_rows(table):
                row = drawn.row()
                for value in values:
                    row.cell(str(value))
        if table.note:
            pdf.multi_cell(0, 5, table.note, new_x="LMARGIN", new_y="NEXT")
