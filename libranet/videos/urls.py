"""The back office's pages of videos (under /<lang>/office/videos/)."""

from django.urls import path

from . import views

app_name = "videos"
urlpatterns = [
    path("", views.video_list, name="list"),
    path("new/", views.video_new, name="new"),
    path("<int:pk>/", views.video_detail, name="video"),
]
