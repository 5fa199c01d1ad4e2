"""List endpoints of personal data write one audit entry per request (`audit_list_read`)."""

from typing import TYPE_CHECKING, Any

from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from centres.services.audit import audit_list_read, list_filters
from config.api import signed_in_user

if TYPE_CHECKING:
    _ViewSetBase = viewsets.GenericViewSet
else:
    _ViewSetBase = object


class AuditedListMixin(_ViewSetBase):
    """For a list endpoint over rows with a `centre`: who read which list, with which filters
    and how many rows, per centre. Filter values are kept for the filterset's own filters
    (choices, ids) unless named in `audit_hidden_filters`; a search term is only "present"."""

    audit_hidden_filters: frozenset[str] = frozenset()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        filterset = getattr(self, "filterset_class", None)
        kept = set(getattr(filterset, "base_filters", {})) - set(self.audit_hidden_filters)
        audit_list_read(
            actor=signed_in_user(request),
            model=queryset.model,
            list_name=self.basename + "-list",
            filters=list_filters(request.query_params, kept=kept),
            rows=rows,
            centre_ids=getattr(request, "staff_centre_ids", None) or (),
        )
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
