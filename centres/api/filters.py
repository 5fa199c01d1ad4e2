"""Query filters of the centre endpoints.

Foreign keys are filtered by slug or id, never through a queryset of choices: a choice field would
validate ids against every centre. django-filter reads model fields when a FilterSet class is
created (at import, outside any request), so the classes are built with scopes disabled.
"""

from django_filters import rest_framework as filters

from centres.models import AuditLogEntry, ConsentRecord, Person, StaffRole
from centres.scoping import all_centres_scope
from config.api import IdFilter, IsoDateTimeFilter

with all_centres_scope():

    class PersonFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")

        class Meta:
            model = Person
            fields = ["centre", "language"]

    class ConsentFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        person = IdFilter(field_name="person_id")
        active = filters.BooleanFilter(field_name="withdrawn_at", lookup_expr="isnull")

        class Meta:
            model = ConsentRecord
            fields = ["centre", "person", "purpose", "source", "active"]

    class StaffRoleFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")

        class Meta:
            model = StaffRole
            fields = ["centre", "role"]

    class AuditLogFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        since = IsoDateTimeFilter(field_name="at", lookup_expr="gte")
        until = IsoDateTimeFilter(field_name="at", lookup_expr="lt")

        class Meta:
            model = AuditLogEntry
            fields = ["centre", "action", "object_type", "object_id", "since", "until"]
