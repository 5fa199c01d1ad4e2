"""Query filters of the intake endpoints (built outside any scope, foreign keys by id)."""

from django_filters import rest_framework as filters

from centres.scoping import all_centres_scope
from config.api import IdFilter
from intake.models import Enquiry

with all_centres_scope():

    class EnquiryFilter(filters.FilterSet):
        centre = filters.CharFilter(field_name="centre__slug")
        topic = IdFilter(field_name="topics")
        waiting_topic = IdFilter(field_name="waiting_topic_id")

        class Meta:
            model = Enquiry
            fields = ["centre", "status", "channel", "topic", "waiting_topic", "language"]
