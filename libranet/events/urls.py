from django.urls import path

from . import views

app_name = "events_office"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="new"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/delete/", views.event_delete, name="delete"),
    path("photos/<int:pk>/remove/", views.photo_remove, name="photo_remove"),
    path("reports/", views.rounds, name="rounds"),
    path("reports/rounds/<int:pk>/", views.round_detail, name="round"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]
