"""A partner's printable A5 flyer: the centre, a topic or a group, a short text in the chosen
language and a QR code of the partner's referral link (with the topic). Nothing personal."""

import io

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from centres.models import Centre
from intake.year.exports import font_file

A5 = (148, 210)  # millimetres, portrait


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2)
    out.seek(0)
    return out


def flyer_pdf(*, centre: Centre, subject: str, url: str, language: str, partner_name: str) -> bytes:
    """The flyer as PDF bytes. `subject`: the topic's or group's name; `url`: the link the QR
    code opens, printed under it as well, for whoever types it."""
    with translation.override(language):
        pdf = FPDF(format=A5)
        pdf.set_auto_page_break(False)
        pdf.add_font("dejavu", "", font_file("DejaVuSans.ttf"))
        pdf.add_font("dejavu", "B", font_file("DejaVuSans-Bold.ttf"))
        pdf.add_page()
        pdf.set_margins(14, 14, 14)
        pdf.set_xy(14, 14)
        pdf.set_font("dejavu", "", 11)
        pdf.multi_cell(0, 6, centre.name, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("dejavu", "B", 20)
        pdf.multi_cell(0, 9, _("You are not alone with it"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("dejavu", "B", 14)
        pdf.multi_cell(0, 7, _("Self-help group: %(subject)s") % {"subject": subject}, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("dejavu", "", 11)
        pdf.multi_cell(
            0,
            6,
            _(
                "In a self-help group you meet people with the same concern, regularly and in confidence. "
                "It is free, and you need no referral. We talk with you first and find a group that suits you."
            ),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.image(_qr_png(url), x=(A5[0] - 60) / 2, y=pdf.get_y() + 6, w=60, h=60)
        pdf.set_y(pdf.get_y() + 70)
        pdf.set_font("dejavu", "", 10)
        pdf.multi_cell(0, 5, _("Scan the code, or type:"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "B", 10)
        pdf.multi_cell(0, 5, url, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("dejavu", "", 10)
        reach = " · ".join(part for part in (centre.phone, centre.email) if part)
        if reach:
            pdf.multi_cell(0, 5, reach, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(14, A5[1] - 16)
        pdf.set_font("dejavu", "", 8)
        pdf.multi_cell(0, 4, _("Recommended by %(partner)s") % {"partner": partner_name}, align="C")
        return bytes(pdf.output())
