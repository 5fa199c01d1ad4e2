"""What search engines read of a contact point's public page (schema.org JSON-LD): its name,
address and public ways to reach it."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from centres.models import Centre


def centre_data(request: HttpRequest, centre: Centre) -> dict[str, Any]:
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": centre.name,
        "url": request.build_absolute_uri(reverse("centre-home", args=[centre.slug])),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": centre.street,
            "postalCode": centre.postal_code,
            "addressLocality": centre.city,
            "addressCountry": centre.country,
        },
    }
    found.update({key: value for key, value in (("telephone", centre.phone), ("email", centre.email)) if value})
    return found
