"""Routes of the intake API, included under /api/v1/ by config.urls."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from intake.api import views

router = DefaultRouter()
router.register("enquiries", views.EnquiryViewSet, basename="enquiry")
router.register("waiting-lists", views.WaitingListViewSet, basename="waitinglist")
router.register("intake-reports", views.IntakeReportViewSet, basename="intakereport")

urlpatterns = [
    path("centres/<slug:slug>/enquiries/", views.PublicEnquiryView.as_view(), name="public-enquiry"),
    *router.urls,
]
