from rest_framework.routers import DefaultRouter

from meetings.api import views

router = DefaultRouter()
router.register("topics", views.TopicViewSet, basename="topic")
router.register("locations", views.LocationViewSet, basename="location")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("groups", views.GroupViewSet, basename="group")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("series", views.SeriesViewSet, basename="series")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("closures", views.ClosureViewSet, basename="closure")
router.register("calendar-links", views.CalendarLinkViewSet, basename="calendarlink")
router.register("planner", views.PlannerView, basename="planner")

urlpatterns = router.urls
