"""Query filters of the meetings endpoints (built at import, outside any scope; see
centres.api.filters for why foreign keys are filtered by id, not by a choice queryset)."""

from django_filters import rest_framework as filters

from centres.scoping import all_centres_scope
from config.api import IdFilter, IsoDateTimeFilter
from meetings.models import Closure, Group, Location, Meeting, MeetingSeries, Membership, Room, Topic

with all_centres_scope():

    class TopicFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")

        class Meta:
            model = Topic
            fields = ["centre", "is_offered"]

    class LocationFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")

        class Meta:
            model = Location
            fields = ["centre", "city"]

    class RoomFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        location = IdFilter(field_name="location_id")
        min_capacity = filters.NumberFilter(field_name="capacity", lookup_expr="gte", min_value=0, max_value=100_000)

        class Meta:
            model = Room
            fields = ["centre", "location", "is_active", "step_free_access", "accessible_toilet", "hearing_loop"]

    class GroupFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        topic = IdFilter(field_name="topic_id")

        class Meta:
            model = Group
            fields = ["centre", "topic", "status", "publicly_listed", "accepts_newcomers", "discreet"]

    class MembershipFilter(filters.FilterSet):
        group = IdFilter(field_name="group_id")
        person = IdFilter(field_name="person_id")
        active = filters.BooleanFilter(field_name="left_on", lookup_expr="isnull")

        class Meta:
            model = Membership
            fields = ["group", "person", "role", "active"]

    class SeriesFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        group = IdFilter(field_name="group_id")
        room = IdFilter(field_name="room_id")

        class Meta:
            model = MeetingSeries
            fields = ["centre", "group", "room"]

    class MeetingFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        group = IdFilter(field_name="group_id")
        room = IdFilter(field_name="room_id")
        series = IdFilter(field_name="series_id")
        starts_after = IsoDateTimeFilter(field_name="ends_at", lookup_expr="gt", label="Ends after (ISO 8601)")
        starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", label="Starts before (ISO 8601)")

        class Meta:
            model = Meeting
            fields = ["centre", "group", "room", "series", "status", "starts_after", "starts_before"]

    class ClosureFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        ends_after = filters.DateFilter(field_name="ends_on", lookup_expr="gte")

        class Meta:
            model = Closure
            fields = ["centre", "ends_after"]
