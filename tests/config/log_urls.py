"""Routes of every shape that carry a secret, for the redaction registry's tests (never served)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import include, path, re_path


def page(request, **kwargs):
    return HttpResponse()


nested = [path("<int:pk>/", page, name="nested-page")]

urlpatterns = [
    path("share/<slug:slug>/<str:session_token>/", page, name="named-token"),
    re_path(r"^legacy/(?P<token>[0-9a-f]+)/(?P<page>\d+)/$", page, name="regex-token"),
    path("invite/<str:token>/", include(nested)),
    *i18n_patterns(path("letters/<str:token>/", page, name="localised-token")),
]
