"""The public group finder: over every centre of the installation (`/groups/`) or one centre's
groups (`/centres/<slug>/groups/`), the same search and the same page. Groups only, never a
member; a filter that is not understood is ignored and marked, never an error."""

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope
from meetings import caching, geodata, selectors
from meetings.models import Group, OpeningHours, TopicCategory
from meetings.models.directory import Daypart
from meetings.selectors.directory import DEFAULT_RADIUS_KM, FinderQuery, directory_search
from meetings.services.directory import directory_refresh_stale

RADII = [5, 10, 25, 50, 100]


class FinderForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words"), max_length=100, required=False, strip=True)
    category = forms.TypedChoiceField(label=gettext_lazy("Topic"), coerce=int, required=False, empty_value=None)
    topic = forms.TypedChoiceField(label=gettext_lazy("Topic"), coerce=int, required=False, empty_value=None)
    place = forms.CharField(label=gettext_lazy("Postcode or town"), max_length=80, required=False, strip=True)
    radius = forms.TypedChoiceField(label=gettext_lazy("Within"), coerce=int, required=False, empty_value=None)
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), coerce=int, required=False, empty_value=None)
    daypart = forms.TypedChoiceField(label=gettext_lazy("Time of day"), coerce=int, required=False, empty_value=None)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    age_band = forms.ChoiceField(label=gettext_lazy("Age"), required=False)
    step_free = forms.BooleanField(label=gettext_lazy("Step-free access"), required=False)
    hearing_loop = forms.BooleanField(label=gettext_lazy("Hearing loop"), required=False)
    online = forms.BooleanField(label=gettext_lazy("Online or hybrid"), required=False)
    newcomers = forms.BooleanField(label=gettext_lazy("Open to newcomers"), required=False)
    has_places = forms.BooleanField(label=gettext_lazy("Has places"), required=False)
    page = forms.IntegerField(
        label=gettext_lazy("Page"), required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput
    )

    def __init__(self, *args, centre: Centre | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        if centre is None:
            del self.fields["topic"]
            categories = TopicCategory.objects.filter(scheme="national")
            self._choices("category", [("", _("Any topic"))] + [(c.pk, c.display_name) for c in categories])
        else:
            del self.fields["category"]
            topics = selectors.offered_topics(centre)
            self._choices("topic", [("", _("Any topic"))] + [(t.pk, t.display_name) for t in topics])
        self._choices("radius", [(km, _("%(km)s km") % {"km": km}) for km in RADII])
        self._choices("weekday", [("", _("Any day")), *list(OpeningHours.Weekday.choices)])
        self._choices("daypart", [("", _("Any time")), *list(Daypart.choices)])
        self._choices("language", [("", _("Any language")), *list(LANGUAGE_CHOICES)])
        bands = [(value, label) for value, label in Group.AgeBand.choices if value]
        self._choices("age_band", [("", _("Any age")), *bands])

        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.label_suffix = ""  # the box comes first: "☐ Hearing loop", not "Hearing loop:"

    def _choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def clean_place(self) -> geodata.Place | None:
        text = self.cleaned_data["place"]
        if not text:
            return None
        found = geodata.locate(text, country=self.centre.country if self.centre else "")
        if found is None:
            raise forms.ValidationError(
                _("We don't know the place “%(place)s”. Try a postcode or the name of a town.") % {"place": text}
            )
        return found

    def finder_query(self) -> FinderQuery:
        """The valid filters as a query; a field that was not understood asks nothing."""
        data = self.cleaned_data
        return FinderQuery(
            text=data.get("q") or "",
            topic_id=data.get("topic"),
            category_id=data.get("category"),
            place=data.get("place"),
            radius_km=data.get("radius") or DEFAULT_RADIUS_KM,
            weekday=data.get("weekday"),
            daypart=data.get("daypart"),
            language=data.get("language") or "",
            age_band=data.get("age_band") or None,
            **{
                name: bool(data.get(name))
                for name in ("step_free", "hearing_loop", "online", "newcomers", "has_places")
            },
        )


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """The finder over every centre of the installation."""
    return finder_page(request, None)


@require_safe
def group_finder(request: HttpRequest, slug: str) -> HttpResponse:
    """One centre's finder: the same search, within its groups."""
    with all_centres_scope():
        centre = selectors.public_centre(slug)
    if centre is None:
        raise Http404
    return finder_page(request, centre)


def finder_page(request: HttpRequest, centre: Centre | None, *, embed: bool = False) -> HttpResponse:
    """The finder's page over `centre`'s groups (None: every centre's); `embed`: the compact page
    for a partner's frame, whose links stay in the frame."""
    with all_centres_scope():
        data = request.GET.copy()
        data.setdefault("radius", str(DEFAULT_RADIUS_KM))  # shown as chosen, as the search uses it
        form = FinderForm(data, centre=centre)
        form.is_valid()
        query = form.finder_query()
        centre_ids = None if centre is None else [centre.pk]
        directory_refresh_stale(centre_ids)
        page = form.cleaned_data.get("page") or 1

        def results() -> tuple[str, int, int]:
            found = directory_search(query, centre_ids=centre_ids, page=page)
            context = {"centre": centre, "page": found, "query": query, "embed": embed}
            return render_to_string("meetings/_finder_results.html", context), found.number, found.pages

        # The same for every visitor: kept per centre(s), calendar version, language and query.
        html, number, pages = caching.cached(
            "finder",
            centre_ids,
            [repr(query), page, embed],
            results,
            seconds=caching.FINDER_SECONDS,
            store="calendar-public",
        )
    context = {"centre": centre, "form": form, "results": html, "paging": _paging(request, number, pages)}
    return render(request, "meetings/embed_finder.html" if embed else "meetings/group_finder.html", context)


def _paging(request: HttpRequest, number: int, pages: int) -> dict[str, Any]:
    """Links to the page before and after, keeping the visitor's filters."""
    query = request.GET.copy()

    def link(to: int) -> str:
        query["page"] = str(to)
        return "?" + query.urlencode()

    return {
        "number": number,
        "pages": pages,
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < pages else "",
    }
