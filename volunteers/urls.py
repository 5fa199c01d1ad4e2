from django.urls import path

from volunteers import views

urlpatterns = [
    path("centres/<slug:slug>/volunteer/", views.signup, name="volunteer-signup"),
    path("volunteer/confirm/<str:token>/", views.confirm, name="volunteer-confirm"),
    path("volunteer/request/<str:token>/", views.request_answer, name="volunteer-request"),
]
