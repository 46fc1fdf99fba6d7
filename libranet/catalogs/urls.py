from django.urls import path

from . import views

app_name = "catalogs_office"
urlpatterns = [
    path("", views.source_list, name="list"),
    path("new/", views.source_new, name="new"),
    path("<int:pk>/", views.source_detail, name="source"),
    path("<int:pk>/edit/", views.source_edit, name="edit"),
    path("<int:pk>/harvest/", views.source_harvest, name="harvest"),
    path("<int:pk>/deactivate/", views.source_deactivate, name="deactivate"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]
