from django.urls import path

from imports import views

urlpatterns = [
    path("centres/<slug:slug>/workspace/import/", views.import_start, name="workspace-import"),
    path(
        "centres/<slug:slug>/workspace/import/examples/<str:language>/<str:kind>.csv",
        views.import_example,
        name="workspace-import-example",
    ),
    path("centres/<slug:slug>/workspace/import/<int:pk>/", views.import_upload, name="workspace-import-upload"),
]
