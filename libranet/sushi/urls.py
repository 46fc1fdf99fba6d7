"""The COUNTER API 5.1 paths (Code of Practice, section 8), and the tabular downloads of the
same reports beside them: ``/r51/reports/<id>.tsv`` and ``.xlsx``."""

from django.urls import path

from . import views

app_name = "sushi"
urlpatterns = [
    path("r51/status", views.status, name="status"),
    path("r51/members", views.members, name="members"),
    path("r51/reports", views.report_list, name="reports"),
    path("r51/reports/<slug:path>", views.report, name="report"),
    path("r51/reports/<slug:path>.tsv", views.report, {"tabular": "tsv"}, name="report_tsv"),
    path("r51/reports/<slug:path>.xlsx", views.report, {"tabular": "xlsx"}, name="report_xlsx"),
]
