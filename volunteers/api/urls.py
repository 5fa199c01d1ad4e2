from rest_framework.routers import DefaultRouter

from volunteers.api import views

router = DefaultRouter()
router.register("volunteers", views.VolunteerViewSet, basename="volunteer")
router.register("starter-assignments", views.AssignmentViewSet, basename="starterassignment")
router.register("volunteer-reports", views.VolunteerReportViewSet, basename="volunteerreport")

urlpatterns = router.urls
