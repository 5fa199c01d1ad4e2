"""Query filters of the volunteers endpoints (built outside any scope, foreign keys by id)."""

from django_filters import rest_framework as filters

from centres.scoping import all_centres_scope
from config.api import IdFilter
from volunteers.models import RecruitmentNeed, SessionLog, StarterAssignment, Volunteer

with all_centres_scope():

    class VolunteerFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        topic = IdFilter(field_name="topics")

        class Meta:
            model = Volunteer
            fields = ["centre", "status", "topic"]

    class AssignmentFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        group = IdFilter(field_name="group_id")
        volunteer = IdFilter(field_name="volunteer_id")

        class Meta:
            model = StarterAssignment
            fields = ["centre", "group", "volunteer", "status"]

    class SessionLogFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        group = IdFilter(field_name="assignment__group_id")
        volunteer = IdFilter(field_name="assignment__volunteer_id")

        class Meta:
            model = SessionLog
            fields = ["centre", "group", "volunteer"]

    class RecruitmentNeedFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        open = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="Open (not resolved)")

        class Meta:
            model = RecruitmentNeed
            fields = ["centre", "kind", "open"]
