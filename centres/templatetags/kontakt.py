"""Template filters of the site."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from centres.models import Centre
from centres.scoping import all_centres_scope
from centres.selectors import staff_centre_ids, user_is_centre_admin

register = template.Library()


@register.filter
def when(value) -> str:
    """A meeting's start as people read it in the page's language: weekday, the language's own
    date format, and the 24-hour time, in the active time zone ({% timezone %})."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{date_format(local, 'l')}, {date_format(local, 'DATE_FORMAT')}, {date_format(local, 'H:i')}"


@register.filter
def staffed_by(centre, user) -> bool:
    """Whether `user` works for `centre` (or runs the platform): the workspace links show only then."""
    if not (centre and user and user.is_authenticated and user.is_staff):
        return False
    return user.is_superuser or centre.pk in staff_centre_ids(user=user)


@register.filter
def administered_by(centre, user) -> bool:
    """Whether `user` is an admin of `centre`: its settings and staff links show only then."""
    return bool(centre and user and user_is_centre_admin(user=user, centre_id=centre.pk))


@register.simple_tag
def other_staff_centres(user, centre) -> list:
    """The other centres `user` works for, by name, for the workspace's centre switcher."""
    ids = [pk for pk in staff_centre_ids(user=user) if centre is None or pk != centre.pk]
    if not ids:
        return []
    with all_centres_scope():  # the user's own centres, by the ids their roles name
        return list(Centre.objects.filter(pk__in=ids).order_by("name"))


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """A public page's address in the shown language (canonical) and in every other (`hreflang`),
    each as `?lang=`; the site's default language for a visitor whose language is not known."""
    from django.conf import settings
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import get_language

    request = context["request"]
    page = request.build_absolute_uri(request.path)
    links = format_html('<link rel="canonical" href="{}?lang={}">', page, get_language())
    links += format_html_join(
        "",
        '<link rel="alternate" hreflang="{}" href="{}?lang={}">',
        ((code, page, code) for code, _name in settings.LANGUAGES),
    )
    default = settings.LANGUAGE_CODE  # as the sitemap names it
    return links + format_html('<link rel="alternate" hreflang="x-default" href="{}?lang={}">', page, default)


@register.simple_tag
def structured_data(data: dict) -> str:
    """A JSON-LD block for search engines: data, which the browser does not run (so the page's
    script policy stands); every "<", ">" and "&" escaped so no text can close the tag."""
    import json

    from django.utils.safestring import mark_safe

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)
