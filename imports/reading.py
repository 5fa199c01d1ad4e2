"""Reading a spreadsheet: CSV (comma, semicolon or tab; UTF-8 with or without a byte order mark,
or Windows-1252 as Excel writes it in Western Europe) or XLSX (the first sheet, through
openpyxl). The first non-empty row holds the column headings. A file that cannot be read is
refused with one message that says why; nothing else is read of it."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFileError(ValueError):
    """The file is not a spreadsheet this can read; the message says why, for the person."""


@dataclass
class Sheet:
    headings: list[str]
    rows: list[list[str]]  # each as long as the headings, cells as text, trimmed


def sheet_read(content: bytes, filename: str = "") -> Sheet:
    if not content.strip():
        raise UnreadableFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise UnreadableFileError(_("The file is larger than 20 MB; split it into several."))
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        table = _csv_rows(content)
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise UnreadableFileError(_("The file has no rows."))
    headings, *rows = table
    width = max(len(row) for row in table)
    headings = (headings + [""] * width)[:width]
    # Columns without a heading and without a value are dropped; one with values needs a heading.
    used = [index for index in range(width) if headings[index] or any(index < len(row) and row[index] for row in rows)]
    nameless = [index + 1 for index in used if not headings[index]]
    if nameless:
        raise UnreadableFileError(
            _("Column %(number)s has values but no heading: give it one in the first row.") % {"number": nameless[0]}
        )
    seen = [heading.lower() for heading in headings if heading]
    twice = next((heading for heading in headings if heading and seen.count(heading.lower()) > 1), None)
    if twice:
        raise UnreadableFileError(
            _("The heading “%(heading)s” is there twice: give each column its own.") % {"heading": twice}
        )
    headings = [headings[index] for index in used]
    rows = [[(row + [""] * width)[index] for index in used] for row in rows]
    if len(rows) > MAX_ROWS:
        raise UnreadableFileError(_("The file has more than 50,000 rows; split it into several."))
    return Sheet(headings, rows)


def _text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(_("The file is neither UTF-8 nor Windows-1252 text."))


def _csv_rows(content: bytes) -> list[list[str]]:
    text = _text(content)
    if "\x00" in text:
        raise UnreadableFileError(_("This is not a CSV or XLSX file."))
    # The separator is the one the heading row uses most: headings hold none of them, while a
    # cell further down may ("Mo-Fr 09:00-21:00; Sa 10:00-14:00" in a semicolon file, quoted).
    headings = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=headings.count) if any(map(headings.count, ",;\t")) else ","
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise UnreadableFileError(_("The CSV file is malformed: %(error)s") % {"error": error}) from error


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnreadableFileError(_("This is not an XLSX file that can be read.")) from error
    rows = []
    try:
        # At most MAX_COLUMNS columns: a read-only sheet pads each row to its widest cell, and
        # one cell in the last of 16,384 columns would make every row that long.
        for row in workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
    except Exception as error:  # a damaged part of the file shows only while its rows are read
        raise UnreadableFileError(_("This is not an XLSX file that can be read.")) from error
    finally:
        workbook.close()
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime") and hasattr(value, "hour") and not hasattr(value, "year"):
        return value.strftime("%H:%M")
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
