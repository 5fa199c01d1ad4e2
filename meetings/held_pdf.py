"""The statement of meetings held, as a PDF for a group's grant (§20h SGB V and its like): the
group's public name, the year, each meeting's date, time and place, the number held, and the
centre's sign-off. Nothing about members. Drawn with fpdf2 (pure Python, no system libraries);
its built-in fonts cover Latin-1, which holds German, Danish and Dutch; other letters are
written without their accents rather than lost."""

import unicodedata
from zoneinfo import ZoneInfo

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from meetings.models import Group, HeldStatement, Meeting


def _latin1(text: str) -> str:
    """The text in the PDF fonts' Latin-1: letters outside it lose their accents, or become "?"."""
    if all(ord(char) < 256 for char in text):
        return text
    plain = unicodedata.normalize("NFKD", text)
    return (
        "".join(char for char in plain if not unicodedata.combining(char))
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def held_statement_pdf(
    *, group: Group, year: int, meetings: list[Meeting], statement: HeldStatement | None, language: str
) -> bytes:
    """The PDF statement, in `language`; a draft until the centre signed off the year."""
    zone = ZoneInfo(group.centre.time_zone)
    with translation.override(language):
        pdf = FPDF(format="A4")
        pdf.set_title(_latin1(_("Meetings held in %(year)d") % {"year": year}))
        pdf.set_author(_latin1(group.centre.name))
        pdf.add_page()
        pdf.set_font("helvetica", "B", 16)
        pdf.multi_cell(0, 9, _latin1(_("Statement of meetings held")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        lines = [
            _("Self-help group: %(group)s") % {"group": group.name},
            _("Year: %(year)d") % {"year": year},
            _("Contact point: %(centre)s") % {"centre": group.centre.name},
        ]
        for line in lines:
            pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        _meetings_table(pdf, meetings, zone)
        pdf.ln(4)
        pdf.set_font("helvetica", "B", 11)
        total = _("%(count)d meetings held in %(year)d.") % {"count": len(meetings), "year": year}
        pdf.multi_cell(0, 6, _latin1(total), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, _latin1(_sign_off(group, statement, len(meetings), zone)), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _meetings_table(pdf: FPDF, meetings: list[Meeting], zone: ZoneInfo) -> None:
    if not meetings:
        pdf.multi_cell(0, 6, _latin1(_("No meetings held in this year.")), new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(col_widths=(10, 45, 25, 100), text_align=("RIGHT", "LEFT", "LEFT", "LEFT")) as table:
        table.row([_latin1(text) for text in ("#", _("Date"), _("Time"), _("Place"))])
        for number, meeting in enumerate(meetings, start=1):
            start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
            table.row(
                [
                    str(number),
                    _latin1(formats.date_format(start, "D j M Y")),
                    f"{start:%H:%M}-{end:%H:%M}",
                    _latin1(meeting.room.location.name if meeting.room is not None else meeting.place),
                ]
            )


def _sign_off(group: Group, statement: HeldStatement | None, count: int, zone: ZoneInfo) -> str:
    today = formats.date_format(timezone.localtime(timezone.now(), zone), "DATE_FORMAT")
    if statement is None:
        return _("Draft of %(day)s: not yet signed off by the contact point.") % {"day": today}
    signed = formats.date_format(statement.signed_off_at.astimezone(zone), "DATE_FORMAT")
    text = _("Signed off by %(centre)s (%(name)s) on %(day)s: %(count)d meetings held.") % {
        "centre": group.centre.name,
        "name": statement.signer_name,
        "day": signed,
        "count": statement.meetings_held,
    }
    if statement.meetings_held != count:
        text += " " + _("Since then the count is %(count)d: ask the contact point to sign it off again.") % {
            "count": count
        }
    return text
