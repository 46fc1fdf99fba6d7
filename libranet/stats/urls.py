from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("indicators.<str:fmt>", views.indicators_export, name="indicators_export"),
    path("zero-usage/", views.zero_usage_report, name="zero_usage"),
    path("zero-usage/zero-usage.<str:fmt>", views.zero_usage_export, name="zero_usage_export"),
    # The drill-down: network/, foreign/, district/CFD/, region/RU-TVE/, country/MN/, center/X/
    path("<str:level>/", views.level, name="level"),
    path("<str:level>/indicators.<str:fmt>", views.level_export, name="level_export"),
    path("<str:level>/<str:code>/", views.level, name="level"),
    path("<str:level>/<str:code>/indicators.<str:fmt>", views.level_export, name="level_export"),
]
