"""The room planner's week over the API (/api/v1/planner/), from the calendar cache."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from centres.api.permissions import IsCentreStaff
from centres.selectors import centre_list
from config.api import CentreScopedMixin, centre_for_new_object
from meetings import caching, selectors
from meetings.api.serializers.meetings import WeekQuerySerializer
from meetings.booking import local_today
from meetings.week_plan import WeekPlan


class PlannerView(CentreScopedMixin, viewsets.ViewSet):
    """One centre's week: every room × day with its meetings, closures and utilisation."""

    permission_classes = [IsCentreStaff]

    @extend_schema(parameters=[WeekQuerySerializer], responses=OpenApiTypes.OBJECT)
    def list(self, request):
        def respond() -> Response:
            query = WeekQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            centre = centre_for_new_object(query.validated_data.get("centre"), centre_list())
            day = query.validated_data.get("week") or local_today(centre.time_zone)
            return Response(week_plan_data(selectors.room_week_plan(centre=centre, monday=day)))

        # Keyed by the query as sent and the user's centres, so a repeated question skips even
        # its validation. Without a week it means "this week" in the centre's zone: the quarter
        # hour is part of the key, since every zone's offset is a whole number of quarter hours.
        now = timezone.now()
        this_week = "" if "week" in request.query_params else f"{now:%Y%m%d%H}{now.minute // 15}"
        return caching.cached_json(
            request, "planner", caching.scope_centre_ids(), [request.GET.urlencode(), this_week], respond
        )


def week_plan_data(plan: WeekPlan) -> dict:
    def meeting_data(meeting):
        return {
            "id": meeting.pk,
            "title": meeting.display_title,
            "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(),
            "status": meeting.status,
            "cancel_reason": meeting.cancel_reason,
            "group": meeting.group_id,
            "series": meeting.series_id,
        }

    return {
        "centre": plan.centre.slug,
        "week_starts_on": plan.monday.isoformat(),
        "days": [day.isoformat() for day in plan.days],
        "previous_week": plan.previous_monday.isoformat(),
        "next_week": plan.next_monday.isoformat(),
        "rooms": [
            {
                "id": room_week.room.pk,
                "name": room_week.room.name,
                "location": room_week.room.location.name,
                "capacity": room_week.room.capacity,
                "utilisation": room_week.utilisation,
                "booked_minutes": room_week.booked_minutes,
                "days": [
                    {
                        "date": cell.day.isoformat(),
                        "closure": cell.closure.reason if cell.closure else None,
                        "free": [[begin.strftime("%H:%M"), end.strftime("%H:%M")] for begin, end in cell.free],
                        "meetings": [meeting_data(meeting) for meeting in cell.meetings],
                    }
                    for cell in room_week.cells
                ],
            }
            for room_week in plan.rooms
        ],
    }
