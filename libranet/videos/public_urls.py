"""The public video page (under /<lang>/video/)."""

from django.urls import path

from . import views

app_name = "videos_public"
urlpatterns = [path("", views.public_videos, name="list")]
