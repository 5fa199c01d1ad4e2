"""Phone numbers as text messages need them: a number staff typed ("0171 234 5678", "+45 20 12
34 56") becomes the international form an SMS gateway takes, or nothing when it is no mobile
number. Read with phonenumbers (Google's libphonenumber data); a number without a country code
is read as one of the centre's country."""

import phonenumbers

from centres.models import Centre

# Where a centre has no country code recorded, its time zone tells the country of a number
# written without one.
REGION_OF_TIME_ZONE = {
    "Europe/Berlin": "DE",
    "Europe/Vienna": "AT",
    "Europe/Zurich": "CH",
    "Europe/Copenhagen": "DK",
    "Europe/Amsterdam": "NL",
    "Europe/Brussels": "BE",
    "Europe/Luxembourg": "LU",
}
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def centre_region(centre: Centre) -> str:
    return (centre.country or REGION_OF_TIME_ZONE.get(centre.time_zone, "DE")).upper()


def sms_number(phone: str, *, region: str) -> str:
    """`phone` in E.164 ("+4917123456789") when it is a valid number that can take a text
    message, else ""."""
    if not phone or not phone.strip():
        return ""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in MOBILE_TYPES:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable(number: str) -> str:
    """An E.164 number as people read it ("+49 170 55501990")."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number
