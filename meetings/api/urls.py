from rest_framework.routers import DefaultRouter

from meetings.api.views import groups, meetings, places, planner, series

router = DefaultRouter()
router.register("topics", places.TopicViewSet, basename="topic")
router.register("locations", places.LocationViewSet, basename="location")
router.register("rooms", places.RoomViewSet, basename="room")
router.register("groups", groups.GroupViewSet, basename="group")
router.register("memberships", groups.MembershipViewSet, basename="membership")
router.register("series", series.SeriesViewSet, basename="series")
router.register("meetings", meetings.MeetingViewSet, basename="meeting")
router.register("closures", meetings.ClosureViewSet, basename="closure")
router.register("calendar-links", meetings.CalendarLinkViewSet, basename="calendarlink")
router.register("planner", planner.PlannerView, basename="planner")

urlpatterns = router.urls
