from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("centers/", views.directory, name="directory"),
    path("centers/map/", views.center_map, name="map"),
    path("centers/map.json", views.map_data, name="map_data"),
    path("centers/<str:code>/", views.center_detail, name="center"),
]
