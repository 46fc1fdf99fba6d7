from django.urls import path

from . import resource_views, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("centers/", views.directory, name="directory"),
    path("centers/map/", views.center_map, name="map"),
    path("centers/map.json", views.map_data, name="map_data"),
    path("centers/<str:code>/", views.center_detail, name="center"),
    path("resources/", resource_views.search_page, name="resources"),
    # Identifiers may hold ":", "/" and "."; the reader's patterns come first, so that
    # ".../read/" is the reader (the reader view serves an identifier ending in "/read" too).
    path(
        "resources/<path:identifier>/read/<int:file_id>/",
        resource_views.reader,
        name="resource_read_file",
    ),
    path("resources/<path:identifier>/read/", resource_views.reader, name="resource_read"),
    path("resources/<path:identifier>/", resource_views.record, name="resource"),
]
