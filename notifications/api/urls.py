from rest_framework.routers import DefaultRouter

from notifications.api import views

router = DefaultRouter()
router.register("newsletters", views.NewsletterListViewSet, basename="newsletter")
router.register("newsletter-issues", views.IssueViewSet, basename="newsletterissue")
router.register("outbox", views.OutboxViewSet, basename="outgoingmail")

urlpatterns = router.urls
