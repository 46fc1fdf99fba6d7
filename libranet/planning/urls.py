from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/close/", views.round_close_view, name="round_close"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/plan.xlsx", views.plan_download, {"fmt": "xlsx"}, name="plan_xlsx"),
    path("<int:pk>/plan.pdf", views.plan_download, {"fmt": "pdf"}, name="plan_pdf"),
    path("<int:pk>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit_view, name="proposal_submit"),
    path("proposals/<int:pk>/decide/", views.proposal_decide_view, name="proposal_decide"),
]
