from rest_framework.routers import DefaultRouter

from volunteers.api import portal, views

router = DefaultRouter()
router.register("volunteers", views.VolunteerViewSet, basename="volunteer")
router.register("starter-assignments", views.AssignmentViewSet, basename="starterassignment")
router.register("session-logs", views.SessionLogViewSet, basename="sessionlog")
router.register("recruitment-needs", views.RecruitmentNeedViewSet, basename="recruitmentneed")
router.register("portal", portal.PortalViewSet, basename="portal")
router.register("volunteer-reports", views.VolunteerReportViewSet, basename="volunteerreport")

urlpatterns = router.urls
