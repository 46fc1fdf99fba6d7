from django.urls import path

from . import ical, public_views

app_name = "events"
urlpatterns = [
    path("", public_views.event_list, name="list"),
    path("calendar.ics", ical.calendar_feed, name="calendar"),
    path("photos/<int:pk>/", public_views.event_photo, name="photo"),
    path("<int:pk>/", public_views.event_detail, name="detail"),
]
