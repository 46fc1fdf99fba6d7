"""The public programme of the published meetings (under /<lang>/meetings/)."""

from django.urls import path

from . import public_views

app_name = "meetings_public"
urlpatterns = [
    path("", public_views.meeting_list, name="list"),
    path("<str:key>/", public_views.meeting_detail, name="meeting"),
]
