"""A centre admin's topics page: each topic's name in every language of the platform, so that
visitors read it in theirs (the name as written is shown where no translation is given), and the
shared category it counts under in the federation's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.selectors import admin_centre_or_403
from config.api import signed_in_user
from config.errors import DomainError
from meetings.models import LANGUAGE_CHOICES, Topic, TopicCategory
from meetings.services.places import topic_update


@login_required
def topics(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's topics, each with its names by language."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    listed = [
        (topic, [(code, language, topic.name_translations.get(code, "")) for code, language in LANGUAGE_CHOICES])
        for topic in Topic.objects.filter(centre=centre).order_by("name")
    ]
    context = {"centre": centre, "topics": listed, "categories": list(TopicCategory.objects.all())}
    return render(request, "meetings/workspace_topics.html", context)


def _category(value: str) -> TopicCategory | bool | None:
    """The category chosen in the form: None for none, False for one that does not exist."""
    if not value:
        return None
    category = TopicCategory.objects.filter(pk=value).first() if value.isascii() and value.isdigit() else None
    return category if category is not None else False


@login_required
@require_POST
def topic_names(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Save one topic's names by language; an empty one falls back to the name as written."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    topic = Topic.objects.filter(centre=centre, pk=pk).first()
    if topic is None:
        raise Http404
    names = {code: request.POST.get(f"name_{code}", "").strip()[:120] for code, _language in LANGUAGE_CHOICES}
    names = {code: name for code, name in names.items() if name}
    if any("\n" in name or "\r" in name for name in names.values()):
        messages.error(request, _("A topic's name is one line."))
        return redirect(reverse("workspace-topics", args=[slug]))
    category = _category(request.POST.get("category", ""))
    if category is False:
        messages.error(request, _("Choose a category from the list."))
        return redirect(reverse("workspace-topics", args=[slug]) + f"#topic-{topic.pk}")
    if names == topic.name_translations and category == topic.category:
        messages.info(request, _("Nothing changed."))
    else:
        try:
            topic_update(actor=signed_in_user(request), topic=topic, name_translations=names, category=category)
        except (DomainError, ValidationError) as problem:
            messages.error(
                request, "; ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
            )
        else:
            messages.success(request, _("“%(topic)s” is saved.") % {"topic": topic.name})
    return redirect(reverse("workspace-topics", args=[slug]) + f"#topic-{topic.pk}")
